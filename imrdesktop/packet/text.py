"""Drawing any Unicode text with embedded fonts: runs by glyph coverage, Arabic shaping, wrap.

reportlab embeds TrueType-outline fonts only and silently drops a glyph its font lacks, so
every string we draw is split into *runs*, each in the first font that has its glyphs:

- DejaVu Sans (``IMRSans`` / ``IMRSans-Bold``): Latin incl. Vietnamese, Cyrillic, Armenian,
  Greek, Arabic, Hebrew, symbols;
- WenQuanYi Micro Hei (``IMRCJK``, face 0 of the .ttc): Chinese and Korean (no bold face:
  bold CJK is drawn in the regular face).

A character no font has stays in DejaVu (it prints as the font's empty box) and is
recorded: :func:`missing_glyphs` tells the caller beforehand, :func:`recorded_missing`
afterwards. Text is NFC-normalised first (a decomposed "ễ" becomes the one code point the
fonts have). Arabic is shaped (arabic_reshaper, only with the ligatures DejaVu has) and any
right-to-left text is put in visual order (python-bidi, base direction left-to-right) before
it is split; left-to-right text is never touched by either. :func:`runs` returns text ready
to draw from left to right; :func:`wrap` works on logical text (wrap first, then draw each
line). Nothing here logs text: it is client data.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

from imrdesktop.packet.fonts import SANS, SANS_BOLD, register_fonts
from imrdesktop.resources_path import resource_path

CJK = "IMRCJK"
_CJK_FILE = "wqy-microhei.ttc"

# Fallback order: the first font whose cmap has the character draws it.
_ORDER = {False: (SANS, CJK), True: (SANS_BOLD, SANS, CJK)}

# Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan…, Arabic presentation forms A and B.
_RTL = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]"
)
# Scripts written without spaces between words: a line may break between any two characters.
_CJK_BREAK = re.compile(
    "[\u1100-\u11ff\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3130-\u318f"
    "\u31a0-\u31ff\u3200-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\ufe30-\ufe4f"
    "\uff00-\uffef\U00020000-\U0003ffff]"
)
_TOKEN = re.compile(r"\s+|" + _CJK_BREAK.pattern + r"|[^\s" + _CJK_BREAK.pattern[1:-1] + "]+")

_recorded: set[str] = set()


@functools.cache
def _register_cjk() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(CJK, str(resource_path("fonts", _CJK_FILE)), subfontIndex=0))


def register_all() -> None:
    """Register DejaVu (regular, bold, mono) and WenQuanYi Micro Hei once per process.

    Drawing needs only :func:`register_base`: WenQuanYi (~0.1 s to read) is registered by
    itself the first time a character DejaVu lacks is met."""
    register_fonts()
    _register_cjk()


def register_base() -> None:
    """Register the DejaVu fonts (every canvas names IMRSans as its initial font)."""
    register_fonts()


@functools.cache
def _cmap(font_name: str) -> frozenset[int]:
    from reportlab.pdfbase import pdfmetrics

    register_fonts()
    if font_name == CJK:
        _register_cjk()
    return frozenset(pdfmetrics.getFont(font_name).face.charToGlyph)


def _covers(font_name: str, ch: str) -> bool:
    return ord(ch) in _cmap(font_name)


@functools.cache
def _reshaper() -> Any:
    """An ArabicReshaper that keeps harakat and uses only the ligatures DejaVu Sans has."""
    from arabic_reshaper import ArabicReshaper
    from arabic_reshaper.letters import ISOLATED, LETTERS_ARABIC
    from arabic_reshaper.ligatures import LIGATURES
    from arabic_reshaper.reshaper_config import default_config

    cmap = _cmap(SANS)
    config: dict[str, Any] = {
        "delete_harakat": False,
        "use_unshaped_instead_of_isolated": not all(
            ord(forms[ISOLATED]) in cmap for forms in LETTERS_ARABIC.values() if forms[ISOLATED]
        ),
    }
    for name, (_match, forms) in LIGATURES:
        wanted = bool(default_config.get(name, False))
        config[name] = wanted and all(ord(f) in cmap for f in forms if f)
    return ArabicReshaper(configuration=config)


def _clean(text: str) -> str:
    """NFC, tabs and line breaks as spaces (a caller wanting lines uses :func:`wrap`)."""
    text = unicodedata.normalize("NFC", str(text))
    return text.replace("\r\n", " ").replace("\t", " ").replace("\n", " ").replace("\r", " ")


def shape(text: str) -> str:
    """Logical order -> visual order for drawing left to right.

    Text without a right-to-left character is returned unchanged (no cost for Latin, CJK…).
    Otherwise Arabic letters take their joining forms and every right-to-left stretch is
    reversed; left-to-right stretches (digits, Latin words) stay as they are.
    """
    if not _RTL.search(text):
        return text
    from bidi.algorithm import get_display

    return get_display(_reshaper().reshape(text), base_dir="L")


def _invisible(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cf") and ch != " "


def _sticky(ch: str) -> bool:
    """Characters that stay in the current run when it can draw them (spaces, marks)."""
    return ch.isspace() or unicodedata.category(ch) in ("Mn", "Me")


def _pick(ch: str, order: tuple[str, ...]) -> str | None:
    for name in order:
        if _covers(name, ch):
            return name
    return None


@functools.lru_cache(maxsize=4096)
def _runs(text: str, bold: bool) -> tuple[tuple[tuple[str, str], ...], frozenset[str]]:
    order = _ORDER[bool(bold)]
    out: list[list[str]] = []  # [font, text]
    missing: set[str] = set()
    for ch in shape(_clean(text)):
        if _invisible(ch):
            continue
        font = None
        if out and _sticky(ch) and _covers(out[-1][0], ch):
            font = out[-1][0]
        if font is None:
            font = _pick(ch, order)
        if font is None:
            missing.add(ch)
            font = order[0]
        if out and out[-1][0] == font:
            out[-1][1] += ch
        else:
            out.append([font, ch])
    return tuple((f, t) for f, t in out), frozenset(missing)


def runs(text: str, bold: bool = False) -> list[tuple[str, str]]:
    """``text`` as ``[(font_name, text), …]`` in drawing order (shaped, visual order).

    Consecutive characters in the same font form one run; spaces and combining marks stay
    with the run before them when its font has them. A character no font has is kept in
    the main font and recorded (see :func:`recorded_missing`).
    """
    result, missing = _runs(str(text), bool(bold))
    if missing:
        _recorded.update(_logical(ch) for ch in missing)
    return list(result)


def _logical(ch: str) -> str:
    """A presentation form (shaped Arabic) reported as the letter it stands for."""
    if "\ufb50" <= ch <= "\ufeff":
        return unicodedata.normalize("NFKC", ch) or ch
    return ch


def missing_glyphs(text: str, bold: bool = False) -> set[str]:
    """The characters of ``text`` that none of our fonts can draw (empty when all print)."""
    _result, missing = _runs(str(text), bool(bold))
    return {_logical(ch) for ch in missing}


def recorded_missing() -> set[str]:
    """Every character drawn so far in this process that no font had."""
    return set(_recorded)


def clear_recorded_missing() -> None:
    _recorded.clear()


def string_width(text: str, size: float, bold: bool = False) -> float:
    """The drawn width of ``text`` in points (after shaping and font fallback)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return sum(stringWidth(t, f, size) for f, t in runs(text, bold))


def draw_string(
    canvas: Any,
    x: float,
    y: float,
    text: str,
    size: float,
    *,
    bold: bool = False,
    align: str = "left",
) -> float:
    """Draw one line at baseline ``y``; ``align`` says whether ``x`` is its left end, its
    centre or its right end. Returns the width drawn. The canvas's own font is restored
    afterwards, so the caller's next ``drawString`` uses the font it set."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    parts = runs(text, bold)
    widths = [stringWidth(t, f, size) for f, t in parts]
    total = sum(widths)
    if not parts:
        return 0.0
    if align == "center":
        x -= total / 2
    elif align == "right":
        x -= total
    elif align != "left":
        raise ValueError(f"align must be left, center or right, not {align!r}")
    obj = canvas.beginText(x, y)
    for font, chunk in parts:
        obj.setFont(font, size)
        obj.textOut(chunk)
    if (parts[-1][0], size) != (canvas._fontname, canvas._fontsize):
        obj.setFont(canvas._fontname, canvas._fontsize, canvas._leading)
    canvas.drawText(obj)
    return total


def _break_long(token: str, width: float, size: float, bold: bool) -> list[str]:
    """A word wider than the line, cut between characters (nothing dropped)."""
    pieces: list[str] = []
    current = ""
    for ch in token:
        if current and string_width(current + ch, size, bold) > width:
            pieces.append(current)
            current = ch
        else:
            current += ch
    if current:
        pieces.append(current)
    return pieces


def _wrap_paragraph(para: str, width: float, size: float, bold: bool) -> list[str]:
    lines: list[str] = []
    line = ""
    line_w = 0.0
    gap = ""
    for token in _TOKEN.findall(para):
        if token.isspace():
            gap = token if line else ""
            continue
        tok_w = string_width(token, size, bold)
        gap_w = string_width(gap, size, bold) if gap else 0.0
        if line and line_w + gap_w + tok_w <= width:
            line += gap + token
            line_w += gap_w + tok_w
        else:
            if line:
                lines.append(line)
            if tok_w > width:
                pieces = _break_long(token, width, size, bold)
                lines.extend(pieces[:-1])
                token = pieces[-1]
                tok_w = string_width(token, size, bold)
            line, line_w = token, tok_w
        gap = ""
    if line:
        lines.append(line)
    return lines


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """Word-wrap ``text`` (logical order) into lines no wider than ``width`` points.

    Breaks at spaces, between any two Chinese/Japanese/Korean characters, and inside a word
    only when the word alone is wider than the line. Line breaks in ``text`` are kept (a
    blank line stays a blank line); spaces at a break are dropped; no other character is.
    """
    text = unicodedata.normalize("NFC", str(text)).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\t", " ")
    if not text.strip():
        return []
    out: list[str] = []
    for para in text.split("\n"):
        wrapped = _wrap_paragraph(para, width, size, bold)
        out.extend(wrapped or [""])
    while out and out[-1] == "":
        out.pop()
    return out


__all__ = [
    "CJK",
    "clear_recorded_missing",
    "draw_string",
    "missing_glyphs",
    "recorded_missing",
    "register_all",
    "register_base",
    "runs",
    "shape",
    "string_width",
    "wrap",
]
