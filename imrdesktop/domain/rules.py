"""The eligibility rules of RULES.md section B: facts + today -> an assessment.

Pure: no Qt, no I/O, no clock. ``today`` and the calendars are parameters. The wording of
every outcome, rule, warning, deadline and missing item (with citations and source_status
tags) is data: ``forms/criteria/wording.json``, rendered by :mod:`imrdesktop.domain.wording`.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any

from imrdesktop.domain.calendars import Calendars
from imrdesktop.domain.facts import Facts


class Outcome(enum.StrEnum):
    ROUTE_ELSEWHERE = "route_elsewhere"
    STATE_HEARING_ONLY = "state_hearing_only"
    IMR_NOT_AVAILABLE_FAIR_HEARING_FINAL = "imr_not_available_fair_hearing_final"
    IMR_NOT_AVAILABLE_HEARING_PENDING = "imr_not_available_hearing_pending"
    IMR_EIT_URGENT = "imr_eit_urgent"
    IMR_EIT_EXPEDITED = "imr_eit_expedited"
    IMR_EIT_STANDARD = "imr_eit_standard"
    NOT_READY_EIT_MISSING_EVIDENCE = "not_ready_eit_missing_evidence"
    IMR_URGENT = "imr_urgent"
    IMR_STANDARD = "imr_standard"
    IMR_EMERGENCY_REIMBURSEMENT = "imr_emergency_reimbursement"
    NOT_YET_ELIGIBLE = "not_yet_eligible"
    FILE_GRIEVANCE_FIRST = "file_grievance_first"
    CONSUMER_COMPLAINT = "consumer_complaint"
    WINDOW_CLOSED_ASK_EXTENSION = "window_closed_ask_extension"
    NO_DISPUTE = "no_dispute"
    INCOMPLETE_FACTS = "incomplete_facts"


class Pathway(enum.StrEnum):
    IMR_STANDARD = "imr_standard"
    IMR_URGENT = "imr_urgent"
    IMR_EIT_STANDARD = "imr_eit_standard"
    IMR_EIT_EXPEDITED = "imr_eit_expedited"
    IMR_EIT_URGENT = "imr_eit_urgent"
    IMR_EMERGENCY_REIMBURSEMENT = "imr_emergency_reimbursement"
    CONSUMER_COMPLAINT = "consumer_complaint"
    STATE_HEARING = "state_hearing"
    NONE = "none"


@dataclass(frozen=True)
class Finding:
    """A warning (id "Wnn") or a reason (id "Rnn") with the values its sentence needs.

    ``variant`` picks a more specific sentence of the same rule or warning in the wording
    data (looked up as "R01.cdi"); the id shown stays "R01".
    """

    id: str
    params: dict[str, Any] = field(default_factory=dict)
    variant: str | None = None


@dataclass(frozen=True)
class Missing:
    """Something the case lacks; ``verify`` items are to be checked, never blocks."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)
    verify: bool = False


@dataclass(frozen=True)
class Assessment:
    outcome: Outcome
    pathway: Pathway
    eligible_on: dt.date | None
    decision_days: int | None
    deadlines: dict[str, dt.date]
    warnings: list[Finding]
    reasons: list[Finding]
    missing: list[Missing]


def assess(facts: Facts, today: dt.date, calendars: Calendars) -> Assessment:
    """Apply RULES.md B.2-B.4 to ``facts`` as of ``today``."""
    raise NotImplementedError


def next_deadline(assessment: Assessment, today: dt.date) -> tuple[str, dt.date] | None:
    """The soonest deadline the advocate must act on, for the case list (key, date)."""
    raise NotImplementedError
