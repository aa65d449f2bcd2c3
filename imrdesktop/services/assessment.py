"""Assessing facts and cases: loads the calendars and wording once, runs the rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from imrdesktop.domain.rules import Assessment


def assess_facts(data: object, today: dt.date) -> tuple[Assessment, dict[str, Any]]:
    """Parse and assess a facts record; return the assessment and its facts.md JSON."""
    raise NotImplementedError


def assess_case(session: Any, case_id: str, today: dt.date) -> tuple[Assessment, dict[str, Any]]:
    """Assess a case's stored facts, store the result in the case and its summary."""
    raise NotImplementedError


def text_report(rendered: dict[str, Any], today: dt.date) -> str:
    """The result page as plain text."""
    raise NotImplementedError
