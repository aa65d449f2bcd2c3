"""The packet context: the flat dict every printed form reads (docs/packet.md).

Keys are dotted strings; values are text, booleans, or (``manifest``, ``exhibits``) lists of
row dicts. A key is **absent when unknown**: the forms print a blank line for it and list
its label as missing. Dates stay ``YYYY-MM-DD``; the forms format them.

Beyond the keys docs/packet.md lists, the forms read these (all derived from the record):
``enrollee.{street,city,state,zip}`` (when the address ends in "City, ST 12345"),
``grievance_pending``, ``medi_cal.{hearing_requested,hearing_held}``, ``problem.summary``,
``mailing.{receipt_number,unverified}``, ``dmhc.{attention,tdd,fax}``,
``statements.copies``, ``enclosed.{assistant_form,release}``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from imrdesktop.i18n import N_, _, use_language
from imrdesktop.resources_path import forms_path

DMHC_FILE = ("packet", "dmhc.json")
DMHC_KEYS = ("name", "attention", "street", "city_line", "phone", "tdd", "fax", "web")

ELIGIBLE_OUTCOMES = frozenset(
    {
        "imr_standard",
        "imr_urgent",
        "imr_eit_standard",
        "imr_eit_expedited",
        "imr_eit_urgent",
        "imr_emergency_reimbursement",
        "consumer_complaint",
    }
)
URGENT_PATHWAYS = frozenset({"imr_urgent", "imr_eit_urgent", "imr_eit_expedited"})

# How a denial reason (facts.md) reads on a form sent to the DMHC.
DENIAL_REASONS = {
    "med_necessity": N_("Not medically necessary"),
    "experimental_investigational": N_("Experimental or investigational"),
    "emergency_payment_med_nec": N_(
        "Payment for emergency or urgent care refused as not medically necessary"
    ),
    "coverage_exclusion": N_("Not covered by the plan contract"),
    "claim_or_billing": N_("A claim or billing dispute"),
    "cancellation_rescission_nonrenewal": N_("Coverage cancelled, rescinded or not renewed"),
    "access_timeliness": N_("Access to care or timeliness"),
    "quality_other": N_("Quality of care or another problem"),
    "medi_cal_rx_pharmacy": N_("A Medi-Cal Rx pharmacy benefit"),
}

_CITY_LINE = re.compile(
    r"^(?P<street>.+?)\s*(?:\n|,)\s*(?P<city>[^,\n]+?)\s*,\s*(?P<state>[A-Za-z]{2})\.?\s+"
    r"(?P<zip>\d{5}(?:-\d{4})?)\s*(?:,?\s*(?:USA|U\.S\.A\.|United States))?\s*$",
    re.DOTALL,
)
_CJK_NAME = re.compile(r"^[\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]{2,5}$")


@functools.cache
def dmhc_address() -> dict[str, str]:
    """``forms/packet/dmhc.json``: where the packet goes (editable data, RULES.md C)."""
    path = forms_path(*DMHC_FILE)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"forms/packet/dmhc.json: cannot be read as JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != "imrdesktop.dmhc":
        raise ValueError("forms/packet/dmhc.json: format: must be 'imrdesktop.dmhc'")
    out: dict[str, str] = {}
    for key in DMHC_KEYS:
        value = data.get(key, "")
        if not isinstance(value, str):
            raise ValueError(f"forms/packet/dmhc.json: {key}: must be text")
        if value.strip():
            out[key] = value.strip()
    for key in ("name", "street", "city_line"):
        if key not in out:
            raise ValueError(f"forms/packet/dmhc.json: {key}: is required")
    return out


def split_name(name: str) -> tuple[str, str]:
    """(first, last): "Last, First" as written; a Chinese or Korean name written without
    spaces has its family name first (one character); otherwise the last word is the last
    name. A one-word name is a last name only."""
    name = " ".join(name.split())
    if not name:
        return "", ""
    if "," in name:
        last, _sep, first = name.partition(",")
        return first.strip(), last.strip()
    if _CJK_NAME.match(name):
        return name[1:], name[0]
    words = name.split(" ")
    if len(words) == 1:
        return "", name
    return " ".join(words[:-1]), words[-1]


def split_address(address: str) -> dict[str, str]:
    """street/city/state/zip when the address ends in "City, ST 12345" (else nothing)."""
    m = _CITY_LINE.match(address.strip())
    if not m:
        return {}
    street = ", ".join(p.strip() for p in m["street"].splitlines() if p.strip())
    return {
        "street": street.rstrip(","),
        "city": m["city"].strip(),
        "state": m["state"].upper(),
        "zip": m["zip"],
    }


def _plus_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _put(ctx: dict[str, Any], key: str, value: Any) -> None:
    """Set ``key`` unless the value is unknown (None or blank text)."""
    if value is None:
        return
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return
    ctx[key] = value


def _date(value: Any) -> str | None:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _people(ctx: dict[str, Any], record: Mapping[str, Any]) -> None:
    from imrdesktop.domain.case import LANGUAGES, PERSON_SECTIONS

    for section, keys in PERSON_SECTIONS.items():
        data = record.get(section)
        if not isinstance(data, Mapping):
            continue
        for key in keys:
            value = data.get(key)
            if isinstance(value, str):
                _put(ctx, f"{section}.{key}", value)
    name = ctx.get("enrollee.name", "")
    first, last = split_name(name)
    _put(ctx, "enrollee.first_name", first)
    _put(ctx, "enrollee.last_name", last)
    address = ctx.get("enrollee.address")
    if address:
        for key, value in split_address(address).items():
            _put(ctx, f"enrollee.{key}", value)
    lang = ctx.get("enrollee.preferred_language")
    if lang in LANGUAGES:
        ctx["enrollee.preferred_language"] = _(LANGUAGES[lang])
    # The authorized assistant: the case's assistant, else the advocate helping.
    has_assistant = any(
        isinstance(record.get(s), Mapping) and record.get(s) for s in ("assistant", "advocate")
    )
    ctx["has_assistant"] = bool(has_assistant)
    if not isinstance(record.get("assistant"), Mapping) or not record.get("assistant"):
        for key in ("name", "organization", "address", "phone", "email"):
            _put(ctx, f"assistant.{key}", ctx.get(f"advocate.{key}"))


def _facts(ctx: dict[str, Any], facts: Mapping[str, Any] | None) -> None:
    if not isinstance(facts, Mapping):
        return
    reason = facts.get("denial_reason")
    if reason in DENIAL_REASONS:
        ctx["denial.reason_text"] = _(DENIAL_REASONS[reason])
    grievance = facts.get("grievance") if isinstance(facts.get("grievance"), Mapping) else {}
    medi = facts.get("medi_cal") if isinstance(facts.get("medi_cal"), Mapping) else {}
    _put(ctx, "dates.denial", _date(facts.get("plan_written_decision_date")))
    _put(ctx, "dates.grievance_filed", _date(grievance.get("filed_date")))
    _put(ctx, "dates.grievance_decided", _date(grievance.get("decision_date")))
    _put(ctx, "dates.noa", _date(medi.get("noa_date")))
    _put(ctx, "dates.nar", _date(medi.get("nar_date")))
    filed = "dates.grievance_filed" in ctx
    decided = "dates.grievance_decided" in ctx
    if filed or isinstance(facts.get("grievance"), Mapping):
        # without a grievance object in the facts, whether one was filed is unknown
        ctx["grievance_filed"] = filed
        ctx["grievance_decided"] = decided
        ctx["grievance_pending"] = filed and not decided
    member = medi.get("member")
    if isinstance(member, bool):
        ctx["medi_cal"] = member
        if member:
            status = medi.get("fair_hearing_status") or "none"
            ctx["medi_cal.hearing_requested"] = status in ("requested", "held", "decision_issued")
            ctx["medi_cal.hearing_held"] = status in ("held", "decision_issued")


def _assessment(ctx: dict[str, Any], assessment: Mapping[str, Any] | None) -> None:
    if not isinstance(assessment, Mapping):
        ctx["urgent"] = False
        ctx["eligible"] = False
        ctx["eligibility_note"] = _(
            "No eligibility assessment was made in IMR Desktop for this case, so no request "
            "type is marked here; the letter in support says what is requested."
        )
        return
    from imrdesktop.domain.wording import pathway_label, verdict
    from imrdesktop.services.assessment import wording

    words = wording()
    pathway = str(assessment.get("pathway") or "none")
    outcome = str(assessment.get("outcome") or "")
    if pathway != "none":
        ctx[f"pathway.{pathway}"] = True
        ctx["request_type"] = pathway_label(pathway, words)
    deadlines = assessment.get("deadlines")
    if isinstance(deadlines, Mapping):
        for key, value in deadlines.items():
            _put(ctx, f"deadlines.{key}", _date(value))
    ctx["urgent"] = pathway in URGENT_PATHWAYS
    ctx["eligible"] = outcome in ELIGIBLE_OUTCOMES
    if not ctx["eligible"]:
        try:
            headline, _explanation = verdict(assessment, words)
        except (KeyError, TypeError, ValueError):
            headline = ""
        note = _("The eligibility assessment says this case is not ready to file.")
        if headline:
            note = _("The eligibility assessment says: {verdict}").format(verdict=headline)
        ctx["eligibility_note"] = note


def _mailing(ctx: dict[str, Any], mailing: Mapping[str, Any] | None) -> None:
    if not isinstance(mailing, Mapping):
        return
    from imrdesktop.domain.usps import check, group4

    raw = mailing.get("article_number")
    if isinstance(raw, str) and raw.strip():
        number = check(raw)
        digits = number.digits or re.sub(r"\s+", "", raw)
        ctx["mailing.article_number"] = digits
        ctx["mailing.article_grouped"] = group4(digits) if digits.isdigit() else digits
        verified = mailing.get("verified")
        ctx["mailing.verified"] = bool(verified) if isinstance(verified, bool) else number.valid
        ctx["mailing.unverified"] = not number.valid
    _put(ctx, "mailing.date", _date(mailing.get("date")))
    rr = mailing.get("return_receipt")
    if rr in ("green_card", "electronic", "none"):
        ctx["mailing.return_receipt"] = rr
    receipt = mailing.get("receipt_number")
    if isinstance(receipt, str) and receipt.strip():
        ctx["mailing.receipt_number"] = re.sub(r"[\s-]+", "", receipt)


def _rows(
    ctx: dict[str, Any],
    documents: Sequence[Any],
    exhibit_pages: Mapping[str, tuple[int, int]] | None,
    parts: Sequence[Mapping[str, Any]] | None,
) -> None:
    from imrdesktop.domain.documents import KIND_LABELS

    manifest: list[dict[str, Any]] = []
    for part in parts or ():
        row = {k: part.get(k) for k in ("title", "date", "source", "pages")}
        manifest.append({k: v for k, v in row.items() if v not in (None, "")})
    exhibits: list[dict[str, Any]] = []
    for doc in documents:
        if not getattr(doc, "include", True) or not getattr(doc, "exhibit", None):
            continue
        pages = len(doc.chosen())
        title = doc.title or _(KIND_LABELS.get(doc.kind, "Other"))
        row: dict[str, Any] = {
            "letter": doc.exhibit,
            "title": title,
            "kind": _(KIND_LABELS.get(doc.kind, KIND_LABELS["other"])),
            "date": doc.date or None,
            "source": doc.source or None,
            "pages": pages,
        }
        span = (exhibit_pages or {}).get(doc.id)
        if span:
            row["first_page"], row["last_page"] = int(span[0]), int(span[1])
            row["page_range"] = (
                str(span[0]) if span[0] == span[1] else f"{int(span[0])}\u2013{int(span[1])}"
            )
        exhibits.append({k: v for k, v in row.items() if v is not None})
        manifest.append(
            {
                k: v
                for k, v in {
                    "title": _("Exhibit {letter}: {title}").format(letter=doc.exhibit, title=title),
                    "date": doc.date or None,
                    "source": doc.source or None,
                    "pages": pages,
                }.items()
                if v is not None
            }
        )
    for seq, row in enumerate(manifest, start=1):
        row["seq"] = seq
    ctx["manifest"] = manifest
    ctx["exhibits"] = exhibits


def _summary(ctx: dict[str, Any]) -> None:
    service = ctx.get("service")
    if not service:
        return
    text = _("The health plan denied, delayed or modified a request for: {service}.").format(
        service=service
    )
    reason = ctx.get("denial.reason_text")
    if reason:
        text += " " + _("Reason the plan gave: {reason}.").format(reason=reason)
    text += " " + _("Please see the enclosed letter in support and the exhibits.")
    ctx["problem.summary"] = text


def build_context(
    record: Mapping[str, Any],
    assessment: Mapping[str, Any] | None,
    documents: Sequence[Any],
    *,
    mailing: Mapping[str, Any] | None = None,
    today: dt.date,
    language: str = "en",
    options: Mapping[str, Any] | None = None,
    exhibit_pages: Mapping[str, tuple[int, int]] | None = None,
    parts: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The packet context for a case (docs/packet.md), with words in ``language``.

    ``assessment`` is the facts.md shape (the record's ``"assessment"`` when None is given
    and the record has one); ``documents`` the case's :class:`Document` list (those included
    with an exhibit letter become exhibits); ``mailing`` the mailing record (default: the
    record's ``"mailing"``); ``options`` the packet options (``release``: False leaves the
    release out; ``assistant``: False leaves the assistant form out); ``exhibit_pages``
    maps a document id to its first and last packet page, known once the packet is laid
    out; ``parts`` are manifest rows ``{title, date, source, pages}`` for the parts the app
    makes (letter, forms), listed before the exhibits.
    """
    options = options or {}
    if assessment is None and isinstance(record.get("assessment"), Mapping):
        assessment = record["assessment"]
    if mailing is None and isinstance(record.get("mailing"), Mapping):
        mailing = record["mailing"]
    ctx: dict[str, Any] = {}
    with use_language(language):
        _people(ctx, record)
        _put(
            ctx,
            "service",
            record.get("service") if isinstance(record.get("service"), str) else None,
        )
        _facts(ctx, record.get("facts"))
        _assessment(ctx, assessment)
        _mailing(ctx, mailing)
        for key, value in dmhc_address().items():
            ctx[f"dmhc.{key}"] = value
        ctx["dates.today"] = today.isoformat()
        ctx["release.end_date"] = _plus_year(today).isoformat()
        ctx["statements.copies"] = True
        ctx["enclosed.assistant_form"] = (
            bool(ctx["has_assistant"]) and options.get("assistant", True) is not False
        )
        ctx["enclosed.release"] = options.get("release", True) is not False
        _summary(ctx)
        _rows(ctx, documents, exhibit_pages, parts)
    return ctx


__all__ = ["build_context", "dmhc_address", "split_address", "split_name"]
