"""The letter in support as printed pages (reportlab, our embedded fonts, any script)."""

from __future__ import annotations

import io

from imrdesktop.i18n import _

PAGE_W, PAGE_H = 612.0, 792.0
MARGIN = 72.0
SIZE = 11.0
LEADING = 15.0


def render_letter(text: str, *, sample: bool = False) -> tuple[bytes, int]:
    """Lay ``text`` out on Letter pages; returns (PDF bytes, page count). Blank lines keep
    the paragraphs apart; long lines wrap; nothing is dropped."""
    from reportlab.pdfgen import canvas

    from imrdesktop.packet import text as t
    from imrdesktop.packet.fonts import SANS

    t.register_all()
    lines: list[str] = []
    width = PAGE_W - 2 * MARGIN
    for raw in (text or "").replace("\r\n", "\n").split("\n"):
        if not raw.strip():
            lines.append("")
            continue
        lines.extend(t.wrap(raw, width, SIZE) or [""])
    per_page = int((PAGE_H - 2 * MARGIN - 24) // LEADING)
    pages = [lines[i : i + per_page] for i in range(0, max(len(lines), 1), per_page)] or [[]]
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


def _sample(c) -> None:
    from imrdesktop.packet.fonts import SANS_BOLD

    c.saveState()
    c.setFillGray(0.9)
    c.translate(PAGE_W / 2, PAGE_H / 2)
    c.rotate(45)
    c.setFont(SANS_BOLD, 96)
    c.drawCentredString(0, 0, _("SAMPLE"))
    c.restoreState()
