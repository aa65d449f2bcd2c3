"""services.assessment: data loading (calendars, administrator override, wording), case
summaries, the text result page."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from imrdesktop.domain.case import summary_for, validate_record
from imrdesktop.domain.errors import InvalidField
from imrdesktop.services import assessment as svc

T11 = {
    "regulator": "dmhc",
    "denial_reason": "med_necessity",
    "grievance": {"filed_date": "2026-09-01", "decision_date": "2026-09-20", "outcome": "upheld"},
    "imr_decision_received_date": "2026-11-24",
    "imr_decision_outcome": "overturned",
    "provider_recommended_or_in_plan_visit": True,
}


@pytest.fixture(autouse=True)
def fresh_data():
    svc.reload()
    yield
    svc.reload()


def override_path():
    path = svc.default_config_dir() / svc.OVERRIDE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def test_shipped_calendar_gives_t11():
    _a, r = svc.assess_facts(T11, dt.date(2026, 11, 25))
    assert r["deadlines"]["plan_compliance_due"] == "2026-12-03"


def test_administrator_override_replaces_a_year():
    # say the state also closed on Monday Nov 30, 2026
    closures = [d.isoformat() for d in svc.calendars().state_office.closures_in(2026)]
    override = {"format_version": 1, "years": {"2026": {"state_office": [*closures, "2026-11-30"]}}}
    override_path().write_text(json.dumps(override), encoding="utf-8")
    svc.reload()
    _a, r = svc.assess_facts(T11, dt.date(2026, 11, 25))
    assert r["deadlines"]["plan_compliance_due"] == "2026-12-04"


def test_a_broken_override_is_refused_by_name():
    override_path().write_text("{broken", encoding="utf-8")
    svc.reload()
    with pytest.raises(InvalidField) as info:
        svc.assess_facts(T11, dt.date(2026, 11, 25))
    assert "calendars-override.json" in info.value.params["field"]
    override_path().write_text(json.dumps({"format_version": 1, "years": {"2026": {"x": []}}}))
    svc.reload()
    with pytest.raises(InvalidField) as info:
        svc.assess_facts(T11, dt.date(2026, 11, 25))
    assert info.value.params["field"].endswith("calendars-override.json: years.2026.x")


def test_data_is_read_once():
    assert svc.calendars() is svc.calendars()
    assert svc.wording() is svc.wording()


def test_summary_takes_the_assessment():
    today = dt.date(2026, 11, 25)
    assessment, rendered = svc.assess_facts(T11, today)
    labels = svc.deadline_short_labels()
    record = validate_record({"enrollee": {"name": "A"}, "facts": T11, "assessment": rendered})
    from_object = summary_for(record, assessment, today=today, labels=labels)
    from_record = summary_for(record, today=today, labels=labels)
    assert from_object == from_record
    assert from_record["next_deadline"] == {"date": "2026-12-03", "what": "Plan must comply"}
    assert summary_for({"enrollee": {"name": "A"}})["next_deadline"] is None


def test_window_closed_case_shows_the_passed_file_by_date():
    facts = {**T11, "grievance": {**T11["grievance"]}}
    facts.pop("imr_decision_received_date")
    facts.pop("imr_decision_outcome")
    today = dt.date(2027, 6, 1)
    assessment, rendered = svc.assess_facts(facts, today)
    assert rendered["outcome"] == "window_closed_ask_extension"
    record = {"enrollee": {"name": "A"}, "assessment": rendered}
    summary = summary_for(record, today=today, labels=svc.deadline_short_labels())
    assert summary["next_deadline"] == {"date": "2027-03-20", "what": "File the IMR"}


def test_assessment_must_be_an_object_in_a_record():
    with pytest.raises(InvalidField) as info:
        validate_record({"enrollee": {"name": "A"}, "assessment": []})
    assert info.value.params["field"] == "assessment"


@pytest.mark.parametrize(
    ("facts", "today", "needles"),
    [
        (T11, "2026-11-25", ["2026-12-03  The plan must carry out the IMR decision by", "[W13]"]),
        (
            {
                "regulator": "dmhc",
                "denial_reason": "med_necessity",
                "grievance": {"filed_date": "2026-06-20"},
            },
            "2026-07-04",
            ["Not yet: the client can file on 2026-07-21", "(17 days left)", "verify: a provider"],
        ),
        (
            {"regulator": "medicare"},
            "2026-07-04",
            ["A DMHC review is not available", "Nothing, as far"],
        ),
    ],
)
def test_text_report(facts, today, needles):
    day = dt.date.fromisoformat(today)
    _a, rendered = svc.assess_facts(facts, day)
    text = svc.text_report(rendered, day)
    for needle in needles:
        assert needle in text, text
