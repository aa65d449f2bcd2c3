"""Filling an administrator's official fillable PDF instead of our reproduction."""

from __future__ import annotations

import io
import json

import pikepdf
import pytest
from packet_pdf_helpers import ink, pdf_text, render_png
from packet_samples import FULL_CONTEXT

from imrdesktop.packet import official
from imrdesktop.packet.forms import render_form

BOX_Y = {"urgent": 600, "not_urgent": 570, "rr_green": 540, "rr_none": 510}


def _official_pdf() -> bytes:
    """An official-style fillable form made with reportlab's AcroForm, plus active content."""
    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(612, 792))
    c.setFont("Helvetica-Bold", 14)
    c.drawString(72, 740, "OFFICIAL TEST FORM")
    c.setFont("Helvetica", 10)
    for i, name in enumerate(("enrollee", "assistant", "article", "relationship")):
        y = 700 - i * 24
        c.drawString(72, y + 4, name)
        c.acroForm.textfield(name=name, x=180, y=y, width=300, height=18, borderWidth=0)
    for name, y in BOX_Y.items():
        c.drawString(72, y + 3, name)
        c.acroForm.checkbox(name=name, x=180, y=y, size=14, checked=False, buttonStyle="cross")
    c.showPage()
    c.save()
    with pikepdf.open(io.BytesIO(buf.getvalue())) as pdf:
        js = pdf.make_indirect(
            pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        )
        pdf.Root.OpenAction = js
        pdf.Root.Names = pikepdf.Dictionary(
            JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("x"), js]))
        )
        pdf.pages[0].obj.AA = pikepdf.Dictionary(O=js)
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


MAP = {
    "enrollee": "enrollee.name",
    "assistant": "assistant.name",
    "article": "mailing.article_number|article",
    "relationship": "assistant.relationship",
    "urgent": "urgent",
    "not_urgent": "!urgent",
    "rr_green": "mailing.return_receipt=green_card",
    "rr_none": "mailing.return_receipt=none",
}


@pytest.fixture
def official_dir(tmp_path, monkeypatch):
    (tmp_path / "assistant.pdf").write_bytes(_official_pdf())
    (tmp_path / "assistant.map.json").write_text(json.dumps(MAP), encoding="utf-8")
    monkeypatch.setattr(official, "official_dir", lambda: tmp_path)
    return tmp_path


def test_official_form_is_found_only_with_its_map(official_dir):
    assert official.official_form_path("assistant") == official_dir / "assistant.pdf"
    assert official.official_form_path("release") is None
    assert official.official_form_path("../assistant") is None
    (official_dir / "release.pdf").write_bytes(b"%PDF-1.4")
    assert official.official_form_path("release") is None  # no map beside it


def _active_names(pdf_bytes: bytes) -> set[str]:
    found = set()
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary):
                for key in obj:
                    if key in ("/AcroForm", "/JavaScript", "/JS", "/OpenAction", "/AA", "/Annots"):
                        found.add(key)
                if obj.get("/S") == pikepdf.Name.JavaScript:
                    found.add("JavaScript action")
    return found


def test_render_form_fills_the_official_pdf(official_dir, tmp_path):
    context = dict(FULL_CONTEXT)
    del context["assistant.relationship"]
    result = render_form("assistant", context)
    assert result.pages == 1
    text = pdf_text(result.pdf)
    assert "OFFICIAL TEST FORM" in text
    assert "Rosa Delgado" in text  # drawn by qpdf in the form's own font
    assert "Nguyễn Văn Anh" in text  # not WinAnsi: drawn over the field with our fonts
    assert "9400 1112 0108 0805 4830 16" in text
    assert result.missing == ["Relationship to the enrollee"]
    assert _active_names(result.pdf) == set()
    png = render_png(result.pdf, tmp_path / "filled.png", dpi=72)

    def box_ink(name):
        top = 792 - BOX_Y[name] - 14
        return ink(png, (181, top + 1, 193, top + 13))

    assert box_ink("urgent") > 10 and box_ink("rr_green") > 10
    assert box_ink("not_urgent") < 5 and box_ink("rr_none") < 5


def test_sample_watermark_on_an_official_form(official_dir):
    from pypdf import PdfReader

    def text(pdf: bytes) -> str:  # content-stream order: the rotated word stays whole
        return PdfReader(io.BytesIO(pdf)).pages[0].extract_text()

    assert "SAMPLE" in text(render_form("assistant", FULL_CONTEXT, sample=True).pdf)
    assert "SAMPLE" not in text(render_form("assistant", FULL_CONTEXT).pdf)


def test_a_bad_map_names_the_file(official_dir):
    (official_dir / "assistant.map.json").write_text('{"enrollee": "not a key!"}', "utf-8")
    with pytest.raises(ValueError, match=r"assistant.map.json: 'enrollee'"):
        render_form("assistant", FULL_CONTEXT)
    (official_dir / "assistant.map.json").write_text("[1]", "utf-8")
    with pytest.raises(ValueError, match="assistant.map.json"):
        render_form("assistant", FULL_CONTEXT)


def test_without_an_official_pdf_we_draw_our_own(tmp_path, monkeypatch):
    monkeypatch.setattr(official, "official_dir", lambda: tmp_path)
    text = pdf_text(render_form("assistant", FULL_CONTEXT).pdf)
    assert "OFFICIAL TEST FORM" not in text and "Authorized Assistant Form" in text
    with pytest.raises(ValueError, match="no official PDF"):
        official.fill_official("assistant", FULL_CONTEXT)
