"""The facts record (shared/domain/facts.md): parsing, checking and writing it back.

``parse_facts(data, today)`` turns a JSON-like dict into a frozen :class:`Facts` tree, or
raises :class:`InvalidField` naming the field for every "exit 2" case of facts.md, before
any rule runs: an unknown key; a value not listed or of the wrong type; a date that is not
a real ``YYYY-MM-DD`` date or is later than ``today``; dates out of order; a grievance
outcome without its decision date or the other way round; and ``medi_cal_rx_pharmacy`` for
someone who is not a Medi-Cal member. ``facts_problems`` returns every such problem (for
showing beside each field in the GUI); ``parse_facts`` raises the first.

A missing key, or null, means unknown: false for a bool, ``unknown`` for ``regulator``,
``none`` for ``urgency`` and ``medi_cal.fair_hearing_status``, null otherwise.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from imrdesktop.domain.errors import InvalidField
from imrdesktop.i18n import _


class Regulator(enum.StrEnum):
    DMHC = "dmhc"
    CDI = "cdi"
    MEDICARE = "medicare"
    MEDI_CAL_FFS = "medi_cal_ffs"
    SELF_FUNDED = "self_funded"
    NON_KK_COHS = "non_kk_cohs"
    UNKNOWN = "unknown"


class DenialReason(enum.StrEnum):
    MED_NECESSITY = "med_necessity"
    EXPERIMENTAL_INVESTIGATIONAL = "experimental_investigational"
    EMERGENCY_PAYMENT_MED_NEC = "emergency_payment_med_nec"
    COVERAGE_EXCLUSION = "coverage_exclusion"
    CLAIM_OR_BILLING = "claim_or_billing"
    CANCELLATION_RESCISSION_NONRENEWAL = "cancellation_rescission_nonrenewal"
    ACCESS_TIMELINESS = "access_timeliness"
    QUALITY_OTHER = "quality_other"
    MEDI_CAL_RX_PHARMACY = "medi_cal_rx_pharmacy"


class Urgency(enum.StrEnum):
    NONE = "none"
    IMMINENT_SERIOUS_THREAT = "imminent_serious_threat"
    EIT_LESS_EFFECTIVE_IF_DELAYED = "eit_less_effective_if_delayed"


class GrievanceOutcome(enum.StrEnum):
    UPHELD = "upheld"
    PARTIAL = "partial"
    OVERTURNED = "overturned"


class FairHearingStatus(enum.StrEnum):
    NONE = "none"
    REQUESTED = "requested"
    HELD = "held"
    DECISION_ISSUED = "decision_issued"
    WITHDRAWN = "withdrawn"


class ImrDecisionOutcome(enum.StrEnum):
    OVERTURNED = "overturned"
    UPHELD = "upheld"


@dataclass(frozen=True)
class Grievance:
    """The plan grievance (a Medi-Cal plan appeal counts as one)."""

    filed_date: dt.date | None = None
    received_date: dt.date | None = None
    expedited: bool = False
    decision_date: dt.date | None = None
    outcome: GrievanceOutcome | None = None

    @property
    def decided(self) -> bool:
        return self.outcome is not None

    @property
    def filed(self) -> bool:
        """RULES.md B.1: the filed date is known, or the grievance is decided."""
        return self.filed_date is not None or self.decided


@dataclass(frozen=True)
class MediCal:
    member: bool = False
    noa_date: dt.date | None = None
    nar_date: dt.date | None = None
    fair_hearing_status: FairHearingStatus = FairHearingStatus.NONE


@dataclass(frozen=True)
class Eit:
    life_threatening_or_seriously_debilitating: bool = False
    physician_certification_present: bool = False
    recommending_physician_is_plan_physician: bool = False
    two_med_sci_documents: bool = False
    plan_notice_received_date: dt.date | None = None


@dataclass(frozen=True)
class Facts:
    """One facts record, every key of facts.md, unknowns already defaulted."""

    regulator: Regulator = Regulator.UNKNOWN
    denial_reason: DenialReason | None = None
    denial_also_cites_contract_exclusion: bool = False
    urgency: Urgency = Urgency.NONE
    service_already_rendered: bool = False
    plan_written_decision_date: dt.date | None = None
    grievance: Grievance = field(default_factory=Grievance)
    medi_cal: MediCal = field(default_factory=MediCal)
    eit: Eit = field(default_factory=Eit)
    urgency_certification_present: bool = False
    provider_recommended_or_in_plan_visit: bool = False
    authorized_assistant_form_on_file: bool = False
    imr_filed_date: dt.date | None = None
    imr_decision_received_date: dt.date | None = None
    imr_decision_outcome: ImrDecisionOutcome | None = None


# --- the schema: key -> kind (DATE, BOOL, an enum class, or a nested section) -------------
DATE = "date"
BOOL = "bool"
SECTIONS: dict[str, type] = {"grievance": Grievance, "medi_cal": MediCal, "eit": Eit}
SCHEMA: dict[str, Any] = {
    "regulator": Regulator,
    "denial_reason": DenialReason,
    "denial_also_cites_contract_exclusion": BOOL,
    "urgency": Urgency,
    "service_already_rendered": BOOL,
    "plan_written_decision_date": DATE,
    "grievance": {
        "filed_date": DATE,
        "received_date": DATE,
        "expedited": BOOL,
        "decision_date": DATE,
        "outcome": GrievanceOutcome,
    },
    "medi_cal": {
        "member": BOOL,
        "noa_date": DATE,
        "nar_date": DATE,
        "fair_hearing_status": FairHearingStatus,
    },
    "eit": {
        "life_threatening_or_seriously_debilitating": BOOL,
        "physician_certification_present": BOOL,
        "recommending_physician_is_plan_physician": BOOL,
        "two_med_sci_documents": BOOL,
        "plan_notice_received_date": DATE,
    },
    "urgency_certification_present": BOOL,
    "provider_recommended_or_in_plan_visit": BOOL,
    "authorized_assistant_form_on_file": BOOL,
    "imr_filed_date": DATE,
    "imr_decision_received_date": DATE,
    "imr_decision_outcome": ImrDecisionOutcome,
}
# What null / missing means for the enums that are not simply null.
ENUM_DEFAULTS: dict[type, Any] = {
    Regulator: Regulator.UNKNOWN,
    Urgency: Urgency.NONE,
    FairHearingStatus: FairHearingStatus.NONE,
}
RX_FIELD = "denial_reason and medi_cal.member"

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _key_name(key: object) -> str:
    """An unknown key as it can be named in one line (quoted when blank or odd)."""
    text = str(key)
    if text.isprintable() and text.strip() == text and text:
        return text[:80]
    return json.dumps(text)[:80]


def _problem(fld: str, problem: str) -> InvalidField:
    return InvalidField(field=fld, problem=problem)


def _check_value(
    name: str, kind: Any, value: Any, today: dt.date, problems: list[InvalidField]
) -> Any:
    """The parsed value of one leaf, or the default after recording a problem."""
    if kind == BOOL:
        if value is None:
            return False
        if type(value) is not bool:
            problems.append(_problem(name, _("must be true, false or null")))
            return False
        return value
    if kind == DATE:
        if value is None:
            return None
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            problems.append(_problem(name, _("a date must be written YYYY-MM-DD")))
            return None
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            problems.append(_problem(name, _("{value} is not a real date").format(value=value)))
            return None
        if day > today:
            problems.append(
                _problem(
                    name,
                    _("{value} is later than today ({today})").format(
                        value=value, today=today.isoformat()
                    ),
                )
            )
            return None
        return day
    # an enum
    if value is None:
        return ENUM_DEFAULTS.get(kind)
    allowed = [m.value for m in kind]
    if not isinstance(value, str) or value not in allowed:
        problems.append(
            _problem(name, _("must be one of: {values}").format(values=", ".join(allowed)))
        )
        return ENUM_DEFAULTS.get(kind)
    return kind(value)


def facts_problems(data: object, today: dt.date) -> tuple[Facts | None, list[InvalidField]]:
    """Check ``data`` against facts.md; return the parsed facts and every problem found.

    The facts are ``None`` when the record is not an object at all. When there are
    problems the facts are a best-effort reading (bad values left at their defaults) and
    must not be assessed.
    """
    problems: list[InvalidField] = []
    if not isinstance(data, Mapping):
        problems.append(_problem("(facts)", _("the facts record must be a JSON object")))
        return None, problems
    for key in data:
        if key not in SCHEMA:
            problems.append(_problem(_key_name(key), _("this key is not part of a facts record")))
    values: dict[str, Any] = {}
    for key, kind in SCHEMA.items():
        if isinstance(kind, dict):
            section = data.get(key)
            sub: dict[str, Any] = {}
            if section is not None and not isinstance(section, Mapping):
                problems.append(_problem(key, _("must be an object or null")))
                section = None
            section = section or {}
            for subkey in section:
                if subkey not in kind:
                    problems.append(
                        _problem(
                            f"{key}.{_key_name(subkey)}",
                            _("this key is not part of a facts record"),
                        )
                    )
            for subkey, subkind in kind.items():
                sub[subkey] = _check_value(
                    f"{key}.{subkey}", subkind, section.get(subkey), today, problems
                )
            values[key] = SECTIONS[key](**sub)
        else:
            values[key] = _check_value(key, kind, data.get(key), today, problems)
    facts = Facts(**values)
    g = facts.grievance
    if g.filed_date and g.decision_date and g.decision_date < g.filed_date:
        problems.append(
            _problem("grievance.decision_date", _("is before the grievance's filed date"))
        )
    if g.filed_date and g.received_date and g.received_date < g.filed_date:
        problems.append(
            _problem("grievance.received_date", _("is before the grievance's filed date"))
        )
    section = data.get("grievance")
    raw_outcome = section.get("outcome") if isinstance(section, Mapping) else None
    raw_decided = section.get("decision_date") if isinstance(section, Mapping) else None
    if (raw_outcome is None) != (raw_decided is None):
        problems.append(
            _problem(
                "grievance.outcome and grievance.decision_date",
                _("a grievance decision needs both its outcome and its date"),
            )
        )
    if (
        facts.imr_filed_date
        and facts.imr_decision_received_date
        and facts.imr_decision_received_date < facts.imr_filed_date
    ):
        problems.append(_problem("imr_decision_received_date", _("is before the IMR's filed date")))
    if facts.denial_reason == DenialReason.MEDI_CAL_RX_PHARMACY and not facts.medi_cal.member:
        problems.append(
            _problem(
                RX_FIELD,
                _(
                    "a Medi-Cal Rx pharmacy denial concerns Medi-Cal members only: set "
                    "medi_cal.member to true or choose another denial reason"
                ),
            )
        )
    return facts, problems


def parse_facts(data: object, today: dt.date) -> Facts:
    """The :class:`Facts` of ``data``, or :class:`InvalidField` for its first problem."""
    facts, problems = facts_problems(data, today)
    if problems or facts is None:
        raise problems[0]
    return facts


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def facts_to_json(facts: Facts) -> dict[str, Any]:
    """Every key of facts.md, unknowns written out as their defaults (or null)."""
    out: dict[str, Any] = {}
    for f in fields(facts):
        value = getattr(facts, f.name)
        if f.name in SECTIONS:
            out[f.name] = {sf.name: _jsonable(getattr(value, sf.name)) for sf in fields(value)}
        else:
            out[f.name] = _jsonable(value)
    return out
