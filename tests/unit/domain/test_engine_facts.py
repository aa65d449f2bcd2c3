"""The facts record of facts.md: defaults for unknowns, every exit-2 check, write-back."""

from __future__ import annotations

import pytest
from engine_helpers import D

from imrdesktop.domain.errors import InvalidField
from imrdesktop.domain.facts import (
    SCHEMA,
    Facts,
    FairHearingStatus,
    Regulator,
    Urgency,
    facts_problems,
    facts_to_json,
    parse_facts,
)

TODAY = D("2026-07-04")


def test_no_key_is_required():
    facts = parse_facts({}, TODAY)
    assert facts == Facts()
    assert facts.regulator == Regulator.UNKNOWN
    assert facts.urgency == Urgency.NONE
    assert facts.medi_cal.fair_hearing_status == FairHearingStatus.NONE
    assert facts.denial_reason is None and facts.grievance.expedited is False


def test_null_means_unknown():
    data = {key: None for key in SCHEMA}
    assert parse_facts(data, TODAY) == Facts()
    nested = {k: {sub: None for sub in v} for k, v in SCHEMA.items() if isinstance(v, dict)}
    assert parse_facts(nested, TODAY) == Facts()


def test_round_trip_through_json():
    data = {
        "regulator": "dmhc",
        "denial_reason": "med_necessity",
        "plan_written_decision_date": "2026-06-01",
        "grievance": {
            "filed_date": "2026-06-03",
            "decision_date": "2026-06-20",
            "outcome": "partial",
        },
        "medi_cal": {"member": True, "nar_date": "2026-06-20", "fair_hearing_status": "withdrawn"},
        "eit": {"two_med_sci_documents": True},
        "imr_decision_outcome": "upheld",
    }
    facts = parse_facts(data, TODAY)
    out = facts_to_json(facts)
    assert set(out) == set(SCHEMA)
    assert out["grievance"]["outcome"] == "partial" and out["eit"]["two_med_sci_documents"] is True
    assert parse_facts(out, TODAY) == facts


def test_a_date_on_today_is_accepted():
    assert parse_facts({"imr_filed_date": "2026-07-04"}, TODAY).imr_filed_date == TODAY


# (data, field named) — facts.md "Exit 2"
BAD = [
    ({"nonsense": 1}, "nonsense"),
    ({"grievance": {"filed": "2026-01-01"}}, "grievance.filed"),
    ({"regulator": "DMHC"}, "regulator"),
    ({"regulator": 3}, "regulator"),
    ({"denial_reason": "other"}, "denial_reason"),
    ({"urgency": "urgent"}, "urgency"),
    ({"grievance": {"outcome": "won", "decision_date": "2026-06-01"}}, "grievance.outcome"),
    ({"medi_cal": {"fair_hearing_status": "pending"}}, "medi_cal.fair_hearing_status"),
    ({"imr_decision_outcome": "partial"}, "imr_decision_outcome"),
    ({"service_already_rendered": "yes"}, "service_already_rendered"),
    ({"service_already_rendered": 1}, "service_already_rendered"),
    ({"eit": {"two_med_sci_documents": 0}}, "eit.two_med_sci_documents"),
    ({"grievance": "2026-01-01"}, "grievance"),
    ({"medi_cal": []}, "medi_cal"),
    ({"plan_written_decision_date": "2026-02-30"}, "plan_written_decision_date"),
    ({"plan_written_decision_date": "2026-6-1"}, "plan_written_decision_date"),
    ({"plan_written_decision_date": "20260601"}, "plan_written_decision_date"),
    ({"plan_written_decision_date": 20260601}, "plan_written_decision_date"),
    ({"plan_written_decision_date": "2026-07-05"}, "plan_written_decision_date"),
    ({"medi_cal": {"nar_date": "2027-01-01"}}, "medi_cal.nar_date"),
    ({"eit": {"plan_notice_received_date": "2026-13-01"}}, "eit.plan_notice_received_date"),
    (
        {
            "grievance": {
                "filed_date": "2026-06-03",
                "decision_date": "2026-06-02",
                "outcome": "upheld",
            }
        },
        "grievance.decision_date",
    ),
    (
        {"grievance": {"filed_date": "2026-06-03", "received_date": "2026-06-01"}},
        "grievance.received_date",
    ),
    (
        {"imr_filed_date": "2026-06-03", "imr_decision_received_date": "2026-06-01"},
        "imr_decision_received_date",
    ),
    ({"grievance": {"outcome": "upheld"}}, "grievance.outcome and grievance.decision_date"),
    (
        {"grievance": {"decision_date": "2026-06-01"}},
        "grievance.outcome and grievance.decision_date",
    ),
    ({"denial_reason": "medi_cal_rx_pharmacy"}, "denial_reason and medi_cal.member"),
    (
        {"denial_reason": "medi_cal_rx_pharmacy", "medi_cal": {"member": False}},
        "denial_reason and medi_cal.member",
    ),
    ([], "(facts)"),
    ("facts", "(facts)"),
]


@pytest.mark.parametrize(("data", "field"), BAD)
def test_bad_facts_name_the_field(data, field):
    with pytest.raises(InvalidField) as info:
        parse_facts(data, TODAY)
    assert info.value.params["field"] == field
    assert info.value.params["problem"]
    assert info.value.exit_code == 2


def test_contradiction_is_refused_whatever_the_other_facts_say():
    data = {"regulator": "cdi", "denial_reason": "medi_cal_rx_pharmacy"}
    with pytest.raises(InvalidField):
        parse_facts(data, TODAY)


def test_every_problem_is_listed():
    _facts, problems = facts_problems(
        {"x": 1, "urgency": "soon", "imr_filed_date": "2030-01-01"}, TODAY
    )
    assert [p.params["field"] for p in problems] == ["x", "urgency", "imr_filed_date"]
