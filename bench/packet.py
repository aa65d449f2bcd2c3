"""Packet benchmark: ``packet.assemble.assemble()`` as a ratio to the floor measured in the
same run on the same inputs (BENCHMARKS.md). Run: ``.venv/bin/python -m bench packet``.

Inputs (made once, in memory): six small parts (cover sheet, letter, application, assistant,
release, exhibit index: 9 pages), 500 text exhibit pages (five 100-page reportlab documents)
and 50 scanned-image exhibit pages (one img2pdf document of 200-dpi greyscale JPEG scans).

1. ``assemble()`` of all of them (every page a new page with the source placed on it, the
   stamps drawn by reportlab, bookmarks, the active-content sweep, save to memory), warm (the
   libraries imported and fonts registered once, as in the app), vs the floor
   ``qpdf --empty --pages <inputs> -- --overlay stamps.pdf -- out.pdf`` as a whole process,
   its inputs and a stamps.pdf of the same stamps in a temporary folder (bench only);
2. the peak memory of the same ``assemble()`` in a fresh child process (its VmHWM; on Linux
   ru_maxrss carries the parent's peak across exec, so it is the fallback only), beside
   the child's memory before the call (interpreter, libraries and the inputs in memory).
"""

from __future__ import annotations

import io
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from imrdesktop.packet.assemble import ExhibitSource, Part, assemble

NAME = "Nguyễn Văn Anh"
TEXT_DOCS = 5
TEXT_PAGES = 100  # per document: 500 text pages
SCAN_PAGES = 50
SCAN_SIZE = (1700, 2200)  # 200 dpi Letter
PARTS = (
    ("cover_sheet", 1),
    ("letter", 2),
    ("application", 3),
    ("assistant", 1),
    ("release", 1),
    ("exhibit_index", 1),
)
REPO = Path(__file__).resolve().parents[1]


def _row(name: str, app: float, floor: float | None, goal: str, note: str) -> dict:
    return {
        "name": name,
        "app_seconds": round(app, 4),
        "floor_seconds": round(floor, 4) if floor is not None else None,
        "ratio": round(app / floor, 2) if floor else None,
        "goal": goal,
        "note": note,
    }


def make_text_pdf(pages: int, label: str) -> bytes:
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=letter, invariant=1)
    for page in range(pages):
        text = c.beginText(54, 738)
        text.setFont("Courier", 10)
        for line in range(55):
            text.textLine(
                f"Fictional {label}, page {page + 1}, line {line + 1}: stable, no change."
            )
        c.drawText(text)
        c.showPage()
    c.save()
    return buf.getvalue()


def make_scan_pdf(pages: int = SCAN_PAGES) -> bytes:
    """Scanned pages as the document worker stores them: JPEGs placed by img2pdf."""
    import img2pdf
    from PIL import Image, ImageDraw

    w, h = SCAN_SIZE
    jpegs = []
    for page in range(pages):
        im = Image.effect_noise((w, h), 12).point(lambda v: 200 + v // 5)
        draw = ImageDraw.Draw(im)
        for line in range(60):
            y = 150 + line * 32
            draw.rectangle((150, y, 150 + (page * 37 + line * 53) % 1300 + 100, y + 14), fill=40)
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=75)
        jpegs.append(buf.getvalue())
    layout = img2pdf.get_layout_fun((img2pdf.in_to_pt(8.5), img2pdf.in_to_pt(11)))
    return img2pdf.convert(jpegs, layout_fun=layout)


def make_inputs() -> tuple[list[Part], list[ExhibitSource]]:
    parts = [Part(key, key.replace("_", " ").title(), make_text_pdf(n, key)) for key, n in PARTS]
    exhibits = []
    for i in range(TEXT_DOCS):
        letter = chr(ord("A") + i)
        exhibits.append(
            ExhibitSource(
                letter,
                f"Exhibit {letter} — clinic notes {i + 1}",
                make_text_pdf(TEXT_PAGES, f"clinic note {i + 1}"),
                tuple((p, 0) for p in range(1, TEXT_PAGES + 1)),
            )
        )
    letter = chr(ord("A") + TEXT_DOCS)
    exhibits.append(
        ExhibitSource(
            letter,
            f"Exhibit {letter} — scanned records",
            make_scan_pdf(),
            tuple((p, 0) for p in range(1, SCAN_PAGES + 1)),
        )
    )
    return parts, exhibits


def _write_inputs(work: Path, parts: list[Part], exhibits: list[ExhibitSource]) -> list[Path]:
    """Bench only: the inputs as files, in packet order (for qpdf and the child process)."""
    paths = []
    for k, part in enumerate(parts):
        paths.append(work / f"part{k}-{part.key}.pdf")
        paths[-1].write_bytes(part.pdf)
    for ex in exhibits:
        paths.append(work / f"exhibit-{ex.letter}.pdf")
        paths[-1].write_bytes(ex.pdf)
    return paths


def _stamps_pdf(parts: list[Part], exhibits: list[ExhibitSource]) -> bytes:
    """The same stamps assemble() draws (one page per packet page), for the qpdf floor."""
    from imrdesktop.packet import assemble as a

    total = sum(len(e.pages) for e in exhibits) + sum(a.count_pages(parts, []).values())
    slots = []
    n = 0
    for part in parts:
        for _ in range(a.count_pages([part], [])[part.key]):
            n += 1
            slots.append(a._Slot(0, 0, 0, False, f"Packet page {n} of {total}", a.PAGE_W, a.PAGE_H))
    for ex in exhibits:
        for k in range(1, len(ex.pages) + 1):
            n += 1
            text = (
                f"Exhibit {ex.letter} — page {k} of {len(ex.pages)} — packet page {n} of "
                f"{total} — {NAME}"
            )
            slots.append(a._Slot(0, 0, 0, True, text, a.PAGE_W, a.PAGE_H))
    return a._draw_stamps(slots, False, "SAMPLE")


_CHILD = """
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, {repo!r})


def peak_kib():
    # VmHWM: this process's own high-water mark (ru_maxrss keeps the parent's across exec)
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


from imrdesktop.packet.assemble import ExhibitSource, Part, assemble
spec = json.loads(Path({spec!r}).read_text())
parts = [Part(k, k, Path(p).read_bytes()) for k, p in spec["parts"]]
exhibits = [ExhibitSource(l, l, Path(p).read_bytes(), [tuple(x) for x in pages])
            for l, p, pages in spec["exhibits"]]
before = peak_kib()
start = time.perf_counter()
out = assemble(parts, exhibits, client_name={name!r})
elapsed = time.perf_counter() - start
peak = peak_kib()
print(json.dumps({{"before_kib": before, "peak_kib": peak, "seconds": elapsed,
                  "pages": out.page_count, "bytes": len(out.pdf)}}))
"""


def bench_packet(work: Path, runs: int = 5) -> list[dict]:
    parts, exhibits = make_inputs()
    pages = sum(len(e.pages) for e in exhibits)
    paths = _write_inputs(work, parts, exhibits)
    stamps = work / "stamps.pdf"
    stamps.write_bytes(_stamps_pdf(parts, exhibits))
    out_path = work / "out.pdf"
    qpdf = shutil.which("qpdf")

    def app() -> float:
        start = time.perf_counter()
        built = assemble(parts, exhibits, client_name=NAME)
        elapsed = time.perf_counter() - start
        assert built.page_count == pages + sum(n for _, n in PARTS)
        return elapsed

    def floor() -> float:
        start = time.perf_counter()
        subprocess.run(
            [
                qpdf,
                "--empty",
                "--pages",
                *map(str, paths),
                "--",
                "--overlay",
                str(stamps),
                "--",
                str(out_path),
            ],
            check=True,
        )
        return time.perf_counter() - start

    assemble(parts[:1], exhibits[-1:], client_name=NAME)  # warm: imports, fonts, caches
    floor()
    # Interleaved, so a noisy neighbour hits both alike.
    app_times, floor_times = [], []
    for _ in range(runs):
        floor_times.append(floor())
        app_times.append(app())
    app_s, floor_s = statistics.median(app_times), statistics.median(floor_times)
    total_pages = pages + sum(n for _, n in PARTS)
    rows = [
        _row(
            f"packet: {pages} exhibit pages + {total_pages - pages} part pages",
            app_s,
            floor_s,
            "<= 1.5x",
            f"assemble() warm (place, stamp, bookmarks, sweep, save in memory) vs qpdf "
            f"--empty --pages ... --overlay stamps.pdf (whole process); median of {runs}; "
            f"app min {min(app_times):.3f} s, floor min {min(floor_times):.3f} s",
        )
    ]

    spec = work / "spec.json"
    spec.write_text(
        json.dumps(
            {
                "parts": [[p.key, str(paths[k])] for k, p in enumerate(parts)],
                "exhibits": [
                    [e.letter, str(paths[len(parts) + k]), list(e.pages)]
                    for k, e in enumerate(exhibits)
                ],
            }
        )
    )
    code = _CHILD.format(repo=str(REPO), spec=str(spec), name=NAME)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    child_s = time.perf_counter() - start
    child = json.loads(done.stdout.strip().splitlines()[-1])
    peak_mb = child["peak_kib"] / 1024
    inputs_mb = sum(p.stat().st_size for p in paths) / 1024 / 1024
    rows.append(
        {
            "name": f"packet: peak RSS {peak_mb:.0f} MB (fresh process; s = cold call)",
            "app_seconds": round(child["seconds"], 4),
            "floor_seconds": None,
            "ratio": None,
            "goal": "< 400 MB",
            "peak_rss_mb": round(peak_mb, 1),
            "rss_before_mb": round(child["before_kib"] / 1024, 1),
            "note": (
                f"fresh child: peak {peak_mb:.0f} MB, {child['before_kib'] / 1024:.0f} MB "
                f"before the call (interpreter, pikepdf, inputs {inputs_mb:.0f} MB); cold "
                f"assemble() {child['seconds']:.2f} s (imports reportlab, registers fonts), "
                f"whole child {child_s:.2f} s; packet {child['bytes'] // 1024} KiB"
            ),
        }
    )
    return rows


def run() -> list[dict]:
    work = Path(tempfile.mkdtemp(prefix="imr-bench-packet-"))
    try:
        return bench_packet(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    for r in run():
        print(r)
