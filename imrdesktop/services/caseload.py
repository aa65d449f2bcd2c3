"""The caseload (docs/caseload.md): what is due soon, the statistics for funders, a case's
deadlines as a calendar file. No Qt; the GUI and the CLI call these.

Nothing here writes a client's name, plan, service, medical details or notes: the statistics
are counts and the calendar holds only the case number and dates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imrdesktop.domain.rules import Assessment, Pathway
from imrdesktop.domain.timeline import DECISIONS, STATUSES, derive_status, merged_facts
from imrdesktop.i18n import N_, _
from imrdesktop.services.session import CaseRow

REMINDER_DAYS = 14
CARE_APPROVED = ("overturned", "plan_reversed")
STATEWIDE_RATE = 0.60
STATEWIDE_NOTE = N_(
    "Statewide, about 60% of IMRs end with the care approved — the plan reversed itself or "
    "the reviewers overturned it (DMHC)."
)
NOT_ASSESSED = "not_assessed"
PATHWAY_ORDER: tuple[str, ...] = (*(p.value for p in Pathway), NOT_ASSESSED)


# --- reminders ------------------------------------------------------------------------------
def reminders(rows: Iterable[CaseRow], days: int = REMINDER_DAYS) -> list[CaseRow]:
    """The cases overdue or due within ``days`` days, soonest first (then by name)."""
    due = [r for r in rows if r.days_left is not None and r.days_left <= days]
    due.sort(key=lambda r: (r.days_left, r.name.casefold(), r.case_id))
    return due


# --- statistics -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Stats:
    """Counts over the caseload. ``by_pathway`` and ``by_status`` hold the keys present, in
    the canonical order (pathway "not_assessed" for a case never assessed). ``decided``:
    cases with an IMR decision (overturned, upheld, withdrawn, plan reversed);
    ``care_approved``: overturned + plan reversed; ``rate``: care_approved / decided, None
    when nothing is decided yet. ``statewide_note``: the statewide figure with its source,
    in the current language."""

    total: int
    by_pathway: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    decided: int = 0
    care_approved: int = 0
    rate: float | None = None
    statewide_note: str = ""
    statewide_rate: float = STATEWIDE_RATE


def _ordered(counts: Counter, order: Iterable[str]) -> dict[str, int]:
    order = list(order)
    out = {k: counts[k] for k in order if counts.get(k)}
    for k in sorted(set(counts) - set(order)):  # anything unexpected, still counted
        out[k] = counts[k]
    return out


def statistics(rows: Iterable[CaseRow]) -> Stats:
    rows = list(rows)
    pathways = Counter(r.pathway or NOT_ASSESSED for r in rows)
    statuses = Counter(r.status for r in rows)
    decided = sum(1 for r in rows if r.outcome in DECISIONS)
    approved = sum(1 for r in rows if r.outcome in CARE_APPROVED)
    return Stats(
        total=len(rows),
        by_pathway=_ordered(pathways, PATHWAY_ORDER),
        by_status=_ordered(statuses, STATUSES),
        decided=decided,
        care_approved=approved,
        rate=approved / decided if decided else None,
        statewide_note=_(STATEWIDE_NOTE),
    )


def stats_csv(stats: Stats) -> str:
    """``metric,value`` rows for funder reporting: counts and rates only (no names, no ids,
    no dates). Every pathway and status is listed, zero or not, so reports line up."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(["metric", "value"])
    out.writerow(["cases_total", stats.total])
    out.writerow(["imr_decided", stats.decided])
    out.writerow(["care_approved", stats.care_approved])
    out.writerow(["care_approved_rate", "" if stats.rate is None else f"{stats.rate:.4f}"])
    out.writerow(["statewide_care_approved_rate", f"{stats.statewide_rate:.2f}"])
    out.writerow(["statewide_source", "DMHC"])
    for key in (*PATHWAY_ORDER, *(k for k in stats.by_pathway if k not in PATHWAY_ORDER)):
        out.writerow([f"pathway.{key}", stats.by_pathway.get(key, 0)])
    for key in (*STATUSES, *(k for k in stats.by_status if k not in STATUSES)):
        out.writerow([f"status.{key}", stats.by_status.get(key, 0)])
    return buf.getvalue()


# --- the calendar file ----------------------------------------------------------------------
PRODID = "-//IMR Desktop//Case deadlines//EN"
FILING_KEYS = frozenset(
    {
        "imr_file_by",
        "imr_safe_target",
        "imr_legal_last_day",
        "imr_file_by_from_denial",
        "plan_grievance_due",
        "unresolved_eligible_date",
        "medi_cal_plan_appeal_by",
        "eit_notice_due",
    }
)


def _assessment_parts(assessment: Any) -> tuple[dict[str, dt.date], int | None]:
    from imrdesktop.domain.case import deadline_dates

    if isinstance(assessment, Assessment):
        return dict(assessment.deadlines), assessment.decision_days
    days = assessment.get("decision_days") if isinstance(assessment, Mapping) else None
    return deadline_dates(assessment), days if type(days) is int else None


def calendar_items(
    record: Mapping[str, Any], assessment: Any = None, today: dt.date | None = None
) -> list[tuple[str, dt.date, str]]:
    """``(key, date, what)`` for a case's calendar, in date order: the assessment's
    deadlines that still apply and, once the IMR is mailed, the review's milestones.

    Before mailing: every deadline of the assessment. Once mailed: the milestones and the
    deadlines that are not about filing (a State Hearing, the plan's compliance). Once
    decided: only the plan's compliance date (after an overturn or the plan reversing)."""
    from imrdesktop.domain.case import SHORT_MILESTONES
    from imrdesktop.domain.mailing import milestones
    from imrdesktop.services.assessment import deadline_short_labels

    if assessment is None:
        assessment = record.get("assessment")
    deadlines, decision_days = _assessment_parts(assessment)
    status = derive_status(record, assessment, today=today)
    labels = deadline_short_labels()
    items: list[tuple[str, dt.date, str]] = []
    decided = status in (*DECISIONS, "complied")
    mailed_text = merged_facts(record).get("imr_filed_date")
    mailed = None
    if isinstance(mailed_text, str):
        try:
            mailed = dt.date.fromisoformat(mailed_text)
        except ValueError:
            mailed = None
    for key, day in deadlines.items():
        if decided and not (key == "plan_compliance_due" and status in CARE_APPROVED):
            continue
        if mailed is not None and key in FILING_KEYS:
            continue
        items.append((key, day, _(labels.get(key, key))))
    if mailed is not None and not decided:
        for step in milestones(mailed, decision_days):
            items.append((step.key, step.date, _(SHORT_MILESTONES[step.key])))
    items.sort(key=lambda item: (item[1], item[0]))
    return items


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """RFC 5545 3.1: lines of at most 75 octets, continued with CRLF + one space; never
    splitting a UTF-8 character."""
    out: list[str] = []
    current, size, limit = "", 0, 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += ch
        size += n
    out.append(current)
    return "\r\n".join(out)


def _uid_part(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text)


def deadlines_ics(case_id: str, record: Mapping[str, Any], assessment: Any, today: dt.date) -> str:
    """The case's deadlines and milestones as an RFC 5545 calendar: one all-day VEVENT each,
    SUMMARY "IMR: <what> — case <id>", UID "<case>-<key>@imrdesktop", DTSTAMP from
    ``today``. It holds the case number and dates only: no client name, plan, service,
    medical details or notes."""
    stamp = f"{today:%Y%m%d}T000000Z"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    for key, day, what in calendar_items(record, assessment, today):
        summary = _("IMR: {what} — case {case}").format(what=what, case=case_id)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{_uid_part(case_id)}-{_uid_part(key)}@imrdesktop",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{day + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(summary)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def export_text(path: Path | str, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically, readable by the user only (0600).
    Errors come out as DiskFull / StoragePermissionDenied / WriteFailed."""
    from imrdesktop.storage.atomic import write_atomic

    write_atomic(Path(path), text.encode("utf-8"))


__all__ = [
    "STATEWIDE_NOTE",
    "Stats",
    "calendar_items",
    "deadlines_ics",
    "export_text",
    "reminders",
    "statistics",
    "stats_csv",
]
