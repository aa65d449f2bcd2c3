"""The printed forms: definitions load, every form renders full and empty, values and labels
are in the PDF, fonts are embedded, the release form is 14 pt, SAMPLE, translation."""

from __future__ import annotations

import copy
import gettext
import io
import re

import pytest
from packet_pdf_helpers import (
    assert_fonts_embedded,
    flat,
    fonts_of,
    ink,
    pdf_text,
    render_png,
)
from packet_samples import FULL_CONTEXT

from imrdesktop.i18n import install_catalog
from imrdesktop.packet.forms import (
    FormDef,
    RenderedForm,
    format_value,
    load_form,
    parse_form,
    render_form,
)

FORMS = ("cover_sheet", "application", "assistant", "release", "exhibit_index", "envelope")

# Values of FULL_CONTEXT each form must print (as formatted on the page).
PRINTED = {
    "cover_sheet": [
        "URGENT / EXPEDITED REVIEW REQUESTED",
        "Help Center, Department of Managed Health Care",
        "980 9th Street, Suite 500",
        "Sacramento, CA 95814-2725",
        "Eastside Health Rights Project",
        "Rosa Delgado",
        "07/01/2026",
        "Nguyễn Văn Anh",
        "03/14/1958",
        "Golden Poppy Health Plan",
        "GPH-448812-01",
        "9400 1112 0108 0805 4830 16",
        "9590 9402 1234 5678 9012 34",
        "Exhibit C: Letter of medical necessity",
        "Total pages",
        "15",
        "These are copies, not originals.",
        "An Authorized Assistant Form is enclosed:",
        "confidential health information",
    ],
    "application": [
        "Reproduction of the DMHC IMR Application/Complaint Form (DMHC 20-224) prepared by "
        "IMR Desktop",
        "Nguyễn Văn",
        "Anh",
        "03/14/1958",
        "1234 Alvarado Street, Apt 5",
        "Los Angeles",
        "90026",
        "Proton beam radiation therapy for prostate cancer",
        "Dr. Maria Okafor",
        "05/10/2026",
        "06/05/2026",
        "I declare that the information in this application is true and correct",
        "Demographic information (optional)",
        "Vietnamese",
    ],
    "assistant": [
        "Authorized Assistant Form",
        "Nguyễn Văn Anh",
        "Rosa Delgado",
        "Advocate (legal aid)",
        "rosa@ehrp.example.org",
        "Signature of the authorized assistant",
    ],
    "release": [
        "Authorization for Release of Medical Information",
        "Golden Poppy Health Plan",
        "Echo Park Medical Group",
        "Dr. Maria Okafor",
        "independent medical review organization",
        "This authorization ends on 07/01/2027",
        "I have the right to receive a copy of this authorization",
        "Signature: for this authorization only",
    ],
    "exhibit_index": [
        "Exhibit Index",
        "Letter of medical necessity",
        "Physician letter / certification",
        "06/20/2026",
        "Dr. Maria Okafor",
        "14–17",
        "18–19",
    ],
    "envelope": [
        "CERTIFIED MAIL",
        "9400 1112 0108 0805 4830 16",
        "URGENT",
        "Help Center, Department of Managed Health Care",
        "Sacramento, CA 95814-2725",
        "Eastside Health Rights Project",
    ],
}

# Labels an empty context must report missing (a subset: the form's required fields).
MISSING_WHEN_EMPTY = {
    "cover_sheet": ["Date mailed", "USPS Certified Mail article number", "Enrollee's name"],
    "application": ["First name", "Last name", "Gender", "Date of birth (mm/dd/yyyy)", "City"],
    "assistant": ["Enrollee's name", "Assistant's name", "Relationship to the enrollee"],
    "release": ["Patient's name", "My health plan", "End date of the authorization"],
    "exhibit_index": ["Enrollee's name"],
    "envelope": ["Article number"],
}


@pytest.fixture(scope="module")
def rendered() -> dict[tuple[str, str], RenderedForm]:
    out = {}
    for form_id in FORMS:
        out[(form_id, "full")] = render_form(form_id, FULL_CONTEXT)
        out[(form_id, "empty")] = render_form(form_id, {})
    return out


def test_every_form_definition_loads():
    for form_id in FORMS:
        form = load_form(form_id)
        assert isinstance(form, FormDef)
        assert form.id == form_id
        assert form.blocks


@pytest.mark.parametrize("form_id", FORMS)
def test_full_context_prints_values(rendered, form_id):
    result = rendered[(form_id, "full")]
    text = flat(pdf_text(result.pdf))
    for value in PRINTED[form_id]:
        assert value in text, f"{form_id}: {value!r} not printed"
    assert result.pages >= 1
    assert re.search(r"page 1 of \d", text)
    assert "☐" not in text and "☒" not in text  # boxes are drawn, not glyphs
    assert_fonts_embedded(result.pdf)


@pytest.mark.parametrize("form_id", FORMS)
def test_empty_context_prints_blanks_and_lists_missing(rendered, form_id):
    result = rendered[(form_id, "empty")]
    for label in MISSING_WHEN_EMPTY[form_id]:
        assert label in result.missing, f"{form_id}: {label!r} not reported"
    assert len(result.missing) == len(set(result.missing))
    text = flat(pdf_text(result.pdf))
    for label in MISSING_WHEN_EMPTY[form_id]:
        if label != "End date of the authorization":  # a blank inside a sentence
            assert label in text  # the label is printed beside its blank
    assert_fonts_embedded(result.pdf)


def test_full_context_misses_only_what_it_lacks(rendered):
    assert rendered[("cover_sheet", "full")].missing == []
    assert rendered[("assistant", "full")].missing == []
    assert rendered[("release", "full")].missing == []
    # the sample has no gender and no diagnosis: hand completion
    assert rendered[("application", "full")].missing == ["Gender", "Diagnosis or condition"]


def test_no_helvetica_anywhere(rendered):
    for result in rendered.values():
        assert all("Helvetica" not in f["name"] for f in fonts_of(result.pdf))


def _font_sizes(pdf: bytes) -> list[float]:
    from pypdf import PdfReader

    sizes: list[float] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        data = page.get_contents().get_data().decode("latin-1")
        sizes += [float(s) for s in re.findall(r"/F\d+(?:\+\d+)? ([\d.]+) Tf", data)]
    return sizes


def test_release_form_is_printed_in_14_point_type(rendered):
    sizes = _font_sizes(rendered[("release", "full")].pdf)
    assert sizes
    assert min(sizes) >= 14, sorted(set(sizes))
    others = _font_sizes(rendered[("cover_sheet", "full")].pdf)
    assert min(others) < 14  # the check sees small type where there is some


def test_release_signature_sits_in_its_own_box(rendered):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(rendered[("release", "full")].pdf))
    last = reader.pages[-1].get_contents().get_data().decode("latin-1")
    assert re.search(r"[\d.]+ [\d.]+ [\d.]+ [\d.]+ re S", last)  # a stroked rectangle


def test_missing_urgent_hides_the_banner():
    context = dict(FULL_CONTEXT, urgent=False)
    text = pdf_text(render_form("cover_sheet", context).pdf)
    assert "URGENT" not in text


def test_table_header_repeats_on_each_page():
    context = copy.deepcopy(FULL_CONTEXT)
    context["manifest"] = [
        {"seq": i, "title": f"Medical record part {i}", "date": "2026-01-01", "pages": 2}
        for i in range(1, 81)
    ]
    result = render_form("cover_sheet", context)
    assert result.pages >= 3
    from pypdf import PdfReader

    pages = [p.extract_text() for p in PdfReader(io.BytesIO(result.pdf)).pages]
    with_rows = [p for p in pages if "Medical record part" in p]
    assert len(with_rows) >= 2
    assert all("Author or source" in p for p in with_rows)
    assert "160" in flat(pdf_text(result.pdf))  # total pages
    assert f"page {result.pages} of {result.pages}" in pages[-1]


def test_sample_watermark_on_every_page():
    result = render_form("application", FULL_CONTEXT, sample=True)
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(result.pdf)).pages
    assert len(pages) == result.pages
    assert all("SAMPLE" in p.extract_text() for p in pages)
    assert "SAMPLE" not in pdf_text(render_form("application", FULL_CONTEXT).pdf)


def test_any_script_prints_in_a_form():
    for name in ("王小明", "김민지", "Արմեն Պետրոսյան", "Иван Петров", "محمد عبد الله"):
        context = dict(FULL_CONTEXT, **{"enrollee.name": name})
        result = render_form("assistant", context)
        text = pdf_text(result.pdf)
        if name.startswith("مح"):
            assert "الله" in text or "هللا" in text
        else:
            assert name in text
        assert_fonts_embedded(result.pdf)


class _Pseudo(gettext.NullTranslations):
    def gettext(self, message):
        return f"«{message}»"

    def ngettext(self, singular, plural, n):
        return f"«{singular if n == 1 else plural}»"


def test_forms_render_in_the_language_asked_for():
    install_catalog("x-pseudo", _Pseudo())
    result = render_form("assistant", {}, language="x-pseudo")
    text = pdf_text(result.pdf)
    assert "«Authorized Assistant Form»" in text
    assert "«Enrollee's name»" in result.missing
    # the interface language is untouched
    assert render_form("assistant", {}).missing[0] == "Enrollee's name"


def test_format_value():
    assert format_value("2026-07-01", "date") == "07/01/2026"
    assert format_value("2026-07", "date") == "2026-07"
    assert format_value(True) == "Yes"
    assert format_value(False, "yesno") == "No"
    assert format_value("9400111201080805483016", "article") == "9400 1112 0108 0805 4830 16"
    assert format_value(3.0) == "3"


def _form(blocks, **extra):
    return {"format": "imrdesktop.form", "version": 1, "id": "t", "title": "T", "blocks": blocks,
            **extra}  # fmt: skip


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "a form must be a JSON object"),
        ({**_form([{"type": "heading", "text": "x"}]), "format": "x"}, "format"),
        (_form([]), "blocks"),
        (_form([{"type": "wobble"}]), "block 1: unknown block type 'wobble'"),
        (_form([{"type": "heading"}]), "block 1 (heading): needs 'text'"),
        (_form([{"type": "heading", "text": "x", "colour": 1}]), "unknown key 'colour'"),
        (_form([{"type": "fields", "fields": [{"label": "A"}]}]), "needs exactly one of"),
        (
            _form([{"type": "fields", "columns": 4, "fields": [{"label": "A", "value": "a"}]}]),
            "columns",
        ),
        (
            _form([{"type": "fields", "fields": [{"label": "A", "value": "a", "format": "x"}]}]),
            "format",
        ),
        (
            _form([{"type": "heading", "text": "x"}, {"type": "checks", "label": "x"}]),
            "block 2 (checks): needs options or yesno",
        ),
        (
            _form(
                [
                    {
                        "type": "table",
                        "rows": "m",
                        "columns": [
                            {"label": "A", "value": "a", "width": 0.7},
                            {"label": "B", "value": "b", "width": 0.7},
                        ],
                    }
                ]
            ),
            "more than 1",
        ),
        (_form([{"type": "heading", "text": "x", "when": "bad key!"}]), "context key"),
        (_form([{"type": "row", "blocks": [{"type": "page_break"}]}]), "cannot sit in a row"),
    ],
)
def test_bad_definitions_are_refused_naming_the_place(data, message):
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        parse_form(data, "forms/packet/t.json")
    assert "forms/packet/t.json" in str(info.value)


def test_load_form_names_the_file(tmp_path, monkeypatch):
    from imrdesktop.packet import forms

    (tmp_path / "packet").mkdir()
    (tmp_path / "packet" / "broken.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "packet" / "other.json").write_text(
        '{"format": "imrdesktop.form", "version": 1, "id": "wrong", "title": "T", '
        '"blocks": [{"type": "heading", "text": "x"}]}',
        encoding="utf-8",
    )
    monkeypatch.setattr(forms, "forms_path", lambda *p: tmp_path.joinpath(*p))
    with pytest.raises(ValueError, match=r"forms/packet/broken.json: cannot be read as JSON"):
        forms.load_form("broken")
    with pytest.raises(ValueError, match=r"forms/packet/other.json: id"):
        forms.load_form("other")
    with pytest.raises(ValueError, match="no such form"):
        forms.load_form("absent")
    with pytest.raises(ValueError, match="not a form name"):
        forms.load_form("../etc/passwd")


@pytest.mark.parametrize("form_id", FORMS)
def test_first_page_has_ink(rendered, form_id, tmp_path):
    png = render_png(rendered[(form_id, "full")].pdf, tmp_path / f"{form_id}.png", dpi=40)
    assert ink(png, (0, 0, 340, 440)) > 2000
