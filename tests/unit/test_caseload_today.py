"""The case list is as of today, not as of the day the case was saved (docs/caseload.md):
``list_cases()`` derives the status and the next deadline again from the summary's
``basis``; a summary saved before it existed still lists with its stored values."""

from __future__ import annotations

import copy
import datetime as dt
import json
import random

import pytest
from facts_examples import FACTS_MD_INPUT

from bench.caseload import fictional_record
from imrdesktop.domain.case import summary_as_of, summary_for
from imrdesktop.domain.timeline import derive_status
from imrdesktop.services import assessment as svc
from imrdesktop.services import caseload
from imrdesktop.services.session import VaultSession
from imrdesktop.storage.vault import Vault

PASS = "correct horse battery staple again"

# A grievance filed 2026-06-03 that the plan has not answered: facts.md's own example.
GRIEVANCE_PENDING = copy.deepcopy(FACTS_MD_INPUT)


@pytest.fixture
def day():
    return [dt.date(2026, 6, 20)]


@pytest.fixture
def session(tmp_path, day):
    vault, _key = Vault.create(tmp_path / "vault", PASS)
    s = VaultSession(vault, today=lambda: day[0])
    yield s
    s.lock()


def listed(session, case_id):
    (row,) = [r for r in session.list_cases() if r.case_id == case_id]
    return row


def test_may_file_from_date_becomes_ready_to_file_not_overdue(session, day):
    case_id = session.create_case(
        {"enrollee": {"name": "Ana Example"}, "facts": copy.deepcopy(GRIEVANCE_PENDING)}
    )
    svc.assess_case(session, case_id, day[0])
    record = session.load_case(case_id)
    assert record["assessment"]["outcome"] == "not_yet_eligible"
    assert record["assessment"]["deadlines"]["unresolved_eligible_date"] == "2026-07-04"

    before = listed(session, case_id)
    assert before.status == "grievance_pending"
    assert before.next_deadline == {"date": "2026-07-04", "what": "May file the IMR"}
    assert (before.days_left, before.risk) == (14, "month")

    day[0] = dt.date(2026, 7, 20)  # weeks later, nothing saved in between
    after = listed(session, case_id)
    assert after.status == derive_status(record, today=day[0]) == "ready_to_file"
    assert after.status_label == "Ready to file"
    assert after.next_deadline == {"date": "2027-01-03", "what": "File the IMR"}
    assert (after.days_left, after.risk) == (167, "later")
    assert caseload.reminders(session.list_cases()) == []
    assert caseload.statistics(session.list_cases()).by_status == {"ready_to_file": 1}

    day[0] = dt.date(2026, 6, 20)  # and back: the same case, as of that day again
    assert listed(session, case_id) == before


def test_mailing_milestones_follow_today(session, day):
    day[0] = dt.date(2026, 3, 2)
    case_id = session.create_case(
        {
            "enrollee": {"name": "Bo Mailed"},
            "assessment": {
                "outcome": "imr_standard",
                "pathway": "imr_standard",
                "decision_days": 30,
                "deadlines": {"imr_file_by": "2026-06-01"},
            },
            "timeline": [{"event": "imr_mailed", "date": "2026-03-01"}],
        }
    )
    seen = {}
    for when in ("2026-03-02", "2026-03-12", "2026-04-10"):
        day[0] = dt.date.fromisoformat(when)
        row = listed(session, case_id)
        assert row.status == "mailed"
        assert row.days_left >= 0 and row.risk != "overdue"
        seen[when] = row.next_deadline["date"]
    assert seen == {
        "2026-03-02": "2026-03-06",
        "2026-03-12": "2026-03-13",
        "2026-04-10": "2026-04-15",
    }
    day[0] = dt.date(2026, 3, 12)
    assert [r.next_deadline["what"] for r in caseload.reminders(session.list_cases())] == [
        "DMHC acceptance"
    ]


def test_summary_without_basis_lists_its_stored_values(session, day):
    old = {
        "name": "Cy Old",
        "member_id": "XKA-1",
        "status": "grievance_pending",
        "next_deadline": {"date": "2026-07-04", "what": "May file the IMR"},
        "pathway": "",
        "outcome": "",
    }
    case_id = session.vault.create_case({"enrollee": {"name": "Cy Old"}}, summary=old)
    day[0] = dt.date(2026, 7, 20)
    row = listed(session, case_id)
    assert (row.status, row.next_deadline, row.days_left) == (
        "grievance_pending",
        old["next_deadline"],
        -16,
    )
    assert summary_as_of(old, day[0]) is None


@pytest.mark.parametrize(
    "basis",
    [
        "junk",
        {"status": "junk", "assessment": None},
        {"status": {}, "assessment": ["junk"]},
        {
            "status": {"decision": ["x"], "mailed": True, "mailed_on": 5},
            "assessment": {"outcome": ["x"], "deadlines": "junk", "eligible_on": "soon"},
        },
        {
            "status": {"grievance_filed": True},
            "assessment": {"outcome": "not_yet_eligible", "eligible_on": 3, "deadlines": {"a": 1}},
        },
    ],
)
def test_a_hand_made_basis_is_never_fatal(session, basis):
    summary = {"name": "Di Odd", "status": "open", "next_deadline": None, "basis": basis}
    case_id = session.vault.create_case({"enrollee": {"name": "Di Odd"}}, summary=summary)
    row = listed(session, case_id)
    assert isinstance(row.status, str) and row.status
    assert row.next_deadline is None or set(row.next_deadline) == {"date", "what"}


def test_summary_as_of_agrees_with_summary_for_on_any_day():
    """Saved on one day and listed on another == summarised on that other day."""
    from bench.caseload import TODAY
    from imrdesktop.services.assessment import assess_facts

    rng = random.Random(88)
    assessments = []
    for days in (10, 40, 175, 190):
        facts = {
            "regulator": "dmhc",
            "denial_reason": "med_necessity",
            "provider_recommended_or_in_plan_visit": True,
            "plan_written_decision_date": (TODAY - dt.timedelta(days=days + 35)).isoformat(),
            "grievance": {"filed_date": (TODAY - dt.timedelta(days=days + 30)).isoformat()},
        }
        if days > 20:
            facts["grievance"]["decision_date"] = (TODAY - dt.timedelta(days=days)).isoformat()
            facts["grievance"]["outcome"] = "upheld"
        assessments.append(assess_facts(facts, TODAY)[1])
    labels = svc.deadline_short_labels()
    for i in range(200):
        record = fictional_record(i, rng, assessments)
        saved = json.loads(json.dumps(summary_for(record, today=TODAY, labels=labels)))
        for shift in (-20, 0, 3, 15, 40, 120, 400):
            when = TODAY + dt.timedelta(days=shift)
            fresh = summary_for(record, today=when, labels=labels)
            assert summary_as_of(saved, when, labels) == (fresh["status"], fresh["next_deadline"])
            assert fresh["status"] == derive_status(record, today=when)


def test_basis_holds_no_names_notes_or_reasons():
    record = {
        "enrollee": {"name": "Ez Secret"},
        "plan": {"member_id": "XKA-9"},
        "service": "Secret treatment",
        "denial": {"action": "denied", "stated_reason": "Secret reason"},
        "facts": {"grievance": {"filed_date": "2026-01-02"}},
        "timeline": [{"event": "grievance_filed", "date": "2026-01-02", "notes": "Secret note"}],
        "assessment": {
            "outcome": "not_yet_eligible",
            "eligible_on": "2026-02-01",
            "deadlines": {"unresolved_eligible_date": "2026-02-01"},
            "reasons": [{"text": "Secret finding"}],
        },
    }
    basis = json.dumps(summary_for(record, today=dt.date(2026, 1, 10))["basis"])
    assert "Secret" not in basis and "XKA" not in basis
