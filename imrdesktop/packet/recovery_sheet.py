"""The printed recovery key sheet: the one way back in when a passphrase is forgotten.

Built in memory; written only to the path the person chose.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from pathlib import Path

from imrdesktop.i18n import _
from imrdesktop.packet.fonts import MONO, SANS, SANS_BOLD, register_fonts


def recovery_sheet_pdf(recovery_key: str, vault_id: str, today: dt.date | None = None) -> bytes:
    from reportlab.lib.pagesizes import LETTER
    from reportlab.lib.units import inch
    from reportlab.pdfgen.canvas import Canvas

    register_fonts()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=LETTER, initialFontName=SANS, initialFontSize=11)
    c.setTitle(_("IMR Desktop recovery key"))
    c.setAuthor("IMR Desktop")
    c.setCreator("IMR Desktop")
    width, height = LETTER
    x = 0.9 * inch
    y = height - 1.0 * inch
    c.setFont(SANS_BOLD, 20)
    c.drawString(x, y, _("IMR Desktop — recovery key"))
    y -= 0.35 * inch
    c.setFont(SANS, 11)
    c.drawString(
        x,
        y,
        _("Vault {vault} · made {date}").format(
            vault=vault_id, date=(today or dt.date.today()).isoformat()
        ),
    )
    y -= 0.5 * inch
    lines = [
        _("This key opens the vault if its passphrase is forgotten, and lets you set a new one."),
        _("Anyone holding this sheet can open every case in the vault. Keep it locked away,"),
        _("for example in a supervisor's safe, and never store it with the computer."),
    ]
    for line in lines:
        c.drawString(x, y, line)
        y -= 0.24 * inch
    y -= 0.3 * inch
    box_h = 1.5 * inch
    c.setLineWidth(1.5)
    c.rect(x - 0.1 * inch, y - box_h, width - 2 * x + 0.2 * inch, box_h)
    c.setFont(MONO, 22)
    groups = [g for g in re.split(r"[\s-]+", recovery_key) if g]
    rows = ["-".join(groups[i : i + 5]) for i in range(0, len(groups), 5)] or [recovery_key]
    ty = y - 0.55 * inch
    for row in rows:
        c.drawString(x + 0.15 * inch, ty, row)
        ty -= 0.5 * inch
    y -= box_h + 0.5 * inch
    c.setFont(SANS_BOLD, 12)
    c.drawString(x, y, _("To use it"))
    y -= 0.28 * inch
    c.setFont(SANS, 11)
    for line in (
        _("1. On the unlock screen, choose the profile and “Forgot the passphrase?”."),
        _("2. Type the key above (spaces and dashes do not matter)."),
        _("3. Choose a new passphrase. This recovery key keeps working afterwards."),
    ):
        c.drawString(x, y, line)
        y -= 0.24 * inch
    c.setFont(SANS, 9)
    c.drawString(x, 0.7 * inch, _("Confidential — keep in a locked place."))
    c.showPage()
    c.save()
    return buf.getvalue()


def write_recovery_sheet(path: Path, recovery_key: str, vault_id: str) -> None:
    data = recovery_sheet_pdf(recovery_key, vault_id)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
