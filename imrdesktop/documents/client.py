"""The app's side of the document worker: one child process that parses untrusted files.

:class:`DocumentWorker` starts ``python -m imrdesktop.documents.worker`` (``--document-worker``
in a frozen build) on first use, with a minimal environment and a safe working directory,
and talks to it over its stdin/stdout. The parent enforces the wall-clock timeout: a worker
that does not answer in ``limits.timeout_s`` is killed (``timeout``); one that dies is
``memory`` (its address-space limit) or ``worker_failed``; the next request starts a new
one. Nothing here imports a parser, and the worker's stderr is drained but never logged
(it could quote a document).
"""

from __future__ import annotations

import logging
import math
import os
import re
import signal
import subprocess
import sys
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from imrdesktop.documents import worker as protocol
from imrdesktop.documents.inputs import InputFile
from imrdesktop.documents.limits import DEFAULT_LIMITS, Limits
from imrdesktop.documents.problems import NOTE_CODES, DocumentProblem

log = logging.getLogger(__name__)

_STDERR_TAIL = 8192
# How a process that ran out of address space says so on its way down (never logged).
_MEMORY_SIGNS = re.compile(
    rb"MemoryError|bad_alloc|[Oo]ut of memory|Cannot allocate memory|memory exhausted"
)
_KEEP_ENV = ("PATH", "SYSTEMROOT", "TMPDIR", "TMP", "TEMP")
_PNG = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Converted:
    pdf: bytes  # the clean PDF (unencrypted bytes, kept in memory only)
    pages: int
    page_sizes: tuple[tuple[float, float], ...]  # points, as displayed (after /Rotate)
    notes: tuple[str, ...]  # note codes added by the worker

    def __repr__(self) -> str:
        return f"Converted(pdf=<{len(self.pdf)} bytes>, pages={self.pages}, notes={self.notes})"


def worker_command() -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable, "--document-worker"]
    # -P: the safe working directory is not put on sys.path either.
    return [sys.executable, "-P", "-m", "imrdesktop.documents.worker"]


def _package_root() -> str:
    import imrdesktop

    return str(Path(imrdesktop.__file__).resolve().parent.parent)


def worker_env() -> dict[str, str]:
    """PATH, SYSTEMROOT, the temp folder variables, a UTF-8 locale, our code on PYTHONPATH
    and the IMRDESKTOP_* switches: nothing else of the user's environment."""
    env = {k: os.environ[k] for k in _KEEP_ENV if k in os.environ}
    env["LANG"] = "C.UTF-8"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    # glibc: one 64 MiB arena per thread counts against RLIMIT_AS, so at most two; and
    # blocks up to 32 MiB come from the heap, kept (up to 128 MiB) between requests: with
    # glibc's own adaptive thresholds the worker gave back and re-faulted ~30 MB per photo
    # (7,350 page faults, 2x the conversion time).
    env["MALLOC_ARENA_MAX"] = "2"
    env["MALLOC_MMAP_THRESHOLD_"] = str(32 << 20)
    env["MALLOC_TRIM_THRESHOLD_"] = str(128 << 20)
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if not getattr(sys, "frozen", False):
        root = _package_root()
        if root not in paths:
            paths.insert(0, root)
    if paths:
        env["PYTHONPATH"] = os.pathsep.join(paths)
    env.update({k: v for k, v in os.environ.items() if k.startswith("IMRDESKTOP_")})
    return env


def _safe_cwd() -> str:
    if os.name == "nt":
        return os.environ.get("SYSTEMROOT", "C:\\")
    return "/"


PIPE_BYTES = 1 << 20
_F_SETPIPE_SZ = 1031  # Linux


def _widen_pipes(proc: subprocess.Popen) -> None:
    """1 MiB pipe buffers (Linux; default 64 KiB): a 6 MB photo each way costs 4 ms
    instead of 13 ms of context switches."""
    if not sys.platform.startswith("linux"):
        return
    import fcntl

    for stream in (proc.stdin, proc.stdout):
        try:
            fcntl.fcntl(stream.fileno(), _F_SETPIPE_SZ, PIPE_BYTES)
        except OSError:  # above /proc/sys/fs/pipe-max-size: keep the default
            pass


def _kill(proc: subprocess.Popen) -> None:
    try:
        proc.kill()
    except OSError:
        pass


class _Process:
    """One running worker: the Popen, its stderr drain and its start-up handshake."""

    def __init__(self, limits: Limits) -> None:
        kwargs: dict = {}
        if os.name == "nt":
            kwargs["creationflags"] = subprocess.CREATE_NO_WINDOW
        else:
            kwargs["start_new_session"] = True  # no terminal signals from the app's tty
        self.proc = subprocess.Popen(
            worker_command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=worker_env(),
            cwd=_safe_cwd(),
            close_fds=True,
            **kwargs,
        )
        _widen_pipes(self.proc)
        self.tail = bytearray()
        self.peak_rss = 0  # bytes, known once the process is reaped (POSIX)
        self._drain = threading.Thread(target=self._drain_stderr, daemon=True)
        self._drain.start()
        self.finalizer = weakref.finalize(self, _kill, self.proc)

    def _drain_stderr(self) -> None:
        stream = self.proc.stderr
        try:
            while True:
                chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read(4096)
                if not chunk:
                    break
                self.tail += chunk
                del self.tail[:-_STDERR_TAIL]
        except (OSError, ValueError):
            pass

    def stop(self) -> int | None:
        if hasattr(os, "wait4") and self.proc.returncode is None:
            # Reap it ourselves to learn its peak memory (Popen.wait would not tell; and
            # Popen.kill would reap it first): the pid stays ours until reaped.
            try:
                os.kill(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass
            try:
                _pid, status, usage = os.wait4(self.proc.pid, 0)
                self.proc.returncode = os.waitstatus_to_exitcode(status)
                self.peak_rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
            except ChildProcessError:
                pass
        _kill(self.proc)
        try:
            code = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None
        self._drain.join(timeout=2)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        self.finalizer.detach()
        return code


class DocumentWorker:
    """Converts and renders untrusted documents in a separate, limited process.

    Thread-safe: one request at a time. The process starts on first use (or :meth:`start`)
    and is restarted after any failure; :meth:`close` stops it.
    """

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self._limits = limits
        self._lock = threading.Lock()
        self._proc: _Process | None = None
        self._held_key: str | None = None

    @property
    def limits(self) -> Limits:
        return self._limits

    # --- life cycle ----------------------------------------------------------------------
    def start(self) -> None:
        """Start the process now (otherwise the first request does): e.g. in a background
        thread while the advocate is choosing a file."""
        with self._lock:
            self._ensure()

    def close(self) -> None:
        proc = self._proc
        if proc is not None:
            _kill(proc.proc)  # unblocks a request in another thread at once
        with self._lock:
            self._discard()

    def __enter__(self) -> DocumentWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pid(self) -> int | None:
        proc = self._proc
        return proc.proc.pid if proc is not None else None

    def _discard(self) -> int | None:
        proc, self._proc = self._proc, None
        self._held_key = None
        return proc.stop() if proc is not None else None

    def _ensure(self) -> _Process:
        if self._proc is not None and self._proc.proc.poll() is None:
            return self._proc
        self._discard()
        try:
            self._proc = _Process(self._limits)
        except OSError:
            log.warning("the document worker could not be started")
            raise DocumentProblem("worker_failed") from None
        reply, _ = self._exchange({"op": "init", "limits": self._limits.to_json()}, b"")
        if reply.get("ok") is not True:
            self._discard()
            raise DocumentProblem("worker_failed")
        return self._proc

    # --- one request ---------------------------------------------------------------------
    def _exchange(self, header: dict, payload: bytes) -> tuple[dict, bytes]:
        """Send one frame and read the reply within the time limit; any failure stops the
        process and becomes a DocumentProblem."""
        proc = self._proc
        assert proc is not None
        expired = threading.Event()

        def expire() -> None:
            expired.set()
            _kill(proc.proc)

        timer = threading.Timer(self._limits.timeout_s, expire)
        timer.daemon = True
        timer.start()
        try:
            protocol.write_frame(proc.proc.stdin, header, payload)
            reply, data = protocol.read_frame(proc.proc.stdout, protocol.max_payload(self._limits))
        except (OSError, EOFError, protocol.ProtocolError, ValueError):
            timer.cancel()
            raise self._failure(expired) from None
        except BaseException:  # interrupted mid-frame: the stream is out of step for good
            self._discard()
            raise
        finally:
            timer.cancel()
        if expired.is_set():  # answered, but only just: the process is being killed
            self._discard()
        return reply, data

    def _failure(self, expired: threading.Event) -> DocumentProblem:
        proc = self._proc
        code = self._discard()
        if expired.is_set():
            log.info("document worker killed after %.0f s", self._limits.timeout_s)
            return DocumentProblem("timeout", seconds=self._limits.timeout_s)
        sigxcpu = getattr(signal, "SIGXCPU", None)
        if sigxcpu is not None and code == -sigxcpu:
            log.info("document worker ran out of CPU time")
            return DocumentProblem("timeout", seconds=self._limits.timeout_s)
        tail = bytes(proc.tail) if proc is not None else b""
        peak = proc.peak_rss if proc is not None else 0
        # PDFium and libheif abort() when an allocation fails under RLIMIT_AS: a crash after
        # using most of the allowance is the memory limit, not a bug of ours.
        if _MEMORY_SIGNS.search(tail) or peak >= self._limits.memory_bytes // 2:
            log.info("document worker ran out of memory (exit %s)", code)
            return DocumentProblem("memory", limit=self._limits.memory_bytes)
        log.warning("document worker failed (exit %s)", code)
        return DocumentProblem("worker_failed")

    def _request(self, header: dict, payload: bytes = b"") -> tuple[dict, bytes]:
        self._ensure()
        reply, data = self._exchange(header, payload)
        if reply.get("ok") is True:
            return reply, data
        if "problem" in reply:
            problem = DocumentProblem.from_json(reply["problem"])
            if problem.code in ("memory", "worker_failed", "timeout"):
                self._discard()  # a fresh process for the next request
            raise problem
        return reply, data

    def _garbage(self) -> DocumentProblem:
        log.warning("document worker sent a malformed reply")
        self._discard()
        return DocumentProblem("worker_failed")

    # --- the API -------------------------------------------------------------------------
    def convert(self, item: InputFile, *, password: str | None = None) -> Converted:
        """The clean PDF of one checked input (see docs/documents.md for the rules)."""
        header = {"op": "convert", "media": item.media, "password": password}
        with self._lock:
            reply, pdf = self._request(header, item.data)
            if reply.get("ok") is not True:
                raise self._garbage()
            try:
                return self._converted(reply, pdf)
            except (TypeError, ValueError):
                raise self._garbage() from None

    def _converted(self, reply: dict, pdf: bytes) -> Converted:
        pages = reply["pages"]
        if isinstance(pages, bool) or not isinstance(pages, int):
            raise TypeError("pages")
        if not 1 <= pages <= self._limits.max_pages or not pdf.startswith(b"%PDF-"):
            raise ValueError("reply out of range")
        sizes = tuple(self._size(s) for s in reply["page_sizes"])
        notes = tuple(reply["notes"])
        if len(sizes) != pages or not all(n in NOTE_CODES for n in notes):
            raise ValueError("reply out of range")
        return Converted(pdf=pdf, pages=pages, page_sizes=sizes, notes=notes)

    def _size(self, pair: object) -> tuple[float, float]:
        if not isinstance(pair, list) or len(pair) != 2:
            raise TypeError("page size")
        w, h = (float(v) for v in pair)
        top = self._limits.max_page_inches * 72.0 + 1.0
        if not all(math.isfinite(v) and 0 < v <= top for v in (w, h)):
            raise ValueError("page size")
        return (w, h)

    def render(
        self, pdf: bytes, pages: Sequence[int], max_px: int, *, key: str | None = None
    ) -> list[bytes]:
        """PNG images of ``pages`` (1-based) of a clean PDF, the longer side at most
        ``max_px`` (and ``limits.max_render_px``). ``key`` names the PDF (an attachment
        id): the worker keeps the last keyed PDF open, so it is sent only once."""
        pages = [int(p) for p in pages]
        if not pages or any(p < 1 for p in pages):
            raise ValueError("pages are numbered from 1")
        max_px = max(1, min(int(max_px), self._limits.max_render_px))
        with self._lock:
            header = {"op": "render", "pages": pages, "max_px": max_px, "key": key}
            reply: dict = {}
            data = b""
            if key is not None and key == self._held_key and self._proc is not None:
                reply, data = self._request({**header, "cached": True})
            if reply.get("ok") is not True:
                reply, data = self._request(header, pdf)
                if key is not None and reply.get("ok") is True:
                    self._held_key = key
            if reply.get("error") == "bad_page":
                raise IndexError("page number beyond the end of the document")
            if reply.get("ok") is not True:
                raise self._garbage()
            try:
                return self._images(reply, data, len(pages), max_px)
            except (TypeError, ValueError):
                raise self._garbage() from None

    @staticmethod
    def _images(reply: dict, data: bytes, count: int, max_px: int) -> list[bytes]:
        sizes = reply["sizes"]
        if not isinstance(sizes, list) or len(sizes) != count or sum(sizes) != len(data):
            raise ValueError("render reply")
        out, pos = [], 0
        for size in sizes:
            if isinstance(size, bool) or not isinstance(size, int) or size < len(_PNG):
                raise ValueError("render reply")
            image = data[pos : pos + size]
            pos += size
            if not image.startswith(_PNG):
                raise ValueError("render reply")
            width, height = int.from_bytes(image[16:20], "big"), int.from_bytes(image[20:24], "big")
            if not (0 < width <= max_px and 0 < height <= max_px):
                raise ValueError("render reply")
            out.append(image)
        return out

    # --- tests ---------------------------------------------------------------------------
    def request_for_tests(self, header: dict, payload: bytes = b"") -> dict:
        """Send a raw request (the worker answers test ops only with
        IMRDESKTOP_TEST_WORKER_OPS=1 in its environment)."""
        with self._lock:
            reply, _ = self._request(header, payload)
            return reply


__all__ = ["Converted", "DocumentWorker", "worker_command", "worker_env"]
