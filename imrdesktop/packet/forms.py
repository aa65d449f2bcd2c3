"""Printed forms as data (``forms/packet/<id>.json``) and the one reportlab renderer for them.

The form language is described in docs/packet.md; this module is its reference. A form is
``{"format": "imrdesktop.form", "version": 1, "id", "title", "font_size", "blocks": […]}``
with optional ``subtitle`` (a line under the title), ``footer`` (the form's name in the
footer; default: the title) and ``min_size`` (no text on the form is smaller: the release
form says 14). Every ``text``/``label`` is an English gettext msgid translated at render
time; ``value`` names a key of the packet context (a flat dict, see
:mod:`imrdesktop.services.packet_context`), or a list of keys (the first present wins).

Blocks (each may carry ``"when": "key"`` or ``"when": "!key"``: left out unless the context
value is true, or false/absent):

- ``banner`` ``text``: a boxed, bold, centred line (URGENT);
- ``heading`` ``text``: a section heading, kept with what follows;
- ``lines`` ``values`` (keys, or ``{"value", "label", "optional", "format"}``), optional ``label``
  (caption), ``size``, ``bold``, ``align`` (left/center): an address; a labelled value
  that is missing prints as "label: ______";
- ``fields`` ``columns`` (1–3), ``fields``: ``{"label", "value" | "text", "format",
  "lines", "span", "optional", "when"}``; the label sits above the line on which the value
  is printed; a missing value leaves the line blank for hand completion and its label is
  reported in ``missing`` (unless ``optional``). ``text`` is a template with ``{key}`` (or
  ``{key|format}``) placeholders. Formats: ``date`` (YYYY-MM-DD -> MM/DD/YYYY), ``yesno``,
  ``article`` (groups of 4), ``text``;
- ``checks`` ``label`` and ``options`` ``[{"text", "checked": "key" | "!key", "equals"}]``,
  or ``yesno: key`` (Yes / No boxes); boxes are drawn, not font glyphs. A ``yesno`` whose
  key is absent, or a ``required`` list none of whose keys is present, is reported missing;
- ``paragraph`` ``text`` with placeholders (a missing one prints as a blank line; with
  ``labels: {key: label}`` it is reported), ``size``, ``bold``, ``align`` (left/center);
- ``table`` ``rows`` (a context list of dicts), ``columns`` ``[{"label", "value" |
  "template", "width", "align", "format"}]``, optional ``total`` ``{"label", "column"}``,
  ``empty`` (text when there are no rows) or ``blank_rows``; the header repeats on each page;
- ``signature`` ``lines`` (labels, or ``{"label", "value", "format", "width"}``), optional
  ``title``, ``text`` and ``box`` (a ruled box holding only this signature);
- ``notice`` ``text``: small print in a thin box;
- ``row`` ``blocks``: blocks side by side in equal columns (e.g. To and From);
- ``space`` ``height`` (points) and ``page_break``.

Pages: US Letter, 0.75 in margins, fonts through :mod:`imrdesktop.packet.text` (every font
embedded; the canvas's initial font is IMRSans), automatic page breaks, the footer
"Form name — page x of y", a diagonal SAMPLE on every page of a training-vault packet.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imrdesktop.i18n import _, use_language
from imrdesktop.packet import text as T
from imrdesktop.packet.fonts import SANS
from imrdesktop.resources_path import forms_path

FORMAT = "imrdesktop.form"
VERSION = 1
FORMS_DIR = "packet"
FORM_IDS = (
    "cover_sheet",
    "letter",
    "application",
    "assistant",
    "release",
    "exhibit_index",
    "envelope",
)

INCH = 72.0
PAGE_W, PAGE_H = 8.5 * INCH, 11 * INCH
MARGIN = 0.75 * INCH
CONTENT_W = PAGE_W - 2 * MARGIN
TOP = PAGE_H - MARGIN
BOTTOM = MARGIN
FOOTER_Y = 0.45 * INCH

GREY = (0.35, 0.35, 0.35)
RULE_GREY = (0.6, 0.6, 0.6)
FILL_GREY = (0.9, 0.9, 0.9)
BLANK = "________________"
FORMATS = ("text", "date", "yesno", "article")
_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_.]+)(?:\|([a-z]+))?\}")
_KEY = re.compile(r"^!?[A-Za-z0-9_.]+$")


# --- the form definition ---------------------------------------------------------------------
@dataclass(frozen=True)
class FormDef:
    id: str
    title: str
    blocks: tuple[Mapping[str, Any], ...]
    font_size: float = 10.0
    min_size: float = 0.0
    subtitle: str = ""
    footer: str = ""
    source: str = ""


@dataclass(frozen=True)
class RenderedForm:
    pdf: bytes
    pages: int
    missing: list[str] = field(default_factory=list)


class _Bad(ValueError):
    pass


def _need(cond: bool, where: str, problem: str) -> None:
    if not cond:
        raise _Bad(f"{where}: {problem}")


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _check_key(value: Any, where: str, *, allow_list: bool = False) -> None:
    if allow_list and isinstance(value, list):
        _need(bool(value), where, "an empty list of keys")
        for i, item in enumerate(value):
            _check_key(item, f"{where}[{i}]")
        return
    _need(isinstance(value, str) and bool(_KEY.match(value)), where, "must be a context key")


def _check_number(value: Any, where: str, lo: float, hi: float) -> None:
    _need(
        isinstance(value, int | float) and not isinstance(value, bool) and lo <= value <= hi,
        where,
        f"must be a number from {lo:g} to {hi:g}",
    )


_BLOCK_KEYS: dict[str, tuple[set[str], set[str]]] = {
    # type: (required keys, optional keys) besides "type" and "when"
    "banner": ({"text"}, set()),
    "heading": ({"text"}, set()),
    "lines": ({"values"}, {"label", "size", "bold", "align"}),
    "fields": ({"fields"}, {"columns"}),
    "checks": (set(), {"label", "options", "yesno", "optional", "required"}),
    "paragraph": ({"text"}, {"size", "bold", "labels", "align"}),
    "table": ({"rows", "columns"}, {"total", "empty", "blank_rows"}),
    "signature": ({"lines"}, {"title", "text", "box"}),
    "notice": ({"text"}, set()),
    "row": ({"blocks"}, set()),
    "space": ({"height"}, set()),
    "page_break": (set(), set()),
}


def _check_block(block: Any, where: str) -> None:
    _need(isinstance(block, dict), where, "a block must be an object")
    kind = block.get("type")
    _need(kind in _BLOCK_KEYS, where, f"unknown block type {kind!r}")
    where = f"{where} ({kind})"
    required, optional = _BLOCK_KEYS[kind]
    for key in required:
        _need(key in block, where, f"needs {key!r}")
    for key in block:
        _need(
            key in required or key in optional or key in ("type", "when"),
            where,
            f"unknown key {key!r}",
        )
    if "when" in block:
        _check_key(block["when"], f"{where}.when")
    for key in ("text", "label", "title"):
        if key in block:
            _need(_is_text(block[key]), f"{where}.{key}", "must be non-empty text")
    if "size" in block:
        _check_number(block["size"], f"{where}.size", 5, 48)
    if "align" in block:
        _need(block["align"] in ("left", "center"), f"{where}.align", "must be left or center")
    for key in ("bold", "box", "optional"):
        if key in block:
            _need(isinstance(block[key], bool), f"{where}.{key}", "must be true or false")
    checker = _CHECKERS.get(kind)
    if checker:
        checker(block, where)


def _check_lines(block: dict, where: str) -> None:
    values = block["values"]
    _need(isinstance(values, list) and bool(values), f"{where}.values", "must be a list")
    for i, item in enumerate(values):
        w = f"{where}.values[{i}]"
        if isinstance(item, dict):
            _need(set(item) <= {"value", "label", "optional", "format"}, w, "unknown key")
            _check_format(item, w)
            _check_key(item.get("value"), f"{w}.value", allow_list=True)
            if "label" in item:
                _need(_is_text(item["label"]), f"{w}.label", "must be non-empty text")
        else:
            _check_key(item, w, allow_list=True)


def _check_format(item: dict, where: str) -> None:
    if "format" in item:
        _need(item["format"] in FORMATS, f"{where}.format", f"must be one of {FORMATS}")


def _check_fields(block: dict, where: str) -> None:
    cols = block.get("columns", 1)
    _need(cols in (1, 2, 3), f"{where}.columns", "must be 1, 2 or 3")
    fields = block["fields"]
    _need(isinstance(fields, list) and bool(fields), f"{where}.fields", "must be a list")
    allowed = {"label", "value", "text", "format", "lines", "span", "optional", "when"}
    for i, item in enumerate(fields):
        w = f"{where}.fields[{i}]"
        _need(isinstance(item, dict), w, "must be an object")
        _need(set(item) <= allowed, w, f"unknown key among {sorted(set(item) - allowed)}")
        _need(_is_text(item.get("label")), f"{w}.label", "must be non-empty text")
        _need(("value" in item) != ("text" in item), w, "needs exactly one of value or text")
        if "value" in item:
            _check_key(item["value"], f"{w}.value", allow_list=True)
        else:
            _need(_is_text(item["text"]), f"{w}.text", "must be non-empty text")
        _check_format(item, w)
        if "lines" in item:
            _check_number(item["lines"], f"{w}.lines", 1, 30)
        if "span" in item:
            _need(item["span"] in (1, 2, 3), f"{w}.span", "must be 1, 2 or 3")
        if "when" in item:
            _check_key(item["when"], f"{w}.when")


def _check_checks(block: dict, where: str) -> None:
    _need(("options" in block) != ("yesno" in block), where, "needs options or yesno")
    if "yesno" in block:
        _check_key(block["yesno"], f"{where}.yesno")
        return
    options = block["options"]
    _need(isinstance(options, list) and bool(options), f"{where}.options", "must be a list")
    for i, opt in enumerate(options):
        w = f"{where}.options[{i}]"
        _need(isinstance(opt, dict), w, "must be an object")
        _need(set(opt) <= {"text", "checked", "equals", "when"}, w, "unknown key")
        _need(_is_text(opt.get("text")), f"{w}.text", "must be non-empty text")
        if "checked" in opt:
            _check_key(opt["checked"], f"{w}.checked")
        if "when" in opt:
            _check_key(opt["when"], f"{w}.when")
    if "required" in block:
        _need(isinstance(block["required"], bool), f"{where}.required", "must be true or false")


def _check_paragraph(block: dict, where: str) -> None:
    labels = block.get("labels", {})
    _need(isinstance(labels, dict), f"{where}.labels", "must be an object")
    for key, label in labels.items():
        _check_key(key, f"{where}.labels")
        _need(_is_text(label), f"{where}.labels.{key}", "must be non-empty text")


def _check_table(block: dict, where: str) -> None:
    _check_key(block["rows"], f"{where}.rows")
    cols = block["columns"]
    _need(isinstance(cols, list) and bool(cols), f"{where}.columns", "must be a list")
    total_w = 0.0
    for i, col in enumerate(cols):
        w = f"{where}.columns[{i}]"
        _need(isinstance(col, dict), w, "must be an object")
        allowed = {"label", "value", "template", "width", "align", "format"}
        _need(set(col) <= allowed, w, "unknown key")
        _need(_is_text(col.get("label")), f"{w}.label", "must be non-empty text")
        _need(("value" in col) != ("template" in col), w, "needs exactly one of value, template")
        if "value" in col:
            _need(isinstance(col["value"], str) and bool(col["value"]), f"{w}.value", "a key")
        else:
            _need(_is_text(col["template"]), f"{w}.template", "must be text")
        if "width" in col:
            _check_number(col["width"], f"{w}.width", 0.02, 1)
            total_w += col["width"]
        if "align" in col:
            _need(col["align"] in ("left", "right", "center"), f"{w}.align", "left/right/center")
        _check_format(col, w)
    _need(total_w <= 1.0001, f"{where}.columns", "widths add up to more than 1")
    if "total" in block:
        total = block["total"]
        _need(
            isinstance(total, dict) and set(total) == {"label", "column"},
            f"{where}.total",
            "must be {label, column}",
        )
        _need(_is_text(total["label"]), f"{where}.total.label", "must be text")
        names = [c.get("value") for c in cols]
        _need(total["column"] in names, f"{where}.total.column", "must name a column's value")
    if "empty" in block:
        _need(_is_text(block["empty"]), f"{where}.empty", "must be text")
    if "blank_rows" in block:
        _check_number(block["blank_rows"], f"{where}.blank_rows", 0, 40)


def _check_signature(block: dict, where: str) -> None:
    lines = block["lines"]
    _need(isinstance(lines, list) and bool(lines), f"{where}.lines", "must be a list")
    for i, item in enumerate(lines):
        w = f"{where}.lines[{i}]"
        if isinstance(item, dict):
            _need(set(item) <= {"label", "value", "format", "width"}, w, "unknown key")
            _need(_is_text(item.get("label")), f"{w}.label", "must be non-empty text")
            if "value" in item:
                _check_key(item["value"], f"{w}.value", allow_list=True)
            if "width" in item:
                _check_number(item["width"], f"{w}.width", 0.1, 1)
            _check_format(item, w)
        else:
            _need(_is_text(item), w, "must be a label or an object")


def _check_row(block: dict, where: str) -> None:
    blocks = block["blocks"]
    _need(isinstance(blocks, list) and 1 <= len(blocks) <= 3, f"{where}.blocks", "1 to 3 blocks")
    for i, sub in enumerate(blocks):
        _check_block(sub, f"{where}.blocks[{i}]")
        _need(
            sub["type"] not in ("row", "page_break", "table"),
            f"{where}.blocks[{i}]",
            "cannot sit in a row",
        )


def _check_space(block: dict, where: str) -> None:
    _check_number(block["height"], f"{where}.height", 0, 400)


_CHECKERS: dict[str, Callable[[dict, str], None]] = {
    "lines": _check_lines,
    "fields": _check_fields,
    "checks": _check_checks,
    "paragraph": _check_paragraph,
    "table": _check_table,
    "signature": _check_signature,
    "row": _check_row,
    "space": _check_space,
}


def parse_form(data: Any, source: str = "(form)") -> FormDef:
    """Check a form definition; a problem raises ValueError naming ``source`` and the block."""
    try:
        _need(isinstance(data, dict), source, "a form must be a JSON object")
        _need(data.get("format") == FORMAT, f"{source}: format", f"must be {FORMAT!r}")
        _need(data.get("version") == VERSION, f"{source}: version", f"must be {VERSION}")
        allowed = {
            "format", "version", "id", "title", "subtitle", "footer", "font_size",
            "min_size", "blocks", "_comment",
        }  # fmt: skip
        unknown = set(data) - allowed
        _need(not unknown, source, f"unknown keys {sorted(unknown)}")
        _need(
            isinstance(data.get("id"), str) and bool(re.match(r"^[a-z0-9_]+$", data["id"])),
            f"{source}: id",
            "must be a lower-case name",
        )
        _need(_is_text(data.get("title")), f"{source}: title", "must be non-empty text")
        for key in ("subtitle", "footer"):
            if key in data:
                _need(_is_text(data[key]), f"{source}: {key}", "must be non-empty text")
        size = data.get("font_size", 10)
        _check_number(size, f"{source}: font_size", 6, 24)
        min_size = data.get("min_size", 0)
        _check_number(min_size, f"{source}: min_size", 0, 24)
        blocks = data.get("blocks")
        _need(isinstance(blocks, list) and bool(blocks), f"{source}: blocks", "must be a list")
        for i, block in enumerate(blocks):
            _check_block(block, f"{source}: block {i + 1}")
    except _Bad as exc:
        raise ValueError(str(exc)) from None
    return FormDef(
        id=data["id"],
        title=data["title"],
        blocks=tuple(blocks),
        font_size=float(size),
        min_size=float(min_size),
        subtitle=data.get("subtitle", ""),
        footer=data.get("footer", ""),
        source=source,
    )


def form_file(form_id: str) -> Path:
    return forms_path(FORMS_DIR, f"{form_id}.json")


@functools.cache
def _load(form_id: str, path: Path, mtime: float) -> FormDef:
    name = f"forms/{FORMS_DIR}/{path.name}"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"{name}: cannot be read as JSON ({exc})") from None
    form = parse_form(data, name)
    if form.id != form_id:
        raise ValueError(f"{name}: id: is {form.id!r}, the file name says {form_id!r}")
    return form


def load_form(form_id: str) -> FormDef:
    """``forms/packet/<form_id>.json``, checked (cached until the file changes)."""
    if not re.match(r"^[a-z0-9_]+$", form_id or ""):
        raise ValueError(f"not a form name: {form_id!r}")
    path = form_file(form_id)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        raise ValueError(f"forms/{FORMS_DIR}/{form_id}.json: no such form") from None
    return _load(form_id, path, mtime)


# --- values ----------------------------------------------------------------------------------
def _present(value: Any) -> bool:
    """Known: not None, not blank text, not an empty list (False is a known answer)."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple):
        return bool(value)
    return True


def _lookup(ctx: Mapping[str, Any], key: str | list[str]) -> Any:
    for k in key if isinstance(key, list) else [key]:
        value = ctx.get(k)
        if _present(value):
            return value
    return None


def _truthy(ctx: Mapping[str, Any], cond: str) -> bool:
    if cond.startswith("!"):
        return not bool(ctx.get(cond[1:]))
    return bool(ctx.get(cond))


def format_value(value: Any, fmt: str | None = None) -> str:
    """A context value as printed: ``date`` -> MM/DD/YYYY, ``yesno``, ``article`` in groups."""
    if value is None:
        return ""
    if fmt == "date" and isinstance(value, str | dt.date):
        try:
            day = value if isinstance(value, dt.date) else dt.date.fromisoformat(value.strip())
        except ValueError:
            return str(value)
        return day.strftime("%m/%d/%Y")
    if fmt == "yesno" or isinstance(value, bool):
        return _("Yes") if value else _("No")
    if fmt == "article":
        from imrdesktop.domain.usps import group4

        digits = re.sub(r"\D", "", str(value))
        return group4(digits) if digits else str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def fill(template: str, ctx: Mapping[str, Any], missing: list[str] | None = None) -> str:
    """``{key}`` / ``{key|format}`` placeholders filled from ``ctx``; a missing one becomes a
    blank line (its key appended to ``missing``)."""

    def sub(m: re.Match[str]) -> str:
        value = _lookup(ctx, m.group(1))
        if value is None:
            if missing is not None:
                missing.append(m.group(1))
            return BLANK
        return format_value(value, m.group(2))

    return _PLACEHOLDER.sub(sub, template)


# --- layout: pieces of known height, placed on pages -----------------------------------------
Draw = Callable[[Any, float, float], None]  # (canvas, x, y_top)


@dataclass
class _Piece:
    height: float
    draw: Draw | None = None  # None: vertical space (dropped at the top of a page)
    keep_with_next: bool = False
    header: _Piece | None = None  # a table's header, repeated when this piece starts a page
    new_page: bool = False


class _Ctx:
    """What a block needs while it is laid out: the form's sizes, the context, ``missing``."""

    def __init__(self, form: FormDef, context: Mapping[str, Any]):
        self.form = form
        self.ctx = context
        self.missing: list[str] = []
        self.fs = max(form.font_size, form.min_size)

    def size(self, wanted: float) -> float:
        return max(wanted, self.form.min_size)

    @property
    def small(self) -> float:
        return self.size(self.fs - 2)

    @property
    def lead(self) -> float:
        return self.fs * 1.3

    def report(self, label: str) -> None:
        text = _(label).rstrip(" :")
        if text not in self.missing:
            self.missing.append(text)


def _text_piece(
    lines: list[str], size: float, lead: float, *, bold: bool = False, color=None, indent=0.0
) -> list[_Piece]:
    pieces = []
    for line in lines:

        def draw(c, x, y, line=line):
            if color:
                c.setFillColorRGB(*color)
            T.draw_string(c, x + indent, y - size, line, size, bold=bold)
            if color:
                c.setFillColorRGB(0, 0, 0)

        pieces.append(_Piece(lead, draw))
    return pieces


def _gap(h: float) -> _Piece:
    return _Piece(h, None)


def _box(c, x: float, y: float, size: float, checked: bool) -> None:
    """A check box with its bottom at ``y`` (drawn with lines: no font glyph needed)."""
    c.setLineWidth(0.8)
    c.rect(x, y, size, size, stroke=1, fill=0)
    if checked:
        inset = size * 0.18
        c.setLineWidth(1.3)
        c.line(x + inset, y + inset, x + size - inset, y + size - inset)
        c.line(x + inset, y + size - inset, x + size - inset, y + inset)
    c.setLineWidth(1)


def _layout_banner(b, cx: _Ctx, width: float) -> list[_Piece]:
    size = cx.size(cx.fs + 3)
    lines = T.wrap(_(b["text"]), width - 16, size, bold=True)
    h = len(lines) * size * 1.25 + 12

    def draw(c, x, y):
        c.setLineWidth(2.2)
        c.setFillColorRGB(*FILL_GREY)
        c.rect(x, y - h, width, h, stroke=1, fill=1)
        c.setFillColorRGB(0, 0, 0)
        c.setLineWidth(1)
        ty = y - 6 - size
        for line in lines:
            T.draw_string(c, x + width / 2, ty, line, size, bold=True, align="center")
            ty -= size * 1.25

    return [_Piece(h, draw), _gap(cx.fs * 0.8)]


def _layout_heading(b, cx: _Ctx, width: float) -> list[_Piece]:
    size = cx.size(cx.fs + 2)
    lines = T.wrap(_(b["text"]), width, size, bold=True)
    h = len(lines) * size * 1.25 + 5

    def draw(c, x, y):
        ty = y - size
        for line in lines:
            T.draw_string(c, x, ty, line, size, bold=True)
            ty -= size * 1.25
        c.setStrokeColorRGB(*RULE_GREY)
        c.setLineWidth(0.6)
        c.line(x, y - h + 2, x + width, y - h + 2)
        c.setStrokeColorRGB(0, 0, 0)
        c.setLineWidth(1)

    return [_gap(cx.fs * 0.4), _Piece(h, draw, keep_with_next=True), _gap(cx.fs * 0.35)]


def _layout_lines(b, cx: _Ctx, width: float) -> list[_Piece]:
    size = cx.size(b.get("size", cx.fs))
    bold = b.get("bold", False)
    center = b.get("align") == "center"
    out: list[_Piece] = []
    if "label" in b:
        out += _text_piece([_(b["label"])], cx.small, cx.small * 1.35, color=GREY)
        out[-1].keep_with_next = True
    rows: list[str] = []
    for item in b["values"]:
        spec = item if isinstance(item, dict) else {"value": item}
        value = _lookup(cx.ctx, spec["value"])
        if value is None:
            if "label" in spec:
                rows.append(f"{_(spec['label'])}: {BLANK}")
                if not spec.get("optional"):
                    cx.report(spec["label"])
            continue
        for part in format_value(value, spec.get("format")).splitlines():
            rows.extend(T.wrap(part, width, size, bold) or [""])
    lead = size * 1.3
    if not rows:  # nothing known: blank lines to write the address by hand
        for _i in range(3):

            def blank(c, x, y):
                c.setStrokeColorRGB(*RULE_GREY)
                c.setLineWidth(0.5)
                c.line(x, y - size - 2, x + width * 0.9, y - size - 2)
                c.setStrokeColorRGB(0, 0, 0)
                c.setLineWidth(1)

            out.append(_Piece(lead + 3, blank))
    for row in rows:

        def draw(c, x, y, row=row):
            if center:
                T.draw_string(c, x + width / 2, y - size, row, size, bold=bold, align="center")
            else:
                T.draw_string(c, x, y - size, row, size, bold=bold)

        out.append(_Piece(lead, draw))
    out.append(_gap(cx.fs * 0.5))
    return out


def _field_value(item: Mapping[str, Any], cx: _Ctx) -> str | None:
    if "text" in item:
        gaps: list[str] = []
        filled = fill(_(item["text"]), cx.ctx, gaps)
        return None if gaps else filled
    value = _lookup(cx.ctx, item["value"])
    if value is None:
        return None
    return format_value(value, item.get("format"))


def _field_cell(item, cx: _Ctx, width: float) -> tuple[list[str], list[str], int]:
    """(label lines, value lines, number of writing lines) of one field."""
    value = _field_value(item, cx)
    if value is None and not item.get("optional"):
        cx.report(item["label"])
    label_lines = T.wrap(_(item["label"]), width, cx.small) or [""]
    lines: list[str] = []
    if value is not None:
        for part in value.splitlines() or [""]:
            lines.extend(T.wrap(part, width - 2, cx.fs) or [""])
    return label_lines, lines, max(len(lines), int(item.get("lines", 1)))


def _layout_fields(b, cx: _Ctx, width: float) -> list[_Piece]:
    cols = b.get("columns", 1)
    gutter = 18.0
    col_w = (width - gutter * (cols - 1)) / cols
    items = [f for f in b["fields"] if "when" not in f or _truthy(cx.ctx, f["when"])]
    rows: list[list[tuple[Any, int]]] = []
    current: list[tuple[Any, int]] = []
    used = 0
    for item in items:
        span = min(item.get("span", 1), cols)
        if used + span > cols:
            rows.append(current)
            current, used = [], 0
        current.append((item, span))
        used += span
        if used == cols:
            rows.append(current)
            current, used = [], 0
    if current:
        rows.append(current)
    fs, small = cx.fs, cx.small
    step = fs + 7
    out: list[_Piece] = []
    for row in rows:
        cells = []
        offset = 0.0
        for item, span in row:
            w = col_w * span + gutter * (span - 1)
            cells.append((offset, w, *_field_cell(item, cx, w)))
            offset += w + gutter
        # every value line of the row sits at the same height, under the tallest label
        label_h = max(len(c[2]) for c in cells) * small * 1.2
        n_max = max(c[4] for c in cells)
        height = label_h + n_max * step + fs * 0.3

        def draw_row(c, x, y, cells=cells, label_h=label_h):
            for off, w, label_lines, lines, n in cells:
                c.setFillColorRGB(*GREY)
                ly = y - small - (label_h - len(label_lines) * small * 1.2)
                for line in label_lines:
                    T.draw_string(c, x + off, ly, line, small)
                    ly -= small * 1.2
                c.setFillColorRGB(0, 0, 0)
                base = y - label_h - fs - 1
                c.setStrokeColorRGB(*RULE_GREY)
                c.setLineWidth(0.5)
                for i in range(n):
                    if i < len(lines):
                        T.draw_string(c, x + off + 1, base, lines[i], fs)
                    c.line(x + off, base - 3, x + off + w, base - 3)
                    base -= step
                c.setStrokeColorRGB(0, 0, 0)
                c.setLineWidth(1)

        out.append(_Piece(height, draw_row))
    out.append(_gap(cx.fs * 0.2))
    return out


def _layout_checks(b, cx: _Ctx, width: float) -> list[_Piece]:
    fs = cx.fs
    options: list[tuple[str, bool]] = []
    if "yesno" in b:
        value = cx.ctx.get(b["yesno"])
        known = isinstance(value, bool)
        if not known and not b.get("optional"):
            cx.report(b.get("label", b["yesno"]))
        options = [(_("Yes"), known and value), (_("No"), known and not value)]
    else:
        any_known = False
        for opt in b["options"]:
            if "when" in opt and not _truthy(cx.ctx, opt["when"]):
                continue
            checked = False
            if "checked" in opt:
                key = opt["checked"]
                raw = cx.ctx.get(key.lstrip("!"))
                any_known = any_known or raw is not None
                if "equals" in opt:
                    checked = raw is not None and str(raw) == str(opt["equals"])
                elif key.startswith("!"):
                    checked = raw is False
                else:
                    checked = bool(raw)
            options.append((_(opt["text"]), checked))
        if b.get("required") and not any_known and "label" in b:
            cx.report(b["label"])
    box = fs * 0.85
    label = _(b["label"]) if "label" in b else ""
    # flow: the label, then each option (box + text), wrapping to new lines
    items: list[tuple[str, Any]] = []
    lines: list[list[tuple[float, str, Any]]] = [[]]
    x = 0.0
    if label:
        for i, part in enumerate(T.wrap(label, width, fs)):
            if i:
                lines.append([])
            w = T.string_width(part, fs)
            lines[-1].append((0.0, "label", part))
            x = w + 10
        if x > width * 0.6:
            lines.append([])
            x = 0.0
    for text, checked in options:
        text_lines = T.wrap(text, width - box - 6, fs) or [""]
        w = box + 5 + max(T.string_width(t, fs) for t in text_lines)
        if x > 0 and (x + w > width or len(text_lines) > 1):
            lines.append([])
            x = 0.0
        lines[-1].append((x, "box", checked))
        for j, t in enumerate(text_lines):
            if j:
                lines.append([])
            lines[-1].append((x + box + 5, "text", t))
        x += w + 14
    del items
    lead = fs * 1.45
    out: list[_Piece] = []
    for line in lines:
        if not line:
            continue

        def draw(c, x0, y, line=line):
            base = y - fs
            for off, kind, what in line:
                if kind == "box":
                    _box(c, x0 + off, base - 1, box, bool(what))
                else:
                    T.draw_string(c, x0 + off, base, what, fs)

        out.append(_Piece(lead, draw))
    out.append(_gap(fs * 0.35))
    return out


def _layout_paragraph(b, cx: _Ctx, width: float) -> list[_Piece]:
    size = cx.size(b.get("size", cx.fs))
    gaps: list[str] = []
    body = fill(_(b["text"]), cx.ctx, gaps)
    for key in gaps:
        if key in b.get("labels", {}):
            cx.report(b["labels"][key])
    bold = b.get("bold", False)
    lines = T.wrap(body, width, size, bold)
    if b.get("align") == "center":
        pieces = []
        for line in lines:

            def draw(c, x, y, line=line):
                T.draw_string(c, x + width / 2, y - size, line, size, bold=bold, align="center")

            pieces.append(_Piece(size * 1.32, draw))
    else:
        pieces = _text_piece(lines, size, size * 1.32, bold=bold)
    return [*pieces, _gap(size * 0.55)]


def _layout_notice(b, cx: _Ctx, width: float) -> list[_Piece]:
    size = cx.size(cx.fs - 1)
    pad = 6.0
    lines = T.wrap(fill(_(b["text"]), cx.ctx), width - 2 * pad, size)
    lead = size * 1.3
    h = len(lines) * lead + 2 * pad - (lead - size) + 2

    def draw(c, x, y):
        c.setStrokeColorRGB(*RULE_GREY)
        c.setLineWidth(0.6)
        c.rect(x, y - h, width, h, stroke=1, fill=0)
        c.setStrokeColorRGB(0, 0, 0)
        c.setLineWidth(1)
        ty = y - pad - size
        for line in lines:
            T.draw_string(c, x + pad, ty, line, size)
            ty -= lead

    return [_gap(size * 0.3), _Piece(h, draw), _gap(size * 0.6)]


def _cell_text(col: Mapping[str, Any], row: Mapping[str, Any]) -> str:
    if "template" in col:

        def sub(m: re.Match[str]) -> str:
            value = row.get(m.group(1))
            return "" if value is None else format_value(value, m.group(2))

        text = _PLACEHOLDER.sub(sub, _(col["template"]))
        return "" if not re.sub(r"[\s\u2013\u2014\-–]", "", text) else text
    value = row.get(col["value"])
    return "" if value is None else format_value(value, col.get("format"))


def _layout_table(b, cx: _Ctx, width: float) -> list[_Piece]:
    fs = cx.size(cx.fs - 0.5)
    cols = b["columns"]
    given = sum(c.get("width", 0) for c in cols)
    rest = [c for c in cols if "width" not in c]
    share = (1 - given) / len(rest) if rest else 0
    widths = [width * c.get("width", share) for c in cols]
    if not rest and given < 1:
        widths = [w / given for w in widths]
    pad = 3.0
    lead = fs * 1.25
    rows_value = cx.ctx.get(b["rows"])
    rows = [r for r in rows_value if isinstance(r, Mapping)] if isinstance(rows_value, list) else []

    def row_piece(cells: list[str], *, bold=False, shade=False, min_lines=1) -> _Piece:
        pairs = zip(cells, widths, strict=True)
        wrapped = [T.wrap(t, w - 2 * pad, fs, bold) or [""] for t, w in pairs]
        n = max(min_lines, *(len(w) for w in wrapped))
        h = n * lead + 2 * pad

        def draw(c, x, y):
            if shade:
                c.setFillColorRGB(*FILL_GREY)
                c.rect(x, y - h, sum(widths), h, stroke=0, fill=1)
                c.setFillColorRGB(0, 0, 0)
            c.setStrokeColorRGB(*RULE_GREY)
            c.setLineWidth(0.5)
            c.line(x, y - h, x + sum(widths), y - h)
            if shade:
                c.line(x, y, x + sum(widths), y)
            c.setStrokeColorRGB(0, 0, 0)
            c.setLineWidth(1)
            cx0 = x
            for col, lines, w in zip(cols, wrapped, widths, strict=True):
                ty = y - pad - fs
                align = col.get("align", "left")
                for line in lines:
                    if align == "right":
                        T.draw_string(c, cx0 + w - pad, ty, line, fs, bold=bold, align="right")
                    elif align == "center":
                        T.draw_string(c, cx0 + w / 2, ty, line, fs, bold=bold, align="center")
                    else:
                        T.draw_string(c, cx0 + pad, ty, line, fs, bold=bold)
                    ty -= lead
                cx0 += w

        return _Piece(h, draw)

    header = row_piece([_(c["label"]) for c in cols], bold=True, shade=True)
    out = [_gap(fs * 0.2), _Piece(header.height, header.draw, keep_with_next=True)]
    for row in rows:
        piece = row_piece([_cell_text(c, row) for c in cols])
        piece.header = header
        out.append(piece)
    if not rows:
        if b.get("blank_rows"):
            for _i in range(int(b["blank_rows"])):
                piece = row_piece([""] * len(cols), min_lines=1)
                piece.header = header
                out.append(piece)
        elif "empty" in b:
            out += _text_piece([_(b["empty"])], fs, lead + 2 * pad, indent=pad)
    if "total" in b and rows:
        column = b["total"]["column"]
        total = 0
        for row in rows:
            try:
                total += int(row.get(column) or 0)
            except (TypeError, ValueError):
                continue
        cells = [""] * len(cols)
        idx = [c.get("value") for c in cols].index(column)
        cells[idx] = str(total)
        label_idx = 1 if idx > 1 else 0
        cells[label_idx] = _(b["total"]["label"])
        out.append(row_piece(cells, bold=True))
    out.append(_gap(cx.fs * 0.6))
    return out


def _layout_signature(b, cx: _Ctx, width: float) -> list[_Piece]:
    boxed = b.get("box", False)
    pad = 10.0 if boxed else 0.0
    inner = width - 2 * pad
    fs, small = cx.fs, cx.small
    parts: list[tuple[float, Draw]] = []  # (height, draw at (x, y_top) inside the padding)
    if "title" in b:
        for line in T.wrap(_(b["title"]), inner, fs, bold=True):

            def draw_t(c, x, y, line=line):
                T.draw_string(c, x, y - fs, line, fs, bold=True)

            parts.append((fs * 1.3, draw_t))
    if "text" in b:
        for line in T.wrap(fill(_(b["text"]), cx.ctx), inner, fs):

            def draw_p(c, x, y, line=line):
                T.draw_string(c, x, y - fs, line, fs)

            parts.append((fs * 1.3, draw_p))
    items = [i if isinstance(i, dict) else {"label": i} for i in b["lines"]]
    rows: list[list[dict]] = [[]]
    used = 0.0
    for item in items:
        w = float(item.get("width", 0.5))
        if rows[-1] and used + w > 1.0001:
            rows.append([])
            used = 0.0
        rows[-1].append(item)
        used += w
    gutter = 18.0
    write_h = max(fs * 2.6, 26.0)
    for row in rows:
        total = max(sum(float(i.get("width", 0.5)) for i in row), 1.0)
        avail = inner - gutter * (len(row) - 1)
        cells = []
        off = 0.0
        for item in row:
            w = avail * float(item.get("width", 0.5)) / total
            value = None
            if "value" in item:
                raw = _lookup(cx.ctx, item["value"])
                value = None if raw is None else format_value(raw, item.get("format"))
            label_lines = T.wrap(_(item["label"]), w, small) or [""]
            cells.append((off, w, value, label_lines))
            off += w + gutter
        h = write_h + 3 + max(len(c[3]) for c in cells) * small * 1.2 + fs * 0.5

        def draw_row(c, x, y, cells=cells):
            base = y - write_h
            for off, w, value, label_lines in cells:
                if value:
                    T.draw_string(c, x + off + 1, base + 3, value, fs)
                c.setLineWidth(0.8)
                c.line(x + off, base, x + off + w, base)
                c.setLineWidth(1)
                c.setFillColorRGB(*GREY)
                ly = base - 2 - small
                for line in label_lines:
                    T.draw_string(c, x + off, ly, line, small)
                    ly -= small * 1.2
                c.setFillColorRGB(0, 0, 0)

        parts.append((h, draw_row))
    body_h = sum(h for h, _ in parts)
    total_h = body_h + 2 * pad

    def draw(c, x, y):
        if boxed:
            c.setLineWidth(1.6)
            c.rect(x, y - total_h, width, total_h, stroke=1, fill=0)
            c.setLineWidth(1)
        ty = y - pad
        for h, d in parts:
            d(c, x + pad, ty)
            ty -= h

    space = fs * (0.9 if boxed else 0.4)
    return [_gap(space), _Piece(total_h, draw), _gap(space)]


def _layout_row(b, cx: _Ctx, width: float) -> list[_Piece]:
    gutter = 18.0
    subs = [s for s in b["blocks"] if "when" not in s or _truthy(cx.ctx, s["when"])]
    if not subs:
        return []
    w = (width - gutter * (len(subs) - 1)) / len(subs)
    columns = []
    for sub in subs:
        pieces = _LAYOUTS[sub["type"]](sub, cx, w)
        while pieces and pieces[-1].draw is None:
            pieces.pop()
        columns.append(pieces)
    height = max((sum(p.height for p in col) for col in columns), default=0)

    def draw(c, x, y):
        for i, col in enumerate(columns):
            ty = y
            for p in col:
                if p.draw:
                    p.draw(c, x + i * (w + gutter), ty)
                ty -= p.height

    return [_Piece(height, draw), _gap(cx.fs * 0.5)]


def _layout_space(b, cx: _Ctx, width: float) -> list[_Piece]:
    return [_gap(float(b["height"]))]


def _layout_page_break(b, cx: _Ctx, width: float) -> list[_Piece]:
    return [_Piece(0, None, new_page=True)]


_LAYOUTS: dict[str, Callable[[Any, _Ctx, float], list[_Piece]]] = {
    "banner": _layout_banner,
    "heading": _layout_heading,
    "lines": _layout_lines,
    "fields": _layout_fields,
    "checks": _layout_checks,
    "paragraph": _layout_paragraph,
    "table": _layout_table,
    "signature": _layout_signature,
    "notice": _layout_notice,
    "row": _layout_row,
    "space": _layout_space,
    "page_break": _layout_page_break,
}


def _title_pieces(form: FormDef, cx: _Ctx) -> list[_Piece]:
    size = cx.size(15)
    out = _text_piece(T.wrap(_(form.title), CONTENT_W, size, True), size, size * 1.25, bold=True)
    if form.subtitle:
        sub = cx.size(cx.fs - 1)
        out += _text_piece(T.wrap(_(form.subtitle), CONTENT_W, sub), sub, sub * 1.3, color=GREY)
    out.append(_gap(cx.fs * 0.8))
    return out


def _paginate(pieces: Iterable[_Piece]) -> list[list[tuple[float, _Piece]]]:
    """Pieces placed on pages: ``[[(y_top, piece), …], …]``."""
    pages: list[list[tuple[float, _Piece]]] = [[]]
    y = TOP
    items = list(pieces)

    def new_page() -> None:
        nonlocal y
        pages.append([])
        y = TOP

    i = 0
    while i < len(items):
        p = items[i]
        if p.new_page:
            if pages[-1]:
                new_page()
            i += 1
            continue
        if p.draw is None:
            if pages[-1]:
                y -= p.height
            i += 1
            continue
        need = p.height
        if p.keep_with_next:
            j = i + 1
            while j < len(items) and items[j].draw is None and not items[j].new_page:
                need += items[j].height
                j += 1
            if j < len(items) and items[j].draw is not None:
                need += items[j].height
        if y - need < BOTTOM and pages[-1]:
            new_page()
            if p.header is not None:
                pages[-1].append((y, p.header))
                y -= p.header.height
        pages[-1].append((y, p))
        y -= p.height
        i += 1
    if not pages[-1] and len(pages) > 1:
        pages.pop()
    return pages


def _watermark(c) -> None:
    c.saveState()
    c.setFillColorRGB(0.55, 0.55, 0.55)
    c.setFillAlpha(0.28)
    c.translate(PAGE_W / 2, PAGE_H / 2)
    c.rotate(50)
    T.draw_string(c, 0, -40, _("SAMPLE"), 120, bold=True, align="center")
    c.restoreState()


def sample_overlay_pdf(pages: int) -> bytes:
    """A PDF of ``pages`` Letter pages holding only the SAMPLE watermark (for stamping
    PDFs not drawn by us, e.g. a filled official form)."""
    from reportlab.pdfgen.canvas import Canvas

    T.register_base()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(PAGE_W, PAGE_H), initialFontName=SANS)
    for _i in range(max(pages, 1)):
        _watermark(c)
        c.showPage()
    c.save()
    return buf.getvalue()


def _render(form: FormDef, context: Mapping[str, Any], sample: bool) -> RenderedForm:
    from reportlab.pdfgen.canvas import Canvas

    T.register_base()
    cx = _Ctx(form, context)
    pieces = _title_pieces(form, cx)
    for block in form.blocks:
        if "when" in block and not _truthy(context, block["when"]):
            continue
        pieces.extend(_LAYOUTS[block["type"]](block, cx, CONTENT_W))
    pages = _paginate(pieces)
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(PAGE_W, PAGE_H), initialFontName=SANS, initialFontSize=cx.fs)
    c.setTitle(_(form.title))
    c.setAuthor("IMR Desktop")
    c.setCreator("IMR Desktop")
    name = _(form.footer or form.title)
    footer_size = max(8.0, form.min_size)
    for n, page in enumerate(pages, start=1):
        for y, piece in page:
            if piece.draw:
                piece.draw(c, MARGIN, y)
        c.setFillColorRGB(*GREY)
        footer = _("{form} — page {n} of {total}").format(form=name, n=n, total=len(pages))
        T.draw_string(c, MARGIN, FOOTER_Y, footer, footer_size)
        c.setFillColorRGB(0, 0, 0)
        if sample:
            _watermark(c)
        c.showPage()
    c.save()
    return RenderedForm(buf.getvalue(), len(pages), list(cx.missing))


def render_form(
    form: FormDef | str,
    context: Mapping[str, Any],
    *,
    language: str = "en",
    sample: bool = False,
) -> RenderedForm:
    """Draw ``form`` (a FormDef or a form id) for ``context`` in ``language``.

    When an administrator placed DMHC's fillable PDF for this form in
    ``forms/packet/official/``, that PDF is filled instead (:mod:`imrdesktop.packet.official`).
    ``missing`` lists, translated, the labels of the fields the context lacked.
    """
    if isinstance(form, str):
        form = load_form(form)
    with use_language(language):
        from imrdesktop.packet import official

        if official.official_form_path(form.id) is not None:
            return official.fill_official(form.id, context, sample=sample)
        return _render(form, context, sample)


__all__ = [
    "FORM_IDS",
    "FormDef",
    "RenderedForm",
    "fill",
    "format_value",
    "load_form",
    "parse_form",
    "render_form",
    "sample_overlay_pdf",
]
