"""The letter in support as printed pages (reportlab, our embedded fonts, any script)."""

from __future__ import annotations

import io

from imrdesktop.i18n import _

PAGE_W, PAGE_H = 612.0, 792.0
MARGIN = 72.0
SIZE = 11.0
LEADING = 15.0
KEEP_TOGETHER = 10  # lines: a paragraph this short is never split across pages


def render_letter(text: str, *, sample: bool = False) -> tuple[bytes, int]:
    """Lay ``text`` out on Letter pages; returns (PDF bytes, page count). Blank lines keep
    the paragraphs apart; long lines wrap; nothing is dropped."""
    from reportlab.pdfgen import canvas

    from imrdesktop.packet import text as t
    from imrdesktop.packet.fonts import SANS

    t.register_all()
    width = PAGE_W - 2 * MARGIN
    # Paragraphs (blocks between blank lines), each wrapped to lines, with the number of
    # blank lines before it (kept: two blank lines leave room for a signature).
    blocks: list[tuple[int, list[str]]] = []
    gap = 0
    current: list[str] = []
    for raw in (text or "").replace("\r\n", "\n").split("\n"):
        if not raw.strip():
            if current:
                blocks.append((gap, current))
                current, gap = [], 0
            gap += 1
            continue
        current.extend(t.wrap(raw, width, SIZE) or [""])
    if current:
        blocks.append((gap, current))
    # A one-line lead-in ("Sincerely,", "To the … Unit:") keeps with what follows it.
    units: list[list[str]] = []
    pending: list[str] = []
    for n, (before, lines) in enumerate(blocks):
        unit = [""] * (before if (units or pending) else 0) + lines
        lead_in = len(lines) == 1 and lines[0].rstrip().endswith((",", ":"))
        if lead_in and n + 1 < len(blocks):
            pending.extend(unit)
            continue
        units.append(pending + unit)
        pending = []
    if pending:
        units.append(pending)
    per_page = int((PAGE_H - 2 * MARGIN - 24) // LEADING)
    pages: list[list[str]] = [[]]
    for unit in units:
        page = pages[-1]
        body = unit if page else _strip_leading_blank(unit)
        if len(page) + len(body) <= per_page:
            page.extend(body)
            continue
        content = _strip_leading_blank(unit)
        if len(content) <= KEEP_TOGETHER and page:
            pages.append(list(content))  # a short paragraph (the signature) stays whole
            continue
        for line in body:
            if len(pages[-1]) >= per_page:
                pages.append([])
            if line or pages[-1]:
                pages[-1].append(line)
    if not pages[-1] and len(pages) > 1:
        pages.pop()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(PAGE_W, PAGE_H), initialFontName=SANS, invariant=1)
    c.setTitle("IMR packet")
    for n, page in enumerate(pages, start=1):
        if sample:
            _sample(c)  # under the text, never over it
        y = PAGE_H - MARGIN
        for line in page:
            if line:
                t.draw_string(c, MARGIN, y, line, SIZE)
            y -= LEADING
        footer = _("Letter in support — page {page} of {pages}").format(page=n, pages=len(pages))
        t.draw_string(c, PAGE_W / 2, MARGIN / 2, footer, 8, align="center")
        c.showPage()
    c.save()
    return buf.getvalue(), len(pages)


def _strip_leading_blank(lines: list[str]) -> list[str]:
    i = 0
    while i < len(lines) and not lines[i]:
        i += 1
    return lines[i:]


def _sample(c) -> None:
    from imrdesktop.packet.fonts import SANS_BOLD

    c.saveState()
    c.setFillGray(0.9)
    c.translate(PAGE_W / 2, PAGE_H / 2)
    c.rotate(45)
    c.setFont(SANS_BOLD, 96)
    c.drawCentredString(0, 0, _("SAMPLE"))
    c.restoreState()
