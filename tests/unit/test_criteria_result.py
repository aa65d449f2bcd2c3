"""The result page's content, built from the engine's rendered assessment (no Qt)."""

from __future__ import annotations

import datetime as dt

from imrdesktop.services.assessment import assess_facts
from imrdesktop.services.criteria_result import build_result, same_result

D = dt.date.fromisoformat


def result(facts: dict, today: str):
    _assessment, rendered = assess_facts(facts, D(today))
    return rendered, build_result(rendered, D(today))


def test_standard_result_rows_are_dated_and_counted():
    facts = {
        "regulator": "dmhc",
        "denial_reason": "med_necessity",
        "grievance": {"filed_date": "2026-04-01", "decision_date": "2026-04-10",
                      "outcome": "upheld"},
        "provider_recommended_or_in_plan_visit": True,
    }  # fmt: skip
    _rendered, model = result(facts, "2026-05-01")
    assert model.outcome == "imr_standard"
    assert model.headline.startswith("The client can ask for a standard IMR now")
    rows = {r.key: r for r in model.deadlines}
    assert rows["imr_file_by"].date == D("2026-10-10")
    assert rows["imr_file_by"].days_left == (D("2026-10-10") - D("2026-05-01")).days
    assert rows["imr_legal_last_day"].legal_last_day  # Sat 10 Oct rolls to Mon 12 Oct
    assert [r.date for r in model.deadlines] == sorted(r.date for r in model.deadlines)
    assert model.reasons[0].rule == "R09" and model.reasons[0].citation
    assert model.eligible_on == D("2026-05-01")


def test_legal_last_day_is_left_out_when_nothing_rolls():
    facts = {
        "regulator": "dmhc",
        "denial_reason": "med_necessity",
        "grievance": {"filed_date": "2026-03-02"},
    }
    rendered, model = result(facts, "2026-04-02")  # RULES.md T2: file by Thu 1 Oct
    assert rendered["deadlines"]["imr_legal_last_day"] == rendered["deadlines"]["imr_file_by"]
    assert "imr_legal_last_day" not in {r.key for r in model.deadlines}


def test_overdue_and_reached_dates():
    facts = {"regulator": "dmhc", "denial_reason": "med_necessity",
             "grievance": {"filed_date": "2025-08-01", "decision_date": "2025-08-29",
                           "outcome": "upheld"}}  # fmt: skip
    _rendered, model = result(facts, "2026-03-05")  # RULES.md T10: window closed
    assert model.outcome == "window_closed_ask_extension"
    file_by = next(r for r in model.deadlines if r.key == "imr_file_by")
    assert file_by.overdue and not file_by.reached and file_by.days_left < 0
    waiting = {"regulator": "dmhc", "denial_reason": "med_necessity",
               "grievance": {"filed_date": "2026-03-02"}}  # fmt: skip
    _rendered, model = result(waiting, "2026-04-10")
    start = next(r for r in model.deadlines if r.key == "unresolved_eligible_date")
    assert start.reached and not start.overdue


def test_unconfirmed_warnings_and_missing_items():
    facts = {
        "regulator": "dmhc",
        "medi_cal": {"member": True, "fair_hearing_status": "requested"},
        "denial_reason": "med_necessity",
    }
    _rendered, model = result(facts, "2026-05-01")
    w14 = next(w for w in model.warnings if w.id == "W14")
    assert w14.verify
    eit = {
        "regulator": "unknown",
        "denial_reason": "experimental_investigational",
        "plan_written_decision_date": "2026-01-20",
        "eit": {"life_threatening_or_seriously_debilitating": True},
    }
    _rendered, model = result(eit, "2026-02-01")
    by_text = {m.text: m for m in model.missing}
    assert by_text["confirm the plan is regulated by the DMHC"].section == ""
    papers = [m for m in model.missing if m.section == "documents"]
    assert len(papers) == 2  # the certification and the two documents
    assert not any(m.text.startswith("verify: ") for m in model.missing)


def test_verify_missing_items_lose_their_marker():
    facts = {"regulator": "dmhc", "denial_reason": "med_necessity",
             "grievance": {"filed_date": "2026-01-01", "decision_date": "2026-02-01",
                           "outcome": "upheld"}}  # fmt: skip
    rendered, model = result(facts, "2026-03-01")
    assert rendered["missing"] == ["verify: a provider's recommendation or an in-plan visit"]
    assert model.missing[0].verify and model.missing[0].text.startswith("a provider")
    assert same_result(rendered, dict(rendered)) and not same_result(rendered, None)


def test_the_from_denial_date_is_left_out_when_it_is_the_filing_date():
    facts = {
        "regulator": "dmhc",
        "denial_reason": "med_necessity",
        "urgency": "imminent_serious_threat",
        "plan_written_decision_date": "2026-06-01",
    }
    rendered, model = result(facts, "2026-06-02")  # RULES.md T4: anchored on the denial
    deadlines = rendered["deadlines"]
    assert deadlines["imr_file_by_from_denial"] == deadlines["imr_file_by"]
    assert "imr_file_by_from_denial" not in {r.key for r in model.deadlines}
