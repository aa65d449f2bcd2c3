"""Fonts reportlab embeds (registered once per process).

Only TrueType-outline fonts can be embedded by reportlab. Every canvas we make names an
embedded font as its initial font, so no unembedded Helvetica creeps into our PDFs.
"""

from __future__ import annotations

import functools

from imrdesktop.resources_path import resource_path

SANS = "IMRSans"
SANS_BOLD = "IMRSans-Bold"
MONO = "IMRMono"

_FILES = {
    SANS: "DejaVuSans.ttf",
    SANS_BOLD: "DejaVuSans-Bold.ttf",
    MONO: "DejaVuSansMono.ttf",
}


@functools.cache
def register_fonts() -> None:
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for name, filename in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(resource_path("fonts", filename))))
    addMapping(SANS, 0, 0, SANS)
    addMapping(SANS, 1, 0, SANS_BOLD)
