"""Dispatch from a case file's ``user_version`` to the reader of that format version.

The *envelope* every major version keeps (so that an older app can tell "newer" from
"damaged"): ``application_id`` = IMRC, ``user_version`` = major × 100 + minor, and a
``meta(key, value)`` table with ``magic`` = ``IMRCASE\0``, ``format`` = u16 major ‖ u16
minor, and ``header_sha256`` computed as in format 1 (:func:`case_v1.header_sha256`).
"""

from __future__ import annotations

import sqlite3
from types import ModuleType

from imrdesktop.domain.errors import CaseDamaged, NewerFormat
from imrdesktop.storage import crypto
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


def newer_version_is_genuine(conn: sqlite3.Connection, user_version: int) -> bool:
    """True when a ``user_version`` we cannot read is backed by the envelope: the meta rows
    say the same version and their unkeyed checksum holds. A flipped byte in the SQLite
    header (or in the meta rows) is then damage, not "made by a newer version"."""
    major, minor = divmod(user_version, 100)
    if not (0 <= major <= 0xFFFF and 0 <= minor <= 99):
        return False
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except (sqlite3.Error, ValueError, TypeError):
        return False
    if not all(isinstance(k, str) and isinstance(v, bytes) for k, v in meta.items()):
        return False
    digest = meta.get("header_sha256")
    return (
        meta.get("magic") == case_v1.MAGIC
        and meta.get("format") == case_v1.format_bytes(major, minor)
        and isinstance(digest, bytes)
        and crypto.equal(case_v1.header_sha256(meta), digest)
    )
