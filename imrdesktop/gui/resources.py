"""Icons and the stylesheet, resolved through the one data resolver."""

from __future__ import annotations

import functools

from PySide6.QtGui import QIcon

from imrdesktop.resources_path import resource_path

ICONS = ("app", "lock")


@functools.cache
def icon(name: str) -> QIcon:
    if name not in ICONS:
        raise KeyError(name)
    return QIcon(str(resource_path("icons", f"{name}.svg")))


def stylesheet(theme: str = "light") -> str:
    return resource_path("style", f"{theme}.qss").read_text(encoding="utf-8")
