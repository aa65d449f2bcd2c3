"""Dispatch from a case file's ``user_version`` to the reader of that format version."""

from __future__ import annotations

from types import ModuleType

from imrdesktop.domain.errors import CaseDamaged, NewerFormat
from imrdesktop.storage.formats import case_v1

CURRENT = case_v1
_READERS: dict[int, ModuleType] = {1: case_v1}


def reader_for(user_version: int) -> tuple[ModuleType, int, int]:
    """(format module, major, minor) for a case file, or NewerFormat / CaseDamaged."""
    major, minor = divmod(user_version, 100)
    module = _READERS.get(major)
    if module is None:
        if major > CURRENT.MAJOR:
            raise NewerFormat(
                "case file", found=f"{major}.{minor}", supported=f"{CURRENT.MAJOR}.{CURRENT.MINOR}"
            )
        raise CaseDamaged("unknown format version", where="header")
    return module, major, minor
