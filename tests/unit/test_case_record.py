from __future__ import annotations

import datetime as dt

import pytest

from imrdesktop.domain.case import summary_for, validate_record
from imrdesktop.domain.errors import InvalidField

FULL = {
    "enrollee": {
        "name": "Nguyễn Văn Anh",
        "date_of_birth": "1960-02-29",
        "address": "1 Sample St",
        "phone": "555-0100",
        "email": "a@example.org",
        "preferred_language": "es",
    },
    "plan": {"name": "Plan", "member_id": "M1", "medical_group": "G"},
    "advocate": {"name": "A", "organization": "O", "address": "x", "phone": "p", "email": "e"},
    "physician": {"name": "Dr", "phone": "p", "address": "a"},
    "assistant": {
        "name": "A",
        "relationship": "advocate",
        "organization": "O",
        "address": "x",
        "phone": "p",
        "email": "e",
    },
    "service": "MRI",
    "facts": {"regulator": "dmhc"},
    "notes": "n",
}


def test_every_cli_key_is_accepted_as_written():
    assert validate_record(FULL) == FULL


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({}, "enrollee.name"),
        ({"enrollee": {"name": "  "}}, "enrollee.name"),
        ({"enrollee": {"name": "A"}, "extra": 1}, "extra"),
        ({"enrollee": {"name": "A", "nickname": "x"}}, "enrollee.nickname"),
        ({"enrollee": {"name": "A", "date_of_birth": "1960-02-30"}}, "enrollee.date_of_birth"),
        ({"enrollee": {"name": "A", "date_of_birth": "01/02/1960"}}, "enrollee.date_of_birth"),
        ({"enrollee": {"name": "A"}, "plan": "x"}, "plan"),
        ({"enrollee": {"name": 5}}, "enrollee.name"),
        ({"enrollee": {"name": "A"}, "facts": []}, "facts"),
        ([], "(record)"),
    ],
)
def test_bad_records_name_the_field(record, field):
    with pytest.raises(InvalidField) as info:
        validate_record(record)
    assert info.value.params["field"] == field


def test_future_birth_date_is_refused():
    with pytest.raises(InvalidField):
        validate_record(
            {"enrollee": {"name": "A", "date_of_birth": "2030-01-01"}}, today=dt.date(2026, 1, 1)
        )


def test_summary_holds_only_what_the_list_needs():
    s = summary_for(FULL)
    assert s["name"] == "Nguyễn Văn Anh" and s["member_id"] == "M1"
    assert set(s) == {"name", "member_id", "status", "next_deadline", "pathway", "outcome", "basis"}
    assert set(s["basis"]) == {"status", "assessment"}  # dates and flags (test_caseload_today)
