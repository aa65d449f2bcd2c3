"""Wording as data: the sentences of outcomes, rules, warnings, deadlines and missing items.

The services layer reads ``forms/criteria/wording.json`` and builds a :class:`Wording` with
:meth:`Wording.from_dict` (this module does no I/O). :func:`render` turns an
:class:`~.rules.Assessment` into exactly the ``--json`` shape of shared/domain/facts.md.

English text is the gettext msgid: every sentence is shown as ``_(text).format(**params)``,
so a translation needs no code change. If a translated sentence has a broken placeholder,
the English sentence is used instead (a bad catalogue never stops an assessment).

The helpers :func:`verdict`, :func:`deadline_rows`, :func:`pathway_label` and
:func:`warning_entry` work on the rendered dict, so the GUI result page and the text report
can be drawn from a stored assessment as well as from a fresh one.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from imrdesktop.domain.errors import InvalidField
from imrdesktop.domain.rules import (
    DEADLINE_KEYS,
    MISSING_KEYS,
    RULE_WORDING_KEYS,
    WARNING_IDS,
    WARNING_VARIANT_KEYS,
    Assessment,
    Finding,
    Missing,
    Outcome,
    Pathway,
)
from imrdesktop.i18n import _

FORMAT = "imrdesktop.criteria-wording"
SUPPORTED_VERSION = 1
SOURCE_STATUS_TAGS = frozenset(
    {"STATUTE", "REG", "DMHC", "SEED", "SECONDARY", "COMPUTED", "UNCONFIRMED"}
)
VERIFY_PREFIX = "verify: "  # a machine-readable marker of facts.md; never translated
FILE_NAME = "wording.json"


@dataclass(frozen=True)
class Entry:
    """One sentence with its citation and evidence tags (RULES.md 0.1)."""

    text: str
    citation: str = ""
    source_status: tuple[str, ...] = ()

    @property
    def unconfirmed(self) -> bool:
        return "UNCONFIRMED" in self.source_status


@dataclass(frozen=True)
class OutcomeText:
    headline: str
    explanation: str


@dataclass(frozen=True)
class DeadlineText:
    label: str
    short: str


@dataclass(frozen=True)
class Wording:
    version: int
    outcomes: Mapping[str, OutcomeText]
    pathways: Mapping[str, str]
    rules: Mapping[str, Entry]
    warnings: Mapping[str, Entry]
    deadlines: Mapping[str, DeadlineText]
    missing: Mapping[str, Entry]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = FILE_NAME) -> Wording:
        """Check and load the wording file's content; every id the engine uses must be there.

        A problem raises :class:`InvalidField` naming the file and the place in it.
        """

        def bad(where: str, problem: str) -> InvalidField:
            return InvalidField(field=f"{source}: {where}" if where else source, problem=problem)

        def text(value: Any, where: str) -> str:
            if not isinstance(value, str) or not value.strip():
                raise bad(where, _("must be a sentence (non-empty text)"))
            return value

        def section(name: str, required: tuple[str, ...]) -> Mapping[str, Any]:
            value = data.get(name)
            if not isinstance(value, Mapping):
                raise bad(name, _("must be an object"))
            for key in required:
                if not isinstance(value.get(key), Mapping):
                    raise bad(f"{name}.{key}", _("is missing"))
            return value

        def entry(value: Mapping[str, Any], where: str, *, cited: bool) -> Entry:
            tags = value.get("source_status", [])
            if not isinstance(tags, list) or any(t not in SOURCE_STATUS_TAGS for t in tags):
                raise bad(
                    f"{where}.source_status",
                    _("must be a list of these tags: {tags}").format(
                        tags=", ".join(sorted(SOURCE_STATUS_TAGS))
                    ),
                )
            citation = value.get("citation", "")
            citation = text(citation, f"{where}.citation") if cited else str(citation or "")
            return Entry(text(value.get("text"), f"{where}.text"), citation, tuple(tags))

        if not isinstance(data, Mapping):
            raise bad("", _("must be a JSON object"))
        if data.get("format") != FORMAT:
            raise bad("format", _("must be “{value}”").format(value=FORMAT))
        version = data.get("version")
        if type(version) is not int or not 1 <= version <= SUPPORTED_VERSION:
            raise bad("version", _("this version of IMR Desktop reads version 1 only"))
        outcomes_raw = section("outcomes", tuple(o.value for o in Outcome))
        pathways_raw = section("pathways", tuple(p.value for p in Pathway))
        rules_raw = section("rules", RULE_WORDING_KEYS)
        warnings_raw = section("warnings", WARNING_IDS + WARNING_VARIANT_KEYS)
        deadlines_raw = section("deadlines", DEADLINE_KEYS)
        missing_raw = section("missing", MISSING_KEYS)
        return cls(
            version=version,
            outcomes={
                k: OutcomeText(
                    text(v.get("headline"), f"outcomes.{k}.headline"),
                    text(v.get("explanation"), f"outcomes.{k}.explanation"),
                )
                for k, v in outcomes_raw.items()
            },
            pathways={
                k: text(v.get("label"), f"pathways.{k}.label") for k, v in pathways_raw.items()
            },
            rules={k: entry(v, f"rules.{k}", cited=True) for k, v in rules_raw.items()},
            warnings={k: entry(v, f"warnings.{k}", cited=True) for k, v in warnings_raw.items()},
            deadlines={
                k: DeadlineText(
                    text(v.get("label"), f"deadlines.{k}.label"),
                    text(v.get("short"), f"deadlines.{k}.short"),
                )
                for k, v in deadlines_raw.items()
            },
            missing={k: entry(v, f"missing.{k}", cited=False) for k, v in missing_raw.items()},
        )

    # --- lookups ------------------------------------------------------------------------
    def rule(self, finding: Finding) -> Entry:
        if finding.variant:
            specific = self.rules.get(f"{finding.id}.{finding.variant}")
            if specific is not None:
                return specific
        return self.rules[finding.id]

    def warning(self, finding: Finding) -> Entry:
        if finding.variant:
            specific = self.warnings.get(f"{finding.id}.{finding.variant}")
            if specific is not None:
                return specific
        return self.warnings[finding.id]


# --- rendering -----------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def fill(text: str, params: Mapping[str, Any]) -> str:
    """``_(text).format(**params)``, dates as YYYY-MM-DD; English if the translation breaks."""
    values = {k: _plain(v) for k, v in params.items()}
    try:
        return _(text).format(**values)
    except (KeyError, IndexError, ValueError, AttributeError):
        pass
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError, AttributeError):
        return text


def missing_text(item: Missing, wording: Wording) -> str:
    sentence = fill(wording.missing[item.key].text, item.params)
    return VERIFY_PREFIX + sentence if item.verify else sentence


def render(assessment: Assessment, wording: Wording) -> dict[str, Any]:
    """The facts.md ``--json`` output of ``assessment``: every key present, dates as strings."""
    a = assessment
    return {
        "outcome": a.outcome.value,
        "pathway": a.pathway.value,
        "eligible_on": a.eligible_on.isoformat() if a.eligible_on else None,
        "decision_days": a.decision_days,
        "deadlines": {k: v.isoformat() for k, v in a.deadlines.items()},
        "warnings": [
            {"id": w.id, "text": fill(wording.warning(w).text, w.params)} for w in a.warnings
        ],
        "reasons": [
            {
                "rule": r.id,
                "text": fill(wording.rule(r).text, r.params),
                "citation": _(wording.rule(r).citation),
            }
            for r in a.reasons
        ],
        "missing": [missing_text(m, wording) for m in a.missing],
    }


def outcome_params(rendered: Mapping[str, Any]) -> dict[str, Any]:
    """The values an outcome sentence may use, from a rendered assessment."""
    params: dict[str, Any] = dict(rendered.get("deadlines") or {})
    params["eligible_on"] = rendered.get("eligible_on")
    params["decision_days"] = rendered.get("decision_days")
    params["pathway"] = rendered.get("pathway")
    return params


def verdict(rendered: Mapping[str, Any], wording: Wording) -> tuple[str, str]:
    """The result page's verdict: (headline sentence, one-line explanation)."""
    text = wording.outcomes[str(rendered["outcome"])]
    params = outcome_params(rendered)
    return fill(text.headline, params), fill(text.explanation, params)


def pathway_label(pathway: str, wording: Wording) -> str:
    return _(wording.pathways.get(pathway, pathway))


def deadline_label(key: str, wording: Wording, *, short: bool = False) -> str:
    text = wording.deadlines.get(key)
    if text is None:
        return key
    return _(text.short if short else text.label)


def deadline_rows(
    rendered: Mapping[str, Any], wording: Wording, today: dt.date
) -> list[dict[str, Any]]:
    """The deadlines as a dated list: key, label, date (YYYY-MM-DD) and days left, soonest
    first (ties in the order of facts.md)."""
    deadlines = rendered.get("deadlines") or {}
    rows = []
    for key in DEADLINE_KEYS:
        if key in deadlines:
            day = dt.date.fromisoformat(deadlines[key])
            rows.append(
                {
                    "key": key,
                    "label": deadline_label(key, wording),
                    "date": deadlines[key],
                    "days_left": (day - today).days,
                }
            )
    rows.sort(key=lambda row: row["date"])  # stable: ties keep the facts.md order
    return rows


def warning_entry(warning_id: str, wording: Wording) -> Entry:
    """The data behind a warning id (its citation and whether it is UNCONFIRMED)."""
    return wording.warnings[warning_id]
