"""Helpers for the packet tests: text out of a PDF, its fonts, pixels of a rendered page."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest


def pdf_text(pdf: bytes) -> str:
    """The text of every page (pdftotext when installed, else pypdf), NFKC-normalised so
    that shaped Arabic (presentation forms) reads as the letters it stands for."""
    if shutil.which("pdftotext"):
        out = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-", "-"],
            input=pdf,
            capture_output=True,
            check=True,
        ).stdout.decode("utf-8")
    else:  # pragma: no cover - poppler is installed on the CI images
        from pypdf import PdfReader

        out = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
    return unicodedata.normalize("NFKC", out)


def flat(text: str) -> str:
    """Whitespace collapsed (labels may wrap or sit in columns)."""
    return re.sub(r"\s+", " ", text)


def fonts_of(pdf: bytes) -> list[dict]:
    """Every font resource of every page: {name, subtype, embedded}."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    seen: dict[str, dict] = {}
    for page in reader.pages:
        res = page.get("/Resources")
        if res is None:
            continue
        res = res.get_object()
        fonts = res.get("/Font")
        if fonts is None:
            continue
        for _key, ref in fonts.get_object().items():
            font = ref.get_object()
            name = str(font.get("/BaseFont"))
            desc = font.get("/FontDescriptor")
            if font.get("/Subtype") == "/Type0":
                desc = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            desc = desc.get_object() if desc is not None else {}
            embedded = any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            seen[name] = {
                "name": name,
                "subtype": str(font.get("/Subtype")),
                "embedded": embedded,
                "truetype": "/FontFile2" in desc,
            }
    return list(seen.values())


def assert_fonts_embedded(pdf: bytes) -> None:
    fonts = fonts_of(pdf)
    assert fonts, "no fonts at all"
    for font in fonts:
        assert font["truetype"], f"font not embedded as TrueType: {font}"
        assert "Helvetica" not in font["name"], font
    assert b"Helvetica" not in pdf


def render_png(pdf: bytes, out: Path, *, page: int = 1, dpi: int = 72) -> Path:
    """Page ``page`` as a PNG via pdftoppm (skips the test when poppler is missing)."""
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm not installed")
    out.parent.mkdir(parents=True, exist_ok=True)
    stem = out.with_suffix("")
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(dpi),
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            "-",
            str(stem),
        ],
        input=pdf,
        check=True,
        capture_output=True,
    )
    return stem.with_suffix(".png")


def ink(png: Path, box: tuple[int, int, int, int]) -> int:
    """Non-white pixels inside ``box`` (left, top, right, bottom in pixels)."""
    from PIL import Image

    with Image.open(png) as im:
        gray = im.convert("L").crop(box)
        return sum(gray.histogram()[:200])


def shots_dir() -> Path:
    """/work/main/shots/forms (gitignored): where page images are kept to look at."""
    root = Path(__file__).resolve().parents[3]
    return root / "shots" / "forms"
