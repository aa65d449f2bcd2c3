"""The printed packet, the cover sheet and the mailing record (docs/packet.md).

Shared by the GUI and the CLI. Everything is built in memory; nothing is written unless the
user exports to a path they chose.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imrdesktop.domain.case import RETURN_RECEIPTS
from imrdesktop.domain.errors import InvalidField
from imrdesktop.domain.usps import ArticleNumber
from imrdesktop.i18n import _, use_language
from imrdesktop.resources_path import forms_path


def _with_merged_facts(record: dict) -> dict:
    """The record with its facts merged with its timeline (docs/caseload.md): the packet
    uses the same dates as ``assess CASE``. A record without a timeline is left as it is."""
    if not record.get("timeline"):
        return record
    from imrdesktop.domain.timeline import merged_facts

    return {**record, "facts": merged_facts(record)}


log = logging.getLogger(__name__)

__all__ = [
    "RETURN_RECEIPTS",
    "ArticleNumber",
    "BuiltPacket",
    "PacketService",
]

# Outcomes for which the packet is the right next step (facts.md outcome list).
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
RETURN_RECEIPT_LABELS = {
    "green_card": "PS Form 3811 (green card)",
    "electronic": "Electronic return receipt",
    "none": "None",
}


@dataclass(frozen=True)
class BuiltPacket:
    pdf: bytes
    pages: int
    sections: tuple[tuple[str, str, int, int], ...]  # (key, title, first page, page count)
    missing_fields: tuple[str, ...]
    eligibility_note: str | None
    sample: bool


_LETTER_DATES = (
    "enrollee.date_of_birth",
    "dates.denial",
    "dates.grievance_filed",
    "dates.grievance_decided",
)


def _iso_date(text: str) -> str:
    """YYYY-MM-DD as given, or the MM/DD/YYYY of a US post-office receipt as YYYY-MM-DD."""
    import re

    m = re.fullmatch(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*", text or "")
    if m:
        try:
            return dt.date(int(m.group(3)), int(m.group(1)), int(m.group(2))).isoformat()
        except ValueError:
            return text
    return (text or "").strip()


def _letter_template():
    from imrdesktop.domain.letter import parse_template

    return parse_template(
        json.loads(forms_path("packet", "letter.json").read_text(encoding="utf-8"))
    )


def _long_date(day: dt.date) -> str:
    months = (
        _("January"),
        _("February"),
        _("March"),
        _("April"),
        _("May"),
        _("June"),
        _("July"),
        _("August"),
        _("September"),
        _("October"),
        _("November"),
        _("December"),
    )
    return _("{month} {day}, {year}").format(
        month=months[day.month - 1], day=day.day, year=day.year
    )


class PacketService:
    """Letter, packet, cover sheet and mailing for the cases of one unlocked session."""

    def __init__(self, session, documents) -> None:
        self._session = session
        self._documents = documents

    # --- what a case holds ----------------------------------------------------------
    def _load(self, case_id: str):
        """The case record and its documents, from ONE open of the case file."""
        from imrdesktop.services.documents import RECORD, documents_from_record

        with self._session.open_case(case_id) as case:
            record = case.get("case") or {}
            docs = documents_from_record(case.get(RECORD))
        return record, docs

    def _context(
        self,
        record: dict,
        docs,
        *,
        language: str,
        exhibit_pages: dict[str, tuple[int, int]] | None = None,
        options: dict[str, Any] | None = None,
        parts: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        from imrdesktop.services.packet_context import build_context

        today = self._session.today()
        ctx = build_context(
            _with_merged_facts(record),
            record.get("assessment"),
            [d for d in docs if d.include],
            mailing=record.get("mailing"),
            today=today,
            language=language,
            options=options,
            exhibit_pages=exhibit_pages,
            parts=parts,
        )
        ctx.update(self._letter_extras(record, docs, today))
        return ctx

    @staticmethod
    def _letter_extras(record: dict, docs, today: dt.date) -> dict[str, Any]:
        import re

        included = [d for d in docs if d.include]
        first: dict[str, str] = {}
        for d in included:
            first.setdefault(d.kind, d.exhibit or "")
        literature = []
        for d in included:
            if d.kind != "literature":
                continue
            pmid = re.search(r"PMID:?\s*(\d{1,9})", f"{d.title} {d.source}", re.I)
            line = f"– {d.title}"
            if pmid and pmid.group(0) not in d.title:
                line += f" (PMID {pmid.group(1)})"
            literature.append(line + " " + _("(Exhibit {letter})").format(letter=d.exhibit))
        assessment = record.get("assessment") or {}
        pathway = assessment.get("pathway", "")
        # grievance_pending and the other facts flags come from build_context (merged facts).
        out: dict[str, Any] = {
            "dates.today_long": _long_date(today),
            "has_literature": bool(literature),
            "literature_list": "\n".join(literature),
            "has_physician_letter": "physician_letter" in first,
            "has_exhibits": bool(included),
            "eit": pathway.startswith("imr_eit"),
        }
        for kind, letter in first.items():
            out[f"exhibit.{kind}"] = letter
        return out

    def _language(self, record: dict, language: str | None) -> str:
        if language:
            return language
        preferred = (record.get("enrollee") or {}).get("preferred_language")
        return preferred if preferred in ("en", "es") else "en"

    def fingerprint(self, case_id: str) -> str:
        """Changes whenever anything the packet prints from changes (record or documents)."""
        record, docs = self._load(case_id)
        blob = json.dumps([record, [d.public() for d in docs]], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    # --- the letter -------------------------------------------------------------------
    def _draft(self, record: dict, docs, language: str) -> str:
        from imrdesktop.domain.letter import compose

        with use_language(language):
            ctx = self._context(record, docs, language=language)
            ctx.setdefault("request_type", _("Independent Medical Review"))
            for key in _LETTER_DATES:  # a letter says "March 14, 1958", not 1958-03-14
                value = ctx.get(key)
                if isinstance(value, str):
                    try:
                        ctx[key] = _long_date(dt.date.fromisoformat(value))
                    except ValueError:
                        pass
            return compose(_letter_template(), ctx)

    def letter(self, case_id: str) -> dict:
        record, docs = self._load(case_id)
        stored = record.get("letter")
        if isinstance(stored, dict) and stored.get("edited") and stored.get("text"):
            return dict(stored)
        # An unedited draft follows the case: composed afresh each time.
        lang = self._language(record, None)
        return {
            "text": self._draft(record, docs, lang),
            "edited": False,
            "drafted": self._session.today().isoformat(),
        }

    def save_letter(self, case_id: str, text: str) -> dict:
        record = self._session.load_case(case_id)
        previous = record.get("letter") or {}
        if previous.get("text") == text and previous.get("edited"):
            return previous
        letter = {
            "text": text,
            "edited": True,
            "drafted": previous.get("drafted") or self._session.today().isoformat(),
            "edited_on": self._session.today().isoformat(),
        }
        record["letter"] = letter
        saved = self._session.save_case(case_id, record)
        return saved["letter"]

    def redraft_letter(self, case_id: str) -> dict:
        record = self._session.load_case(case_id)
        if record.pop("letter", None) is not None:  # back to a draft that follows the case
            self._session.save_case(case_id, record)
        return self.letter(case_id)

    # --- forms --------------------------------------------------------------------------
    def _parts(
        self,
        record: dict,
        docs,
        *,
        language: str,
        include_release: bool,
        sample: bool,
        exhibit_pages: dict[str, tuple[int, int]] | None = None,
        part_rows: list[dict[str, Any]] | None = None,
    ):
        """Render every part; returns (parts in order, missing labels, context, page counts)."""
        from imrdesktop.packet.assemble import Part
        from imrdesktop.packet.forms import load_form, render_form
        from imrdesktop.packet.letter_pdf import render_letter

        ctx = self._context(
            record,
            docs,
            language=language,
            exhibit_pages=exhibit_pages,
            options={"release": include_release},
            parts=part_rows,
        )
        missing: list[str] = []
        parts: list[Part] = []
        counts: dict[str, int] = {}
        with use_language(language):
            letter = record.get("letter") or {}
            text = (
                letter["text"]
                if letter.get("edited") and letter.get("text")
                else self._draft(record, docs, language)
            )
            # The SAMPLE mark of a training packet is added to every page by assemble().
            letter_pdf, counts["letter"] = render_letter(text)
            keys = ["cover_sheet", "letter", "application"]
            if ctx.get("has_assistant"):
                keys.append("assistant")
            if include_release:
                keys.append("release")
            if any(d.include for d in docs):
                keys.append("exhibit_index")
            for key in keys:
                if key == "letter":
                    parts.append(Part("letter", _("Letter in support"), letter_pdf))
                    continue
                form = load_form(key)
                rendered = render_form(form, ctx, language=language)
                missing.extend(m for m in rendered.missing if m not in missing)
                parts.append(Part(key, _(form.title), rendered.pdf))
                counts[key] = rendered.pages
        lost = _unprintable(ctx)
        if lost:
            missing.append(
                _(
                    "characters the bundled fonts cannot print ({chars}) — write those words "
                    "by hand"
                ).format(chars=" ".join(sorted(lost))[:60])
            )
        return parts, missing, ctx, counts

    def letter_open_prompts(self, case_id: str) -> int:
        """How many [bracketed prompts] the letter that would print still has."""
        from imrdesktop.domain.letter import open_prompts

        return len(open_prompts(self.letter(case_id)["text"]))

    def assessed(self, case_id: str) -> bool:
        return isinstance(self._session.load_case(case_id).get("assessment"), dict)

    def missing_fields(self, case_id: str) -> list[str]:
        """What the forms would print blank, and the letter's open [prompts]."""
        from imrdesktop.domain.letter import open_prompts

        record, docs = self._load(case_id)
        lang = self._language(record, None)
        _parts, missing, _ctx, _counts = self._parts(
            record, docs, language=lang, include_release=True, sample=False
        )
        out = [_("{field} (prints blank)").format(field=m) for m in missing]
        letter = record.get("letter") or {}
        text = letter["text"] if letter.get("edited") and letter.get("text") else None
        prompts = open_prompts(text or self._draft(record, docs, lang))
        if prompts:
            out.append(
                _("The letter still has {n} part(s) in [brackets] to write.").format(n=len(prompts))
            )
        return out

    # --- the packet -------------------------------------------------------------------
    def _exhibits(self, case_id: str, docs):
        from imrdesktop.packet.assemble import ExhibitSource

        out = []
        for d in docs:
            if not d.include:
                continue
            out.append(
                ExhibitSource(
                    letter=d.exhibit or "",
                    title=_("Exhibit {letter} — {title}").format(letter=d.exhibit, title=d.title),
                    pdf=self._documents.pdf_bytes(case_id, d.id),
                    pages=tuple((c.page, c.rotate) for c in d.chosen()),
                )
            )
        return out

    def _eligibility_note(self, record: dict) -> str | None:
        assessment = record.get("assessment")
        if not isinstance(assessment, dict):
            return _(
                "This case has not been assessed yet; the packet was built anyway. Run the "
                "Criteria interview to check eligibility and deadlines."
            )
        if assessment.get("outcome") not in ELIGIBLE_OUTCOMES:
            return _(
                "The assessment says this case is not IMR-eligible now ({outcome}); the packet "
                "was built anyway."
            ).format(outcome=assessment.get("outcome", "?"))
        return None

    def build_packet(
        self, case_id: str, *, language: str | None = None, include_release: bool = True
    ) -> BuiltPacket:
        from imrdesktop.packet.assemble import assemble

        record, docs = self._load(case_id)
        lang = self._language(record, language)
        sample = bool(getattr(self._session, "training", False))
        exhibits = self._exhibits(case_id, docs)
        included = [d for d in docs if d.include]
        # First pass: page counts of the parts; then number the exhibits and render again
        # (the cover sheet's manifest and the exhibit index print packet page numbers).
        exhibit_pages: dict[str, tuple[int, int]] | None = None
        parts: list = []
        counts: dict[str, int] = {}
        missing: list[str] = []
        for attempt in range(3):
            parts, missing, _ctx, counts = self._parts(
                record,
                docs,
                language=lang,
                include_release=include_release,
                sample=sample,
                exhibit_pages=exhibit_pages,
                part_rows=self._part_rows(parts, counts) if parts else None,
            )
            numbered: dict[str, tuple[int, int]] = {}
            page = sum(counts.values()) + 1
            for d in included:
                n = len(d.chosen())
                numbered[d.id] = (page, page + n - 1)
                page += n
            if attempt and numbered == exhibit_pages:
                break
            exhibit_pages = numbered
        with use_language(lang):
            built = assemble(
                parts,
                exhibits,
                client_name=(record.get("enrollee") or {}).get("name", ""),
                sample=sample,
                stamp_label=_(
                    "Exhibit {letter} — page {page} of {pages} — packet page {n} of {total} "
                    "— {name}"
                ),
                footer_label=_("Packet page {n} of {total}"),
                sample_label=_("SAMPLE"),
            )
        titles = {p.key: p.title for p in parts} | {
            f"exhibit:{e.letter}": e.title for e in exhibits
        }
        sections = tuple((key, titles.get(key, key), first, n) for key, first, n in built.sections)
        log.info("packet built: %d pages", built.page_count)
        return BuiltPacket(
            pdf=built.pdf,
            pages=built.page_count,
            sections=sections,
            missing_fields=tuple(missing),
            eligibility_note=self._eligibility_note(record),
            sample=sample,
        )

    @staticmethod
    def _part_rows(parts, counts: dict[str, int]) -> list[dict[str, Any]]:
        """Manifest rows of the parts we make (after the cover sheet itself)."""
        return [
            {"title": p.title, "pages": counts.get(p.key, 1)}
            for p in parts
            if p.key != "cover_sheet"
        ]

    def build_cover_sheet(
        self,
        case_id: str,
        *,
        article_number: str | None = None,
        accept_unverified: bool = False,
        language: str | None = None,
        include_release: bool = True,
    ) -> BuiltPacket:
        """The cover sheet alone (e.g. once the article number is known) and an envelope
        page. The manifest lists what the full packet holds. The cover sheet stays in
        English unless another language is asked for (it goes to the DMHC mail room)."""
        from imrdesktop.packet.assemble import Part, assemble
        from imrdesktop.packet.forms import load_form, render_form

        record, docs = self._load(case_id)
        lang = language or "en"
        sample = bool(getattr(self._session, "training", False))
        if article_number:
            checked = self.check_article_number(article_number)
            self._require_verified(checked, accept_unverified)
            record = dict(record)
            mailing = dict(record.get("mailing") or {})
            mailing.update({"article_number": checked.digits, "verified": checked.valid})
            record["mailing"] = mailing
        parts, missing, _ctx, counts = self._parts(
            record, docs, language=lang, include_release=include_release, sample=sample
        )
        ctx = self._context(
            record,
            docs,
            language=lang,
            options={"release": include_release},
            parts=self._part_rows(parts, counts),
        )
        out = []
        with use_language(lang):
            for key in ("cover_sheet", "envelope"):
                form = load_form(key)
                rendered = render_form(form, ctx, language=lang)
                out.append(Part(key, _(form.title), rendered.pdf))
            built = assemble(
                out,
                [],
                client_name=(record.get("enrollee") or {}).get("name", ""),
                sample=sample,
                footer_label=_("Page {n} of {total}"),
                sample_label=_("SAMPLE"),
            )
        titles = {p.key: p.title for p in out}
        return BuiltPacket(
            pdf=built.pdf,
            pages=built.page_count,
            sections=tuple((k, titles.get(k, k), f, n) for k, f, n in built.sections),
            missing_fields=tuple(missing),
            eligibility_note=self._eligibility_note(record),
            sample=sample,
        )

    # --- certified mail -----------------------------------------------------------------
    @staticmethod
    def check_article_number(text: str) -> ArticleNumber:
        from imrdesktop.domain import usps

        return usps.check(text or "")

    @staticmethod
    def _require_verified(checked: ArticleNumber, accept_unverified: bool) -> None:
        if not checked.digits or not 20 <= len(checked.digits) <= 26:
            raise InvalidField(
                field="article_number",
                problem=_(
                    "type the 20 to 22 digits printed under the barcode of the certified-mail label"
                ),
            )
        if checked.kind == "ambiguous_scan" and not accept_unverified:
            raise InvalidField(
                field="article_number",
                problem=_(
                    "this barcode scan can be read two ways; type the number printed under "
                    "the barcode instead (it starts {number})"
                ).format(number=checked.grouped[:9]),
            )
        if not checked.valid and not accept_unverified:
            raise InvalidField(
                field="article_number",
                problem=_(
                    "{number} fails its check digit — compare it with the label, digit by digit"
                ).format(number=checked.grouped),
            )

    def record_mailing(
        self,
        case_id: str,
        *,
        article_number: str,
        date: str,
        return_receipt: str = "green_card",
        receipt_number: str = "",
        accept_unverified: bool = False,
    ) -> dict:
        """Store the mailing (which sets ``facts.imr_filed_date``) and re-assess the case,
        so the deadlines and the case list move on to the review's milestones."""
        checked = self.check_article_number(article_number)
        self._require_verified(checked, accept_unverified)
        date = _iso_date(date)
        record, docs = self._load(case_id)
        self._check_mailing_date(record, date)
        letter = record.get("letter") or {}
        if not (letter.get("edited") and letter.get("text")):
            # The letter that went in the envelope must stay as it was mailed: an unedited
            # draft would otherwise keep following the case.
            lang = self._language(record, None)
            record["letter"] = {
                "text": self._draft(record, docs, lang),
                "edited": True,
                "drafted": letter.get("drafted") or self._session.today().isoformat(),
                "edited_on": self._session.today().isoformat(),
            }
        was_assessed = isinstance(record.get("assessment"), dict)
        record["mailing"] = {
            "article_number": checked.digits,
            "verified": checked.valid,
            "date": date,
            "return_receipt": return_receipt,
            "receipt_number": receipt_number,
        }
        facts = dict(record.get("facts") or {})
        facts["imr_filed_date"] = date
        record["facts"] = facts
        try:
            self._session.save_case(case_id, record)
        except InvalidField as exc:
            field = str(exc.params.get("field", ""))
            if field.startswith("mailing.") or field == "facts.imr_filed_date":
                raise InvalidField(
                    field=field.rsplit(".", 1)[-1].replace("imr_filed_", ""),
                    problem=exc.params.get("problem"),
                ) from None
            raise
        try:
            from imrdesktop.services.assessment import assess_case

            if was_assessed:  # the deadlines move on; an unassessed case stays unassessed
                assess_case(self._session, case_id, self._session.today())
        except InvalidField:
            log.info(
                "case %s: mailing recorded; the facts are incomplete for an assessment", case_id
            )
        log.info("case %s: mailing recorded", case_id)
        return self.mailing(case_id) or {}

    @staticmethod
    def _check_mailing_date(record: dict, date: str) -> None:
        """A packet cannot be mailed before the plan decided or the grievance was filed."""
        from imrdesktop.domain.case import parse_date

        day = parse_date(date, "date")
        facts = _with_merged_facts(record).get("facts") or {}
        grievance = facts.get("grievance") or {}
        for key, value in (
            ("plan_written_decision_date", facts.get("plan_written_decision_date")),
            ("grievance.filed_date", grievance.get("filed_date")),
        ):
            try:
                earlier = dt.date.fromisoformat(value) if isinstance(value, str) else None
            except ValueError:
                earlier = None
            if earlier is not None and day < earlier:
                what = (
                    _("the plan's written decision")
                    if key == "plan_written_decision_date"
                    else _("the grievance")
                )
                raise InvalidField(
                    field="date",
                    problem=_(
                        "is before {what} ({earlier}); check the postmark on the mailing receipt"
                    ).format(what=what, earlier=earlier.isoformat()),
                )

    def mailing(self, case_id: str) -> dict | None:
        from imrdesktop.domain.mailing import milestones

        record = self._session.load_case(case_id)
        stored = record.get("mailing")
        if not isinstance(stored, dict):
            return None
        decision_days = (record.get("assessment") or {}).get("decision_days")
        mailed = dt.date.fromisoformat(stored["date"])
        checked = self.check_article_number(stored["article_number"])
        return {
            **stored,
            "grouped": checked.grouped,
            "milestones": [
                {"key": m.key, "label": m.label, "date": m.date.isoformat()}
                for m in milestones(mailed, decision_days)
            ],
        }

    # --- showing, printing, exporting ---------------------------------------------------
    def render_pages(self, pdf: bytes, pages: Sequence[int], max_px: int) -> list[bytes]:
        """PNG images of our packet's pages, drawn by PDFium in the document worker (the
        packet holds exhibit pages that came from untrusted files)."""
        from imrdesktop.documents.problems import DocumentProblem
        from imrdesktop.services.documents import refused

        key = "packet-" + hashlib.sha256(pdf).hexdigest()[:24]
        try:
            return self._documents._get_worker().render(pdf, pages, max_px, key=key)
        except DocumentProblem as problem:
            raise refused(problem) from None

    @staticmethod
    def export_pdf(pdf: bytes, path: Path) -> None:
        """Write an exported (NOT encrypted) PDF where the user chose: atomically, 0600."""
        from imrdesktop.storage.atomic import write_atomic

        write_atomic(Path(path), pdf)


def _unprintable(ctx: dict[str, Any]) -> set[str]:
    """Characters of the case's own text that no bundled font has (e.g. Khmer, Thai):
    reportlab would drop them silently, so the advocate is told."""
    from imrdesktop.packet.text import missing_glyphs

    lost: set[str] = set()
    for value in ctx.values():
        if isinstance(value, str) and value and not value.isascii():
            lost |= {c for c in missing_glyphs(value) if not c.isspace()}
    return lost
