"""What the criteria result page shows, from a rendered assessment (facts.md ``--json``).

The engine decides; this module only arranges its output for display: the verdict sentence,
the deadlines as dated rows with days left, the warnings (marking UNCONFIRMED ones "verify
with DMHC"), the reasons with citations and the checklist of missing items, noting which
items are papers to find in the Documents section. No Qt, so it is tested as plain code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from imrdesktop.domain.wording import (
    VERIFY_PREFIX,
    deadline_rows,
    fill,
    pathway_label,
    verdict,
)
from imrdesktop.services.assessment import wording

# Missing items that are papers to collect: the checklist links them to the Documents section.
DOCUMENT_MISSING = frozenset({"eit_certification", "eit_two_documents", "denial_letter_date"})
# Dates from which something becomes possible: once past they are reached, not overdue.
START_DATES = frozenset({"unresolved_eligible_date"})
# Display-only variants of the filing date; left out when they fall on the recommended date.
LEGAL_LAST_DAY = "imr_legal_last_day"
SAME_AS_FILE_BY = frozenset({LEGAL_LAST_DAY, "imr_file_by_from_denial"})


@dataclass(frozen=True)
class DeadlineRow:
    key: str
    label: str
    date: dt.date
    days_left: int
    overdue: bool  # past, and a date someone had to act by
    reached: bool  # past, and a date from which something became possible
    legal_last_day: bool


@dataclass(frozen=True)
class WarningRow:
    id: str
    text: str
    verify: bool  # rests on an UNCONFIRMED item: check with the DMHC


@dataclass(frozen=True)
class ReasonRow:
    rule: str
    text: str
    citation: str


@dataclass(frozen=True)
class MissingRow:
    text: str
    verify: bool
    section: str  # the workspace section where it is supplied ("documents"), or ""


@dataclass(frozen=True)
class ResultModel:
    outcome: str
    pathway: str
    headline: str
    explanation: str
    pathway_label: str
    decision_days: int | None
    eligible_on: dt.date | None
    deadlines: tuple[DeadlineRow, ...]
    warnings: tuple[WarningRow, ...]
    reasons: tuple[ReasonRow, ...]
    missing: tuple[MissingRow, ...]


def _missing_key(sentence: str) -> str:
    """The wording key a rendered missing sentence came from, or "" (an item the engine
    added with its own parameters)."""
    w = wording()
    for key, entry in w.missing.items():
        if fill(entry.text, {}) == sentence:
            return key
    return ""


def build_result(rendered: Mapping[str, Any], today: dt.date) -> ResultModel:
    """The result page's content for ``rendered`` as of ``today``."""
    w = wording()
    headline, explanation = verdict(rendered, w)
    rows = []
    dates = rendered.get("deadlines") or {}
    for row in deadline_rows(rendered, w, today):
        if row["key"] in SAME_AS_FILE_BY and dates.get(row["key"]) == dates.get("imr_file_by"):
            continue  # the same day as "File the IMR by": one line says it all
        past = row["days_left"] < 0
        start = row["key"] in START_DATES
        rows.append(
            DeadlineRow(
                key=row["key"],
                label=row["label"],
                date=dt.date.fromisoformat(row["date"]),
                days_left=row["days_left"],
                overdue=past and not start,
                reached=past and start,
                legal_last_day=row["key"] == LEGAL_LAST_DAY,
            )
        )
    warnings = []
    for item in rendered.get("warnings") or ():
        entry = w.warnings.get(str(item.get("id", "")))
        warnings.append(
            WarningRow(
                id=str(item.get("id", "")),
                text=str(item.get("text", "")),
                verify=bool(entry and entry.unconfirmed),
            )
        )
    reasons = tuple(
        ReasonRow(str(r.get("rule", "")), str(r.get("text", "")), str(r.get("citation", "")))
        for r in rendered.get("reasons") or ()
    )
    missing = []
    document_texts = {
        str(d.get("text", ""))
        for d in rendered.get("missing_documents") or ()
        if isinstance(d, dict)
    }
    for item in rendered.get("missing") or ():
        text = str(item)
        if text in document_texts:
            missing.append(MissingRow(text, False, "documents"))
            continue
        verify = text.startswith(VERIFY_PREFIX)
        if verify:
            text = text[len(VERIFY_PREFIX) :]
        key = _missing_key(text)
        missing.append(MissingRow(text, verify, "documents" if key in DOCUMENT_MISSING else ""))
    eligible = rendered.get("eligible_on")
    return ResultModel(
        outcome=str(rendered.get("outcome", "")),
        pathway=str(rendered.get("pathway", "")),
        headline=headline,
        explanation=explanation,
        pathway_label=pathway_label(str(rendered.get("pathway", "none")), w),
        decision_days=rendered.get("decision_days"),
        eligible_on=dt.date.fromisoformat(eligible) if eligible else None,
        deadlines=tuple(rows),
        warnings=tuple(warnings),
        reasons=reasons,
        missing=tuple(missing),
    )


def same_result(a: Mapping[str, Any] | None, b: Mapping[str, Any] | None) -> bool:
    """Whether two rendered assessments say the same thing (outcome, dates, warnings…)."""
    return a is not None and b is not None and dict(a) == dict(b)
