"""Crash-safe replacement of small files (vault header, case index, bundles).

temp file in the same folder (0600, never plaintext: callers hand us ciphertext) → write
→ flush → fsync → ``os.replace`` → fsync the folder. A failing write leaves the previous file
untouched and raises
:class:`DiskFull`, :class:`StoragePermissionDenied` or :class:`WriteFailed`.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import secrets
import time
from pathlib import Path

from imrdesktop.domain.errors import DiskFull, ImrError, StoragePermissionDenied, WriteFailed

log = logging.getLogger(__name__)

TEMP_PREFIX = ".imrtmp-"
TEMP_SUFFIX = ".tmp"
BACKUP_SUFFIX = ".bak"

_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}
_DENIED = {errno.EACCES, errno.EPERM, errno.EROFS}


def map_os_error(exc: OSError, what: str) -> ImrError:
    """An OSError from writing as one of our typed errors (no path in the message)."""
    if exc.errno in _FULL:
        return DiskFull(f"{what}: no space", errno=exc.errno)
    if exc.errno in _DENIED or isinstance(exc, PermissionError):
        return StoragePermissionDenied(f"{what}: permission denied", errno=exc.errno)
    return WriteFailed(f"{what}: write failed", errno=exc.errno)


def is_temp_name(name: str) -> bool:
    return name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (POSIX; NTFS journals metadata itself)."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _replace(src: Path, dst: Path) -> None:
    # On Windows, antivirus or the indexer may hold the target for a moment (§4.15).
    attempts = 10 if os.name == "nt" else 1
    for attempt in range(attempts):
        try:
            os.replace(src, dst)
            return
        except PermissionError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.1)


class AtomicFile:
    """Write a new version of ``path`` through a 0600 temp file in the same folder.

    ``with AtomicFile(p) as f: f.write(...)`` commits (fsync, rename, fsync folder) only
    when the block ends without an exception; otherwise the temp file is removed and ``p``
    is untouched. OSErrors come out as DiskFull / StoragePermissionDenied / WriteFailed.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tmp = path.parent / f"{TEMP_PREFIX}{secrets.token_hex(8)}{TEMP_SUFFIX}"
        self._fd: int | None = None

    def __enter__(self) -> AtomicFile:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        try:
            self._fd = os.open(self._tmp, flags, 0o600)
        except OSError as exc:
            raise map_os_error(exc, self.path.name) from None
        return self

    def write(self, data: bytes | bytearray | memoryview) -> None:
        assert self._fd is not None
        try:
            write_all(self._fd, data)
        except OSError as exc:
            raise map_os_error(exc, self.path.name) from None

    def _discard(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
        with contextlib.suppress(OSError):
            os.unlink(self._tmp)

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self._discard()
            return
        assert self._fd is not None
        try:
            try:
                os.fsync(self._fd)
            finally:
                fd, self._fd = self._fd, None
                os.close(fd)
            _replace(self._tmp, self.path)
        except OSError as err:
            self._discard()
            raise map_os_error(err, self.path.name) from None
        try:
            fsync_dir(self.path.parent)
        except OSError as err:
            raise map_os_error(err, self.path.name) from None


def write_all(fd: int, data: bytes | bytearray | memoryview) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(errno.EIO, "short write")
        view = view[written:]


def write_atomic(path: Path, data: bytes | bytearray) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves either the old or the new file."""
    with AtomicFile(path) as f:
        f.write(data)


def clean_stale_temps(directory: Path, older_than_s: float = 300.0) -> int:
    """Remove our own temp files left by a crash (never anything else). Returns the count."""
    removed = 0
    now = time.time()
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return 0
    for entry in entries:
        if not is_temp_name(entry.name):
            continue
        try:
            if now - entry.stat(follow_symlinks=False).st_mtime >= older_than_s:
                os.unlink(entry.path)
                removed += 1
        except OSError:
            continue
    if removed:
        log.info("removed %d stale temp file(s)", removed)
    return removed
