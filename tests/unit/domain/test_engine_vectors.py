"""RULES.md B.5 test vectors T1-T18 (incl. T14b, T16b): outcome, pathway, eligible_on, the
named dates and warnings. Unless a vector says otherwise the regulator is DMHC and every
other fact is missing."""

from __future__ import annotations

import pytest
from engine_helpers import D

from imrdesktop.domain.errors import InvalidField
from imrdesktop.domain.facts import parse_facts

IMR_DATES = ("imr_file_by", "imr_safe_target", "imr_legal_last_day", "imr_file_by_from_denial")


def dmhc(**facts):
    return {"regulator": "dmhc", **facts}


T1 = dmhc(denial_reason="med_necessity", grievance={"filed_date": "2026-03-02"})
T14 = dmhc(
    denial_reason="med_necessity",
    urgency="none",
    grievance={"filed_date": "2026-07-01", "expedited": True},
)

# (id, facts, today, outcome, pathway, eligible_on, dates that must equal, warnings present,
#  warnings absent)
VECTORS = [
    (
        "T1",
        T1,
        "2026-03-20",
        "not_yet_eligible",
        "imr_standard",
        "2026-04-02",
        {"plan_grievance_due": "2026-04-01", "unresolved_eligible_date": "2026-04-02"},
        [],
        ["W07"],
    ),
    (
        "T2",
        T1,
        "2026-04-02",
        "imr_standard",
        "imr_standard",
        "2026-04-02",
        # anchor 2026-04-01 -> file_by 2026-10-01 (Thu), safe target 2026-09-28
        {
            "imr_file_by": "2026-10-01",
            "imr_safe_target": "2026-09-28",
            "imr_legal_last_day": "2026-10-01",
        },
        ["W04", "W07", "W08"],
        [],
    ),
    (
        "T3",
        dmhc(
            denial_reason="med_necessity",
            grievance={
                "filed_date": "2026-03-20",
                "decision_date": "2026-04-10",
                "outcome": "upheld",
            },
        ),
        "2026-05-01",
        "imr_standard",
        "imr_standard",
        "2026-05-01",
        {
            "imr_file_by": "2026-10-10",
            "imr_legal_last_day": "2026-10-12",
            "imr_safe_target": "2026-10-07",
        },
        ["W04", "W08"],
        ["W07"],
    ),
    (
        "T4",
        dmhc(
            denial_reason="med_necessity",
            urgency="imminent_serious_threat",
            plan_written_decision_date="2026-06-01",
            service_already_rendered=False,
            urgency_certification_present=True,
        ),
        "2026-06-02",
        "imr_urgent",
        "imr_urgent",
        "2026-06-02",
        {"imr_file_by": "2026-12-01"},
        ["W05", "W08"],
        ["W16"],
    ),
    (
        "T5",
        dmhc(
            denial_reason="experimental_investigational",
            urgency="eit_less_effective_if_delayed",
            plan_written_decision_date="2026-01-15",
            eit={
                "life_threatening_or_seriously_debilitating": True,
                "physician_certification_present": True,
                "recommending_physician_is_plan_physician": True,
            },
        ),
        "2026-02-01",
        "imr_eit_expedited",
        "imr_eit_expedited",
        "2026-02-01",
        {"imr_file_by": "2026-07-15", "eit_notice_due": "2026-01-23"},
        ["W06", "W08"],
        ["W05"],
    ),
    (
        "T6",
        dmhc(
            denial_reason="experimental_investigational",
            plan_written_decision_date="2026-01-15",
            eit={
                "life_threatening_or_seriously_debilitating": True,
                "physician_certification_present": True,
                "recommending_physician_is_plan_physician": False,
                "two_med_sci_documents": False,
            },
        ),
        "2026-01-20",
        "not_ready_eit_missing_evidence",
        "imr_eit_standard",
        None,
        {},
        [],
        ["W08"],
    ),
    (
        "T7",
        dmhc(
            denial_reason="med_necessity",
            grievance={
                "filed_date": "2026-04-01",
                "decision_date": "2026-05-15",
                "outcome": "upheld",
            },
            medi_cal={"member": True, "nar_date": "2026-05-15", "fair_hearing_status": "none"},
        ),
        "2026-05-20",
        "imr_standard",
        "imr_standard",
        "2026-05-20",
        {
            "imr_file_by": "2026-11-15",
            "imr_legal_last_day": "2026-11-16",
            "imr_safe_target": "2026-11-11",
            "sfh_file_by": "2026-09-12",
            "aid_paid_pending_by": "2026-05-25",
        },
        ["W01", "W02", "W08"],
        ["W14", "W19"],
    ),
    (
        "T8",
        dmhc(
            denial_reason="med_necessity",
            medi_cal={"member": True, "fair_hearing_status": "requested"},
        ),
        "2026-05-20",
        "imr_not_available_hearing_pending",
        "state_hearing",
        None,
        {},
        ["W14"],
        ["W08", "W01"],
    ),
    (
        "T9",
        dmhc(denial_reason="cancellation_rescission_nonrenewal"),
        "2026-05-20",
        "consumer_complaint",
        "consumer_complaint",
        "2026-05-20",
        {},
        ["W17"],
        ["W08"],
    ),
    (
        "T10",
        dmhc(
            denial_reason="med_necessity",
            grievance={
                "filed_date": "2025-08-01",
                "decision_date": "2025-08-29",
                "outcome": "upheld",
            },
        ),
        "2026-03-05",
        "window_closed_ask_extension",
        "imr_standard",
        "2026-03-05",
        {"imr_file_by": "2026-02-28", "imr_legal_last_day": "2026-03-02"},
        ["W04"],
        ["W03", "W08"],
    ),
    (
        "T11",
        dmhc(
            denial_reason="med_necessity",
            grievance={
                "filed_date": "2026-09-01",
                "decision_date": "2026-09-20",
                "outcome": "upheld",
            },
            imr_filed_date="2026-10-01",
            imr_decision_received_date="2026-11-24",
            imr_decision_outcome="overturned",
        ),
        "2026-11-25",
        "imr_standard",
        "imr_standard",
        "2026-11-25",
        {"plan_compliance_due": "2026-12-03"},
        ["W13"],
        [],
    ),
    (
        "T12",
        dmhc(
            denial_reason="experimental_investigational",
            urgency="eit_less_effective_if_delayed",
            plan_written_decision_date="2026-03-02",
            grievance={
                "filed_date": "2026-03-04",
                "decision_date": "2026-03-20",
                "outcome": "overturned",
            },
            eit={
                "life_threatening_or_seriously_debilitating": True,
                "physician_certification_present": True,
                "recommending_physician_is_plan_physician": True,
            },
        ),
        "2026-04-01",
        "no_dispute",
        "none",
        None,
        {},
        [],
        ["W04", "W06", "W08"],
    ),
    (
        "T13",
        {
            "denial_reason": "med_necessity",
            "grievance": {
                "filed_date": "2026-04-20",
                "decision_date": "2026-05-04",
                "outcome": "upheld",
            },
        },
        "2026-05-10",
        "imr_standard",
        "imr_standard",
        "2026-05-10",
        {"imr_file_by": "2026-11-04"},
        ["W18"],
        [],
    ),
    (
        "T14",
        T14,
        "2026-07-04",
        "not_yet_eligible",
        "imr_standard",
        "2026-07-05",
        {"plan_grievance_due": "2026-07-04", "unresolved_eligible_date": "2026-07-05"},
        [],
        ["W07"],
    ),
    (
        "T14b",
        T14,
        "2026-07-05",
        "imr_standard",
        "imr_standard",
        "2026-07-05",
        {"imr_file_by": "2027-01-04", "imr_safe_target": "2026-12-31"},
        ["W07"],
        [],
    ),
    (
        "T15-ffs",
        {"regulator": "medi_cal_ffs", "denial_reason": "med_necessity"},
        "2026-05-10",
        "state_hearing_only",
        "state_hearing",
        None,
        {},
        [],
        ["W08", "W04"],
    ),
    (
        "T15-cohs",
        {"regulator": "non_kk_cohs", "denial_reason": "med_necessity"},
        "2026-05-10",
        "state_hearing_only",
        "state_hearing",
        None,
        {},
        [],
        ["W08", "W04"],
    ),
    (
        "T16",
        dmhc(),
        "2026-05-10",
        "incomplete_facts",
        "none",
        None,
        {},
        [],
        ["W08"],
    ),
    (
        "T17",
        dmhc(
            denial_reason="med_necessity",
            plan_written_decision_date="2026-01-12",
            grievance={
                "filed_date": "2026-01-20",
                "decision_date": "2026-02-20",
                "outcome": "upheld",
            },
        ),
        "2026-03-02",
        "imr_standard",
        "imr_standard",
        "2026-03-02",
        {"imr_file_by": "2026-08-20", "imr_file_by_from_denial": "2026-07-12"},
        ["W20"],
        [],
    ),
    (
        "T18",
        dmhc(
            denial_reason="med_necessity",
            grievance={
                "filed_date": "2026-02-10",
                "decision_date": "2026-03-16",
                "outcome": "upheld",
            },
            medi_cal={
                "member": True,
                "noa_date": "2026-02-02",
                "nar_date": "2026-03-16",
                "fair_hearing_status": "withdrawn",
            },
        ),
        "2026-04-01",
        "imr_standard",
        "imr_standard",
        "2026-04-01",
        {
            "imr_file_by": "2026-09-16",
            "sfh_file_by": "2026-07-14",
            "imr_file_by_from_denial": "2026-08-02",
        },
        ["W19", "W01", "W20"],
        ["W14"],
    ),
]


@pytest.mark.parametrize(
    ("facts", "today", "outcome", "pathway", "eligible_on", "dates", "present", "absent"),
    [pytest.param(*v[1:], id=v[0]) for v in VECTORS],
)
def test_vector(run, facts, today, outcome, pathway, eligible_on, dates, present, absent):
    assessment, rendered = run(facts, today)
    assert rendered["outcome"] == outcome
    assert rendered["pathway"] == pathway
    assert rendered["eligible_on"] == eligible_on
    for key, value in dates.items():
        assert rendered["deadlines"].get(key) == value, key
    ids = [w["id"] for w in rendered["warnings"]]
    assert set(present) <= set(ids), ids
    assert not set(absent) & set(ids), ids
    assert assessment.outcome == outcome


def test_t2_anchor_is_the_last_day_of_the_plans_30_days(run):
    _a, r = run(T1, "2026-04-02")
    assert r["reasons"][-1]["rule"] == "R10"
    assert r["deadlines"]["plan_grievance_due"] == "2026-04-01"
    assert D(r["deadlines"]["imr_file_by"]).weekday() == 3  # Thursday


def test_t6_names_the_two_documents(run):
    _a, r = run(VECTORS[5][1], "2026-01-20")
    assert any("two documents" in m for m in r["missing"])
    assert not any("certification" in m for m in r["missing"])
    assert r["decision_days"] == 30


def test_t12_has_no_imr_dates(run):
    _a, r = run(VECTORS[11][1], "2026-04-01")
    assert not set(r["deadlines"]) & {*IMR_DATES, "eit_notice_due"}
    assert [x["rule"] for x in r["reasons"]] == ["R15"]


def test_t13_unknown_regulator_is_assessed_as_dmhc(run):
    _a, r = run(VECTORS[12][1], "2026-05-10")
    assert "confirm the plan is regulated by the DMHC" in r["missing"]
    assert [x["rule"] for x in r["reasons"]] == ["R01", "R09"]


def test_t14b_anchor_is_the_third_day(run):
    _a, r = run(T14, "2026-07-05")
    assert r["reasons"][-1]["rule"] == "R10"
    assert "3 days" in r["reasons"][-1]["text"]
    assert r["deadlines"]["imr_legal_last_day"] == "2027-01-04"  # a Monday: no roll


@pytest.mark.parametrize("regulator", ["medi_cal_ffs", "non_kk_cohs"])
def test_t15_no_imr_dates(run, regulator):
    _a, r = run({"regulator": regulator, "denial_reason": "med_necessity"}, "2026-05-10")
    assert not set(r["deadlines"]) & set(IMR_DATES)
    assert r["decision_days"] is None


def test_t16_missing_names_denial_reason(run):
    _a, r = run(dmhc(), "2026-05-10")
    assert any("denial_reason" in m for m in r["missing"])
    assert [x["rule"] for x in r["reasons"]] == ["R16"]


@pytest.mark.parametrize("member", [False, None, "absent"])
def test_t16b_rx_for_a_non_member_is_refused(member):
    facts = dmhc(denial_reason="medi_cal_rx_pharmacy")
    if member != "absent":
        facts["medi_cal"] = {"member": member}
    with pytest.raises(InvalidField) as info:
        parse_facts(facts, D("2026-05-10"))
    assert "medi_cal.member" in info.value.params["field"]
    assert "denial_reason" in info.value.params["field"]


def test_t7_w01_shows_the_legal_last_day(run):
    _a, r = run(VECTORS[6][1], "2026-05-20")
    w01 = next(w["text"] for w in r["warnings"] if w["id"] == "W01")
    assert "2026-09-12" in w01 and "2026-09-14" in w01
    w02 = next(w["text"] for w in r["warnings"] if w["id"] == "W02")
    assert "2026-05-25" in w02


def test_t17_w20_text(run):
    _a, r = run(VECTORS[18][1], "2026-03-02")
    w20 = next(w["text"] for w in r["warnings"] if w["id"] == "W20")
    assert "file by 2026-07-12 to be safe" in w20
