"""Filling DMHC's own fillable PDF of a form, when an administrator placed one.

``forms/packet/official/<form id>.pdf`` with ``<form id>.map.json`` beside it makes the
packet fill that PDF instead of drawing our reproduction. The map is
``{"AcroForm field name": "context key"}``; a key may be written ``key|date`` (a format of
:func:`imrdesktop.packet.forms.format_value`), ``!key`` (a check box ticked when the value
is false) or ``key=value`` (ticked when the value equals ``value``). Text fields take the
formatted value, check boxes their "on" state.

The filled form is flattened (pikepdf/qpdf: appearance streams generated, then every
annotation merged into the page), and everything active is removed (JavaScript, actions,
embedded files, XFA, links): a packet holds none (docs/packet.md, T-IN-3). qpdf draws
appearances with the form's own font and WinAnsi text only, so a value it cannot encode (a
Chinese or Arabic name) is left out of the field and drawn over the page with our embedded
fonts (:mod:`imrdesktop.packet.text`) inside the field's rectangle instead.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from imrdesktop.resources_path import forms_path

OFFICIAL_DIR = ("packet", "official")
_SPEC = re.compile(r"^(!?)([A-Za-z0-9_.]+)(?:\|([a-z]+)|=(.*))?$")
_ACTIVE_KEYS = (
    "/AA", "/OpenAction", "/JavaScript", "/JS", "/EmbeddedFiles", "/XFA", "/RichMedia",
    "/URI", "/Launch", "/SubmitForm", "/ImportData",
)  # fmt: skip
_ACTION_TYPES = {
    "/JavaScript", "/Launch", "/SubmitForm", "/URI", "/ImportData", "/ResetForm",
    "/RichMediaExecute", "/GoToR", "/GoToE", "/Rendition", "/Sound", "/Movie",
}  # fmt: skip


def official_dir() -> Path:
    """``forms/packet/official/`` (where an administrator places DMHC's fillable PDFs)."""
    return forms_path(*OFFICIAL_DIR)


def official_form_path(form_id: str) -> Path | None:
    """The administrator's official PDF for ``form_id`` when it and its map are present."""
    if not re.match(r"^[a-z0-9_]+$", form_id or ""):
        return None
    try:
        folder = official_dir()
    except FileNotFoundError:
        return None
    pdf = folder / f"{form_id}.pdf"
    mapping = folder / f"{form_id}.map.json"
    return pdf if pdf.is_file() and mapping.is_file() else None


def load_map(path: Path) -> dict[str, str]:
    """``<id>.map.json`` checked: field name -> spec; a bad entry raises ValueError."""
    name = f"forms/packet/official/{path.name}"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"{name}: cannot be read as JSON ({exc})") from None
    if not isinstance(data, dict) or not data:
        raise ValueError(f"{name}: must be an object of field name -> context key")
    for field, spec in data.items():
        if field.startswith("_"):
            continue
        if not isinstance(spec, str) or not _SPEC.match(spec):
            raise ValueError(f"{name}: {field!r}: not a context key: {spec!r}")
    return {k: v for k, v in data.items() if not k.startswith("_")}


def _labels(form_id: str) -> dict[str, str]:
    """Context key -> the label our reproduction gives it (for ``missing``)."""
    from imrdesktop.packet.forms import load_form

    try:
        form = load_form(form_id)
    except ValueError:
        return {}
    labels: dict[str, str] = {}

    def walk(blocks) -> None:
        for block in blocks:
            for item in block.get("fields", ()):
                value = item.get("value")
                for key in value if isinstance(value, list) else [value]:
                    if isinstance(key, str):
                        labels.setdefault(key, item["label"])
            if "yesno" in block and "label" in block:
                labels.setdefault(block["yesno"], block["label"])
            walk(block.get("blocks", ()))

    walk(form.blocks)
    return labels


def _winansi(text: str) -> bool:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _on_state(field: Any) -> Any:
    import pikepdf

    for annot in [field.obj, *field.obj.get("/Kids", [])]:
        ap = annot.get("/AP")
        if ap is not None and "/N" in ap:
            for name in ap.N:
                if name != "/Off":
                    return pikepdf.Name(name)
    return pikepdf.Name.Yes


def _strip_active(pdf: Any) -> None:
    import pikepdf

    root = pdf.Root
    for key in ("/AcroForm", "/OpenAction", "/AA"):
        if key in root:
            del root[key]
    names = root.get("/Names")
    if names is not None:
        for key in ("/JavaScript", "/EmbeddedFiles"):
            if key in names:
                del names[key]
    for page in pdf.pages:
        for key in ("/Annots", "/AA"):
            if key in page.obj:
                del page.obj[key]
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary):
            continue
        if obj.get("/S") in _ACTION_TYPES:
            for key in list(obj.keys()):
                del obj[key]
            continue
        for key in _ACTIVE_KEYS:
            if key in obj:
                del obj[key]


def _overlay(page_sizes: list[tuple[float, float]], draws: dict[int, list], sample: bool):
    """A reportlab PDF with the texts qpdf could not draw, and the SAMPLE watermark."""
    from reportlab.pdfgen.canvas import Canvas

    from imrdesktop.packet import text as T
    from imrdesktop.packet.fonts import SANS
    from imrdesktop.packet.forms import _watermark

    T.register_base()
    buf = io.BytesIO()
    c = Canvas(buf, initialFontName=SANS)
    for i, (w, h) in enumerate(page_sizes):
        c.setPageSize((w, h))
        for x, y, width, height, value in draws.get(i, ()):
            size = max(6.0, min(11.0, height * 0.7))
            while size > 5 and T.string_width(value, size) > width - 4:
                size -= 0.5
            T.draw_string(c, x + 2, y + (height - size) / 2 + size * 0.22, value, size)
        if sample:
            c.saveState()
            c.translate((w - 612) / 2, (h - 792) / 2)
            _watermark(c)
            c.restoreState()
        c.showPage()
    c.save()
    return buf.getvalue()


def fill_official(form_id: str, context: Mapping[str, Any], *, sample: bool = False):
    """Fill the official PDF's fields from ``context``, flatten it, strip active content."""
    import pikepdf

    from imrdesktop.packet.forms import RenderedForm, _lookup, format_value

    path = official_form_path(form_id)
    if path is None:
        raise ValueError(f"no official PDF for the form {form_id!r}")
    mapping = load_map(path.with_name(f"{form_id}.map.json"))
    labels = _labels(form_id)
    missing: list[str] = []
    draws: dict[int, list] = {}

    from imrdesktop.i18n import _

    with pikepdf.open(io.BytesIO(path.read_bytes())) as pdf:
        page_of = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
        widget_page = {
            annot.objgen: i
            for i, page in enumerate(pdf.pages)
            for annot in page.obj.get("/Annots", pikepdf.Array())
            if isinstance(annot, pikepdf.Dictionary)
        }
        acro = pdf.acroform
        for field in acro.fields:
            spec = mapping.get(field.fully_qualified_name)
            if spec is None:
                continue
            negate, key, fmt, equals = _SPEC.match(spec).groups()
            raw = _lookup(context, key)
            if raw is None and not negate:
                label = _(labels.get(key, field.fully_qualified_name))
                if label not in missing:
                    missing.append(label)
            if field.is_checkbox:
                if equals is not None:
                    on = raw is not None and str(raw) == equals
                elif negate:
                    on = raw is False
                else:
                    on = bool(raw)
                field.set_value(_on_state(field) if on else pikepdf.Name.Off)
                continue
            if field.is_pushbutton or field.is_radio_button:
                continue
            value = "" if raw is None else format_value(raw, fmt)
            if value and not _winansi(value):
                for annot in acro.get_annotations_for_field(field):
                    rect = [float(v) for v in annot.obj.Rect]
                    index = widget_page.get(annot.obj.objgen)
                    if index is None:
                        page = annot.obj.get("/P")
                        index = page_of.get(page.objgen, 0) if page is not None else 0
                    x0, y0, x1, y1 = min(rect[0], rect[2]), min(rect[1], rect[3]), *rect[2:]
                    draws.setdefault(index, []).append((x0, y0, abs(x1 - x0), abs(y1 - y0), value))
                value = ""
            field.set_value(value)
        pdf.generate_appearance_streams()
        pdf.flatten_annotations("all")
        _strip_active(pdf)
        if draws or sample:
            sizes = [(float(p.mediabox[2]), float(p.mediabox[3])) for p in pdf.pages]
            with pikepdf.open(io.BytesIO(_overlay(sizes, draws, sample))) as over:
                for i, page in enumerate(pdf.pages):
                    if draws.get(i) or sample:
                        page.add_overlay(over.pages[i])
                out = io.BytesIO()
                pdf.save(out)
        else:
            out = io.BytesIO()
            pdf.save(out)
        pages = len(pdf.pages)
    return RenderedForm(out.getvalue(), pages, missing)


__all__ = ["fill_official", "load_map", "official_form_path"]
