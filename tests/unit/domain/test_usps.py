"""USPS article numbers: the RULES.md D.2 vectors, the D.3 worked examples, garbage, and
single-digit substitutions (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imrdesktop.domain.usps import ArticleNumber, check, check_digit, group4, normalise

VALID = [
    ("9400 1112 0108 0805 4830 16", "9400111201080805483016", "impb22"),
    ("9361 2898 7870 0317 6337 95", "9361289878700317633795", "impb22"),
    ("9505 5110 6960 5048 6006 24", "9505511069605048600624", "impb22"),
    ("9101 1234 5678 9000 0000 13", "9101123456789000000013", "impb22"),
    ("9405803699300124287899", "9405803699300124287899", "impb22"),
    ("92748931507708513018050063", "92748931507708513018050063", "impb26"),
    ("0307 1790 0005 2348 3741", "03071790000523483741", "legacy20"),
    ("7112 3456 7891 2345 6787", "71123456789123456787", "legacy20"),
    ("7196 9010 7560 0307 7385", "71969010756003077385", "legacy20_91"),
    # 420 + ZIP+4 (12 characters) stripped
    ("4201002334249200190132607600833457", "9200190132607600833457", "impb22"),
    # 420 + ZIP5 (8 characters) stripped
    ("420 22153 9101026837331000039521", "9101026837331000039521", "impb22"),
]

INVALID = [
    ("0307 1790 0005 2348 3742", "03071790000523483742", "legacy20"),
    # Plain MOD 10: S = 9*3 + 2*1 = 29, so the check digit would be 1, not 0. No extra
    # "all zero" rule is needed to refuse it.
    ("9200000000000000000000", "9200000000000000000000", "impb22"),
]


@pytest.mark.parametrize(("text", "digits", "kind"), VALID)
def test_valid_vectors(text, digits, kind):
    assert check(text) == ArticleNumber(digits, True, kind)
    assert normalise(text) == digits


@pytest.mark.parametrize(("text", "digits", "kind"), INVALID)
def test_invalid_vectors(text, digits, kind):
    assert check(text) == ArticleNumber(digits, False, kind)


def test_worked_examples_of_d3():
    assert check_digit("940011120108080548301") == 6
    assert check_digit("7112345678912345678") == 7
    assert check_digit("920000000000000000000") == 1


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "12345",
        "9400 1112 0108 0805 4830 1X",
        "９４００",
        "٩٤٠٠",
        None,
        42,
        "1" * 40,
        "4201",
    ],
)
def test_garbage_is_unknown_never_an_exception(text):
    result = check(text)
    assert result.valid is False
    assert result.kind == "unknown"


def test_dashes_and_odd_spaces_are_separators():
    assert check("9400-1112-0108-0805-4830-16").valid
    assert check("9400\u00a01112\u20130108 0805\t4830 16").valid
    assert check("\uff19\uff14\uff10\uff10 1112 0108 0805 4830 16").valid  # fullwidth digits


def test_group4():
    assert group4("9400111201080805483016") == "9400 1112 0108 0805 4830 16"
    assert group4("71123456789123456787") == "7112 3456 7891 2345 6787"
    assert group4("") == ""
    assert check("9400111201080805483016").grouped == "9400 1112 0108 0805 4830 16"


def _with_check(body: str) -> str:
    return body + str(check_digit(body))


@settings(max_examples=150, deadline=None)
@given(
    body=st.sampled_from([21, 25]).flatmap(
        lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)
    ),
    data=st.data(),
)
def test_every_single_substitution_of_an_impb_number_is_caught(body, data):
    number = _with_check(body)
    assert check(number).valid
    pos = data.draw(st.integers(0, len(number) - 1))
    new = data.draw(st.sampled_from([d for d in "0123456789" if d != number[pos]]))
    typo = number[:pos] + new + number[pos + 1 :]
    assert not check(typo).valid


@settings(max_examples=150, deadline=None)
@given(body=st.text(alphabet="0123456789", min_size=19, max_size=19), data=st.data())
def test_a_substitution_in_a_legacy_number_never_passes_the_same_rule(body, data):
    # Either rule may pass a 20-digit number (RULES.md D.2); a typo can pass the other rule,
    # never the same one: the kind then says which rule passed.
    number = _with_check(body)
    original = check(number)
    assert original == ArticleNumber(number, True, "legacy20")
    pos = data.draw(st.integers(0, 19))
    new = data.draw(st.sampled_from([d for d in "0123456789" if d != number[pos]]))
    typo = check(number[:pos] + new + number[pos + 1 :])
    assert not (typo.valid and typo.kind == "legacy20")


def test_every_substitution_of_the_rules_example_is_caught():
    number = "9400111201080805483016"
    caught = 0
    for pos in range(len(number)):
        for digit in "0123456789":
            if digit != number[pos]:
                caught += not check(number[:pos] + digit + number[pos + 1 :]).valid
    assert caught == 22 * 9
