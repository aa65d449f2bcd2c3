"""The case timeline (docs/caseload.md): what happened when, the facts it dates and the status
it implies. Pure: no Qt, no I/O, no clock (``today`` is a parameter).

- ``merged_facts(record)``: the stored ``facts`` with the timeline's dates taking precedence
  (shared/CLI.md); the mailing record counts as an ``imr_mailed`` event.
- ``derive_status(record)``: the case status, never typed in.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from typing import Any

from imrdesktop.i18n import N_, _

# The kinds of event, in the order a case goes through them.
EVENTS: tuple[str, ...] = (
    "denial",
    "grievance_filed",
    "plan_answered",
    "imr_mailed",
    "dmhc_acknowledged",
    "decision",
    "plan_complied",
)
EVENT_LABELS: dict[str, str] = {
    "denial": N_("Plan's denial"),
    "grievance_filed": N_("Grievance filed"),
    "plan_answered": N_("Plan answered the grievance"),
    "imr_mailed": N_("IMR mailed"),
    "dmhc_acknowledged": N_("DMHC acknowledged"),
    "decision": N_("IMR decision"),
    "plan_complied": N_("Plan complied"),
}
# The outcomes an event may carry (kinds not listed carry none). A decision needs one.
OUTCOMES: dict[str, tuple[str, ...]] = {
    "plan_answered": ("upheld", "partial", "overturned"),
    "decision": ("overturned", "upheld", "withdrawn", "plan_reversed"),
}
OUTCOME_REQUIRED = frozenset({"decision"})
OUTCOME_LABELS: dict[str, dict[str, str]] = {
    "plan_answered": {
        "upheld": N_("Denial upheld"),
        "partial": N_("Partly overturned"),
        "overturned": N_("Plan reversed its denial"),
    },
    "decision": {
        "overturned": N_("Overturned"),
        "upheld": N_("Upheld"),
        "withdrawn": N_("Withdrawn"),
        "plan_reversed": N_("Plan reversed itself"),
    },
}
MAX_EVENTS = 200
MAX_NOTES = 2000

DECISIONS = OUTCOMES["decision"]
# The statuses, in the order a case goes through them (the decision's four are alternatives).
STATUSES: tuple[str, ...] = (
    "open",
    "grievance_pending",
    "ready_to_file",
    "mailed",
    "under_review",
    *DECISIONS,
    "complied",
)
STATUS_LABELS: dict[str, str] = {
    "open": N_("Open"),
    "grievance_pending": N_("Grievance pending"),
    "ready_to_file": N_("Ready to file"),
    "mailed": N_("Mailed"),
    "under_review": N_("Under review"),
    "overturned": N_("Overturned"),
    "upheld": N_("Upheld"),
    "withdrawn": N_("Withdrawn"),
    "plan_reversed": N_("Plan reversed"),
    "complied": N_("Care provided — closed"),
}
# Statuses after which the case is decided (for the statistics and the next deadline).
DECIDED = frozenset(DECISIONS) | {"complied"}


def status_label(status: str) -> str:
    return _(STATUS_LABELS.get(status, status))


def event_label(event: str) -> str:
    return _(EVENT_LABELS.get(event, event))


def outcome_label(event: str, outcome: str) -> str:
    return _(OUTCOME_LABELS.get(event, {}).get(outcome, outcome))


def _events(record: Mapping[str, Any]) -> list[dict]:
    """The record's well-formed timeline events, in date order (stable)."""
    raw = record.get("timeline")
    out = []
    for item in raw if isinstance(raw, list) else ():
        if not isinstance(item, Mapping) or item.get("event") not in EVENTS:
            continue
        date = item.get("date")
        if not isinstance(date, str) or len(date) != 10:
            continue
        try:
            dt.date.fromisoformat(date)
        except ValueError:
            continue
        out.append(dict(item))
    out.sort(key=lambda e: e["date"])
    return out


def latest_events(record: Mapping[str, Any]) -> dict[str, dict]:
    """Event kind -> its latest event (the last in date order; on one date, the last
    listed). The mailing record (issue 7) counts as an ``imr_mailed`` event."""
    events = _events(record)
    mailing = record.get("mailing")
    if isinstance(mailing, Mapping) and isinstance(mailing.get("date"), str):
        try:
            dt.date.fromisoformat(mailing["date"])
        except ValueError:
            pass
        else:
            events.append({"event": "imr_mailed", "date": mailing["date"], "notes": ""})
            events.sort(key=lambda e: e["date"])
    latest: dict[str, dict] = {}
    for event in events:
        latest[event["event"]] = event
    return latest


def merged_facts(record: Mapping[str, Any]) -> dict:
    """The stored facts with the timeline's dates taking precedence (a new dict)."""
    stored = record.get("facts")
    facts: dict[str, Any] = copy.deepcopy(dict(stored)) if isinstance(stored, Mapping) else {}
    latest = latest_events(record)

    def grievance() -> dict:
        section = facts.get("grievance")
        section = dict(section) if isinstance(section, Mapping) else {}
        facts["grievance"] = section
        return section

    if "denial" in latest:
        facts["plan_written_decision_date"] = latest["denial"]["date"]
    if "grievance_filed" in latest:
        grievance()["filed_date"] = latest["grievance_filed"]["date"]
    if "plan_answered" in latest:
        answered = latest["plan_answered"]
        section = grievance()
        section["decision_date"] = answered["date"]
        if answered.get("outcome") in OUTCOMES["plan_answered"]:
            section["outcome"] = answered["outcome"]
    if "imr_mailed" in latest:
        facts["imr_filed_date"] = latest["imr_mailed"]["date"]
    if "decision" in latest:
        decision = latest["decision"]
        facts["imr_decision_received_date"] = decision["date"]
        outcome = decision.get("outcome")
        facts["imr_decision_outcome"] = outcome if outcome in ("overturned", "upheld") else None
    return facts


# facts key -> (event kind, the event's key) it comes from in the merged facts.
FACT_SOURCES: dict[str, tuple[str, str]] = {
    "plan_written_decision_date": ("denial", "date"),
    "grievance.filed_date": ("grievance_filed", "date"),
    "grievance.decision_date": ("plan_answered", "date"),
    "grievance.outcome": ("plan_answered", "outcome"),
    "imr_filed_date": ("imr_mailed", "date"),
    "imr_decision_received_date": ("decision", "date"),
    "imr_decision_outcome": ("decision", "outcome"),
}


def source_field(record: Mapping[str, Any], facts_field: str) -> str:
    """Where a merged fact came from, named as a field of the case record: the timeline
    event (``timeline[2].date``), the mailing (``mailing.date``) or the stored facts
    (``facts.grievance.filed_date``). The index is the event's place in the record's
    (date-ordered) timeline."""
    source = FACT_SOURCES.get(facts_field)
    if source is not None:
        kind, key = source
        latest = latest_events(record).get(kind)
        if latest is not None and (key == "date" or latest.get(key) is not None):
            raw = record.get("timeline")
            items = list(raw) if isinstance(raw, list) else []
            for i in range(len(items) - 1, -1, -1):
                if items[i] == latest:
                    return f"timeline[{i}].{key}"
            if kind == "imr_mailed":
                return "mailing.date"
    return f"facts.{facts_field}"


def decision_outcome(record: Mapping[str, Any]) -> str:
    """The IMR's result: the latest decision event's outcome, else the facts' (or "")."""
    decision = latest_events(record).get("decision")
    if decision is not None and decision.get("outcome") in DECISIONS:
        return decision["outcome"]
    stored = record.get("facts")
    outcome = stored.get("imr_decision_outcome") if isinstance(stored, Mapping) else None
    return outcome if outcome in ("overturned", "upheld") else ""


def _open_now(assessment: Any, today: dt.date | None) -> bool:
    """The assessment says a DMHC filing is open now (eligible as of the day assessed, or
    an eligibility date that has come)."""
    from imrdesktop.domain.rules import ELIGIBLE_NOW, Outcome

    if assessment is None:
        return False
    if isinstance(assessment, Mapping):
        outcome, eligible_on = assessment.get("outcome"), assessment.get("eligible_on")
    else:
        outcome = getattr(assessment, "outcome", None)
        eligible_on = getattr(assessment, "eligible_on", None)
    if outcome in {o.value for o in ELIGIBLE_NOW}:
        return True
    if outcome == Outcome.NOT_YET_ELIGIBLE and today is not None and eligible_on:
        try:
            day = (
                eligible_on
                if isinstance(eligible_on, dt.date)
                else dt.date.fromisoformat(str(eligible_on))
            )
        except ValueError:
            return False
        return day <= today
    return False


def status_inputs(record: Mapping[str, Any]) -> dict:
    """What the status depends on besides the assessment and ``today``, as plain JSON (no
    names, no medical details, no free text): kept in the case list's summary so the status
    can be derived again for another day (:func:`status_from`)."""
    facts = merged_facts(record)
    grievance = facts.get("grievance") if isinstance(facts.get("grievance"), Mapping) else {}
    latest = latest_events(record)
    filed = facts.get("imr_filed_date")
    return {
        "grievance_filed": bool(grievance.get("filed_date")),
        "plan_answered": bool(grievance.get("decision_date")),
        "mailed": bool(filed),
        "mailed_on": filed if isinstance(filed, str) else "",
        "acknowledged": "dmhc_acknowledged" in latest,
        "decision": decision_outcome(record),
        "complied": "plan_complied" in latest,
    }


def status_from(
    inputs: Mapping[str, Any], assessment: Any = None, *, today: dt.date | None = None
) -> str:
    """The last status that applies, from :func:`status_inputs` (docs/caseload.md)."""
    status = "open"
    if inputs.get("grievance_filed"):
        status = "grievance_pending"
    if inputs.get("plan_answered") or _open_now(assessment, today):
        status = "ready_to_file"
    if inputs.get("mailed"):
        status = "mailed"
    if inputs.get("acknowledged"):
        status = "under_review"
    outcome = inputs.get("decision")
    if outcome in DECISIONS:
        status = outcome
    if inputs.get("complied"):
        status = "complied"
    return status


def derive_status(
    record: Mapping[str, Any], assessment: Any = None, *, today: dt.date | None = None
) -> str:
    """The last status that applies (docs/caseload.md). ``assessment`` (an Assessment or its
    facts.md dict) defaults to the record's stored one."""
    if assessment is None:
        assessment = record.get("assessment")
    return status_from(status_inputs(record), assessment, today=today)
