"""The worker process: limits, failures mapped to fixed codes, restart, rendering."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from doc_samples import jpeg_bytes, reportlab_pdf

from imrdesktop.documents import client as client_module
from imrdesktop.documents import worker as protocol
from imrdesktop.documents.client import DocumentWorker
from imrdesktop.documents.inputs import inspect_bytes
from imrdesktop.documents.limits import Limits
from imrdesktop.documents.problems import DocumentProblem

POSIX = os.name == "posix"


def _ok(worker: DocumentWorker) -> None:
    assert worker.request_for_tests({"op": "ping"}) == {"ok": True}
    out = worker.convert(inspect_bytes("letter.txt", b"Fictional letter\n"))
    assert out.pages == 1


def _problem(fn, *args, **kwargs) -> DocumentProblem:
    with pytest.raises(DocumentProblem) as exc:
        fn(*args, **kwargs)
    return exc.value


# --- failures ----------------------------------------------------------------------------


@pytest.mark.parametrize("op", ["test_abort", "test_exit", "test_garbage"])
def test_a_crash_is_worker_failed_and_the_next_request_works(worker, op):
    before = worker.pid
    _ok(worker)
    assert _problem(worker.request_for_tests, {"op": op}).code == "worker_failed"
    assert worker.pid is None  # stopped and reaped
    _ok(worker)
    assert worker.pid not in (None, before)


def test_wall_clock_timeout_kills_the_worker(worker_test_ops):
    with DocumentWorker(Limits(timeout_s=1.0)) as w:
        w.start()
        start = time.monotonic()
        problem = _problem(w.request_for_tests, {"op": "test_sleep", "seconds": 30})
        assert problem.code == "timeout" and problem.params == {"seconds": 1.0}
        assert time.monotonic() - start < 5
        _ok(w)


@pytest.mark.skipif(not hasattr(signal, "SIGXCPU"), reason="POSIX RLIMIT_CPU")
def test_cpu_limit_counts_as_a_timeout(worker_test_ops):
    with DocumentWorker(Limits(timeout_s=30)) as w:
        w.start()
        limits = w.request_for_tests({"op": "test_limits"})
        assert 0 < limits["cpu"] <= 35  # the CPU budget of one request
        pid = w.pid
        threading.Timer(0.5, os.kill, (pid, signal.SIGXCPU)).start()  # what the kernel sends
        assert _problem(w.request_for_tests, {"op": "test_spin", "seconds": 10}).code == "timeout"
        _ok(w)


def test_memory_error_is_memory_and_the_worker_is_replaced(worker):
    pid = worker.pid or (worker.start() or worker.pid)
    problem = _problem(worker.request_for_tests, {"op": "test_alloc", "bytes": 8 * 1024**3})
    assert problem.code == "memory"
    _ok(worker)
    assert worker.pid != pid


def test_a_reply_that_is_not_the_protocol_is_worker_failed(worker, monkeypatch):
    worker.start()
    real = protocol.read_frame

    def lying(stream, cap):
        header, data = real(stream, cap)
        if "pages" in header:
            header["pages"] = 10**9
        return header, data

    monkeypatch.setattr(protocol, "read_frame", lying)
    assert _problem(worker.convert, inspect_bytes("a.txt", b"text\n")).code == "worker_failed"
    monkeypatch.setattr(protocol, "read_frame", real)
    _ok(worker)


def test_the_worker_cannot_start(monkeypatch):
    monkeypatch.setattr(client_module, "worker_command", lambda: ["/nonexistent/python"])
    w = DocumentWorker()
    assert _problem(w.start).code == "worker_failed"
    w.close()


def test_a_worker_that_dies_at_start_is_worker_failed(monkeypatch):
    monkeypatch.setattr(
        client_module, "worker_command", lambda: [sys.executable, "-c", "import sys; sys.exit(1)"]
    )
    with DocumentWorker() as w:
        assert _problem(w.convert, inspect_bytes("a.txt", b"x\n")).code == "worker_failed"


# --- the sandbox ---------------------------------------------------------------------------


@pytest.mark.skipif(not POSIX, reason="POSIX rlimits")
def test_rlimits_are_set_and_the_parsers_load_under_them(worker):
    worker.request_for_tests({"op": "test_import_all"})
    limits = worker.request_for_tests({"op": "test_limits"})
    assert limits["as"] == worker.limits.memory_bytes
    assert limits["core"] == 0 and limits["nofile"] <= 32
    assert set(limits["modules"]) >= {"pikepdf", "PIL", "img2pdf", "pypdfium2", "reportlab"}


def test_the_worker_has_no_network(worker):
    assert worker.request_for_tests({"op": "test_socket"})["refused"] is True


@pytest.mark.skipif(not POSIX, reason="RLIMIT_FSIZE")
def test_the_worker_cannot_write_files(worker):
    assert worker.request_for_tests({"op": "test_write"})["refused"] is True
    assert list((__import__("pathlib").Path(os.environ["TMPDIR"])).iterdir()) == []


def test_the_worker_gets_a_minimal_environment(monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-for-the-worker")
    monkeypatch.setenv("HOME", "/home/someone")
    monkeypatch.setenv("IMRDESKTOP_SOMETHING", "1")
    env = client_module.worker_env()
    assert "AWS_SECRET_ACCESS_KEY" not in env and "HOME" not in env
    assert env["LANG"] == "C.UTF-8" and env["IMRDESKTOP_SOMETHING"] == "1"
    assert set(env) <= {
        "PATH",
        "SYSTEMROOT",
        "TMPDIR",
        "TMP",
        "TEMP",
        "LANG",
        "PYTHONPATH",
        "PYTHONDONTWRITEBYTECODE",
        "PYTHONIOENCODING",
        "MALLOC_ARENA_MAX",
        "MALLOC_MMAP_THRESHOLD_",
        "MALLOC_TRIM_THRESHOLD_",
    } | {k for k in env if k.startswith("IMRDESKTOP_")}


def test_frozen_builds_start_the_worker_through_the_app(monkeypatch):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert client_module.worker_command() == [sys.executable, "--document-worker"]


def test_the_hidden_app_flag_runs_the_worker():
    """``--document-worker`` speaks the protocol before anything else of the app runs."""
    code = "from imrdesktop.app import main; raise SystemExit(main(['--document-worker']))"
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=client_module.worker_env(),
    )
    assert proc.stdin is not None and proc.stdout is not None
    protocol.write_frame(proc.stdin, {"op": "init", "limits": Limits().to_json()})
    reply, _ = protocol.read_frame(proc.stdout, 1 << 20)
    assert reply["ok"] is True and reply["pid"] == proc.pid
    protocol.write_frame(proc.stdin, {"op": "ping"})
    assert protocol.read_frame(proc.stdout, 1 << 20)[0] == {"ok": True}
    proc.stdin.close()
    assert proc.wait(timeout=10) == 0


def test_large_payloads_cross_the_pipes_intact(worker):
    data = os.urandom(20 << 20)
    with worker._lock:
        reply, echoed = worker._request({"op": "test_echo"}, data)
    assert reply == {"ok": True} and echoed == data


def test_frames_are_checked():
    buf = io.BytesIO()
    protocol.write_frame(buf, {"op": "x"}, b"payload")
    buf.seek(0)
    assert protocol.read_frame(buf, 100) == ({"op": "x"}, b"payload")
    buf.seek(0)
    with pytest.raises(protocol.ProtocolError):
        protocol.read_frame(buf, 3)  # payload over the cap
    for raw in (
        b"\x00\x00\x00\x05",
        protocol.FRAME.pack(4, 0) + b"[1]]",
        protocol.FRAME.pack(9, 0),
    ):
        with pytest.raises(protocol.ProtocolError):
            protocol.read_frame(io.BytesIO(raw), 100)
    with pytest.raises(EOFError):
        protocol.read_frame(io.BytesIO(b""), 100)


# --- rendering ----------------------------------------------------------------------------


def test_render_sizes_rotation_and_key_cache(worker, monkeypatch):
    import pikepdf
    from PIL import Image

    with pikepdf.open(io.BytesIO(reportlab_pdf([(612, 792), (792, 612)]))) as pdf:
        pdf.pages[0].obj.Rotate = 90
        buf = io.BytesIO()
        pdf.save(buf)
    clean = worker.convert(inspect_bytes("r.pdf", buf.getvalue())).pdf
    pngs = worker.render(clean, [1, 2, 1], 200, key="A-1")
    sizes = [Image.open(io.BytesIO(p)).size for p in pngs]
    assert sizes == [(200, 155), (200, 155), (200, 155)]  # page 1 shown landscape (/Rotate)
    # the same key: the PDF is not sent again
    sent = []
    real = protocol.write_frame

    def spy(stream, header, payload=b""):
        sent.append(len(payload))
        real(stream, header, payload)

    monkeypatch.setattr(protocol, "write_frame", spy)
    assert worker.render(clean, [2], 100, key="A-1")[0].startswith(b"\x89PNG")
    assert sent == [0]
    worker.render(clean, [2], 100, key="A-2")
    assert sent[-1] == len(clean)
    # the longer side never exceeds the limit, whatever is asked
    [big] = worker.render(clean, [2], 10**6, key="A-2")
    assert max(Image.open(io.BytesIO(big)).size) == worker.limits.max_render_px
    with pytest.raises(IndexError):
        worker.render(clean, [3], 100, key="A-2")
    with pytest.raises(ValueError, match="from 1"):
        worker.render(clean, [0], 100)


def test_render_after_a_restart_resends_the_pdf(worker):
    clean = worker.convert(inspect_bytes("p.jpg", jpeg_bytes())).pdf
    worker.render(clean, [1], 50, key="A-9")
    _problem(worker.request_for_tests, {"op": "test_abort"})
    assert worker.render(clean, [1], 50, key="A-9")[0].startswith(b"\x89PNG")


def test_render_of_a_damaged_pdf(worker):
    assert _problem(worker.render, b"%PDF-1.4 nothing else", [1], 100).code == "pdf_damaged"


# --- life cycle and threads ------------------------------------------------------------------


def test_close_is_idempotent_and_the_worker_restarts_lazily(worker_test_ops):
    w = DocumentWorker()
    w.close()
    w.start()
    pid = w.pid
    w.close()
    w.close()
    assert w.pid is None
    if POSIX:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    _ok(w)
    w.close()


def test_requests_from_several_threads_are_serialised(worker):
    data = inspect_bytes("p.jpg", jpeg_bytes())
    results, errors = [], []

    def go():
        try:
            for _ in range(3):
                results.append(worker.convert(data).pages)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and results == [1] * 12


def test_close_from_another_thread_stops_a_long_request(worker_test_ops):
    w = DocumentWorker()
    w.start()
    threading.Timer(0.5, w.close).start()
    start = time.monotonic()
    assert _problem(w.request_for_tests, {"op": "test_sleep", "seconds": 30}).code in (
        "worker_failed",
        "timeout",
    )
    assert time.monotonic() - start < 5
    w.close()


def test_start_up_cost_is_small(worker_test_ops):
    start = time.perf_counter()
    with DocumentWorker() as w:
        w.start()
        elapsed = time.perf_counter() - start
    assert elapsed < 3  # measured ~0.05 s here; parsers load on first use


def test_an_interrupted_request_does_not_leave_the_stream_out_of_step(worker, monkeypatch):
    worker.start()
    real = protocol.read_frame

    def interrupted(stream, cap):
        raise KeyboardInterrupt

    monkeypatch.setattr(protocol, "read_frame", interrupted)
    with pytest.raises(KeyboardInterrupt):
        worker.request_for_tests({"op": "ping"})
    monkeypatch.setattr(protocol, "read_frame", real)
    _ok(worker)
