"""Assessing facts and cases: the rules engine with its data, for the GUI and the CLI.

The data is read once per process and cached:

- ``resources/calendars/ca-holidays.json``: the shipped closure lists (state office and
  judicial) per year, made by ``scripts/make_calendars.py``;
- ``<config dir>/calendars-override.json``: an administrator's corrections, same shape; a
  year present there replaces that year (docs/calendars.md);
- ``forms/criteria/wording.json``: every sentence, citation and evidence tag.

Call :func:`reload` after changing any of them in a running app.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
from pathlib import Path
from typing import Any

from imrdesktop.domain.calendars import Calendars
from imrdesktop.domain.errors import InvalidField
from imrdesktop.domain.facts import Facts, parse_facts
from imrdesktop.domain.rules import Assessment, assess
from imrdesktop.domain.timeline import merged_facts, source_field
from imrdesktop.domain.wording import (
    Wording,
    deadline_label,
    deadline_rows,
    pathway_label,
    render,
    verdict,
)
from imrdesktop.i18n import _, ngettext
from imrdesktop.resources_path import forms_path, resource_path

log = logging.getLogger(__name__)

CALENDAR_DATA = ("calendars", "ca-holidays.json")
OVERRIDE_NAME = "calendars-override.json"
WORDING_DATA = ("criteria", "wording.json")


def default_config_dir() -> Path:
    from imrdesktop.storage.paths import AppPaths

    return AppPaths.default().config


def _read_json(path: Path, name: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InvalidField(field=name, problem=_("the file cannot be read as JSON")) from exc


@functools.cache
def _calendars(config_dir: Path) -> Calendars:
    data = _read_json(resource_path(*CALENDAR_DATA), CALENDAR_DATA[-1])
    override_path = config_dir / OVERRIDE_NAME
    override = None
    if override_path.is_file():
        override = _read_json(override_path, str(override_path))
        log.info("calendar override in use")
    return Calendars.from_data(data, override, override_name=str(override_path))


def calendars(config_dir: Path | None = None) -> Calendars:
    """The shipped calendars with the administrator's override applied (cached)."""
    return _calendars(config_dir or default_config_dir())


@functools.cache
def wording() -> Wording:
    """The wording data (cached)."""
    data = _read_json(forms_path(*WORDING_DATA), "/".join(("forms", *WORDING_DATA)))
    return Wording.from_dict(data, source="forms/criteria/wording.json")


def deadline_short_labels() -> dict[str, str]:
    """Deadline key -> short English label (a gettext msgid), for the case list's "what"."""
    return {key: text.short for key, text in wording().deadlines.items()}


def reload() -> None:
    """Forget the cached data (after an administrator changed a calendar or the wording)."""
    _calendars.cache_clear()
    wording.cache_clear()


# --- assessing ------------------------------------------------------------------------------
def assess_parsed(facts: Facts, today: dt.date) -> tuple[Assessment, dict[str, Any]]:
    """Assess already parsed facts; return the assessment and its facts.md JSON."""
    assessment = assess(facts, today, calendars())
    return assessment, render(assessment, wording())


def assess_facts(data: object, today: dt.date) -> tuple[Assessment, dict[str, Any]]:
    """Parse and assess a facts record; return the assessment and its facts.md JSON.

    Bad facts raise :class:`InvalidField` naming the field (exit 2), before any rule.
    """
    return assess_parsed(parse_facts(data, today), today)


def _in_case(exc: InvalidField, record: dict[str, Any] | None = None) -> InvalidField:
    """A facts problem named as a field of the case: the timeline event or mailing that gave
    the date when one did (the merged facts), else ``facts.<field>``."""
    field = str(exc.params.get("field", ""))
    named = " and ".join(
        source_field(record or {}, part) if record else f"facts.{part}"
        for part in field.split(" and ")
    )
    return InvalidField(field=named, problem=exc.params.get("problem"))


def assess_case(session: Any, case_id: str, today: dt.date) -> tuple[Assessment, dict[str, Any]]:
    """Assess a case's facts merged with its timeline; store the result in the case and its
    list summary.

    The facts are ``timeline.merged_facts(record)``: the stored facts with the timeline's
    dates (and the mailing date) taking precedence (shared/CLI.md). The rendered assessment
    goes into the case record under ``"assessment"``; the case list's ``next_deadline`` is
    updated from it. A case without facts is assessed as an empty facts record (the result
    asks for the denial reason).
    """
    record = session.load_case(case_id)
    data = merged_facts(record)
    try:
        facts = parse_facts(data, today)
    except InvalidField as exc:
        raise _in_case(exc, record) from exc
    assessment, rendered = assess_parsed(facts, today)
    add_missing_documents(rendered, facts, with_documents(session, case_id, record))
    record["assessment"] = rendered
    session.save_case(case_id, record, today=today)
    return assessment, rendered


def with_documents(session: Any, case_id: str, record: dict[str, Any]) -> dict[str, Any]:
    """A copy of the case record with ``documents``: the kinds of the documents that go in
    the packet (the packet checklist reads them; the record itself never stores them)."""
    from imrdesktop.services.documents import documents_from_record, packet_kinds

    with session.open_case(case_id) as case:
        docs = documents_from_record(case.get("documents"))
    return {**record, "documents": packet_kinds(docs)}


@functools.cache
def packet_documents():
    from imrdesktop.domain.packet_documents import parse_packet_documents

    data = json.loads(forms_path("criteria", "packet-documents.json").read_text(encoding="utf-8"))
    return parse_packet_documents(data)


def preview_case_assessment(facts_data: Any, record: dict[str, Any], today: dt.date) -> dict:
    """What ``assess_case`` would store for these facts (as edited on screen, merged with
    the record's timeline and mailing date like ``assess_case``), without saving anything.
    ``facts_data`` None means the record's own facts."""
    if facts_data is None:
        facts_data = record.get("facts")
    if isinstance(facts_data, dict) or facts_data is None:
        facts_data = merged_facts({**record, "facts": facts_data or {}})
    facts = parse_facts(facts_data, today)
    _assessment, rendered = assess_parsed(facts, today)
    add_missing_documents(rendered, facts, record)
    return rendered


def add_missing_documents(rendered: dict[str, Any], facts, record: dict[str, Any]) -> None:
    """``assess CASE``: add the packet copies (RULES.md C) the case does not have yet, to
    ``missing`` and, with their kinds, to ``missing_documents``."""
    from imrdesktop.domain.packet_documents import missing_documents

    attached = [d.get("kind", "") for d in record.get("documents") or () if isinstance(d, dict)]
    items = missing_documents(
        packet_documents(),
        rendered["pathway"],
        grievance_decided=facts.grievance.decided,
        grievance_filed=facts.grievance.filed,
        attached_kinds=attached,
    )
    rendered["missing_documents"] = items
    rendered["missing"] = [*rendered["missing"], *(i["text"] for i in items)]


# --- the result page as text ---------------------------------------------------------------
def _days(n: int) -> str:
    if n == 0:
        return _("today")
    if n > 0:
        return ngettext("{n} day left", "{n} days left", n).format(n=n)
    return ngettext("{n} day ago", "{n} days ago", -n).format(n=-n)


def text_report(rendered: dict[str, Any], today: dt.date) -> str:
    """The result page as plain text: verdict, dated deadlines with days left, warnings,
    why (each rule with its citation) and the checklist of what is missing."""
    w = wording()
    headline, explanation = verdict(rendered, w)
    lines = [headline, explanation, ""]
    lines.append(_("Review: {pathway}").format(pathway=pathway_label(rendered["pathway"], w)))
    if rendered.get("decision_days"):
        lines.append(
            ngettext(
                "Decision expected within {n} day of a complete application.",
                "Decision expected within {n} days of a complete application.",
                rendered["decision_days"],
            ).format(n=rendered["decision_days"])
        )
    if rendered.get("eligible_on"):
        lines.append(_("Can file from: {date}").format(date=rendered["eligible_on"]))
    rows = deadline_rows(rendered, w, today)
    if rows:
        lines += ["", _("Deadlines")]
        for row in rows:
            lines.append(
                _("  {date}  {label} ({days})").format(
                    date=row["date"], label=row["label"], days=_days(row["days_left"])
                )
            )
    if rendered.get("warnings"):
        lines += ["", _("Warnings")]
        lines += [f"  ! {item['text']} [{item['id']}]" for item in rendered["warnings"]]
    if rendered.get("reasons"):
        lines += ["", _("Why")]
        for item in rendered["reasons"]:
            lines.append(
                _("  {text} ({citation}) [{rule}]").format(
                    text=item["text"], citation=item["citation"], rule=item["rule"]
                )
            )
    lines += ["", _("Missing from the file")]
    if rendered.get("missing"):
        lines += [f"  [ ] {item}" for item in rendered["missing"]]
    else:
        lines.append(_("  Nothing, as far as these facts show."))
    return "\n".join(lines)


__all__ = [
    "assess_case",
    "assess_facts",
    "assess_parsed",
    "calendars",
    "deadline_label",
    "deadline_short_labels",
    "reload",
    "text_report",
    "wording",
]
