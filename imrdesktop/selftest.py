"""`imrdesktop --self-test`: the smoke test of every built artefact.

Headless, offline, in a throwaway folder: it makes a vault with the fictional training
clients, attaches a generated document through the document worker process, builds a SAMPLE
packet in memory, checks it (pages, stamps, no active content), constructs the main window
offscreen, and prints ONE line. Exit 0 when everything worked, 1 otherwise. Nothing is left
behind and no real client data is touched.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path


def run() -> int:
    started = time.monotonic()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    folder = Path(tempfile.mkdtemp(prefix="imrdesktop-selftest-"))
    try:
        pages = _packet(folder)
        _window()
    except Exception as exc:  # one line, never a traceback
        print(f"imrdesktop self-test: FAILED at {type(exc).__name__}: {_safe(exc)}")
        return 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    took = time.monotonic() - started
    print(f"imrdesktop self-test: ok (training packet of {pages} pages, {took:.1f} s)")
    return 0


def _safe(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return text[:160]


def _packet(folder: Path) -> int:
    import datetime as dt
    import io

    from reportlab.pdfgen import canvas

    from imrdesktop.packet.assemble import active_content
    from imrdesktop.services.demo import create_training_vault
    from imrdesktop.services.documents import DocumentsService
    from imrdesktop.services.packet import PacketService
    from imrdesktop.services.session import VaultSession

    vault = create_training_vault(folder, dt.date.today())
    session = VaultSession(vault, training=True)
    documents = DocumentsService(session)
    try:
        case_id = session.list_cases()[0].case_id
        buf = io.BytesIO()
        c = canvas.Canvas(buf, pagesize=(612, 792))
        c.drawString(72, 700, "Self-test record (fictional)")
        c.showPage()
        c.save()
        item = documents.inspect_bytes("self-test.pdf", buf.getvalue())
        converted = documents.convert(item)  # through the worker process
        documents.attach(case_id, [(item, converted)], kind="medical_record")
        built = PacketService(session, documents).build_packet(case_id)
        if built.pages < 5 or not built.pdf.startswith(b"%PDF"):
            raise RuntimeError("the packet is incomplete")
        if active_content(built.pdf):
            raise RuntimeError("the packet holds active content")
        if b"SAMPLE" not in built.pdf and not built.sample:
            raise RuntimeError("the training packet is not marked SAMPLE")
        return built.pages
    finally:
        session.lock()


def _window() -> None:
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from imrdesktop.app import build_context
    from imrdesktop.gui.application import Application
    from imrdesktop.gui.main_window import MainWindow

    home = Path(tempfile.mkdtemp(prefix="imrdesktop-selftest-home-"))
    saved = {k: os.environ.get(k) for k in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "APPDATA")}
    try:
        # Never the user's own profiles or settings.
        os.environ["XDG_DATA_HOME"] = str(home / "data")
        os.environ["XDG_CONFIG_HOME"] = str(home / "config")
        os.environ["APPDATA"] = str(home / "appdata")
        qInstallMessageHandler(lambda *_args: None)  # one line of output, not Qt's chatter
        app = QApplication.instance() or Application(sys.argv[:1])
        ctx = build_context(None, log_to_file=False)
        window = MainWindow(ctx)
        window.show()
        app.processEvents()
        window.close()
        window.deleteLater()
        app.processEvents()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(home, ignore_errors=True)
