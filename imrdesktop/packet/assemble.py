"""Packet assembly: our parts and the chosen exhibit pages in one PDF, stamped, in memory.

Every packet page is a page we make: a Letter page (an exhibit) or a page the size of a part
page, onto which the source page is drawn as a Form XObject (its ``/CropBox``, ``/Rotate``
and ``/UserUnit`` honoured, plus an exhibit page's extra rotation), under the page's stamp.

- Exhibit pages are fitted, centred, above a 0.45 in band at the bottom and inside 0.25 in
  margins on the other sides (never enlarged; a big or landscape page is scaled down; no
  printer prints to the paper's edge), and the band holds the stamp ``Exhibit C — page 3 of
  40 — packet page 57 of 212 — <client name>``; a part page is drawn 1:1 under the footer
  ``Packet page n of N``. A training packet has a diagonal SAMPLE on every page.
- The stamps are drawn by reportlab in ONE document (one page per packet page, our embedded
  fonts, any Unicode name through :mod:`imrdesktop.packet.text`), and each packet page takes
  its stamp page's content stream and resources directly: no overlay Form XObject per page,
  no content stream decoded.
- A source page's content is copied as its raw (still compressed) bytes into the Form
  XObject, and the packet is saved without qpdf recompressing anything, so an exhibit's
  streams are never decoded (a Flate bomb stays a small stream). Only a page whose content
  is several streams has them joined (a Form XObject has one), inflated here within a
  64 MiB limit. One Form XObject per source page: a page chosen twice, or a document
  attached twice, is stored once and drawn twice.
- Nothing of an exhibit's page dictionary but its boxes, rotation, resources, content and
  transparency group reaches the packet: annotations (links would point nowhere), ``/AA``,
  thumbnails, structure and metadata stay behind; the catalog and the trailer are ours. The
  result is then swept for the T-IN-3 names (RELIABILITY.md) and any left (a resource of a
  hostile exhibit) is removed: :func:`active_content` of the packet is always ``[]``.
- The output is unencrypted, compressed, with a deterministic id and the document title
  "IMR packet" (never the client's name in the metadata). Everything stays in memory.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

PAGE_W = 612.0  # US Letter, points
PAGE_H = 792.0
BAND = 0.45 * 72  # the stamp band at the bottom of an exhibit page
MARGIN = 0.25 * 72  # around an exhibit page on the other three sides: printers cannot print
# to the edge of the paper (typically 0.17-0.25 in), so nothing is placed closer to it
STAMP_BASELINE = 17.0  # points above the bottom edge (stamp and footer): printable
STAMP_SIZE = 8.0
STAMP_MIN_SIZE = 5.0
STAMP_SIDE = 0.25 * 72  # the stamp stays this far from the left and right edges

# RELIABILITY.md T-IN-3: none of these names may occur in a packet (as a key or a value).
ACTIVE_NAMES = (
    "/JavaScript",
    "/JS",
    "/OpenAction",
    "/AA",
    "/Launch",
    "/EmbeddedFiles",
    "/RichMedia",
    "/XFA",
    "/SubmitForm",
    "/URI",
)
_ACTIVE = frozenset(ACTIVE_NAMES)

_DIGITS = re.compile("[0-9]")
_FORM_NAME = "/IMRPage"  # the placed source page in a packet page's resources
_RESOURCE_KEYS = frozenset(
    (
        "/ExtGState",
        "/ColorSpace",
        "/Pattern",
        "/Shading",
        "/XObject",
        "/Font",
        "/ProcSet",
        "/Properties",
    )
)


@dataclass(frozen=True)
class Part:
    """A PDF we made (cover sheet, letter, forms, exhibit index): trusted."""

    key: str  # "cover_sheet", "letter", "application", "assistant", "release", "exhibit_index"
    title: str  # bookmark title (already translated)
    pdf: bytes


@dataclass(frozen=True)
class ExhibitSource:
    """One included document: its clean PDF (from the worker) and the chosen pages."""

    letter: str  # "A"
    title: str  # the bookmark, as it reads: "Exhibit A — <title>"
    pdf: bytes
    pages: Sequence[tuple[int, int]]  # (1-based page, extra clockwise rotation 0/90/180/270)


@dataclass(frozen=True)
class Assembled:
    pdf: bytes
    page_count: int
    # (part key or "exhibit:A", first packet page (1-based), page count), in packet order
    sections: tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class _Slot:
    """One packet page: where it comes from and its stamp."""

    source: int  # index into the opened source PDFs
    page: int  # 0-based page of that source
    rotate: int  # extra clockwise rotation
    exhibit: bool
    text: str  # stamp (exhibit) or footer (part)
    width: float  # the packet page's size
    height: float


def count_pages(parts: Sequence[Part], exhibits: Sequence[ExhibitSource]) -> dict[str, int]:
    """Pages each section will take in the packet: ``{part key: n, "exhibit:A": n}``."""
    counts: dict[str, int] = {}
    for part in parts:
        with _open(part.pdf, f"part {part.key}") as pdf:
            counts[part.key] = len(pdf.pages)
    for ex in exhibits:
        counts[f"exhibit:{ex.letter}"] = len(ex.pages)
    return counts


def assemble(
    parts: Sequence[Part],
    exhibits: Sequence[ExhibitSource],
    *,
    client_name: str,
    sample: bool = False,
    stamp_label: str = (
        "Exhibit {letter} — page {page} of {pages} — packet page {n} of {total} — {name}"
    ),
    footer_label: str = "Packet page {n} of {total}",
    sample_label: str = "SAMPLE",
    exhibits_after: str = "exhibit_index",
) -> Assembled:
    """The packet: ``parts`` in order, ``exhibits`` right after the part ``exhibits_after``
    (at the end when there is none), every page stamped, bookmarks per section.

    Raises ``ValueError`` for a PDF that cannot be read, a page number outside its document
    or a rotation that is not 0/90/180/270 (the message names the section, not its content).
    """
    import pikepdf

    order: list[tuple[str, Any]] = [("part", p) for p in parts]
    at = next((i + 1 for i, p in enumerate(parts) if p.key == exhibits_after), len(parts))
    order[at:at] = [("exhibit", ex) for ex in exhibits]

    sources: list[pikepdf.Pdf] = []  # every PDF opened here, closed at the end
    labels: list[str] = []  # "exhibit A" / "part letter", for messages
    by_bytes: dict[bytes, int] = {}  # the same document attached twice is opened once
    try:
        # 1. Plan every page (sizes, sections) before drawing anything.
        plan: list[tuple[str, str, int, list[tuple[int, int, int]]]] = []
        for kind, item in order:
            label = f"part {item.key}" if kind == "part" else f"exhibit {item.letter}"
            index = by_bytes.get(item.pdf)
            if index is None:
                sources.append(_open(item.pdf, label))
                labels.append(label)
                index = by_bytes[item.pdf] = len(sources) - 1
            src = sources[index]
            n_src = len(src.pages)
            if kind == "part":
                chosen = [(index, i, 0) for i in range(n_src)]
                plan.append((item.key, item.title, index, chosen))
                continue
            chosen = []
            for page, rotate in item.pages:
                if not 1 <= int(page) <= n_src:
                    raise ValueError(f"{label}: page {page} is not in the document ({n_src} pages)")
                if int(rotate) % 90 or not 0 <= int(rotate) < 360:
                    raise ValueError(f"{label}: rotation {rotate} is not 0, 90, 180 or 270")
                chosen.append((index, int(page) - 1, int(rotate)))
            plan.append((f"exhibit:{item.letter}", item.title, index, chosen))

        total = sum(len(chosen) for *_, chosen in plan)
        name = " ".join(str(client_name).split())  # one line
        slots: list[_Slot] = []
        sections: list[tuple[str, int, int]] = []
        outline: list[tuple[str, int]] = []
        for (key, title, _index, chosen), (kind, item) in zip(plan, order, strict=True):
            first = len(slots) + 1
            sections.append((key, first, len(chosen)))
            if chosen:
                outline.append((title, first - 1))
            for k, (index, page, rotate) in enumerate(chosen, start=1):
                n = len(slots) + 1
                if kind == "exhibit":
                    text = stamp_label.format(
                        letter=item.letter,
                        page=k,
                        pages=len(chosen),
                        n=n,
                        total=total,
                        name=name,
                    )
                    if not name:  # no dangling separator after the page numbers
                        text = text.strip().rstrip("—–-:|").rstrip()
                    width, height = PAGE_W, PAGE_H
                else:
                    text = footer_label.format(n=n, total=total)
                    width, height = _visible_size(sources[index].pages[page])
                slots.append(_Slot(index, page, rotate, kind == "exhibit", text, width, height))

        # 2. Every stamp in one reportlab document, one page per packet page.
        stamps = pikepdf.open(io.BytesIO(_draw_stamps(slots, sample, sample_label)))
        sources.append(stamps)

        # 3. The packet.
        out = pikepdf.new()
        sources.append(out)
        forms: dict[tuple[int, int], tuple[Any, _Geometry]] = {}
        resources: dict[bytes, dict[str, Any]] = {}  # the stamps' resources, imported once
        for slot, stamp_page in zip(slots, stamps.pages, strict=True):
            form_key = (slot.source, slot.page)
            placed = forms.get(form_key)
            if placed is None:
                try:
                    placed = _form_xobject(out, sources[slot.source].pages[slot.page])
                except _TooBig:
                    raise ValueError(
                        f"{labels[slot.source]}: page {slot.page + 1} holds more drawing "
                        "instructions than a packet page can take"
                    ) from None
                forms[form_key] = placed
            out.pages.append(_packet_page(out, slot, *placed, stamp_page, resources))

        with out.open_outline() as tree:
            for title, page_index in outline:
                tree.root.append(pikepdf.OutlineItem(title, page_index))
        out.Root.PageMode = pikepdf.Name.UseOutlines
        out.docinfo[pikepdf.Name.Title] = "IMR packet"
        _strip_active(out)

        _compress_unfiltered(out)

        version = max(["1.4", *(s.pdf_version for s in sources)], key=_version_key)
        buf = io.BytesIO()
        out.save(
            buf,
            min_version=version,
            # qpdf's own compression decodes a stream with a filter array (a Flate bomb
            # inflated at save time): streams are written as they are, compressed above.
            compress_streams=False,
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
            deterministic_id=True,
            fix_metadata_version=False,
        )
        return Assembled(pdf=buf.getvalue(), page_count=total, sections=tuple(sections))
    finally:
        for src in sources:
            src.close()


def active_content(pdf: bytes) -> list[str]:
    """The T-IN-3 names found anywhere in ``pdf`` (every object, the trailer; as a dictionary
    key or a name value, in direct objects at any depth), sorted; ``[]`` when clean."""
    with _open(pdf, "packet") as doc:
        found = {name for name, _holder, _key in _walk_active(doc)}
    return sorted(found)


# -- reading -------------------------------------------------------------------------------


def _open(data: bytes, label: str) -> Any:
    import pikepdf

    try:
        return pikepdf.open(io.BytesIO(data))
    except (pikepdf.PdfError, pikepdf.PasswordError, ValueError) as exc:
        raise ValueError(f"{label}: the PDF cannot be read") from exc


def _version_key(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in str(version).split("."))
    except ValueError:
        return (1, 4)


def _number(obj: Any, default: float) -> float:
    try:
        value = float(obj)
    except (TypeError, ValueError):
        return default
    return value if math.isfinite(value) else default


def _rect(obj: Any) -> tuple[float, float, float, float] | None:
    import pikepdf

    if not isinstance(obj, pikepdf.Array) or len(obj) != 4:
        return None
    try:
        x0, y0, x1, y1 = (float(v) for v in obj)
    except (TypeError, ValueError):
        return None
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
        return None
    x0, x1 = min(x0, x1), max(x0, x1)
    y0, y1 = min(y0, y1), max(y0, y1)
    if x1 - x0 < 1 or y1 - y0 < 1:
        return None
    return x0, y0, x1, y1


def _inherited(page: Any, key: str) -> Any:
    try:
        return page._get_inherited(key)
    except (KeyError, AttributeError):
        return None


_Box = tuple[float, float, float, float]
_Geometry = tuple[_Box, int, float]  # (visible box, /Rotate, /UserUnit)


def _geometry(page: Any) -> _Geometry:
    """(visible box: the crop box within the media box, /Rotate, /UserUnit) of a page."""
    media = _rect(_inherited(page, "/MediaBox")) or (0.0, 0.0, PAGE_W, PAGE_H)
    crop = _rect(_inherited(page, "/CropBox"))
    box = media
    if crop is not None:
        x0, y0 = max(crop[0], media[0]), max(crop[1], media[1])
        x1, y1 = min(crop[2], media[2]), min(crop[3], media[3])
        if x1 - x0 >= 1 and y1 - y0 >= 1:
            box = (x0, y0, x1, y1)
    rotate = int(_number(_inherited(page, "/Rotate"), 0))
    rotate = rotate % 360 if rotate % 90 == 0 else 0
    unit = _number(page.obj.get("/UserUnit"), 1.0)
    if not 0.01 <= unit <= 1000:
        unit = 1.0
    return box, rotate, unit


def _visible_size(page: Any) -> tuple[float, float]:
    (x0, y0, x1, y1), rotate, unit = _geometry(page)
    w, h = (x1 - x0) * unit, (y1 - y0) * unit
    return (h, w) if rotate in (90, 270) else (w, h)


# -- the stamps ------------------------------------------------------------------------------


def _draw_stamps(slots: Sequence[_Slot], sample: bool, sample_label: str) -> bytes:
    from reportlab import rl_config
    from reportlab.pdfgen import canvas

    from imrdesktop.packet import text as t
    from imrdesktop.packet.fonts import SANS

    t.register_all()
    buf = io.BytesIO()
    # reportlab wraps every compressed stream in ASCII85 by default (in pure Python: a third
    # of the stamps' time, and 25% bigger streams in the packet); binary streams are fine.
    a85 = rl_config.useA85
    rl_config.useA85 = 0
    try:
        c = canvas.Canvas(
            buf, pagesize=(PAGE_W, PAGE_H), invariant=1, initialFontName=SANS, initialFontSize=8
        )
        widths: dict[str, float] = {}
        for slot in slots:
            w, h = slot.width, slot.height
            c.setPageSize((w, h))
            # The stamps differ in their page numbers only, and DejaVu's digits all have one
            # width: measure each shape of line once, not every line.
            shape = _DIGITS.sub("0", slot.text)
            width = widths.get(shape)
            if width is None:
                width = widths[shape] = t.string_width(shape, STAMP_SIZE)
            room = w - 2 * STAMP_SIDE
            size = STAMP_SIZE
            if width > room:
                size = max(STAMP_MIN_SIZE, STAMP_SIZE * room / width)
            t.draw_string(c, w / 2, STAMP_BASELINE, slot.text, size, align="center")
            if sample:
                _draw_sample(c, t, w, h, sample_label)
            c.showPage()
        c.save()
    finally:
        rl_config.useA85 = a85
    return buf.getvalue()


def _draw_sample(c: Any, t: Any, w: float, h: float, label: str) -> None:
    one = t.string_width(label, 1, bold=True)
    if one <= 0:
        return
    diagonal = math.hypot(w, h)
    size = min(0.7 * diagonal / one, h / 4)
    c.saveState()
    c.setFillColorRGB(0.55, 0.55, 0.55)
    c.setFillAlpha(0.3)
    c.translate(w / 2, h / 2)
    c.rotate(math.degrees(math.atan2(h, w)))
    t.draw_string(c, 0, -0.35 * size, label, size, bold=True, align="center")
    c.restoreState()


# -- the packet pages ------------------------------------------------------------------------


def _import(out: Any, obj: Any) -> Any:
    """``obj`` of another PDF as an object of ``out`` (indirect objects copied once)."""
    import pikepdf

    if isinstance(obj, pikepdf.Object):
        if obj.is_indirect:
            return out.copy_foreign(obj)
        if isinstance(obj, pikepdf.Dictionary):
            return pikepdf.Dictionary({k: _import(out, v) for k, v in obj.items()})
        if isinstance(obj, pikepdf.Array):
            return pikepdf.Array([_import(out, v) for v in obj])
        if isinstance(obj, pikepdf.Name):
            return pikepdf.Name(str(obj))
        if isinstance(obj, pikepdf.String):
            return pikepdf.String(bytes(obj))
    return obj  # numbers, booleans, null: Python values


class _TooBig(Exception):
    """A page's content would decode to more than :data:`CONTENT_CAP` bytes."""


CONTENT_CAP = 64 << 20  # decoded bytes of one page's joined content streams
_FLATE = ("/FlateDecode", "/Fl")
# The most one byte can become through a filter (deflate's limit is 1032:1); a filter not
# listed (a crypt or image filter in a content stream) is never decoded here.
_EXPANSION = {
    "/FlateDecode": 1032,
    "/Fl": 1032,
    "/LZWDecode": 4096,
    "/LZW": 4096,
    "/RunLengthDecode": 128,
    "/RL": 128,
    "/ASCIIHexDecode": 1,
    "/AHx": 1,
    "/ASCII85Decode": 1,
    "/A85": 1,
}


def _filters(stream: Any) -> list[str]:
    import pikepdf

    value = stream.get("/Filter")
    if value is None:
        return []
    if isinstance(value, pikepdf.Array):
        return [str(v) for v in value]
    return [str(value)]


def _decoded(stream: Any, budget: int) -> bytes:
    """The decoded data of one content stream, never more than ``budget`` bytes of it.

    Deflate layers are inflated here with a limit (a Flate bomb stops at the limit); other
    filters are left to qpdf only when their worst-case expansion fits in the budget."""
    import zlib

    import pikepdf

    names = _filters(stream)
    raw = stream.read_raw_bytes()
    if names and all(n in _FLATE for n in names):
        data = raw
        try:
            for _layer in names:
                inflater = zlib.decompressobj()
                data = inflater.decompress(data, budget + 1)
                if len(data) > budget:
                    raise _TooBig
        except zlib.error:
            data = None  # damaged: qpdf decodes what it can, below, if that is bounded
        if data is not None and stream.get("/DecodeParms") is None:
            return data
        # (predictors: the inflated size is known and bounded; qpdf applies them)
    bound = len(raw)
    for name in names:
        bound *= _EXPANSION.get(name, budget + 1)
    if bound > budget:
        raise _TooBig
    try:
        return stream.read_bytes()
    except pikepdf.PdfError:
        return b""  # a stream qpdf cannot decode draws nothing (as in a viewer)


def _form_xobject(out: Any, page: Any) -> tuple[Any, _Geometry]:
    """The source ``page`` as a Form XObject of ``out`` (in its own user space: the caller's
    matrix does the rotation, scale and position), and the page's geometry.

    One content stream is copied as its raw bytes with its filters: never decoded. Several
    streams are joined into one (a Form XObject has one), decoded within
    :data:`CONTENT_CAP`; raises :class:`_TooBig` beyond it."""
    import zlib

    import pikepdf
    from pikepdf import Name

    geometry = _geometry(page)
    box = geometry[0]
    contents = page.obj.get("/Contents")
    if isinstance(contents, pikepdf.Stream):
        streams = [contents]
    elif isinstance(contents, pikepdf.Array):
        streams = [s for s in contents if isinstance(s, pikepdf.Stream)]
    else:
        streams = []
    form = pikepdf.Stream(out, b"")
    if len(streams) == 1:
        filters = streams[0].get("/Filter")
        parms = streams[0].get("/DecodeParms")
        form.write(
            streams[0].read_raw_bytes(),
            filter=_import(out, filters) if filters is not None else None,
            decode_parms=_import(out, parms) if parms is not None else None,
            type_check=False,
        )
    elif streams:
        joined: list[bytes] = []
        budget = CONTENT_CAP
        for stream in streams:
            data = _decoded(stream, budget)
            budget -= len(data) + 1
            joined.append(data)
        form.write(zlib.compress(b"\n".join(joined)), filter=Name.FlateDecode)
    form.Type = Name.XObject
    form.Subtype = Name.Form
    form.BBox = pikepdf.Array(box)
    resources = _inherited(page, "/Resources")
    form.Resources = pikepdf.Dictionary(
        {
            key: _import(out, value)
            for key, value in (
                resources.items() if isinstance(resources, pikepdf.Dictionary) else ()
            )
            if key in _RESOURCE_KEYS  # nothing else belongs there (a page, an action…)
        }
    )
    group = page.obj.get("/Group")
    if isinstance(group, pikepdf.Dictionary):
        form.Group = _import(out, group)
    return out.make_indirect(form), geometry


def _matrix(
    box: _Box,
    rotate: int,
    unit: float,
    area: tuple[float, float, float, float],
) -> tuple[float, ...]:
    """The ``cm`` matrix drawing ``box`` turned ``rotate`` degrees clockwise, at ``unit``
    points per unit, fitted (never enlarged) and centred in ``area`` (x, y, w, h)."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    rotation = {
        0: ((1, 0, 0, 1, 0, 0), w, h),
        90: ((0, -1, 1, 0, 0, w), h, w),
        180: ((-1, 0, 0, -1, w, h), w, h),
        270: ((0, 1, -1, 0, h, 0), h, w),
    }
    (ra, rb, rc, rd, re, rf), dw, dh = rotation[rotate]
    ax, ay, aw, ah = area
    scale = unit * min(1.0, aw / (dw * unit), ah / (dh * unit))
    tx = ax + (aw - dw * scale) / 2
    ty = ay + (ah - dh * scale) / 2
    # translate(-x0, -y0), then the rotation, then scale, then translate(tx, ty)
    e0 = -x0 * ra - y0 * rc + re
    f0 = -x0 * rb - y0 * rd + rf
    return (
        ra * scale,
        rb * scale,
        rc * scale,
        rd * scale,
        e0 * scale + tx,
        f0 * scale + ty,
    )


def _packet_page(
    out: Any,
    slot: _Slot,
    form: Any,
    geometry: _Geometry,
    stamp_page: Any,
    cache: dict[bytes, dict[str, Any]],
) -> Any:
    """A new page of ``out``: the source page (``form``) placed, under its stamp page."""
    import pikepdf
    from pikepdf import Name

    box, rotate, unit = geometry
    rotate = (rotate + slot.rotate) % 360
    if slot.exhibit:
        area = (MARGIN, BAND, slot.width - 2 * MARGIN, slot.height - BAND - MARGIN)
    else:
        area = (0.0, 0.0, slot.width, slot.height)
    m = _matrix(box, rotate, unit, area)
    place = b"q %s cm %s Do Q\n" % (
        " ".join(_fmt(v) for v in m).encode("ascii"),
        _FORM_NAME.encode("ascii"),
    )
    stamp = stamp_page.obj
    stamp_resources = stamp.get("/Resources")
    if not isinstance(stamp_resources, pikepdf.Dictionary):
        stamp_resources = pikepdf.Dictionary()
    key = stamp_resources.unparse()  # the same on most stamp pages: import it once
    entries = cache.get(key)
    if entries is None:
        entries = cache[key] = {k: _import(out, v) for k, v in stamp_resources.items()}
    resources = pikepdf.Dictionary(entries)
    xobjects = pikepdf.Dictionary()
    if isinstance(entries.get("/XObject"), pikepdf.Dictionary):
        xobjects = pikepdf.Dictionary(dict(entries["/XObject"].items()))
    xobjects[_FORM_NAME] = form
    resources.XObject = xobjects
    contents = [out.make_stream(place)]
    stamp_contents = stamp.get("/Contents")
    if isinstance(stamp_contents, pikepdf.Array):
        contents.extend(out.copy_foreign(s) for s in stamp_contents)
    elif stamp_contents is not None:
        contents.append(out.copy_foreign(stamp_contents))
    page = pikepdf.Dictionary(
        Type=Name.Page,
        MediaBox=pikepdf.Array([0, 0, _round(slot.width), _round(slot.height)]),
        Resources=resources,
        Contents=pikepdf.Array(contents),
    )
    return pikepdf.Page(out.make_indirect(page))


def _round(v: float) -> float | int:
    r = round(v, 3)
    return int(r) if r == int(r) else r


def _fmt(v: float) -> str:
    text = f"{v:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


# -- active content ---------------------------------------------------------------------------


# A T-IN-3 name as a whole name token (qpdf writes names in their canonical form: a name
# spelled with #xx escapes in the file unparses as the plain name).
_ACTIVE_TOKEN = re.compile(
    rb"/(?:" + b"|".join(re.escape(n[1:].encode()) for n in ACTIVE_NAMES) + rb")"
    rb"(?=[\x00\t\n\x0c\r /<>\[\](){}%]|$)"
)


def _walk_active(pdf: Any) -> Iterator[tuple[str, Any, Any]]:
    """Every T-IN-3 name in ``pdf``: (name, the dictionary or array holding it, its key or
    index). Visits every indirect object and the trailer, and direct objects at any depth;
    an object whose text has none of the names (the usual case) is not walked in Python."""
    import pikepdf

    stream_t = pikepdf.ObjectType.stream
    for obj in (pdf.trailer, *pdf.objects):
        code = getattr(obj, "_type_code", None)
        if code == stream_t:
            text = obj.stream_dict.unparse()
        elif code in (pikepdf.ObjectType.dictionary, pikepdf.ObjectType.array):
            text = obj.unparse(resolved=True)
        else:
            continue
        if _ACTIVE_TOKEN.search(text):
            yield from _walk_object(obj)


def _walk_object(top: Any) -> Iterator[tuple[str, Any, Any]]:
    """The T-IN-3 names in ``top`` and its direct objects (not following references)."""
    import pikepdf

    dict_t = pikepdf.ObjectType.dictionary
    array_t = pikepdf.ObjectType.array
    stream_t = pikepdf.ObjectType.stream
    name_t = pikepdf.ObjectType.name_
    stack: list[Any] = [top]
    while stack:
        obj = stack.pop()
        code = getattr(obj, "_type_code", None)
        if code in (dict_t, stream_t):
            for key, value in obj.items():
                if key in _ACTIVE:
                    yield key, obj, key  # and look inside too: every name is reported
                vcode = getattr(value, "_type_code", None)
                if vcode == name_t:
                    if str(value) in _ACTIVE:
                        yield str(value), obj, key
                elif vcode in (dict_t, array_t) and not value.is_indirect:
                    stack.append(value)
        elif code == array_t:
            for i, value in enumerate(obj):
                vcode = getattr(value, "_type_code", None)
                if vcode == name_t:
                    if str(value) in _ACTIVE:
                        yield str(value), obj, i
                elif vcode in (dict_t, array_t) and not value.is_indirect:
                    stack.append(value)


def _compress_unfiltered(pdf: Any) -> None:
    """Deflate every stream that has no filter (ours and any the inputs left plain): its raw
    bytes are its data, so nothing is decoded."""
    import zlib

    import pikepdf

    stream_t = pikepdf.ObjectType.stream
    for obj in pdf.objects:
        if getattr(obj, "_type_code", None) == stream_t and "/Filter" not in obj:
            data = obj.read_raw_bytes()
            if data:
                obj.write(zlib.compress(data), filter=pikepdf.Name.FlateDecode)


def _strip_active(pdf: Any) -> None:
    """Remove every T-IN-3 name from ``pdf`` (the dictionary entry or array element)."""
    found = list(_walk_active(pdf))
    # Last found first: what is inside an entry goes before the entry, and within an array
    # the higher index before the lower.
    for _name, holder, key in reversed(found):
        present = key in holder if isinstance(key, str) else key < len(holder)
        if present:  # a key and its value may both be named: deleted once
            del holder[key]
