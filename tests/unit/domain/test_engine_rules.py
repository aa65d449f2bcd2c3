"""Every rule R01-R16 and every warning W01-W20 of RULES.md B.3/B.4, each with a case where it
applies and a case where it does not; rule order; outcome fields; next_deadline."""

from __future__ import annotations

import pytest
from engine_helpers import D

from imrdesktop.domain.errors import InvalidField
from imrdesktop.domain.facts import DenialReason, Facts, MediCal
from imrdesktop.domain.rules import STOP_PATHWAYS, assess, next_deadline

TODAY = "2026-07-04"
MED = {"regulator": "dmhc", "denial_reason": "med_necessity"}
UPHELD = {"filed_date": "2026-05-01", "decision_date": "2026-06-01", "outcome": "upheld"}
EIT_OK = {
    "life_threatening_or_seriously_debilitating": True,
    "physician_certification_present": True,
    "recommending_physician_is_plan_physician": True,
}


def f(**kw):
    return {**MED, **kw}


def decided(day: str, outcome: str = "upheld") -> dict:
    """A grievance decided on ``day`` (filed 20 days before)."""
    filed = D(day).toordinal() - 20
    return {
        "filed_date": D(day).fromordinal(filed).isoformat(),
        "decision_date": day,
        "outcome": outcome,
    }


def eit(urgency="none", **criteria):
    return f(
        denial_reason="experimental_investigational",
        urgency=urgency,
        plan_written_decision_date="2026-06-01",
        eit={**EIT_OK, **criteria},
    )


def mc(**kw):
    return {"member": True, **kw}


# (case id, facts, today, rule expected in reasons?, expected outcome or None)
RULE_CASES = [
    ("R01+cdi", f(regulator="cdi"), TODAY, "R01", True, "route_elsewhere"),
    ("R01+medicare", f(regulator="medicare"), TODAY, "R01", True, "route_elsewhere"),
    ("R01+self_funded", f(regulator="self_funded"), TODAY, "R01", True, "route_elsewhere"),
    ("R01+ffs", f(regulator="medi_cal_ffs"), TODAY, "R01", True, "state_hearing_only"),
    ("R01+cohs", f(regulator="non_kk_cohs"), TODAY, "R01", True, "state_hearing_only"),
    ("R01+unknown", f(regulator="unknown", grievance=UPHELD), TODAY, "R01", True, "imr_standard"),
    ("R01-dmhc", f(grievance=UPHELD), TODAY, "R01", False, "imr_standard"),
    (
        "R02+",
        f(denial_reason="medi_cal_rx_pharmacy", medi_cal=mc()),
        TODAY,
        "R02",
        True,
        "state_hearing_only",
    ),
    (
        "R02-gate-first",
        f(regulator="cdi", denial_reason="medi_cal_rx_pharmacy", medi_cal=mc()),
        TODAY,
        "R02",
        False,
        "route_elsewhere",
    ),
    (
        "R03+held",
        f(medi_cal=mc(fair_hearing_status="held"), grievance=UPHELD),
        TODAY,
        "R03",
        True,
        "imr_not_available_fair_hearing_final",
    ),
    (
        "R03+decided",
        f(medi_cal=mc(fair_hearing_status="decision_issued")),
        TODAY,
        "R03",
        True,
        "imr_not_available_fair_hearing_final",
    ),
    (
        "R03-not-member",
        f(medi_cal={"member": False, "fair_hearing_status": "held"}, grievance=UPHELD),
        TODAY,
        "R03",
        False,
        "imr_standard",
    ),
    (
        "R04+",
        f(medi_cal=mc(fair_hearing_status="requested"), grievance=UPHELD),
        TODAY,
        "R04",
        True,
        "imr_not_available_hearing_pending",
    ),
    (
        "R04-withdrawn",
        f(medi_cal=mc(fair_hearing_status="withdrawn"), grievance=UPHELD),
        TODAY,
        "R04",
        False,
        "imr_standard",
    ),
    (
        "R15+",
        f(grievance={**UPHELD, "outcome": "overturned"}, urgency="imminent_serious_threat"),
        TODAY,
        "R15",
        True,
        "no_dispute",
    ),
    ("R15-upheld", f(grievance=UPHELD), TODAY, "R15", False, "imr_standard"),
    ("R05+standard", eit(), TODAY, "R05", True, "imr_eit_standard"),
    (
        "R05+expedited",
        eit("eit_less_effective_if_delayed"),
        TODAY,
        "R05",
        True,
        "imr_eit_expedited",
    ),
    ("R05+urgent", eit("imminent_serious_threat"), TODAY, "R05", True, "imr_eit_urgent"),
    (
        "R05+two-documents",
        eit(recommending_physician_is_plan_physician=False, two_med_sci_documents=True),
        TODAY,
        "R05",
        True,
        "imr_eit_standard",
    ),
    (
        "R05-no-certification",
        eit(physician_certification_present=False),
        TODAY,
        "R05",
        False,
        "not_ready_eit_missing_evidence",
    ),
    (
        "R06+",
        eit(physician_certification_present=False),
        TODAY,
        "R06",
        True,
        "not_ready_eit_missing_evidence",
    ),
    ("R06-complete", eit(), TODAY, "R06", False, "imr_eit_standard"),
    (
        "R07+",
        eit(life_threatening_or_seriously_debilitating=False) | {"grievance": UPHELD},
        TODAY,
        "R07",
        True,
        "imr_standard",
    ),
    ("R07-lt-sd", eit(), TODAY, "R07", False, "imr_eit_standard"),
    (
        "R08+",
        f(urgency="imminent_serious_threat", plan_written_decision_date="2026-07-01"),
        TODAY,
        "R08",
        True,
        "imr_urgent",
    ),
    (
        "R08-rendered",
        f(urgency="imminent_serious_threat", service_already_rendered=True),
        TODAY,
        "R08",
        False,
        "file_grievance_first",
    ),
    ("R09+upheld", f(grievance=UPHELD), TODAY, "R09", True, "imr_standard"),
    (
        "R09+partial",
        f(grievance={**UPHELD, "outcome": "partial"}),
        TODAY,
        "R09",
        True,
        "imr_standard",
    ),
    (
        "R09+emergency",
        f(denial_reason="emergency_payment_med_nec", grievance=UPHELD),
        TODAY,
        "R09",
        True,
        "imr_emergency_reimbursement",
    ),
    (
        "R09-undecided",
        f(grievance={"filed_date": "2026-05-01"}),
        TODAY,
        "R09",
        False,
        "imr_standard",
    ),
    ("R10+", f(grievance={"filed_date": "2026-06-03"}), TODAY, "R10", True, "imr_standard"),
    (
        "R10-too-soon",
        f(grievance={"filed_date": "2026-06-04"}),
        TODAY,
        "R10",
        False,
        "not_yet_eligible",
    ),
    ("R11+", f(grievance={"filed_date": "2026-06-04"}), TODAY, "R11", True, "not_yet_eligible"),
    ("R11-day-31", f(grievance={"filed_date": "2026-06-03"}), TODAY, "R11", False, "imr_standard"),
    ("R12+", f(), TODAY, "R12", True, "file_grievance_first"),
    (
        "R12+emergency",
        f(denial_reason="emergency_payment_med_nec"),
        TODAY,
        "R12",
        True,
        "file_grievance_first",
    ),
    (
        "R12-grievance",
        f(grievance={"filed_date": "2026-06-03"}),
        TODAY,
        "R12",
        False,
        "imr_standard",
    ),
    (
        "R13+",
        f(denial_reason="cancellation_rescission_nonrenewal"),
        TODAY,
        "R13",
        True,
        "consumer_complaint",
    ),
    (
        "R13-other",
        f(denial_reason="coverage_exclusion"),
        TODAY,
        "R13",
        False,
        "file_grievance_first",
    ),
    (
        "R14a-urgent",
        f(denial_reason="access_timeliness", urgency="imminent_serious_threat"),
        TODAY,
        "R14",
        True,
        "consumer_complaint",
    ),
    (
        "R14b-decided",
        f(denial_reason="coverage_exclusion", grievance=UPHELD),
        TODAY,
        "R14",
        True,
        "consumer_complaint",
    ),
    (
        "R14c-unresolved",
        f(denial_reason="claim_or_billing", grievance={"filed_date": "2026-06-03"}),
        TODAY,
        "R14",
        True,
        "consumer_complaint",
    ),
    (
        "R14d-waiting",
        f(denial_reason="quality_other", grievance={"filed_date": "2026-06-10"}),
        TODAY,
        "R14",
        True,
        "not_yet_eligible",
    ),
    ("R14e-none", f(denial_reason="quality_other"), TODAY, "R14", True, "file_grievance_first"),
    ("R14-med-nec", f(grievance=UPHELD), TODAY, "R14", False, "imr_standard"),
    ("R16+", {"regulator": "dmhc"}, TODAY, "R16", True, "incomplete_facts"),
    ("R16-reason", f(), TODAY, "R16", False, "file_grievance_first"),
]


@pytest.mark.parametrize(
    ("facts", "today", "rule", "applies", "outcome"),
    [pytest.param(*c[1:], id=c[0]) for c in RULE_CASES],
)
def test_rule(run, facts, today, rule, applies, outcome):
    _a, r = run(facts, today)
    rules = [x["rule"] for x in r["reasons"]]
    assert (rule in rules) == applies, rules
    assert r["outcome"] == outcome
    assert all(x["citation"] and x["text"] for x in r["reasons"])


def test_every_rule_has_both_cases():
    ids = {c[3] for c in RULE_CASES}
    assert ids == {f"R{n:02d}" for n in range(1, 17)}
    for rule in ids:
        assert {c[4] for c in RULE_CASES if c[3] == rule} == {True, False}, rule


def test_reasons_are_in_evaluation_order(run):
    facts = eit(life_threatening_or_seriously_debilitating=False) | {
        "regulator": "unknown",
        "grievance": UPHELD,
    }
    _a, r = run(facts, TODAY)
    assert [x["rule"] for x in r["reasons"]] == ["R01", "R07", "R09"]


def test_r04_comes_before_r15(run):
    facts = f(
        medi_cal=mc(fair_hearing_status="requested"), grievance={**UPHELD, "outcome": "overturned"}
    )
    _a, r = run(facts, TODAY)
    assert r["outcome"] == "imr_not_available_hearing_pending"


def test_r06_lists_certification_and_documents(run):
    _a, r = run(
        eit(physician_certification_present=False, recommending_physician_is_plan_physician=False),
        TODAY,
    )
    assert len(r["missing"]) == 2 and "certification" in r["missing"][0]
    assert "two documents" in r["missing"][1]
    assert r["eligible_on"] is None and "eit_notice_due" in r["deadlines"]


@pytest.mark.parametrize(
    ("urgency", "pathway", "days"),
    [
        ("none", "imr_eit_standard", 30),
        ("eit_less_effective_if_delayed", "imr_eit_expedited", 7),
        ("imminent_serious_threat", "imr_eit_urgent", 3),
    ],
)
def test_r06_keeps_the_track_r05_would_pick(run, urgency, pathway, days):
    _a, r = run(
        eit(urgency, two_med_sci_documents=False, recommending_physician_is_plan_physician=False),
        TODAY,
    )
    assert (r["outcome"], r["pathway"], r["decision_days"]) == (
        "not_ready_eit_missing_evidence",
        pathway,
        days,
    )


def test_r16b_reached_by_the_engine_is_the_same_error(calendars):
    facts = Facts(denial_reason=DenialReason.MEDI_CAL_RX_PHARMACY, medi_cal=MediCal(member=False))
    with pytest.raises(InvalidField) as info:
        assess(facts, D(TODAY), calendars)
    assert info.value.params["field"] == "denial_reason and medi_cal.member"


@pytest.mark.parametrize(
    ("facts", "today", "outcome", "pathway"),
    [
        # window check on each rule that has it
        (
            eit() | {"plan_written_decision_date": "2025-12-01"},
            TODAY,
            "window_closed_ask_extension",
            "imr_eit_standard",
        ),
        (
            f(urgency="imminent_serious_threat", plan_written_decision_date="2025-12-01"),
            TODAY,
            "window_closed_ask_extension",
            "imr_urgent",
        ),
        (
            f(grievance=decided("2026-01-03")),
            TODAY,
            "window_closed_ask_extension",
            "imr_standard",
        ),
        (
            f(grievance=decided("2026-01-04")),
            TODAY,
            "imr_standard",
            "imr_standard",
        ),
        (
            f(grievance={"filed_date": "2025-12-01"}),
            TODAY,
            "window_closed_ask_extension",
            "imr_standard",
        ),
        (
            f(
                denial_reason="cancellation_rescission_nonrenewal",
                plan_written_decision_date="2025-12-01",
            ),
            TODAY,
            "window_closed_ask_extension",
            "consumer_complaint",
        ),
        (
            f(
                denial_reason="coverage_exclusion",
                grievance=decided("2025-12-01"),
            ),
            TODAY,
            "window_closed_ask_extension",
            "consumer_complaint",
        ),
        # no window check on "not yet" and "file a grievance first"
        (f(plan_written_decision_date="2025-12-01"), TODAY, "file_grievance_first", "imr_standard"),
    ],
)
def test_window_check(run, facts, today, outcome, pathway):
    _a, r = run(facts, today)
    assert (r["outcome"], r["pathway"]) == (outcome, pathway)
    if outcome == "window_closed_ask_extension":
        assert r["eligible_on"] == today and r["decision_days"] is not None


# (case id, facts, today, warning, expected present?)
W_MC_NAR = f(grievance=decided("2026-06-20"), medi_cal=mc(nar_date="2026-06-20"))
WARNING_CASES = [
    ("W01+nar", W_MC_NAR, TODAY, "W01", True),
    (
        "W01+deemed-exhaustion",
        f(grievance={"filed_date": "2026-05-01"}, medi_cal=mc()),
        TODAY,
        "W01",
        True,
    ),
    (
        "W01-requested",
        f(medi_cal=mc(nar_date="2026-06-20", fair_hearing_status="requested")),
        TODAY,
        "W01",
        False,
    ),
    ("W02+", W_MC_NAR, "2026-06-30", "W02", True),
    ("W02-passed", W_MC_NAR, "2026-07-01", "W02", False),
    (
        "W03+30-days",
        f(grievance=decided("2026-01-04")),
        "2026-06-04",
        "W03",
        True,
    ),
    ("W03+last-day", f(grievance=decided("2026-01-04")), TODAY, "W03", True),
    (
        "W03-31-days",
        f(grievance=decided("2026-01-04")),
        "2026-06-03",
        "W03",
        False,
    ),
    ("W03-closed", f(grievance=decided("2026-01-03")), TODAY, "W03", False),
    ("W04+", f(grievance=UPHELD), TODAY, "W04", True),
    ("W04-stop", f(regulator="cdi", grievance=UPHELD), TODAY, "W04", False),
    ("W05+urgent", f(urgency="imminent_serious_threat"), TODAY, "W05", True),
    ("W05+eit-urgent", eit("imminent_serious_threat"), TODAY, "W05", True),
    ("W05-standard", f(grievance=UPHELD), TODAY, "W05", False),
    ("W06+", eit(), TODAY, "W06", True),
    (
        "W06-notice-in-time",
        eit() | {"eit": {**EIT_OK, "plan_notice_received_date": "2026-06-05"}},
        TODAY,
        "W06",
        False,
    ),
    (
        "W06+notice-late",
        eit() | {"eit": {**EIT_OK, "plan_notice_received_date": "2026-06-20"}},
        TODAY,
        "W06",
        True,
    ),
    ("W06-not-yet-due", eit(), "2026-06-08", "W06", False),
    ("W07+", f(grievance={"filed_date": "2026-06-03"}), TODAY, "W07", True),
    ("W07-not-late", f(grievance={"filed_date": "2026-06-04"}), TODAY, "W07", False),
    ("W08+", f(grievance=UPHELD), TODAY, "W08", True),
    ("W08-not-yet", f(grievance={"filed_date": "2026-06-04"}), TODAY, "W08", False),
    ("W08-complaint", f(denial_reason="cancellation_rescission_nonrenewal"), TODAY, "W08", False),
    ("W09+imr", f(grievance=UPHELD), TODAY, "W09", True),
    ("W09+complaint", f(denial_reason="cancellation_rescission_nonrenewal"), TODAY, "W09", True),
    ("W09-stop", f(regulator="medicare"), TODAY, "W09", False),
    ("W10+", f(grievance=UPHELD), TODAY, "W10", True),
    ("W10+filed-after-stop", f(regulator="cdi", imr_filed_date="2026-06-01"), TODAY, "W10", True),
    ("W10-form", f(grievance=UPHELD, authorized_assistant_form_on_file=True), TODAY, "W10", False),
    ("W10-stop", f(regulator="cdi"), TODAY, "W10", False),
    ("W11+", f(medi_cal=mc(noa_date="2026-06-01")), TODAY, "W11", True),
    (
        "W11-appealed",
        f(medi_cal=mc(noa_date="2026-06-01"), grievance={"filed_date": "2026-06-10"}),
        TODAY,
        "W11",
        False,
    ),
    ("W12+", f(grievance=UPHELD, denial_also_cites_contract_exclusion=True), TODAY, "W12", True),
    (
        "W12-complaint",
        f(denial_reason="coverage_exclusion", denial_also_cites_contract_exclusion=True),
        TODAY,
        "W12",
        False,
    ),
    (
        "W13+overturned",
        f(
            grievance=UPHELD,
            imr_decision_received_date="2026-07-01",
            imr_decision_outcome="overturned",
        ),
        TODAY,
        "W13",
        True,
    ),
    (
        "W13+not-known",
        f(grievance=UPHELD, imr_decision_received_date="2026-07-01"),
        TODAY,
        "W13",
        True,
    ),
    (
        "W13-upheld",
        f(grievance=UPHELD, imr_decision_received_date="2026-07-01", imr_decision_outcome="upheld"),
        TODAY,
        "W13",
        False,
    ),
    ("W14+", f(medi_cal=mc(fair_hearing_status="requested")), TODAY, "W14", True),
    ("W14-none", f(medi_cal=mc()), TODAY, "W14", False),
    ("W15+", eit(life_threatening_or_seriously_debilitating=False), TODAY, "W15", True),
    ("W15-", eit(), TODAY, "W15", False),
    ("W16+", f(urgency="imminent_serious_threat"), TODAY, "W16", True),
    (
        "W16-certified",
        f(urgency="imminent_serious_threat", urgency_certification_present=True),
        TODAY,
        "W16",
        False,
    ),
    ("W17+", f(denial_reason="access_timeliness"), TODAY, "W17", True),
    ("W17-", f(grievance=UPHELD), TODAY, "W17", False),
    ("W18+missing", {"denial_reason": "med_necessity"}, TODAY, "W18", True),
    ("W18+unknown", f(regulator="unknown"), TODAY, "W18", True),
    ("W18-", f(), TODAY, "W18", False),
    ("W19+", f(grievance=UPHELD, medi_cal=mc(fair_hearing_status="withdrawn")), TODAY, "W19", True),
    (
        "W19-not-member",
        f(grievance=UPHELD, medi_cal={"fair_hearing_status": "withdrawn"}),
        TODAY,
        "W19",
        False,
    ),
    ("W20+", f(plan_written_decision_date="2026-04-01", grievance=UPHELD), TODAY, "W20", True),
    ("W20-same-anchor", f(plan_written_decision_date="2026-06-01"), TODAY, "W20", False),
    ("W20-no-denial-date", f(grievance=UPHELD), TODAY, "W20", False),
]


@pytest.mark.parametrize(
    ("facts", "today", "warning", "present"),
    [pytest.param(*c[1:], id=c[0]) for c in WARNING_CASES],
)
def test_warning(run, facts, today, warning, present):
    _a, r = run(facts, today)
    ids = [w["id"] for w in r["warnings"]]
    assert (warning in ids) == present, ids
    assert ids == sorted(ids)


def test_every_warning_has_both_cases():
    ids = {c[3] for c in WARNING_CASES}
    assert ids == {f"W{n:02d}" for n in range(1, 21)}
    for w in ids:
        assert {c[4] for c in WARNING_CASES if c[3] == w} == {True, False}, w


def test_deemed_exhaustion_sfh_date(run):
    _a, r = run(f(grievance={"filed_date": "2026-05-01"}, medi_cal=mc()), TODAY)
    assert r["deadlines"]["sfh_file_by"] == "2026-09-28"  # 2026-05-31 + 120
    assert "aid_paid_pending_by" not in r["deadlines"]


def test_plan_grievance_due_counts_from_receipt(run):
    _a, r = run(f(grievance={"filed_date": "2026-06-01", "received_date": "2026-06-05"}), TODAY)
    assert r["deadlines"]["plan_grievance_due"] == "2026-07-05"
    assert r["deadlines"]["unresolved_eligible_date"] == "2026-07-02"


def test_medi_cal_plan_appeal_and_reason_variant(run):
    _a, r = run(f(medi_cal=mc(noa_date="2026-06-01")), TODAY)
    assert r["deadlines"]["medi_cal_plan_appeal_by"] == "2026-07-31"
    assert "Medi-Cal plan" in r["reasons"][-1]["text"]


def test_missing_anchor_date_is_asked_for(run):
    _a, r = run(
        f(urgency="imminent_serious_threat", provider_recommended_or_in_plan_visit=True), TODAY
    )
    assert r["missing"] == ["the date on the plan's denial letter"]
    assert "imr_file_by" not in r["deadlines"]


@pytest.mark.parametrize(
    ("facts", "verify"),
    [
        (f(grievance=UPHELD), True),
        (f(grievance=UPHELD, provider_recommended_or_in_plan_visit=True), False),
        (f(denial_reason="emergency_payment_med_nec", grievance=UPHELD), True),
        (f(grievance={"filed_date": "2026-06-20"}), True),  # not yet, same pathway
        (eit(), False),  # EIT pathways: not asked
        (f(denial_reason="coverage_exclusion"), False),
        (f(regulator="cdi"), False),
    ],
)
def test_provider_recommendation_is_a_verify_item(run, facts, verify):
    _a, r = run(facts, TODAY)
    item = "verify: a provider's recommendation or an in-plan visit"
    assert (item in r["missing"]) == verify
    assert (
        r["outcome"]
        == run({**facts, "provider_recommended_or_in_plan_visit": True}, TODAY)[1]["outcome"]
    )


@pytest.mark.parametrize(
    ("facts", "today", "expected"),
    [
        (
            f(grievance={"filed_date": "2026-06-03"}, provider_recommended_or_in_plan_visit=True),
            TODAY,
            ("imr_file_by", "2027-01-03"),
        ),
        (
            f(grievance={"filed_date": "2026-06-20"}),
            TODAY,
            ("unresolved_eligible_date", "2026-07-21"),
        ),
        (W_MC_NAR, "2026-06-25", ("aid_paid_pending_by", "2026-06-30")),
        (W_MC_NAR, "2026-07-01", ("sfh_file_by", "2026-10-18")),
        (
            f(grievance=decided("2026-01-01")),
            TODAY,
            ("imr_file_by", "2026-07-01"),
        ),
        (f(regulator="medicare"), TODAY, None),
        (
            f(regulator="medicare", imr_decision_received_date="2026-07-01"),
            TODAY,
            ("plan_compliance_due", "2026-07-08"),
        ),
    ],
)
def test_next_deadline(calendars, facts, today, expected):
    from imrdesktop.domain.facts import parse_facts

    day = D(today)
    a = assess(parse_facts(facts, day), day, calendars)
    got = next_deadline(a, day)
    assert (got if got is None else (got[0], got[1].isoformat())) == expected


def test_stop_outcomes_have_no_imr_dates(run):
    for facts in (
        f(regulator="cdi", plan_written_decision_date="2026-06-01"),
        f(medi_cal=mc(fair_hearing_status="held"), plan_written_decision_date="2026-06-01"),
    ):
        a, r = run(facts, TODAY)
        assert a.pathway in STOP_PATHWAYS
        assert not any(k.startswith("imr_") for k in r["deadlines"])
        assert r["eligible_on"] is None and r["decision_days"] is None


def test_w01_offers_the_imr_first_hint_only_on_an_imr_pathway(run):
    _a, r = run(W_MC_NAR, TODAY)
    w01 = next(w["text"] for w in r["warnings"] if w["id"] == "W01")
    assert "IMR first" in w01 and "2026-09-03" in w01  # 2026-10-18 - 45 days
    _a, r = run({**W_MC_NAR, "denial_reason": "medi_cal_rx_pharmacy"}, TODAY)
    assert r["outcome"] == "state_hearing_only"
    w01 = next(w["text"] for w in r["warnings"] if w["id"] == "W01")
    assert w01.startswith("Request the State Hearing by 2026-10-18") and "IMR" not in w01
