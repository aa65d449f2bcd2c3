"""The document worker process: every parser of untrusted bytes runs here, never in the app.

Started by :class:`imrdesktop.documents.client.DocumentWorker` as
``python -m imrdesktop.documents.worker`` (``--document-worker`` in a frozen build). It
speaks length-prefixed frames on its stdin/stdout (:func:`write_frame`): a JSON header and
raw bytes. The first request (``init``) carries the :class:`Limits`; the worker then limits
itself (POSIX rlimits: address space, CPU, no core, few files, no file writes), disables
sockets, and only then imports parsers, lazily, per request.

This module's import is cheap (the client imports the framing helpers from it).
"""

from __future__ import annotations

import json
import os
import struct
import sys
from typing import Any, BinaryIO

FRAME = struct.Struct(">IQ")  # header length, payload length
MAX_HEADER = 1 << 20
TEST_OPS_ENV = "IMRDESKTOP_TEST_WORKER_OPS"


class ProtocolError(Exception):
    """A frame that is not what the other side must send."""


def write_frame(stream: BinaryIO, header: dict[str, Any], payload: bytes = b"") -> None:
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    stream.write(FRAME.pack(len(head), len(payload)) + head)
    if payload:
        stream.write(payload)
    stream.flush()


def _read_exactly(stream: BinaryIO, n: int) -> bytes:
    data = stream.read(n) if n else b""
    if data is None or len(data) != n:
        raise EOFError("stream ended inside a frame")
    return data


def read_frame(stream: BinaryIO, max_payload: int) -> tuple[dict[str, Any], bytes]:
    """One frame; ``EOFError`` at a clean end, ``ProtocolError`` for anything malformed."""
    raw = stream.read(FRAME.size)
    if not raw:
        raise EOFError("no more frames")
    if len(raw) != FRAME.size:
        raise ProtocolError("short frame prefix")
    head_len, payload_len = FRAME.unpack(raw)
    if not 2 <= head_len <= MAX_HEADER or payload_len > max_payload:
        raise ProtocolError("frame sizes out of range")
    try:
        header = json.loads(_read_exactly(stream, head_len).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ProtocolError("frame header is not JSON") from None
    except EOFError:
        raise ProtocolError("stream ended inside a frame") from None
    if not isinstance(header, dict):
        raise ProtocolError("frame header is not an object")
    try:
        payload = _read_exactly(stream, payload_len)
    except EOFError:
        raise ProtocolError("stream ended inside a frame") from None
    return header, payload


def max_payload(limits) -> int:
    """Largest frame payload either side accepts (an input file or a clean PDF)."""
    return max(4 * limits.max_bytes, 1 << 30)


# --- the process ---------------------------------------------------------------------------
class _NoNetwork:
    def __init__(self, *_args: Any, **_kwargs: Any) -> None:
        raise OSError("the document worker has no network")


def _no_network(*_args: Any, **_kwargs: Any) -> Any:
    raise OSError("the document worker has no network")


def disable_network() -> None:
    """No parser can open a socket (best effort at the Python level, before any import)."""
    import _socket
    import socket

    for module in (socket, _socket):
        for name in ("socket", "SocketType"):
            if hasattr(module, name):
                setattr(module, name, _NoNetwork)
        for name in (
            "create_connection",
            "create_server",
            "socketpair",
            "fromfd",
            "getaddrinfo",
            "gethostbyname",
            "gethostbyname_ex",
            "gethostbyaddr",
            "getnameinfo",
        ):
            if hasattr(module, name):
                setattr(module, name, _no_network)


def apply_rlimits(limits) -> None:
    """POSIX resource limits on this process (no-op elsewhere)."""
    try:
        import resource
    except ImportError:  # Windows: the parent's wall-clock timeout is the limit
        return

    def cap(which: int, value: int) -> None:
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass

    cap(resource.RLIMIT_CORE, 0)
    cap(resource.RLIMIT_AS, int(limits.memory_bytes))
    cap(resource.RLIMIT_NOFILE, 32)
    # Writing any regular file fails (EFBIG instead of SIGXFSZ): the worker writes no files.
    import signal

    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    cap(resource.RLIMIT_FSIZE, 0)
    set_cpu_budget(limits.timeout_s)


def set_cpu_budget(seconds: float) -> None:
    """RLIMIT_CPU (soft) at the CPU time used so far plus one request's budget; exceeding it
    kills the worker with SIGXCPU, which the parent reports as a timeout."""
    try:
        import resource
    except ImportError:
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = usage.ru_utime + usage.ru_stime
    soft = int(used + seconds) + 2
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    try:
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    except (ValueError, OSError):
        pass


def _take_pipes() -> tuple[BinaryIO, BinaryIO]:
    """The protocol on private copies of stdin/stdout; fds 0 and 1 then point elsewhere so a
    stray print() or C library message cannot corrupt a frame."""
    proto_in = os.dup(0)
    proto_out = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(proto_in, "rb"), os.fdopen(proto_out, "wb")


class Worker:
    def __init__(self, limits) -> None:
        self.limits = limits
        self.held_key: str | None = None
        self.held_doc = None
        self.test_ops = os.environ.get(TEST_OPS_ENV) == "1"

    def handle(self, header: dict[str, Any], payload: bytes) -> tuple[dict[str, Any], bytes]:
        from imrdesktop.documents.problems import DocumentProblem

        op = header.get("op")
        try:
            if op == "convert":
                return self.convert(header, payload)
            if op == "render":
                return self.render(header, payload)
            if op == "ping":
                return {"ok": True}, b""
            if self.test_ops and op == "test_echo":
                return {"ok": True}, payload
            if self.test_ops and isinstance(op, str) and op.startswith("test_"):
                return self.test_op(op, header)
            return {"ok": False, "error": "bad_request"}, b""
        except DocumentProblem as problem:
            return {"ok": False, "problem": problem.to_json()}, b""
        except MemoryError:
            return {"ok": False, "problem": {"code": "memory", "params": {}}}, b""
        except Exception:  # a bug or a parser failure we did not map: this request fails
            return {"ok": False, "problem": {"code": "worker_failed", "params": {}}}, b""

    def convert(self, header: dict[str, Any], payload: bytes) -> tuple[dict[str, Any], bytes]:
        from imrdesktop.documents.convert import convert

        media = header.get("media")
        password = header.get("password")
        if not isinstance(password, str):
            password = None
        result = convert(str(media), payload, self.limits, password)
        reply = {
            "ok": True,
            "pages": result.pages,
            "page_sizes": [list(s) for s in result.page_sizes],
            "notes": list(result.notes),
        }
        return reply, result.pdf

    def render(self, header: dict[str, Any], payload: bytes) -> tuple[dict[str, Any], bytes]:
        from imrdesktop.documents.render import BadRequest, open_document, render_pages

        key = header.get("key")
        key = key if isinstance(key, str) else None
        pages = header.get("pages")
        max_px = header.get("max_px")
        if (
            not isinstance(pages, list)
            or not pages
            or not all(isinstance(p, int) and not isinstance(p, bool) for p in pages)
            or not isinstance(max_px, int)
            or not 1 <= max_px <= self.limits.max_render_px
        ):
            return {"ok": False, "error": "bad_request"}, b""
        if header.get("cached"):
            if key is None or key != self.held_key or self.held_doc is None:
                return {"ok": False, "error": "not_cached"}, b""
            doc = self.held_doc
        else:
            doc = open_document(payload)
            if key is not None:
                if self.held_doc is not None:
                    self.held_doc.close()
                self.held_key, self.held_doc = key, doc
        try:
            images = render_pages(doc, pages, max_px)
        except BadRequest:
            return {"ok": False, "error": "bad_page"}, b""
        finally:
            if doc is not self.held_doc:
                doc.close()
        return {"ok": True, "sizes": [len(i) for i in images]}, b"".join(images)

    def test_op(self, op: str, header: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
        """Misbehaviour on request, for the client's tests (IMRDESKTOP_TEST_WORKER_OPS=1)."""
        import time

        if op == "test_abort":
            os.abort()
        if op == "test_exit":
            os._exit(3)
        if op == "test_sleep":
            time.sleep(float(header.get("seconds", 1)))
            return {"ok": True}, b""
        if op == "test_spin":
            end = time.monotonic() + float(header.get("seconds", 1))
            while time.monotonic() < end:
                pass
            return {"ok": True}, b""
        if op == "test_alloc":
            block = bytearray(int(header.get("bytes", 0)))
            return {"ok": True, "size": len(block)}, b""
        if op == "test_garbage":
            os.write(_PROTO_OUT.fileno(), b"\xde\xad\xbe\xef" * 8)
            return {"ok": True}, b""
        if op == "test_socket":
            import socket

            try:
                socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            except OSError:
                return {"ok": True, "refused": True}, b""
            return {"ok": True, "refused": False}, b""
        if op == "test_write":
            import tempfile

            try:
                with tempfile.TemporaryFile() as f:
                    f.write(b"x" * 10)
                    f.flush()
            except OSError:
                return {"ok": True, "refused": True}, b""
            return {"ok": True, "refused": False}, b""
        if op == "test_limits":
            import resource

            return {
                "ok": True,
                "as": resource.getrlimit(resource.RLIMIT_AS)[0],
                "core": resource.getrlimit(resource.RLIMIT_CORE)[0],
                "nofile": resource.getrlimit(resource.RLIMIT_NOFILE)[0],
                "cpu": resource.getrlimit(resource.RLIMIT_CPU)[0],
                "modules": sorted(
                    m
                    for m in ("pikepdf", "PIL", "img2pdf", "pypdfium2", "reportlab")
                    if m in sys.modules
                ),
            }, b""
        if op == "test_import_all":
            import img2pdf  # noqa: F401
            import pikepdf  # noqa: F401
            import pillow_heif  # noqa: F401
            import pypdfium2  # noqa: F401
            import reportlab.pdfgen.canvas  # noqa: F401
            from PIL import Image  # noqa: F401

            return {"ok": True}, b""
        return {"ok": False, "error": "bad_request"}, b""


_PROTO_OUT: BinaryIO


def main(argv: list[str] | None = None) -> int:
    global _PROTO_OUT
    from imrdesktop.documents.limits import Limits

    proto_in, proto_out = _take_pipes()
    _PROTO_OUT = proto_out
    try:
        header, _ = read_frame(proto_in, 0)
        if header.get("op") != "init":
            return 2
        limits = Limits.from_json(header.get("limits") or {})
    except (EOFError, ProtocolError, ValueError, TypeError):
        return 2
    from imrdesktop.hardening import harden_process

    harden_process()  # umask, no core dumps, not dumpable/ptrace-able on Linux
    apply_rlimits(limits)
    disable_network()
    worker = Worker(limits)
    write_frame(proto_out, {"ok": True, "pid": os.getpid()})
    cap = max_payload(limits)
    while True:
        set_cpu_budget(limits.timeout_s)
        try:
            header, payload = read_frame(proto_in, cap)
        except EOFError:
            return 0
        except ProtocolError:
            return 2
        reply, data = worker.handle(header, payload)
        del payload
        write_frame(proto_out, reply, data)


if __name__ == "__main__":
    raise SystemExit(main())
