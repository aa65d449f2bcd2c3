"""Opening a case database the careful way (RELIABILITY.md §1.2, §2.5, §4.9) and turning
``sqlite3`` errors into our typed errors."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

from imrdesktop.domain.errors import (
    CaseDamaged,
    CaseInUse,
    DiskFull,
    ImrError,
    StoragePermissionDenied,
    WriteFailed,
)

log = logging.getLogger(__name__)

# Set on every connection (pragmas are per connection). Order matters: the locking mode
# must be set before the first access in WAL mode, so SQLite never creates a -shm file.
_PRAGMAS = (
    "PRAGMA locking_mode=EXCLUSIVE",
    "PRAGMA cell_size_check=ON",
    "PRAGMA trusted_schema=OFF",
    "PRAGMA mmap_size=0",
    "PRAGMA temp_store=MEMORY",
    "PRAGMA secure_delete=ON",
    "PRAGMA foreign_keys=OFF",
)


# What SQLite reports when it cannot write next to the file (the -wal, the lock): on a
# read-only file system ``PRAGMA journal_mode=WAL`` fails with one of these.
_MAYBE_NOT_WRITABLE = ("SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_CANTOPEN")


def not_writable(path: Path) -> str | None:
    """Why the case file at ``path`` or its folder cannot be written, or None.

    "read_only_filesystem" (mounted read-only) or "not_writable" (permissions)."""
    folder = path.parent
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return "read_only_filesystem"
    except (OSError, AttributeError):  # statvfs is POSIX only
        pass
    for p in (path, folder):
        if p.exists() and not os.access(p, os.W_OK):
            return "not_writable"
    return None


def map_error(exc: sqlite3.Error, *, writing: bool, path: Path | None = None) -> ImrError:
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return CaseInUse("case file locked by another connection")
    if name == "SQLITE_FULL":
        return DiskFull("case file: disk full")
    if path is not None and name.startswith(_MAYBE_NOT_WRITABLE):
        reason = not_writable(path)
        if reason is not None:  # not damage: the place cannot be written (M2)
            return StoragePermissionDenied(f"case file: {name}", reason=reason)
    if name.startswith(("SQLITE_READONLY", "SQLITE_PERM", "SQLITE_AUTH")):
        return StoragePermissionDenied("case file: read-only")
    if name.startswith("SQLITE_CANTOPEN"):
        return WriteFailed("case file: cannot open") if writing else CaseDamaged("cannot open")
    if name.startswith("SQLITE_IOERR") and writing:
        return WriteFailed("case file: I/O error")
    if writing and not name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return WriteFailed(f"case file: {name or type(exc).__name__}")
    return CaseDamaged(f"sqlite: {name or type(exc).__name__}", where="sqlite")


def connect(path: Path, *, new: bool = False) -> sqlite3.Connection:
    """Open an existing case database (``mode=rw``: a wrong path never creates one), take
    the exclusive lock for the life of the connection and set the pragmas."""
    uri = path.absolute().as_uri() + "?mode=rw"
    try:
        conn = sqlite3.connect(
            uri, uri=True, isolation_level=None, timeout=0.0, check_same_thread=False
        )
    except sqlite3.Error as exc:
        raise map_error(exc, writing=False, path=path) from None
    try:
        for pragma in _PRAGMAS:
            conn.execute(pragma)
        if new:
            conn.execute("PRAGMA page_size=4096")
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()
        if not mode or str(mode[0]).lower() != "wal":
            raise CaseDamaged("journal mode", where="sqlite")
        conn.execute("PRAGMA synchronous=FULL")
        # Take the write lock now and keep it (EXCLUSIVE locking mode): a second opener,
        # in this process or another, gets SQLITE_BUSY → CaseInUse.
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        conn.close()
        raise map_error(exc, writing=False, path=path) from None
    except (UnicodeDecodeError, ValueError, OverflowError):
        # sqlite3 failed to decode a damaged name or message from the file
        conn.close()
        raise CaseDamaged("unreadable header", where="sqlite") from None
    except ImrError:
        conn.close()
        raise
    return conn


def bulk_journal(conn: sqlite3.Connection, on: bool) -> bool:
    """Switch the (exclusively locked) connection to the rollback journal for a bulk of new
    pages (``on``), or back to WAL. True when the connection is now in the asked mode.

    Why: in WAL mode every page is written twice (WAL, then checkpoint). With the rollback
    journal, pages appended to the file are written once (only pages that existed before
    are journaled), and synchronous=FULL still makes every commit durable. Leaving WAL
    checkpoints it first. A crash in between leaves a hot journal that SQLite rolls back at
    the next open (connect() then sets WAL again). Failing to switch is not an error: both
    modes are atomic and durable; the connection simply stays in the mode it is in."""
    want = "delete" if on else "wal"
    try:
        mode = conn.execute(f"PRAGMA journal_mode={want.upper()}").fetchone()
    except sqlite3.Error as exc:
        log.warning("could not switch the journal mode (%s)", type(exc).__name__)
        return False
    return bool(mode) and str(mode[0]).lower() == want
