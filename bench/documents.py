"""Documents benchmarks: the app's import path as a ratio to a floor measured in the same run
on the same inputs (BENCHMARKS.md). Run: ``.venv/bin/python -m bench documents``.

1. a 300-page text PDF (reportlab): ``read_input`` + ``DocumentWorker.convert`` (pipes, the
   active-content sweep, save, reopen check) vs pikepdf open + save of the same bytes;
2. twenty 12-megapixel JPEG photos (4000x3000, quality 85): ``read_input`` + ``convert`` of
   each vs ``img2pdf.convert`` of each (no re-encoding in either);
3. the worker's start-up (spawn, rlimits, handshake) vs starting a bare interpreter;
4. when the services layer has ``DocumentsService.attach``: the photos attached to a case
   (convert + encrypt + store, one transaction) vs the img2pdf floor of item 2.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench._common import median as _median
from bench._common import row as _row

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from imrdesktop.documents.client import DocumentWorker
from imrdesktop.documents.inputs import read_input

PHOTOS = 20
PHOTO_SIZE = (4000, 3000)
PDF_PAGES = 300


def make_text_pdf(pages: int = PDF_PAGES) -> bytes:
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=letter, invariant=1)
    for page in range(pages):
        text = c.beginText(54, 738)
        text.setFont("Courier", 10)
        for line in range(55):
            text.textLine(f"Fictional clinic note, page {page + 1}, line {line + 1}: stable.")
        c.drawText(text)
        c.showPage()
    c.save()
    return buf.getvalue()


def make_photo(seed: int = 1) -> bytes:
    """A 12 MP photo-like JPEG (smooth gradients plus noise, so it compresses like one)."""
    from PIL import Image

    w, h = PHOTO_SIZE
    gradient = Image.linear_gradient("L").resize((w, h))
    noise = Image.effect_noise((w, h), 40 + seed)
    rgb = Image.merge("RGB", (gradient, noise, gradient.transpose(Image.Transpose.FLIP_TOP_BOTTOM)))
    buf = io.BytesIO()
    rgb.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def bench_pdf(work: Path, worker: DocumentWorker, runs: int = 3) -> dict:
    import pikepdf

    data = make_text_pdf()
    path = work / "records.pdf"
    path.write_bytes(data)

    def app() -> float:
        start = time.perf_counter()
        out = worker.convert(read_input(path))
        elapsed = time.perf_counter() - start
        assert out.pages == PDF_PAGES
        return elapsed

    def floor() -> float:
        start = time.perf_counter()
        with pikepdf.open(io.BytesIO(data)) as pdf:
            pdf.save(io.BytesIO())
        return time.perf_counter() - start

    app()  # the worker imports pikepdf on its first PDF: not part of a steady import
    floor_s, app_s = _median(floor, runs), _median(app, runs)
    return _row(
        f"{PDF_PAGES}-page PDF -> clean PDF",
        app_s,
        floor_s,
        "<= 1.5x",
        f"{len(data) // 1024} KiB; read_input + worker convert (pipes, sweep, save, reopen) vs "
        f"pikepdf open+save in this process; median of {runs}",
    )


def bench_photos(work: Path, worker: DocumentWorker, runs: int = 3) -> tuple[dict, list[Path]]:
    import img2pdf

    photos = [make_photo(i) for i in range(PHOTOS)]
    paths = []
    for i, data in enumerate(photos):
        p = work / f"IMG_{i:04d}.jpg"
        p.write_bytes(data)
        paths.append(p)

    def app() -> float:
        start = time.perf_counter()
        for p in paths:
            assert worker.convert(read_input(p)).pages == 1
        return time.perf_counter() - start

    def floor() -> float:
        start = time.perf_counter()
        for data in photos:
            img2pdf.convert(data)
        return time.perf_counter() - start

    app()  # warm: the worker's first image imports Pillow and img2pdf
    floor_s, app_s = _median(floor, runs), _median(app, runs)
    size = sum(len(p) for p in photos) // PHOTOS // 1024
    return _row(
        f"{PHOTOS} photos 12 MP -> PDF",
        app_s,
        floor_s,
        "<= 1.5x",
        f"~{size} KiB each; read_input + worker convert of each (EXIF stripped, no re-encoding) "
        f"vs img2pdf.convert of each; median of {runs}",
    ), paths


def bench_start(runs: int = 5) -> dict:
    def app() -> float:
        start = time.perf_counter()
        w = DocumentWorker()
        w.start()
        elapsed = time.perf_counter() - start
        w.close()
        return elapsed

    def floor() -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        return time.perf_counter() - start

    floor_s, app_s = _median(floor, runs), _median(app, runs)
    return _row(
        "document worker start-up",
        app_s,
        floor_s,
        "info",
        f"spawn + rlimits + handshake (parsers load on first use) vs python -c pass; "
        f"median of {runs}",
    )


def bench_attach(work: Path, worker: DocumentWorker, paths: list[Path], floor_s: float) -> dict:
    """Only when the services layer is there (it is written alongside this bench)."""
    from imrdesktop.services.documents import DocumentsService
    from imrdesktop.services.session import VaultSession
    from imrdesktop.storage import kdf
    from imrdesktop.storage.vault import Vault

    os.environ[kdf.FAST_KDF_ENV] = "1"  # the KDF is not what is timed here
    os.environ[kdf.ALLOW_TEST_KDF_ENV] = "1"
    vault, _ = Vault.create(work / "vault", "benchmark passphrase with enough words")
    session = VaultSession(vault)
    case_id = session.create_case({"enrollee": {"name": "Fictional Client"}})
    service = DocumentsService(session, worker=worker)
    start = time.perf_counter()
    docs = service.attach_paths(case_id, paths)
    app_s = time.perf_counter() - start
    assert len(docs) == len(paths)
    service._worker = None  # the worker is closed by run()
    session.lock()
    return _row(
        f"attach {len(paths)} photos to a case",
        app_s,
        floor_s,
        "info",
        "DocumentsService.attach_paths: read + convert + encrypt + store originals and PDFs "
        "in one transaction, vs the img2pdf floor alone (encryption: see the storage bench)",
    )


def run() -> list[dict]:
    from imrdesktop.storage import kdf

    names = (kdf.FAST_KDF_ENV, kdf.ALLOW_TEST_KDF_ENV)
    saved = {name: os.environ.get(name) for name in names}
    work = Path(tempfile.mkdtemp(prefix="imr-bench-docs-"))
    worker = DocumentWorker()
    rows = []
    try:
        rows.append(bench_start())
        rows.append(bench_pdf(work, worker))
        photos_row, paths = bench_photos(work, worker)
        rows.append(photos_row)
        try:
            from imrdesktop.services.documents import DocumentsService
        except ImportError:
            DocumentsService = None
        if DocumentsService is not None and hasattr(DocumentsService, "attach"):
            rows.append(bench_attach(work, worker, paths, photos_row["floor_seconds"]))
        return rows
    finally:
        worker.close()
        shutil.rmtree(work, ignore_errors=True)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


if __name__ == "__main__":
    for r in run():
        print(r)
