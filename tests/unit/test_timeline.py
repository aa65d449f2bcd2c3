"""Issue 8: the case record's new keys, the timeline, merged facts and the derived status."""

from __future__ import annotations

import datetime as dt

import pytest

from imrdesktop.domain.case import (
    check_date,
    check_email,
    check_member_id,
    check_phone,
    check_zip_in_address,
    status_label,
    summary_for,
    validate_record,
)
from imrdesktop.domain.errors import InvalidField
from imrdesktop.domain.timeline import (
    EVENT_LABELS,
    EVENTS,
    STATUS_LABELS,
    STATUSES,
    derive_status,
    merged_facts,
)

TODAY = dt.date(2026, 3, 1)
BASE = {"enrollee": {"name": "Nguyễn Văn Anh"}}


def ev(event: str, date: str, **extra) -> dict:
    return {"event": event, "date": date, **extra}


def field_of(record: dict) -> str:
    with pytest.raises(InvalidField) as info:
        validate_record({**BASE, **record}, today=TODAY)
    return info.value.params["field"]


# --- validation -------------------------------------------------------------------------
def test_contact_preference_accepted_and_checked():
    for value in ("phone", "email", "mail", "text"):
        clean = validate_record(
            {"enrollee": {"name": "A", "contact_preference": value}}, today=TODAY
        )
        assert clean["enrollee"]["contact_preference"] == value
    assert field_of({"enrollee": {"name": "A", "contact_preference": "fax"}}) == (
        "enrollee.contact_preference"
    )


def test_denial_accepted_and_checked():
    clean = validate_record(
        {**BASE, "denial": {"action": "modified", "stated_reason": " not necessary "}}, today=TODAY
    )
    assert clean["denial"] == {"action": "modified", "stated_reason": "not necessary"}
    assert "denial" not in validate_record({**BASE, "denial": {"action": ""}})
    assert field_of({"denial": {"action": "refused"}}) == "denial.action"
    assert field_of({"denial": {"stated_reason": "x" * 2001}}) == "denial.stated_reason"
    assert field_of({"denial": {"stated_reason": 5}}) == "denial.stated_reason"
    assert field_of({"denial": {"date": "2026-01-01"}}) == "denial.date"
    assert field_of({"denial": "denied"}) == "denial"


def test_timeline_is_cleaned_and_sorted_stably():
    timeline = [
        ev("grievance_filed", "2026-01-20", notes="faxed"),
        ev("denial", "2026-01-05"),
        ev("plan_answered", "2026-02-10", outcome="upheld"),
        ev("imr_mailed", "2026-01-20", notes="second"),
    ]
    clean = validate_record({**BASE, "timeline": timeline}, today=TODAY)["timeline"]
    assert [e["event"] for e in clean] == [
        "denial",
        "grievance_filed",
        "imr_mailed",
        "plan_answered",
    ]
    assert clean[0] == {"event": "denial", "date": "2026-01-05", "notes": "", "outcome": None}
    assert clean[1]["notes"] == "faxed" and clean[3]["outcome"] == "upheld"


@pytest.mark.parametrize(
    ("timeline", "field"),
    [
        ("not a list", "timeline"),
        ([ev("denial", "2026-01-05"), "x"], "timeline[1]"),
        ([ev("denial", "2026-01-05"), ev("appeal", "2026-01-06")], "timeline[1].event"),
        ([ev("denial", "2026-01-05"), ev("denial", "2026-02-30")], "timeline[1].date"),
        ([ev("denial", "2026-01-05"), ev("denial", "02/01/2026")], "timeline[1].date"),
        ([ev("denial", "2026-01-05"), ev("denial", "2026-3-1")], "timeline[1].date"),
        ([ev("denial", "2026-01-05"), ev("denial", "2026-03-02")], "timeline[1].date"),
        ([ev("denial", "2026-01-05"), ev("denial", None)], "timeline[1].date"),
        ([ev("denial", "2026-01-05"), ev("denial", "2026-01-06", notes=3)], "timeline[1].notes"),
        (
            [ev("denial", "2026-01-05"), ev("denial", "2026-01-06", notes="x" * 2001)],
            "timeline[1].notes",
        ),
        ([ev("denial", "2026-01-05", outcome="upheld")], "timeline[0].outcome"),
        ([ev("plan_answered", "2026-01-05", outcome="won")], "timeline[0].outcome"),
        ([ev("decision", "2026-01-05")], "timeline[0].outcome"),
        ([ev("decision", "2026-01-05", outcome="partial")], "timeline[0].outcome"),
        ([ev("denial", "2026-01-05", by="me")], "timeline[0].by"),
        ([ev("denial", "2026-01-05")] * 201, "timeline"),
    ],
)
def test_timeline_problems_name_the_field(timeline, field):
    assert field_of({"timeline": timeline}) == field


def test_timeline_outcomes_per_kind_and_limits():
    ok = [
        ev("plan_answered", "2026-01-05"),
        *(
            ev("plan_answered", "2026-01-05", outcome=o)
            for o in ("upheld", "partial", "overturned")
        ),
        *(
            ev("decision", "2026-01-06", outcome=o)
            for o in ("overturned", "upheld", "withdrawn", "plan_reversed")
        ),
        ev("denial", "2026-01-01", notes="x" * 2000),
        ev("plan_complied", "2026-03-01"),  # today itself is fine
    ]
    assert len(validate_record({**BASE, "timeline": ok}, today=TODAY)["timeline"]) == len(ok)
    assert len(validate_record({**BASE, "timeline": ok[:1] * 200})["timeline"]) == 200


def test_every_event_has_a_label_and_every_status_one():
    assert tuple(EVENT_LABELS) == EVENTS
    assert set(STATUS_LABELS) == set(STATUSES)
    assert EVENT_LABELS["plan_answered"] == "Plan answered the grievance"
    assert status_label("complied") == "Care provided — closed"
    assert status_label("something old") == "something old"


# --- per-field checks ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "text", ["", "(415) 555-0100", "415.555.0100", "+1 415 555 0100", "1-415-555-0100"]
)
def test_phone_good(text):
    assert check_phone(text) is None


@pytest.mark.parametrize(
    "text", ["555-0100", "415 555 01000", "+44 20 7946 0958", "415-555-O100", "(015) 555-0100"]
)
def test_phone_bad(text):
    assert isinstance(check_phone(text), str) and check_phone(text)


def test_email_zip_member_id_date_checks():
    assert check_email("") is None and check_email("ana@example.org") is None
    for bad in ("ana", "ana@example", "a@b@c.org", "ana @example.org", "@example.org", "a@b."):
        assert check_email(bad), bad
    assert check_zip_in_address("") is None
    assert check_zip_in_address("1 Main St, Oakland, CA 94612") is None
    assert check_zip_in_address("1 Main St, Oakland, CA 94612-1234") is None
    assert check_zip_in_address("1 Main St, Oakland, CA") is None
    for bad in ("1 Main St, Oakland, CA 9461", "Oakland CA 946121", "Oakland CA 94612-12"):
        assert check_zip_in_address(bad), bad
    assert check_member_id("") is None and check_member_id("XKA 1234-55") is None
    assert check_member_id("A#1") and check_member_id("A" * 41)
    assert check_date("", TODAY) is None and check_date("2026-03-01", TODAY) is None
    assert check_date("2026-02-30", TODAY) and check_date("3/1/2026", TODAY)
    assert check_date("2026-03-02", TODAY)


# --- merged facts -------------------------------------------------------------------------
def test_timeline_dates_take_precedence_over_the_facts():
    record = {
        **BASE,
        "facts": {
            "denial_reason": "med_necessity",
            "plan_written_decision_date": "2025-12-01",
            "grievance": {"filed_date": "2025-12-05", "expedited": False},
            "imr_decision_outcome": "upheld",
        },
        "timeline": [
            ev("denial", "2026-01-02"),
            ev("grievance_filed", "2026-01-10"),
            ev("plan_answered", "2026-02-01", outcome="partial"),
            ev("imr_mailed", "2026-02-05"),
            ev("decision", "2026-02-20", outcome="withdrawn"),
        ],
    }
    facts = merged_facts(record)
    assert facts["denial_reason"] == "med_necessity"
    assert facts["plan_written_decision_date"] == "2026-01-02"
    assert facts["grievance"] == {
        "filed_date": "2026-01-10",
        "expedited": False,
        "decision_date": "2026-02-01",
        "outcome": "partial",
    }
    assert facts["imr_filed_date"] == "2026-02-05"
    assert facts["imr_decision_received_date"] == "2026-02-20"
    assert facts["imr_decision_outcome"] is None  # withdrawn: no IMR outcome
    assert record["facts"]["plan_written_decision_date"] == "2025-12-01"  # not changed


def test_latest_event_of_a_kind_counts_and_mailing_is_imr_mailed():
    record = {
        **BASE,
        "timeline": [
            ev("decision", "2026-02-20", outcome="overturned"),
            ev("plan_answered", "2026-01-20"),
            ev("decision", "2026-02-01", outcome="upheld"),
        ],
        "facts": {"grievance": {"outcome": "upheld"}},
        "mailing": {"date": "2026-01-25", "article_number": "x"},
    }
    facts = merged_facts(record)
    assert facts["imr_decision_outcome"] == "overturned"
    assert facts["imr_decision_received_date"] == "2026-02-20"
    assert facts["imr_filed_date"] == "2026-01-25"
    assert facts["grievance"] == {"outcome": "upheld", "decision_date": "2026-01-20"}
    later = {**record, "timeline": [*record["timeline"], ev("imr_mailed", "2026-01-28")]}
    assert merged_facts(later)["imr_filed_date"] == "2026-01-28"
    assert merged_facts({**BASE}) == {}


# --- status -------------------------------------------------------------------------------
STAGES = [
    ([], "open"),
    ([ev("denial", "2026-01-02")], "open"),
    ([ev("grievance_filed", "2026-01-10")], "grievance_pending"),
    ([ev("plan_answered", "2026-02-01", outcome="upheld")], "ready_to_file"),
    ([ev("imr_mailed", "2026-02-05")], "mailed"),
    ([ev("dmhc_acknowledged", "2026-02-12")], "under_review"),
    ([ev("decision", "2026-02-20", outcome="overturned")], "overturned"),
    ([ev("plan_complied", "2026-02-25")], "complied"),
]


def test_status_follows_each_stage():
    timeline: list[dict] = []
    for events, status in STAGES:
        timeline += events
        assert derive_status({**BASE, "timeline": timeline}) == status


@pytest.mark.parametrize("outcome", ["overturned", "upheld", "withdrawn", "plan_reversed"])
def test_status_of_each_decision(outcome):
    record = {**BASE, "timeline": [ev("decision", "2026-02-20", outcome=outcome)]}
    assert derive_status(record) == outcome
    assert summary_for(record, today=TODAY)["outcome"] == outcome


def test_status_from_facts_mailing_and_assessment():
    assert derive_status({**BASE, "facts": {"grievance": {"filed_date": "2026-01-10"}}}) == (
        "grievance_pending"
    )
    eligible = {"outcome": "imr_standard", "pathway": "imr_standard", "deadlines": {}}
    assert derive_status({**BASE, "assessment": eligible}) == "ready_to_file"
    waiting = {"outcome": "not_yet_eligible", "eligible_on": "2026-02-11", "deadlines": {}}
    assert derive_status({**BASE, "assessment": waiting}, today=dt.date(2026, 2, 10)) == "open"
    assert derive_status({**BASE, "assessment": waiting}, today=dt.date(2026, 2, 11)) == (
        "ready_to_file"
    )
    mailed = {**BASE, "mailing": {"date": "2026-02-05", "article_number": "1"}}
    assert derive_status(mailed) == "mailed"
    assert derive_status({**BASE, "facts": {"imr_decision_outcome": "upheld"}}) == "upheld"


# --- summary ------------------------------------------------------------------------------
def test_summary_status_pathway_outcome_and_compliance_deadline():
    assessment = {
        "outcome": "imr_standard",
        "pathway": "imr_standard",
        "decision_days": 30,
        "deadlines": {"imr_file_by": "2026-07-01", "plan_compliance_due": "2026-03-02"},
    }
    record = {**BASE, "assessment": assessment}
    s = summary_for(record, today=TODAY)
    assert s["status"] == "ready_to_file" and s["pathway"] == "imr_standard"
    assert s["outcome"] == "" and s["next_deadline"]["date"] == "2026-03-02"
    won = {**record, "timeline": [ev("decision", "2026-02-23", outcome="overturned")]}
    s = summary_for(won, today=TODAY, labels={"plan_compliance_due": "Plan must comply"})
    assert s["status"] == "overturned" and s["outcome"] == "overturned"
    assert s["next_deadline"] == {"date": "2026-03-02", "what": "Plan must comply"}
    lost = {**record, "timeline": [ev("decision", "2026-02-23", outcome="upheld")]}
    assert summary_for(lost, today=TODAY)["next_deadline"] is None
    closed = {**won, "timeline": [*won["timeline"], ev("plan_complied", "2026-02-27")]}
    s = summary_for(closed, today=TODAY)
    assert s["status"] == "complied" and s["next_deadline"] is None
    assert s["outcome"] == "overturned"


def test_summary_after_a_timeline_mailing_shows_the_next_milestone():
    record = {**BASE, "timeline": [ev("imr_mailed", "2026-02-26")]}
    s = summary_for(record, today=TODAY)
    assert s["status"] == "mailed"
    assert s["next_deadline"] == {"date": "2026-03-03", "what": "delivery to DMHC"}
    acknowledged = {
        **BASE,
        "timeline": [*record["timeline"], ev("dmhc_acknowledged", "2026-02-28")],
    }
    s = summary_for(acknowledged, today=TODAY)
    assert s["status"] == "under_review"
    assert s["next_deadline"] == {"date": "2026-03-10", "what": "DMHC acceptance"}


def test_source_field_names_where_a_merged_date_came_from():
    from imrdesktop.domain.timeline import source_field

    record = {
        **BASE,
        "facts": {"grievance": {"filed_date": "2026-01-02"}},
        "timeline": [
            ev("denial", "2026-01-01"),
            ev("decision", "2026-02-01", outcome="withdrawn"),
            ev("denial", "2026-01-03"),
        ],
        "mailing": {"date": "2026-01-20"},
    }
    assert source_field(record, "plan_written_decision_date") == "timeline[2].date"
    assert source_field(record, "grievance.filed_date") == "facts.grievance.filed_date"
    assert source_field(record, "imr_filed_date") == "mailing.date"
    assert source_field(record, "imr_decision_received_date") == "timeline[1].date"
    assert source_field(record, "imr_decision_outcome") == "timeline[1].outcome"
    assert source_field(record, "regulator") == "facts.regulator"
