"""Icons and the stylesheet, resolved through the one data resolver."""

from __future__ import annotations

import functools
import re

from PySide6.QtGui import QIcon

from imrdesktop.resources_path import resource_path

ICONS = ("app", "lock")


@functools.cache
def icon(name: str) -> QIcon:
    if name not in ICONS:
        raise KeyError(name)
    return QIcon(str(resource_path("icons", f"{name}.svg")))


def stylesheet(theme: str = "light", scale_percent: int = 100) -> str:
    """The theme's stylesheet, with its point sizes scaled to the chosen text size."""
    text = resource_path("style", f"{theme}.qss").read_text(encoding="utf-8")
    if scale_percent == 100:
        return text
    return re.sub(
        r"(\d+(?:\.\d+)?)pt\b",
        lambda m: f"{float(m.group(1)) * scale_percent / 100:.1f}pt",
        text,
    )
