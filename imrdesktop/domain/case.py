"""The case record: one JSON-able dict per client, shaped as shared/CLI.md describes.

``validate_record`` checks a record given by a person or a file (``case new --from``) and
raises :class:`InvalidField` naming the first wrong field. The same keys are used by every
layer (forms, criteria, packet, timeline): there is no parallel copy of the model.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from typing import Any

from imrdesktop.domain.errors import InvalidField
from imrdesktop.domain.rules import Assessment, pick_next_deadline
from imrdesktop.domain.timeline import (
    DECIDED,
    EVENTS,
    MAX_EVENTS,
    MAX_NOTES,
    OUTCOME_REQUIRED,
    OUTCOMES,
    decision_outcome,
    status_from,
    status_inputs,
)

# The statuses and their labels live in domain.timeline; kept importable from here.
from imrdesktop.domain.timeline import STATUS_LABELS as STATUS_LABELS
from imrdesktop.domain.timeline import status_label as status_label
from imrdesktop.i18n import N_, _

# Section -> allowed keys (all strings). Only enrollee.name is required.
PERSON_SECTIONS: dict[str, tuple[str, ...]] = {
    "enrollee": (
        "name",
        "date_of_birth",
        "address",
        "phone",
        "email",
        "preferred_language",
        "contact_preference",
    ),
    "plan": ("name", "member_id", "medical_group"),
    "advocate": ("name", "organization", "address", "phone", "email"),
    "physician": ("name", "phone", "address"),
    "assistant": ("name", "relationship", "organization", "address", "phone", "email"),
}
TEXT_KEYS = ("service", "notes")
# "facts": the facts record (shared/domain/facts.md); "assessment": the last assessment of
# those facts, in the facts.md --json shape (written by services.assessment.assess_case).
OBJECT_KEYS = ("facts", "assessment")
# "letter": the letter in support as the advocate left it; "mailing": the certified-mail
# record (docs/packet.md); "denial": what the plan did and the reason it wrote; "timeline":
# the case's events (docs/caseload.md). Each is checked by its own validator below.
CHECKED_KEYS = ("letter", "mailing", "denial", "timeline")
TOP_LEVEL = (*PERSON_SECTIONS, *TEXT_KEYS, *OBJECT_KEYS, *CHECKED_KEYS)
RETURN_RECEIPTS = ("green_card", "electronic", "none")
MAX_LETTER = 60_000
DATE_FIELDS = {("enrollee", "date_of_birth")}
MAX_TEXT = 20_000

LANGUAGES = {"en": N_("English"), "es": N_("Spanish")}
CONTACT_PREFERENCES = {
    "phone": N_("Phone call"),
    "email": N_("Email"),
    "mail": N_("Mail"),
    "text": N_("Text message"),
}
DENIAL_ACTIONS = {
    "denied": N_("Denied"),
    "delayed": N_("Delayed"),
    "modified": N_("Modified"),
}
MAX_STATED_REASON = 2000
MAX_MEMBER_ID = 40


def parse_date(value: str, field: str) -> dt.date:
    if not isinstance(value, str):
        raise InvalidField(field=field, problem=_("a date must be written YYYY-MM-DD"))
    try:
        parsed = dt.date.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or len(value) != 10:
        raise InvalidField(field=field, problem=_("a date must be a real date written YYYY-MM-DD"))
    return parsed


def validate_record(record: Any, *, today: dt.date | None = None) -> dict:
    """Return a clean copy of ``record`` or raise InvalidField naming the wrong field."""
    if not isinstance(record, dict):
        raise InvalidField(field="(record)", problem=_("the case record must be a JSON object"))
    for key in record:
        if key not in TOP_LEVEL:
            raise InvalidField(field=str(key), problem=_("this key is not part of a case record"))
    clean: dict[str, Any] = {}
    for section, keys in PERSON_SECTIONS.items():
        value = record.get(section)
        if value is None:
            continue
        if not isinstance(value, dict):
            raise InvalidField(field=section, problem=_("must be an object"))
        out: dict[str, str] = {}
        for key, item in value.items():
            field = f"{section}.{key}"
            if key not in keys:
                raise InvalidField(field=field, problem=_("this key is not part of a case record"))
            if item is None:
                continue
            if not isinstance(item, str):
                raise InvalidField(field=field, problem=_("must be text"))
            if len(item) > MAX_TEXT:
                raise InvalidField(field=field, problem=_("is too long"))
            item = item.strip()
            if (section, key) in DATE_FIELDS and item:
                born = parse_date(item, field)
                if today is not None and born > today:
                    raise InvalidField(field=field, problem=_("is in the future"))
            if (section, key) == ("enrollee", "contact_preference") and item:
                _one_of(item, CONTACT_PREFERENCES, field)
            if item:
                out[key] = item
        if out:
            clean[section] = out
    name = clean.get("enrollee", {}).get("name", "")
    if not name:
        raise InvalidField(field="enrollee.name", problem=_("the client's name is required"))
    for key in TEXT_KEYS:
        value = record.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise InvalidField(field=key, problem=_("must be text"))
        if len(value) > MAX_TEXT:
            raise InvalidField(field=key, problem=_("is too long"))
        if value.strip():
            clean[key] = value.strip() if key == "service" else value
    for key in OBJECT_KEYS:
        value = record.get(key)
        if value is None:
            continue
        if not isinstance(value, dict):
            raise InvalidField(field=key, problem=_("must be an object"))
        clean[key] = copy.deepcopy(value)
    if record.get("letter") is not None:
        clean["letter"] = validate_letter(record["letter"])
    if record.get("mailing") is not None:
        clean["mailing"] = validate_mailing(record["mailing"], today=today)
    if record.get("denial") is not None:
        denial = validate_denial(record["denial"])
        if denial:
            clean["denial"] = denial
    if record.get("timeline") is not None:
        timeline = validate_timeline(record["timeline"], today=today)
        if timeline:
            clean["timeline"] = timeline
    return clean


def _one_of(value: Any, allowed: Mapping[str, str] | tuple[str, ...], field: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise InvalidField(
            field=field,
            problem=_("must be one of: {values}").format(values=", ".join(allowed)),
        )
    return value


def validate_denial(value: Any) -> dict:
    """``{"action": denied|delayed|modified, "stated_reason": text}``, both optional; empty
    values are dropped."""
    if not isinstance(value, dict):
        raise InvalidField(field="denial", problem=_("must be an object"))
    for key in value:
        if key not in ("action", "stated_reason"):
            raise InvalidField(
                field=f"denial.{key}", problem=_("this key is not part of a case record")
            )
    out: dict[str, str] = {}
    action = value.get("action")
    if action not in (None, ""):
        out["action"] = _one_of(action, DENIAL_ACTIONS, "denial.action")
    reason = value.get("stated_reason")
    if reason is not None:
        if not isinstance(reason, str):
            raise InvalidField(field="denial.stated_reason", problem=_("must be text"))
        if len(reason) > MAX_STATED_REASON:
            raise InvalidField(
                field="denial.stated_reason",
                problem=_("is too long (at most {n} characters)").format(n=MAX_STATED_REASON),
            )
        if reason.strip():
            out["stated_reason"] = reason.strip()
    return out


def validate_timeline(value: Any, *, today: dt.date | None = None) -> list[dict]:
    """The timeline as a list of ``{"event", "date", "notes", "outcome"}`` (outcome null for
    the kinds that carry none), sorted by date (events on one date keep their order)."""
    if not isinstance(value, list):
        raise InvalidField(field="timeline", problem=_("must be a list of events"))
    if len(value) > MAX_EVENTS:
        raise InvalidField(
            field="timeline", problem=_("holds more than {n} events").format(n=MAX_EVENTS)
        )
    out: list[dict] = []
    for i, item in enumerate(value):
        where = f"timeline[{i}]"
        if not isinstance(item, dict):
            raise InvalidField(field=where, problem=_("must be an object"))
        for key in item:
            if key not in ("event", "date", "notes", "outcome"):
                raise InvalidField(
                    field=f"{where}.{key}", problem=_("this key is not part of a timeline event")
                )
        event = _one_of(item.get("event"), EVENTS, f"{where}.event")
        date = item.get("date")
        day = parse_date(date, f"{where}.date")
        if today is not None and day > today:
            raise InvalidField(field=f"{where}.date", problem=_("is in the future"))
        notes = item.get("notes")
        if notes is None:
            notes = ""
        if not isinstance(notes, str):
            raise InvalidField(field=f"{where}.notes", problem=_("must be text"))
        if len(notes) > MAX_NOTES:
            raise InvalidField(
                field=f"{where}.notes",
                problem=_("is too long (at most {n} characters)").format(n=MAX_NOTES),
            )
        outcome = item.get("outcome")
        if outcome in (None, ""):
            if event in OUTCOME_REQUIRED:
                raise InvalidField(
                    field=f"{where}.outcome",
                    problem=_("a decision needs its outcome: one of {values}").format(
                        values=", ".join(OUTCOMES[event])
                    ),
                )
            outcome = None
        elif event not in OUTCOMES:
            raise InvalidField(field=f"{where}.outcome", problem=_("this event has no outcome"))
        else:
            _one_of(outcome, OUTCOMES[event], f"{where}.outcome")
        out.append({"event": event, "date": date, "notes": notes, "outcome": outcome})
    out.sort(key=lambda e: e["date"])
    return out


# --- checks the GUI runs as the user types (None: fine; else the sentence to show) -------
_PHONE_PUNCTUATION = set(" ()-.+/")


def check_phone(text: str) -> str | None:
    """A US phone number: 10 digits, any punctuation, an optional leading +1 or 1."""
    text = (text or "").strip()
    if not text:
        return None
    if any(not (c.isdigit() or c in _PHONE_PUNCTUATION) for c in text):
        return _("A phone number has only digits, spaces and ( ) - . +")
    digits = "".join(c for c in text if c.isdigit())
    if "+" in text and not (text.startswith("+1") and text.count("+") == 1):
        return _("Only US numbers: +1 and then 10 digits")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        return _("A US phone number has 10 digits (area code first)")
    if digits[0] in "01":
        return _("A US area code does not start with 0 or 1")
    return None


def check_email(text: str) -> str | None:
    """One ``@``, something before it, and a dot after it with text on both sides."""
    text = (text or "").strip()
    if not text:
        return None
    if any(c.isspace() for c in text):
        return _("An email address has no spaces")
    if text.count("@") != 1:
        return _("An email address has one @, like name@example.org")
    local, domain = text.split("@")
    if not local or "." not in domain or domain.startswith(".") or domain.endswith("."):
        return _("An email address looks like name@example.org")
    return None


def check_zip_in_address(text: str) -> str | None:
    """When the address ends with a number, it must be a ZIP code: 5 digits or 5+4."""
    import re

    text = (text or "").strip()
    if not text:
        return None
    tail = re.search(r"[0-9][0-9 -]*$", text)
    if tail is None:
        return None
    zip_text = tail.group(0).strip()
    if re.fullmatch(r"[0-9]{5}(-[0-9]{4})?", zip_text):
        return None
    return _("End the address with its ZIP code: 5 digits, or 5 digits, a dash and 4 more")


def check_member_id(text: str) -> str | None:
    """Letters, digits, spaces and dashes only, at most 40 characters."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) > MAX_MEMBER_ID:
        return _("A member ID has at most {n} characters").format(n=MAX_MEMBER_ID)
    if any(not (c.isalnum() or c in " -") for c in text):
        return _("A member ID has only letters, digits, spaces and dashes")
    return None


def check_date(text: str, today: dt.date | None = None) -> str | None:
    """A real date written YYYY-MM-DD, not later than ``today``."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        day = parse_date(text, "date")
    except InvalidField:
        return _("Write the date as YYYY-MM-DD, for example 2026-03-31")
    if today is not None and day > today:
        return _("This date is in the future")
    return None


def validate_letter(value: Any) -> dict:
    if not isinstance(value, dict) or set(value) - {"text", "edited", "drafted", "edited_on"}:
        raise InvalidField(
            field="letter", problem=_("must be an object with text, edited, drafted")
        )
    text = value.get("text", "")
    if not isinstance(text, str):
        raise InvalidField(field="letter.text", problem=_("must be text"))
    if len(text) > MAX_LETTER:
        raise InvalidField(field="letter.text", problem=_("is too long"))
    edited = value.get("edited", False)
    if not isinstance(edited, bool):
        raise InvalidField(field="letter.edited", problem=_("must be true or false"))
    out: dict[str, Any] = {"text": text, "edited": edited}
    for key in ("drafted", "edited_on"):
        day = value.get(key)
        if day:
            parse_date(day, f"letter.{key}")
            out[key] = day
    return out


def validate_mailing(value: Any, *, today: dt.date | None = None) -> dict:
    from imrdesktop.domain import usps

    allowed = {"article_number", "verified", "date", "return_receipt", "receipt_number"}
    if not isinstance(value, dict) or set(value) - allowed:
        raise InvalidField(field="mailing", problem=_("holds a key that is not part of it"))
    number = value.get("article_number")
    if not isinstance(number, str):
        raise InvalidField(field="mailing.article_number", problem=_("must be text"))
    checked = usps.check(number)
    if not checked.digits or not 20 <= len(checked.digits) <= 26:
        raise InvalidField(
            field="mailing.article_number",
            problem=_("is not a USPS certified-mail number (20 to 26 digits)"),
        )
    verified = value.get("verified", checked.valid)
    if not isinstance(verified, bool):
        raise InvalidField(field="mailing.verified", problem=_("must be true or false"))
    date = value.get("date")
    day = parse_date(date, "mailing.date")
    if today is not None and day > today:
        raise InvalidField(field="mailing.date", problem=_("is in the future"))
    receipt = value.get("return_receipt", "green_card")
    if receipt not in RETURN_RECEIPTS:
        raise InvalidField(
            field="mailing.return_receipt",
            problem=_("must be one of: {values}").format(values=", ".join(RETURN_RECEIPTS)),
        )
    card = value.get("receipt_number", "") or ""
    if not isinstance(card, str):
        raise InvalidField(field="mailing.receipt_number", problem=_("must be text"))
    card_digits = "".join(c for c in card if c.isdigit())
    if card and (
        len(card_digits) < 20
        or len(card_digits) > 34
        or len(card_digits) != len("".join(c for c in card if not c.isspace() and c != "-"))
    ):
        raise InvalidField(
            field="mailing.receipt_number", problem=_("must be the digits printed on the card")
        )
    return {
        "article_number": checked.digits,
        "verified": checked.valid,
        "date": date,
        "return_receipt": receipt,
        "receipt_number": card_digits,
    }


def client_name(record: dict) -> str:
    return record.get("enrollee", {}).get("name", "")


def assessment_basis(assessment: Assessment | Mapping[str, Any] | None) -> dict | None:
    """What the case list needs of an assessment (an :class:`Assessment`, its rendered
    facts.md dict, or a basis already) to find the status and next deadline for any day, as
    plain JSON: ``{"outcome", "eligible_on", "deadlines": {key: "YYYY-MM-DD"},
    "decision_days"}`` (dates and keys only: no medical details, no text). None without an
    assessment."""
    if isinstance(assessment, Assessment):
        outcome: Any = assessment.outcome
        eligible_on: Any = assessment.eligible_on
        days: Any = assessment.decision_days
    elif isinstance(assessment, Mapping):
        outcome = assessment.get("outcome")
        eligible_on = assessment.get("eligible_on")
        days = assessment.get("decision_days")
    else:
        return None
    outcome = getattr(outcome, "value", outcome)
    if isinstance(eligible_on, dt.date):
        eligible_on = eligible_on.isoformat()
    elif isinstance(eligible_on, str):
        try:
            dt.date.fromisoformat(eligible_on)
        except ValueError:
            eligible_on = None
    else:
        eligible_on = None
    return {
        "outcome": outcome if isinstance(outcome, str) else "",
        "eligible_on": eligible_on,
        "deadlines": {
            key: day.isoformat()
            for key, day in deadline_dates(assessment).items()
            if isinstance(key, str)
        },
        "decision_days": days if isinstance(days, int) and not isinstance(days, bool) else None,
    }


def _next_deadline(
    basis: Mapping[str, Any] | None,
    today: dt.date | None,
    labels: Mapping[str, str] | None,
) -> dict | None:
    if basis is None:
        return None
    picked = pick_next_deadline(str(basis.get("outcome") or ""), deadline_dates(basis), today)
    if picked is None:
        return None
    key, day = picked
    return {"date": day.isoformat(), "what": (labels or {}).get(key, key)}


def status_and_deadline(
    inputs: Mapping[str, Any],
    basis: Mapping[str, Any] | None,
    *,
    today: dt.date | None,
    labels: Mapping[str, str] | None = None,
) -> tuple[str, dict | None]:
    """The case list's ``status`` and ``next_deadline`` as of ``today``, from the status
    inputs (timeline.status_inputs) and the assessment's basis (:func:`assessment_basis`)."""
    status = status_from(inputs, basis, today=today)
    if status in ("overturned", "plan_reversed"):
        deadline = _compliance_due(basis, labels)
    elif status in DECIDED:
        deadline = None
    elif status in ("mailed", "under_review"):
        deadline = _after_mailing(
            inputs.get("mailed_on"),
            (basis or {}).get("decision_days"),
            today,
            acknowledged=status == "under_review",
        )
    else:
        deadline = _next_deadline(basis, today, labels)
    return status, deadline


def summary_for(
    record: dict,
    assessment: Assessment | Mapping[str, Any] | None = None,
    *,
    today: dt.date | None = None,
    labels: Mapping[str, str] | None = None,
) -> dict:
    """What the case list shows, kept (encrypted) in the vault index (docs/caseload.md).

    ``status`` is derived from the timeline, the facts and the assessment
    (timeline.derive_status). ``next_deadline`` ({"date", "what"} or None): once the IMR is
    mailed, the review's next milestone; after an overturn (or the plan reversing itself)
    ``plan_compliance_due`` when the assessment has it; once decided otherwise, none; before
    that the soonest deadline to act on as of ``today`` (rules.next_deadline) from
    ``assessment`` (an :class:`Assessment` or its rendered facts.md dict), or else from the
    record's stored ``"assessment"``. ``labels`` maps deadline keys to the short English
    label shown as "what" (the wording data's ``deadlines.*.short``, a gettext msgid);
    without it the key itself is shown. ``pathway`` is the assessment's (or "") and
    ``outcome`` the IMR decision's (or ""), for the statistics. ``basis`` holds what the
    status and the next deadline depend on (``{"status": timeline.status_inputs,
    "assessment": assessment_basis}``), so the case list finds them again for another day
    (:func:`summary_as_of`): ``status`` and ``next_deadline`` are only as of ``today``.
    """
    if assessment is None:
        assessment = record.get("assessment")
    inputs = status_inputs(record)
    basis = assessment_basis(assessment)
    status, deadline = status_and_deadline(inputs, basis, today=today, labels=labels)
    return {
        "name": client_name(record),
        "member_id": record.get("plan", {}).get("member_id", ""),
        "status": status,
        "next_deadline": deadline,
        "pathway": _pathway(assessment),
        "outcome": decision_outcome(record),
        "basis": {"status": inputs, "assessment": basis},
    }


def summary_as_of(
    summary: Mapping[str, Any], today: dt.date, labels: Mapping[str, str] | None = None
) -> tuple[str, dict | None] | None:
    """``(status, next_deadline)`` of a stored summary as of ``today``, or None when the
    summary has no usable ``basis`` (one saved before it existed, or hand-made): then the
    stored values are all there is."""
    basis = summary.get("basis")
    if not isinstance(basis, Mapping):
        return None
    inputs, assessment = basis.get("status"), basis.get("assessment")
    if not isinstance(inputs, Mapping) or not (
        assessment is None or isinstance(assessment, Mapping)
    ):
        return None
    if assessment is not None:
        assessment = assessment_basis(assessment)  # sanitised: any types, never fatal
    return status_and_deadline(inputs, assessment, today=today, labels=labels)


def _pathway(assessment: Any) -> str:
    if isinstance(assessment, Assessment):
        return str(assessment.pathway.value)
    if isinstance(assessment, Mapping) and isinstance(assessment.get("pathway"), str):
        return assessment["pathway"]
    return ""


def deadline_dates(assessment: Any) -> dict[str, dt.date]:
    """The assessment's deadlines as dates (an Assessment or its rendered dict)."""
    if isinstance(assessment, Assessment):
        return dict(assessment.deadlines)
    raw = assessment.get("deadlines") if isinstance(assessment, Mapping) else None
    out = {}
    for key, value in raw.items() if isinstance(raw, Mapping) else ():
        try:
            out[key] = dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            continue
    return out


def _compliance_due(assessment: Any, labels: Mapping[str, str] | None) -> dict | None:
    day = deadline_dates(assessment).get("plan_compliance_due")
    if day is None:
        return None
    key = "plan_compliance_due"
    return {"date": day.isoformat(), "what": (labels or {}).get(key, key)}


def _after_mailing(
    mailed_on: Any, decision_days: Any, today: dt.date | None, *, acknowledged: bool = False
) -> dict | None:
    """Once the packet is mailed, the next thing to watch is the review's next milestone
    (domain.mailing), not the filing deadline. ``mailed_on`` is the merged facts'
    ``imr_filed_date`` (the mailing record or the timeline's "IMR mailed"). Once DMHC has
    acknowledged the application, delivery and acknowledgement are behind us."""
    from imrdesktop.domain.mailing import milestones

    try:
        mailed = dt.date.fromisoformat(mailed_on)
    except (TypeError, ValueError):
        return None
    days = decision_days if isinstance(decision_days, int) else None
    steps = milestones(mailed, days)
    if acknowledged:
        steps = [m for m in steps if m.key not in ACKNOWLEDGED_STEPS]
    upcoming = [m for m in steps if today is None or m.date >= today] or steps[-1:]
    step = upcoming[0]
    return {"date": step.date.isoformat(), "what": SHORT_MILESTONES[step.key]}


ACKNOWLEDGED_STEPS = frozenset({"delivery_expected", "dmhc_acknowledgement"})
# Short English labels for the case list (msgids; shown through _() there).
SHORT_MILESTONES = {
    "delivery_expected": N_("delivery to DMHC"),
    "dmhc_acknowledgement": N_("DMHC acknowledgement"),
    "acceptance_decision": N_("DMHC acceptance"),
    "iro_decision": N_("IMR decision due"),
    "typical_total": N_("IMR decision usually by"),
}
