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
# record (docs/packet.md). Both are checked by their own validators below.
CHECKED_KEYS = ("letter", "mailing")
TOP_LEVEL = (*PERSON_SECTIONS, *TEXT_KEYS, *OBJECT_KEYS, *CHECKED_KEYS)
RETURN_RECEIPTS = ("green_card", "electronic", "none")
MAX_LETTER = 60_000
DATE_FIELDS = {("enrollee", "date_of_birth")}
MAX_TEXT = 20_000

LANGUAGES = {"en": N_("English"), "es": N_("Spanish")}


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
    return clean


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


def _next_deadline(
    assessment: Assessment | Mapping[str, Any] | None,
    today: dt.date | None,
    labels: Mapping[str, str] | None,
) -> dict | None:
    if isinstance(assessment, Assessment):
        outcome: str = assessment.outcome
        deadlines = dict(assessment.deadlines)
    elif isinstance(assessment, Mapping):
        outcome = str(assessment.get("outcome", ""))
        raw = assessment.get("deadlines")
        deadlines = {}
        for key, value in raw.items() if isinstance(raw, Mapping) else ():
            try:
                deadlines[key] = dt.date.fromisoformat(value)
            except (TypeError, ValueError):
                continue
    else:
        return None
    picked = pick_next_deadline(outcome, deadlines, today)
    if picked is None:
        return None
    key, day = picked
    return {"date": day.isoformat(), "what": (labels or {}).get(key, key)}


def summary_for(
    record: dict,
    assessment: Assessment | Mapping[str, Any] | None = None,
    *,
    today: dt.date | None = None,
    labels: Mapping[str, str] | None = None,
) -> dict:
    """What the case list shows, kept (encrypted) in the vault index.

    ``next_deadline`` ({"date", "what"} or None) comes from ``assessment`` (an
    :class:`Assessment` or its rendered facts.md dict), or else from the record's stored
    ``"assessment"``: the soonest deadline to act on as of ``today`` (rules.next_deadline).
    ``labels`` maps deadline keys to the short English label shown as "what" (the wording
    data's ``deadlines.*.short``, a gettext msgid); without it the key itself is shown.
    """
    if assessment is None:
        assessment = record.get("assessment")
    mailed = _after_mailing(record, assessment, today)
    return {
        "name": client_name(record),
        "member_id": record.get("plan", {}).get("member_id", ""),
        "status": "mailed" if mailed is not None else "open",
        "next_deadline": mailed
        if mailed is not None
        else _next_deadline(assessment, today, labels),
    }


def _after_mailing(record: dict, assessment: Any, today: dt.date | None) -> dict | None:
    """Once the packet is mailed, the next thing to watch is the review's next milestone
    (domain.mailing), not the filing deadline."""
    from imrdesktop.domain.mailing import milestones

    mailing = record.get("mailing")
    if not isinstance(mailing, dict):
        return None
    try:
        mailed = dt.date.fromisoformat(mailing.get("date", ""))
    except (TypeError, ValueError):
        return None
    days = None
    if isinstance(assessment, Assessment):
        days = assessment.decision_days
    elif isinstance(assessment, Mapping):
        days = assessment.get("decision_days")
    steps = milestones(mailed, days if isinstance(days, int) else None)
    upcoming = [m for m in steps if today is None or m.date >= today] or steps[-1:]
    step = upcoming[0]
    return {"date": step.date.isoformat(), "what": SHORT_MILESTONES[step.key]}


# Short English labels for the case list (msgids; shown through _() there).
SHORT_MILESTONES = {
    "delivery_expected": N_("delivery to DMHC"),
    "dmhc_acknowledgement": N_("DMHC acknowledgement"),
    "acceptance_decision": N_("DMHC acceptance"),
    "iro_decision": N_("IMR decision due"),
    "typical_total": N_("IMR decision usually by"),
}


STATUS_LABELS = {"open": N_("Open"), "mailed": N_("Mailed")}


def status_label(status: str) -> str:
    return _(STATUS_LABELS.get(status, status))
