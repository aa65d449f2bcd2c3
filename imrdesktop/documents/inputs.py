"""Step 1 of an import, in the main process: checks that need no parser (docs/documents.md).

The path must be a regular file (symlinks followed), not empty, at most ``max_bytes``; it
is read into memory once. The media comes from the content (:mod:`sniff`); the name is
cleaned (:mod:`names`). Nothing here parses the document: that happens in the worker.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from imrdesktop.documents import sniff
from imrdesktop.documents.limits import DEFAULT_LIMITS, Limits
from imrdesktop.documents.names import clean_name, suffix_of
from imrdesktop.documents.problems import DocumentProblem
from imrdesktop.domain.errors import InputFileMissing

_O_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
# Never block on a FIFO swapped in between the check and the open.
_O_FLAGS |= getattr(os, "O_NONBLOCK", 0)
# A path that can name no file: a symlink loop, a name or path too long for the system.
_NOT_A_FILE = frozenset({errno.ELOOP, errno.ENAMETOOLONG})
READ_CHUNK = 16 * 1024 * 1024  # what one read() asks for after a short read


@dataclass(frozen=True)
class InputFile:
    name: str  # cleaned file name (names.clean_name)
    data: bytes
    media: str  # "pdf" | "jpeg" | "png" | "tiff" | "heic" | "text"
    notes: tuple[str, ...]

    def __repr__(self) -> str:  # never the content in a log or traceback
        return (
            f"InputFile(name=<{len(self.name)} chars>, data=<{len(self.data)} bytes>, "
            f"media={self.media!r}, notes={self.notes!r})"
        )


def _check_size(size: int, limits: Limits) -> None:
    if size == 0:
        raise DocumentProblem("empty")
    if size > limits.max_bytes:
        raise DocumentProblem("too_large", size=size, limit=limits.max_bytes)


def read_input(path: Path | str, limits: Limits = DEFAULT_LIMITS) -> InputFile:
    """Read and check one file the advocate chose.

    Raises ``InputFileMissing`` when there is no such file, :class:`DocumentProblem` when
    the file is refused; other ``OSError`` (permission denied, I/O error) pass unchanged.
    """
    path = Path(path)
    try:
        st = os.stat(path)  # follows symlinks
    except (FileNotFoundError, NotADirectoryError):
        raise InputFileMissing("no such input file") from None
    except OSError as exc:
        if exc.errno in _NOT_A_FILE:
            raise DocumentProblem("not_regular") from None
        raise
    if not stat.S_ISREG(st.st_mode):
        raise DocumentProblem("not_regular")
    _check_size(st.st_size, limits)  # a 2 GB file is refused without reading a byte
    try:
        fd = os.open(path, _O_FLAGS)
    except (FileNotFoundError, NotADirectoryError):
        raise InputFileMissing("no such input file") from None
    except OSError as exc:
        if exc.errno in _NOT_A_FILE:
            raise DocumentProblem("not_regular") from None
        raise
    with open(fd, "rb", buffering=0) as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # replaced since the first check
            raise DocumentProblem("not_regular")
        _check_size(st.st_size, limits)
        data = _read_all(f, st.st_size)
    return inspect_bytes(path.name, data, limits)


def _read_all(f, size: int) -> bytes:
    """Exactly ``size`` bytes, to the end of the file. One read() may return less than asked
    (FUSE, network drives): read on until end of file. A file that ends early or goes on
    past ``size`` changed while it was read: ``OSError`` (the service says it cannot be
    read), never a silently cut or grown document."""
    first = f.read(size + 1) or b""  # usually everything, in one copy
    if len(first) == size:
        more = f.read(1)
        if not more:
            return first
        raise OSError(errno.EIO, "the file grew while it was read")
    parts = [first]
    got = len(first)
    while got <= size:
        chunk = f.read(min(READ_CHUNK, size + 1 - got))
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
    if got != size:
        raise OSError(errno.EIO, "the file changed size while it was read")
    return b"".join(parts)


def inspect_bytes(name: str, data: bytes, limits: Limits = DEFAULT_LIMITS) -> InputFile:
    """The checks of :func:`read_input` on bytes already in memory (drag and drop, tests)."""
    cleaned = clean_name(name)
    notes: list[str] = []
    if cleaned != name:
        notes.append("name_cleaned")
    _check_size(len(data), limits)
    data = bytes(data)
    claimed = sniff.SUFFIX_MEDIA.get(suffix_of(cleaned))
    media = _media_of(data, limits, claimed == "text")
    if claimed is not None and claimed != media:
        notes.append("type_mismatch")
    return InputFile(name=cleaned, data=data, media=media, notes=tuple(notes))


def _media_of(data: bytes, limits: Limits, named_text: bool) -> str:
    media = sniff.sniff_binary(data)
    if media is not None:
        return media
    other = sniff.known_other(data, weak=False)
    if other is not None:
        raise DocumentProblem("not_supported", detected=other)
    if len(data) > limits.max_text_bytes:
        if sniff.looks_textual(data):
            raise DocumentProblem("text_too_large", size=len(data), limit=limits.max_text_bytes)
        raise DocumentProblem("not_supported", detected=sniff.known_other(data) or "unknown")
    if sniff.decode_text(data) is not None:
        return "text"
    other = sniff.known_other(data)
    if other is not None:
        raise DocumentProblem("not_supported", detected=other)
    if named_text or sniff.looks_textual(data):
        raise DocumentProblem("text_binary")
    raise DocumentProblem("not_supported", detected="unknown")


__all__ = ["InputFile", "inspect_bytes", "read_input"]
