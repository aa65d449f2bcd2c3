"""Documents of a case: attach, describe, order, choose pages, render (docs/documents.md).

Shared by the GUI and the CLI. Untrusted bytes are parsed only in the document worker
process (:mod:`imrdesktop.documents.client`); this module stores what comes back, through
the storage layer, in one transaction per user action.
"""

from __future__ import annotations

import errno
import hashlib
import io
import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from imrdesktop.domain import documents as dom
from imrdesktop.domain.errors import (
    DocumentPasswordRequired,
    DocumentPasswordWrong,
    DocumentRefused,
    InputFileMissing,
    InputFileUnreadable,
    InvalidField,
    UnknownAttachment,
    VaultLocked,
)
from imrdesktop.i18n import _

if TYPE_CHECKING:
    from imrdesktop.documents.client import Converted, DocumentWorker
    from imrdesktop.documents.inputs import InputFile
    from imrdesktop.services.session import VaultSession

log = logging.getLogger(__name__)

RECORD = "documents"
_PDF_CACHE_ITEMS = 3  # decrypted clean PDFs kept for rendering (memory only)


@dataclass(frozen=True)
class PageChoice:
    page: int  # 1-based page of the stored document
    rotate: int = 0  # extra clockwise rotation: 0/90/180/270


@dataclass(frozen=True)
class Document:
    id: str
    kind: str
    title: str
    date: str
    source: str
    file_name: str
    media: str
    pages: int
    size: int
    sha256: str
    include: bool
    selection: tuple[PageChoice, ...] | None
    notes: tuple[str, ...]
    added: str
    exhibit: str | None
    original: str
    pdf: str

    def chosen(self) -> tuple[PageChoice, ...]:
        """The pages that go in the packet, with their extra rotation."""
        if self.selection is None:
            return tuple(PageChoice(p) for p in range(1, self.pages + 1))
        return self.selection

    def public(self) -> dict[str, Any]:
        """The ``case show --json`` shape (docs/cli.md)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "pages": self.pages,
            "size": self.size,
            "sha256": self.sha256,
            "date": self.date,
            "source": self.source,
            "file_name": self.file_name,
            "media": self.media,
            "include": self.include,
            "exhibit": self.exhibit,
            "packet_pages": len(self.chosen()) if self.include else 0,
        }


def _document(item: dict, letter: str | None) -> Document:
    sel = item.get("selection")
    return Document(
        id=item["id"],
        kind=item["kind"],
        title=item["title"],
        date=item["date"],
        source=item["source"],
        file_name=item["file_name"],
        media=item["media"],
        pages=item["pages"],
        size=item["size"],
        sha256=item["sha256"],
        include=item["include"],
        selection=None if sel is None else tuple(PageChoice(c["page"], c["rotate"]) for c in sel),
        notes=tuple(item["notes"]),
        added=item["added"],
        exhibit=letter,
        original=item["original"],
        pdf=item["pdf"],
    )


def documents_from_record(record: dict | None) -> list[Document]:
    clean = dom.validate_documents(record)
    letters = dom.letters_for(clean["items"])
    return [_document(item, letters.get(item["id"])) for item in clean["items"]]


def describe_note(code: str) -> str:
    """What the import did to a file, in one sentence."""
    notes = {
        "type_mismatch": _(
            "The file's name did not match what it holds; it was read by its content."
        ),
        "name_cleaned": _("The file name had characters that cannot be kept; they were removed."),
        "repaired": _("The PDF was damaged and has been repaired. Check its pages."),
        "active_content_removed": _(
            "Scripts, links, embedded files or other active content were removed from the "
            "packet copy."
        ),
        "exif_rotated": _("The photo was turned upright as the camera recorded."),
        "location_removed": _("The photo's location data (GPS) was removed from the packet copy."),
        "alpha_flattened": _("Transparent parts of the picture were placed on white."),
        "reencoded": _("The picture was converted to JPEG for the packet."),
    }
    return notes.get(code, "")


def guess_kind(name: str) -> str:
    """A first guess from the file name, which the advocate corrects (never relied on)."""
    low = name.casefold()
    hints = (
        ("denial", "denial_letter"),
        ("deni", "denial_letter"),
        ("notice of action", "denial_letter"),
        ("nar", "plan_response"),
        ("grievance response", "plan_response"),
        ("appeal resolution", "plan_response"),
        ("grievance", "grievance"),
        ("appeal", "grievance"),
        ("physician", "physician_letter"),
        ("doctor", "physician_letter"),
        ("necessity", "physician_letter"),
        ("record", "medical_record"),
        ("chart", "medical_record"),
        ("lab", "medical_record"),
        ("pubmed", "literature"),
        ("study", "literature"),
        ("journal", "literature"),
    )
    words = low.replace("_", " ").replace("-", " ")
    for hint, kind in hints:
        if hint == "nar":
            if " nar " in f" {words} ":
                return kind
            continue
        if hint in words:
            return kind
    return "other"


def _title_from(name: str) -> str:
    stem = Path(name).stem if "." in name else name
    return stem.replace("_", " ").strip()[: dom.MAX_TITLE] or _("Document")


def refused(problem: Any, name: str = "") -> DocumentRefused:
    """A worker/input DocumentProblem as the typed error the GUI and CLI explain."""
    code = getattr(problem, "code", "worker_failed")
    params = dict(getattr(problem, "params", {}) or {})
    params.pop("reason", None)
    if name:
        params["name"] = name
    cls = {
        "password_required": DocumentPasswordRequired,
        "password_wrong": DocumentPasswordWrong,
    }.get(code, DocumentRefused)
    return cls(f"document refused: {code}", reason=code, **params)


class DocumentsService:
    """The documents of the cases of one unlocked session."""

    def __init__(self, session: VaultSession, worker: DocumentWorker | None = None) -> None:
        self._session = session
        self._worker = worker
        self._worker_lock = threading.Lock()
        self._cache_lock = threading.Lock()
        self._pdfs: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._shut = False
        session.on_lock(self._session_locked)

    # --- worker -------------------------------------------------------------------
    def _get_worker(self) -> DocumentWorker:
        with self._worker_lock:
            if self._shut:
                raise VaultLocked("documents service after lock")
            if self._worker is None:
                from imrdesktop.documents.client import DocumentWorker

                self._worker = DocumentWorker()
            return self._worker

    def _session_locked(self) -> None:
        # For good: a render or read still running on another thread must not put a
        # decrypted PDF back in the cache, nor start a new worker, after the lock.
        with self._cache_lock, self._worker_lock:
            self._shut = True
        self.close()

    def close(self) -> None:
        """Drop decrypted copies and stop the worker (leaving a case; on lock and quit).
        The service stays usable until the session locks; the worker restarts on demand."""
        with self._cache_lock:
            self._pdfs.clear()
        with self._worker_lock:
            worker, self._worker = self._worker, None
        if worker is not None:
            try:
                worker.close()
            except Exception:
                log.warning("the document worker did not stop cleanly")

    # --- reading ------------------------------------------------------------------
    def _load(self, case) -> dict:
        return dom.validate_documents(case.get(RECORD))

    def list_documents(self, case_id: str) -> list[Document]:
        with self._session.open_case(case_id) as case:
            return documents_from_record(case.get(RECORD))

    def kinds(self, case_id: str) -> list[str]:
        return [d.kind for d in self.list_documents(case_id)]

    def get(self, case_id: str, doc_id: str) -> Document:
        for doc in self.list_documents(case_id):
            if doc.id == doc_id:
                return doc
        raise UnknownAttachment("no such document", document=doc_id)

    # --- importing ----------------------------------------------------------------
    def read_input(self, path: Path | str) -> InputFile:
        """Main-process checks (regular file, size, type by content, clean name)."""
        from imrdesktop.documents.inputs import read_input
        from imrdesktop.documents.names import clean_name
        from imrdesktop.documents.problems import DocumentProblem

        path = Path(path)
        shown = clean_name(path.name)
        try:
            return read_input(path)
        except DocumentProblem as problem:
            raise refused(problem, shown) from None
        except InputFileMissing as exc:
            raise InputFileMissing(name=shown) from exc
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENAMETOOLONG, errno.ENOTDIR, errno.EISDIR):
                raise DocumentRefused(
                    "input not a regular file", reason="not_regular", name=shown
                ) from None
            raise InputFileUnreadable("input unreadable", name=shown) from exc

    def inspect_bytes(self, name: str, data: bytes) -> InputFile:
        from imrdesktop.documents.inputs import inspect_bytes
        from imrdesktop.documents.names import clean_name
        from imrdesktop.documents.problems import DocumentProblem

        try:
            return inspect_bytes(name, data)
        except DocumentProblem as problem:
            raise refused(problem, clean_name(name)) from None

    def convert(self, item: InputFile, password: str | None = None) -> Converted:
        """Parse and clean in the worker process (slow: call off the GUI thread)."""
        from imrdesktop.documents.problems import DocumentProblem

        try:
            return self._get_worker().convert(item, password=password)
        except DocumentProblem as problem:
            raise refused(problem, item.name) from None

    def attach(
        self,
        case_id: str,
        items: Sequence[tuple[InputFile, Converted]],
        *,
        kind: str | None = None,
        title: str | None = None,
        date: str = "",
        source: str = "",
    ) -> list[Document]:
        """Store every item (original + clean PDF) and the documents record in ONE
        transaction: on any failure the case is exactly as it was. Returns the new
        documents, in order."""
        if kind is not None and kind not in dom.KINDS:
            raise InvalidField(
                field="kind",
                problem=_("must be one of: {kinds}").format(kinds=", ".join(dom.KINDS)),
            )
        today = self._session.today().isoformat()
        with self._session.open_case(case_id) as case:
            record = self._load(case)
            staged = []
            new_items: list[dict] = []
            try:
                for inp, conv in items:
                    original = case.stage_attachment(
                        io.BytesIO(inp.data), {"role": "original", "media": inp.media}
                    )
                    staged.append(original)
                    clean = case.stage_attachment(
                        io.BytesIO(conv.pdf), {"role": "pdf", "of": original.att_id}
                    )
                    staged.append(clean)
                    notes = [n for n in (*inp.notes, *conv.notes) if n in dom.NOTE_CODES]
                    new_items.append(
                        {
                            "id": self._new_id(record, new_items),
                            "kind": kind or guess_kind(inp.name),
                            "title": (title or _title_from(inp.name))[: dom.MAX_TITLE],
                            "date": date,
                            "source": source,
                            "file_name": inp.name,
                            "media": inp.media,
                            "original": original.att_id,
                            "pdf": clean.att_id,
                            "pages": conv.pages,
                            "size": original.size,
                            "sha256": original.sha256,
                            "include": True,
                            "selection": None,
                            "notes": list(dict.fromkeys(notes)),
                            "added": today,
                        }
                    )
                updated = dom.validate_documents(
                    {"version": dom.RECORD_VERSION, "items": record["items"] + new_items}
                )
                case.save({RECORD: updated}, add=staged)
            except BaseException:
                for s in staged:
                    case.discard_staged(s)
                raise
        docs = documents_from_record(updated)
        ids = {i["id"] for i in new_items}
        log.info("case %s: %d document(s) attached", case_id, len(new_items))
        return [d for d in docs if d.id in ids]

    @staticmethod
    def _new_id(record: dict, pending: list[dict]) -> str:
        used = {i["id"] for i in record["items"]} | {i["id"] for i in pending}
        while True:
            doc_id = "D-" + secrets.token_hex(5).upper()
            if doc_id not in used:
                return doc_id

    def attach_paths(
        self,
        case_id: str,
        paths: Sequence[Path | str],
        *,
        kind: str | None = None,
        title: str | None = None,
        password: str | None = None,
    ) -> list[Document]:
        """Read and convert every file first, then store them all in one transaction (the
        CLI: a file that cannot be taken leaves the case as it was)."""
        prepared = []
        for path in paths:
            item = self.read_input(path)
            prepared.append((item, self.convert(item, password=password)))
        return self.attach(case_id, prepared, kind=kind, title=title)

    # --- editing ------------------------------------------------------------------
    def update(self, case_id: str, doc_id: str, **changes: Any) -> Document:
        allowed = {"kind", "title", "date", "source", "include", "selection"}
        unknown = set(changes) - allowed
        if unknown:
            raise InvalidField(field=sorted(unknown)[0], problem=_("cannot be changed"))
        with self._session.open_case(case_id) as case:
            record = self._load(case)
            items = record["items"]
            index = self._index(items, doc_id)
            item = dict(items[index])
            for key, value in changes.items():
                if key == "selection" and value is not None:
                    value = [
                        {"page": c.page, "rotate": c.rotate} if isinstance(c, PageChoice) else c
                        for c in value
                    ]
                    # Every page, in order, unrotated, is the same as no selection.
                    if value == [{"page": p, "rotate": 0} for p in range(1, item["pages"] + 1)]:
                        value = None
                item[key] = value
            try:
                item = dom.validate_item(item, "document")
            except InvalidField as exc:
                field = str(exc.params.get("field", ""))
                raise InvalidField(
                    field=field.removeprefix("document."), problem=exc.params.get("problem")
                ) from None
            if item == items[index]:
                return documents_from_record(record)[index]
            items[index] = item
            case.save({RECORD: record})
        return documents_from_record(record)[index]

    def reorder(self, case_id: str, ids: Sequence[str]) -> list[Document]:
        with self._session.open_case(case_id) as case:
            record = self._load(case)
            by_id = {i["id"]: i for i in record["items"]}
            if sorted(ids) != sorted(by_id):
                raise InvalidField(
                    field="order", problem=_("must list every document of the case once")
                )
            new_items = [by_id[i] for i in ids]
            if new_items != record["items"]:
                record["items"] = new_items
                case.save({RECORD: record})
        return documents_from_record(record)

    def move(self, case_id: str, doc_id: str, new_index: int) -> list[Document]:
        ids = [d.id for d in self.list_documents(case_id)]
        if doc_id not in ids:
            raise UnknownAttachment("no such document", document=doc_id)
        ids.remove(doc_id)
        ids.insert(max(0, min(new_index, len(ids))), doc_id)
        return self.reorder(case_id, ids)

    def remove(self, case_id: str, doc_id: str) -> list[Document]:
        """Delete a document: its record entry and both stored files, in one save."""
        with self._session.open_case(case_id) as case:
            record = self._load(case)
            index = self._index(record["items"], doc_id)
            item = record["items"].pop(index)
            stored = {a.id for a in case.attachments()}
            gone = [a for a in (item["original"], item["pdf"]) if a in stored]
            case.save({RECORD: record}, delete=gone)
        with self._cache_lock:
            for key in [k for k in self._pdfs if k[1] == item["pdf"]]:
                del self._pdfs[key]
        return documents_from_record(record)

    @staticmethod
    def _index(items: list[dict], doc_id: str) -> int:
        for i, item in enumerate(items):
            if item["id"] == doc_id:
                return i
        raise UnknownAttachment("no such document", document=doc_id)

    # --- contents -----------------------------------------------------------------
    def pdf_bytes(self, case_id: str, doc_id: str) -> bytes:
        """The clean PDF of a document, decrypted (memory only; a few kept for rendering)."""
        with self._session.open_case(case_id) as case:
            record = self._load(case)
            item = record["items"][self._index(record["items"], doc_id)]
            key = (case_id, item["pdf"])
            with self._cache_lock:
                if key in self._pdfs:
                    self._pdfs.move_to_end(key)
                    return self._pdfs[key]
            data = case.read_attachment(item["pdf"])
        with self._cache_lock:
            if self._shut:
                raise VaultLocked("documents service after lock")
            self._pdfs[key] = data
            while len(self._pdfs) > _PDF_CACHE_ITEMS:
                self._pdfs.popitem(last=False)
        return data

    def original_bytes(self, case_id: str, doc_id: str) -> bytes:
        with self._session.open_case(case_id) as case:
            record = self._load(case)
            item = record["items"][self._index(record["items"], doc_id)]
            data = case.read_attachment(item["original"])
        if hashlib.sha256(data).hexdigest() != item["sha256"]:  # belt and braces
            from imrdesktop.domain.errors import AttachmentDamaged

            raise AttachmentDamaged("original checksum", attachment=item["original"])
        return data

    def render_pages(
        self, case_id: str, doc_id: str, pages: Sequence[int], max_px: int
    ) -> list[bytes]:
        """PNG images of 1-based ``pages`` of a document, drawn in the worker process."""
        from imrdesktop.documents.problems import DocumentProblem

        pdf = self.pdf_bytes(case_id, doc_id)
        key = hashlib.sha256(pdf).hexdigest()[:32]
        try:
            return self._get_worker().render(pdf, pages, max_px, key=key)
        except DocumentProblem as problem:
            raise refused(problem) from None


def packet_kinds(documents: Sequence[Document]) -> list[dict[str, str]]:
    """``[{"kind": …}]`` of the included documents, as the assessment's checklist reads."""
    return [{"kind": d.kind} for d in documents if d.include]
