"""What to expect after the packet is mailed (RULES.md A1 "Decision timeline"). Pure.

The dates are planning estimates the advocate tracks, not legal deadlines: DMHC's clocks run
from when it *receives* the application, which certified mail's delivery record shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from imrdesktop.i18n import N_, _

DELIVERY_DAYS = 5  # USPS First-Class with Certified Mail: 1–5 days; plan on the last
ACKNOWLEDGEMENT_DAYS = 5  # DMHC's acknowledgement letter, "within about 5 days of receipt"
ACCEPTANCE_DAYS = 7  # DMHC says whether the case is accepted: 7 calendar days from receipt
TYPICAL_TOTAL_DAYS = 45  # DMHC form: "usually within 45 days"

LABELS = {
    "delivery_expected": N_("Delivery to DMHC expected by (check the USPS tracking)"),
    "dmhc_acknowledgement": N_("DMHC acknowledgement letter with a case number, about"),
    "acceptance_decision": N_("DMHC says whether the case is accepted for IMR, by about"),
    "iro_decision": N_("Independent reviewers' decision due, about"),
    "typical_total": N_("Most IMR decisions arrive by"),
}


@dataclass(frozen=True)
class Milestone:
    key: str
    date: dt.date

    @property
    def label(self) -> str:
        return _(LABELS[self.key])


def milestones(mailed: dt.date, decision_days: int | None) -> list[Milestone]:
    """The expected dates after mailing, in date order. ``decision_days`` is the pathway's
    review time (30, 7 or 3; None when unknown: 30 is assumed)."""
    delivered = mailed + dt.timedelta(days=DELIVERY_DAYS)
    days = decision_days if decision_days in (3, 7, 30) else 30
    out = [
        Milestone("delivery_expected", delivered),
        Milestone("dmhc_acknowledgement", delivered + dt.timedelta(days=ACKNOWLEDGEMENT_DAYS)),
        Milestone("acceptance_decision", delivered + dt.timedelta(days=ACCEPTANCE_DAYS)),
        Milestone("iro_decision", delivered + dt.timedelta(days=days)),
        Milestone("typical_total", mailed + dt.timedelta(days=TYPICAL_TOTAL_DAYS)),
    ]
    return sorted(out, key=lambda m: m.date)
