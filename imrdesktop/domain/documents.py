"""The documents of a case as exhibits: kinds, page choices, exhibit letters. Pure, no I/O.

The ``documents`` record of a case file (docs/documents.md) is a list in exhibit order. Each
item names two stored attachments (the original exactly as handed over, and the clean PDF made
from it) and says which pages go in the packet, each with an extra rotation. Selection, order
and rotation live only here: the stored files never change.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from imrdesktop.domain.errors import InvalidField
from imrdesktop.domain.packet_documents import KINDS
from imrdesktop.i18n import N_, _

__all__ = [
    "KINDS",
    "KIND_LABELS",
    "MEDIA",
    "ROTATIONS",
    "exhibit_letter",
    "format_page_ranges",
    "parse_page_ranges",
    "validate_documents",
    "validate_item",
]

KIND_LABELS: dict[str, str] = {
    "denial_letter": N_("Denial letter"),
    "grievance": N_("Grievance filed"),
    "plan_response": N_("Plan's grievance response"),
    "physician_letter": N_("Physician letter / certification"),
    "medical_record": N_("Medical records"),
    "literature": N_("Medical literature"),
    "other": N_("Other"),
}
assert tuple(KIND_LABELS) == KINDS

MEDIA = ("pdf", "jpeg", "png", "tiff", "heic", "text")
ROTATIONS = (0, 90, 180, 270)
RECORD_VERSION = 1
MAX_TITLE = 200
MAX_SOURCE = 200
MAX_DOCUMENTS = 500
NOTE_CODES = frozenset(
    {
        "type_mismatch",
        "name_cleaned",
        "repaired",
        "active_content_removed",
        "exif_rotated",
        "location_removed",
        "alpha_flattened",
        "reencoded",
    }
)

_ID = re.compile(r"^D-[0-9A-Z]{6,16}$")
_ATT = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_SHA = re.compile(r"^[0-9a-f]{64}$")
_RANGE = re.compile(r"^\s*(\d{1,6})\s*(?:[-\u2013\u2014]\s*(\d{1,6})\s*)?$")


def exhibit_letter(index: int) -> str:
    """0 → "A", 25 → "Z", 26 → "AA", 27 → "AB" (spreadsheet column style)."""
    if index < 0:
        raise ValueError("exhibit index must not be negative")
    out = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(ord("A") + rem) + out
    return out


def parse_page_ranges(text: str, page_count: int) -> list[int]:
    """Pages named by ``text`` ("1-5, 8, 10–12"), in the order written, without repeats.

    An empty text means every page. Raises InvalidField(field="pages") with a sentence."""
    text = (text or "").strip()
    if not text:
        return list(range(1, page_count + 1))
    pages: list[int] = []
    seen: set[int] = set()
    for part in re.split(r"[,;]", text):
        if not part.strip():
            continue
        m = _RANGE.match(part)
        if m is None:
            raise InvalidField(
                field="pages",
                problem=_(
                    "“{part}” is not a page or a range of pages; write them like 1-5, 8"
                ).format(part=part.strip()[:20]),
            )
        first = int(m.group(1))
        last = int(m.group(2)) if m.group(2) else first
        if first > last:
            raise InvalidField(
                field="pages",
                problem=_("the range {first}–{last} runs backwards; write {last}–{first}").format(
                    first=first, last=last
                ),
            )
        if first < 1 or last > page_count:
            raise InvalidField(
                field="pages",
                problem=_("this document has pages 1 to {count} only").format(count=page_count),
            )
        for page in range(first, last + 1):
            if page not in seen:
                seen.add(page)
                pages.append(page)
    if not pages:
        raise InvalidField(field="pages", problem=_("name at least one page, like 1-5, 8"))
    return pages


def format_page_ranges(pages: Sequence[int]) -> str:
    """[1, 2, 3, 5, 9, 8] → "1–3, 5, 9, 8" (runs in the given order)."""
    parts: list[str] = []
    i = 0
    while i < len(pages):
        j = i
        while j + 1 < len(pages) and pages[j + 1] == pages[j] + 1:
            j += 1
        parts.append(str(pages[i]) if i == j else f"{pages[i]}\u2013{pages[j]}")
        i = j + 1
    return ", ".join(parts)


def _bad(field: str, problem: str) -> InvalidField:
    return InvalidField(field=field, problem=problem)


def _text(item: dict, key: str, limit: int, where: str) -> str:
    value = item.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _bad(f"{where}.{key}", _("must be text"))
    value = value.strip()
    if len(value) > limit:
        raise _bad(f"{where}.{key}", _("is too long"))
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in value):
        raise _bad(f"{where}.{key}", _("must not hold control characters"))
    return value


def validate_selection(value: Any, page_count: int, where: str = "selection") -> list | None:
    """``None`` (every page) or a non-empty list of ``{"page", "rotate"}`` without repeats."""
    if value is None:
        return None
    if not isinstance(value, list | tuple) or not value:
        raise _bad(where, _("choose at least one page, or leave out the document"))
    out, seen = [], set()
    for choice in value:
        if isinstance(choice, dict):
            page, rotate = choice.get("page"), choice.get("rotate", 0)
        else:
            page, rotate = getattr(choice, "page", None), getattr(choice, "rotate", 0)
        if type(page) is not int or not 1 <= page <= page_count:
            raise _bad(
                where, _("this document has pages 1 to {count} only").format(count=page_count)
            )
        if type(rotate) is not int or rotate not in ROTATIONS:
            raise _bad(where, _("a page can be turned by 90, 180 or 270 degrees only"))
        if page in seen:
            raise _bad(where, _("page {page} is chosen twice").format(page=page))
        seen.add(page)
        out.append({"page": page, "rotate": rotate})
    return out


def validate_item(item: Any, where: str = "documents") -> dict:
    """A clean copy of one stored document item, or InvalidField naming what is wrong."""
    if not isinstance(item, dict):
        raise _bad(where, _("must be an object"))
    doc_id = item.get("id")
    if not isinstance(doc_id, str) or not _ID.match(doc_id):
        raise _bad(f"{where}.id", _("is not a document id"))
    kind = item.get("kind", "other")
    if kind not in KINDS:
        raise _bad(f"{where}.kind", _("must be one of: {kinds}").format(kinds=", ".join(KINDS)))
    date = _text(item, "date", 10, where)
    if date:
        try:
            if dt.date.fromisoformat(date).isoformat() != date:
                raise ValueError(date)
        except ValueError:
            raise _bad(f"{where}.date", _("must be a date written YYYY-MM-DD")) from None
    media = item.get("media")
    if media not in MEDIA:
        raise _bad(f"{where}.media", _("is not a known kind of file"))
    for key in ("original", "pdf"):
        if not isinstance(item.get(key), str) or not _ATT.match(item[key]):
            raise _bad(f"{where}.{key}", _("is not an attachment id"))
    pages, size = item.get("pages"), item.get("size")
    if type(pages) is not int or pages < 1:
        raise _bad(f"{where}.pages", _("must be a positive whole number"))
    if type(size) is not int or size < 0:
        raise _bad(f"{where}.size", _("must be a whole number"))
    sha = item.get("sha256")
    if not isinstance(sha, str) or not _SHA.match(sha):
        raise _bad(f"{where}.sha256", _("is not a SHA-256 checksum"))
    include = item.get("include", True)
    if not isinstance(include, bool):
        raise _bad(f"{where}.include", _("must be true or false"))
    notes = item.get("notes", [])
    if not isinstance(notes, list) or any(n not in NOTE_CODES for n in notes):
        raise _bad(f"{where}.notes", _("holds an unknown note"))
    added = _text(item, "added", 10, where)
    return {
        "id": doc_id,
        "kind": kind,
        "title": _text(item, "title", MAX_TITLE, where),
        "date": date,
        "source": _text(item, "source", MAX_SOURCE, where),
        "file_name": _text(item, "file_name", 240, where),
        "media": media,
        "original": item["original"],
        "pdf": item["pdf"],
        "pages": pages,
        "size": size,
        "sha256": sha,
        "include": include,
        "selection": validate_selection(item.get("selection"), pages, f"{where}.selection"),
        "notes": list(dict.fromkeys(notes)),
        "added": added,
    }


def validate_documents(record: Any) -> dict:
    """A clean copy of the whole ``documents`` record (``None`` → an empty one)."""
    if record is None:
        return {"version": RECORD_VERSION, "items": []}
    if not isinstance(record, dict) or record.get("version") != RECORD_VERSION:
        raise _bad("documents", _("is not a version 1 documents record"))
    items = record.get("items")
    if not isinstance(items, list):
        raise _bad("documents.items", _("must be a list"))
    if len(items) > MAX_DOCUMENTS:
        raise _bad("documents", _("a case holds at most {n} documents").format(n=MAX_DOCUMENTS))
    clean = [validate_item(item, f"documents[{i}]") for i, item in enumerate(items)]
    ids = [c["id"] for c in clean]
    if len(set(ids)) != len(ids):
        raise _bad("documents", _("two documents have the same id"))
    return {"version": RECORD_VERSION, "items": clean}


def letters_for(items: Iterable[dict]) -> dict[str, str]:
    """Exhibit letters of the included documents, in order: {document id: letter}."""
    out: dict[str, str] = {}
    for item in items:
        if item.get("include", True):
            out[item["id"]] = exhibit_letter(len(out))
    return out


def chosen_pages(item: dict) -> list[tuple[int, int]]:
    """The (page, extra rotation) pairs that go in the packet for one document."""
    selection = item.get("selection")
    if selection is None:
        return [(p, 0) for p in range(1, item["pages"] + 1)]
    return [(c["page"], c["rotate"]) for c in selection]
