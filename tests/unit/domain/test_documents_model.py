"""The exhibit model: letters, page ranges, the stored documents record."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imrdesktop.domain import documents as dom
from imrdesktop.domain.errors import InvalidField


def item(**over):
    base = {
        "id": "D-0123456789",
        "kind": "denial_letter",
        "title": "Denial of TAVR",
        "date": "2026-10-01",
        "source": "client",
        "file_name": "denial.pdf",
        "media": "pdf",
        "original": "A1",
        "pdf": "A2",
        "pages": 10,
        "size": 1234,
        "sha256": "ab" * 32,
        "include": True,
        "selection": None,
        "notes": [],
        "added": "2026-11-23",
    }
    base.update(over)
    return base


@pytest.mark.parametrize(
    ("index", "letter"),
    [
        (0, "A"),
        (1, "B"),
        (25, "Z"),
        (26, "AA"),
        (27, "AB"),
        (51, "AZ"),
        (52, "BA"),
        (701, "ZZ"),
        (702, "AAA"),
    ],
)
def test_exhibit_letters(index, letter):
    assert dom.exhibit_letter(index) == letter


@given(st.integers(min_value=0, max_value=20000))
def test_exhibit_letters_are_distinct_and_ordered(n):
    a, b = dom.exhibit_letter(n), dom.exhibit_letter(n + 1)
    assert a != b
    assert (len(a), a) < (len(b), b)


@pytest.mark.parametrize(
    ("text", "pages"),
    [
        ("", list(range(1, 11))),
        ("1-3, 5", [1, 2, 3, 5]),
        ("8, 2\u20134", [8, 2, 3, 4]),
        (" 7 ; 7, 1 ", [7, 1]),
        ("10", [10]),
        ("3\u20143", [3]),
    ],
)
def test_page_ranges(text, pages):
    assert dom.parse_page_ranges(text, 10) == pages


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("0", "pages 1 to 10"),
        ("11", "pages 1 to 10"),
        ("5-2", "backwards"),
        ("a-b", "not a page"),
        ("1-", "not a page"),
        (",,", "at least one page"),
        ("1.5", "not a page"),
    ],
)
def test_bad_page_ranges_say_why(text, says):
    with pytest.raises(InvalidField) as info:
        dom.parse_page_ranges(text, 10)
    assert info.value.params["field"] == "pages"
    assert says in info.value.params["problem"]


@given(st.lists(st.integers(min_value=1, max_value=60), unique=True, min_size=1))
def test_format_then_parse_is_identity(pages):
    assert dom.parse_page_ranges(dom.format_page_ranges(pages), 60) == pages


def test_record_round_trip_and_letters():
    rec = {
        "version": 1,
        "items": [
            item(),
            item(id="D-AAAAAAAAAA", include=False, original="B1", pdf="B2"),
            item(id="D-BBBBBBBBBB", selection=[{"page": 3, "rotate": 90}], original="C1", pdf="C2"),
        ],
    }
    clean = dom.validate_documents(rec)
    assert clean == dom.validate_documents(clean)
    assert dom.letters_for(clean["items"]) == {"D-0123456789": "A", "D-BBBBBBBBBB": "B"}
    assert dom.chosen_pages(clean["items"][2]) == [(3, 90)]
    assert len(dom.chosen_pages(clean["items"][0])) == 10


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"id": "../x"}, "documents[0].id"),
        ({"kind": "bribe"}, "documents[0].kind"),
        ({"date": "2026-13-01"}, "documents[0].date"),
        ({"date": "1/2/2026"}, "documents[0].date"),
        ({"media": "exe"}, "documents[0].media"),
        ({"pages": 0}, "documents[0].pages"),
        ({"pages": True}, "documents[0].pages"),
        ({"sha256": "xyz"}, "documents[0].sha256"),
        ({"include": "yes"}, "documents[0].include"),
        ({"title": "a\x00b"}, "documents[0].title"),
        ({"title": "x" * 201}, "documents[0].title"),
        ({"selection": []}, "documents[0].selection"),
        ({"selection": [{"page": 11, "rotate": 0}]}, "documents[0].selection"),
        ({"selection": [{"page": 1, "rotate": 45}]}, "documents[0].selection"),
        (
            {"selection": [{"page": 1, "rotate": 0}, {"page": 1, "rotate": 90}]},
            "documents[0].selection",
        ),
        ({"notes": ["made_up"]}, "documents[0].notes"),
    ],
)
def test_bad_items_name_the_field(over, field):
    with pytest.raises(InvalidField) as info:
        dom.validate_documents({"version": 1, "items": [item(**over)]})
    assert info.value.params["field"] == field


def test_duplicate_ids_and_versions_refused():
    with pytest.raises(InvalidField):
        dom.validate_documents({"version": 1, "items": [item(), item()]})
    with pytest.raises(InvalidField):
        dom.validate_documents({"version": 2, "items": []})
    assert dom.validate_documents(None) == {"version": 1, "items": []}


def test_every_kind_has_a_label():
    assert set(dom.KIND_LABELS) == set(dom.KINDS)
