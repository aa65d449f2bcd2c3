"""Any name prints: runs by glyph coverage, Arabic shaping, wrapping, embedded fonts, ink."""

from __future__ import annotations

import io
import unicodedata
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packet_pdf_helpers import assert_fonts_embedded, ink, pdf_text, render_png

from imrdesktop.packet import text as T
from imrdesktop.packet.fonts import SANS, SANS_BOLD

NAMES = {
    "vietnamese": "Nguyễn Văn Anh",
    "chinese": "王小明",
    "korean": "김민지",
    "armenian": "Արմեն Պետրոսյան",
    "russian": "Иван Петров",
    "arabic": "محمد عبد الله",
}

TOP = 720  # baseline of the first name, points from the bottom
STEP = 40


def _letters(s: str) -> Counter:
    return Counter(ch for ch in unicodedata.normalize("NFKC", s) if not ch.isspace())


def _names_pdf(bold: bool = False) -> bytes:
    from reportlab.lib.pagesizes import LETTER
    from reportlab.pdfgen.canvas import Canvas

    T.register_all()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=LETTER, initialFontName=SANS)
    for i, name in enumerate(NAMES.values()):
        T.draw_string(c, 72, TOP - i * STEP, name, 18, bold=bold)
    c.showPage()
    c.save()
    return buf.getvalue()


def test_runs_choose_the_font_that_has_the_glyphs():
    assert T.runs("Nguyễn Văn Anh") == [(SANS, "Nguyễn Văn Anh")]
    assert T.runs("王小明") == [(T.CJK, "王小明")]
    assert T.runs("김민지", bold=True) == [(T.CJK, "김민지")]
    assert T.runs("Иван", bold=True) == [(SANS_BOLD, "Иван")]
    mixed = T.runs("Client: 王小明 (Wang)")
    assert [f for f, _ in mixed] == [SANS, T.CJK, SANS]
    assert "".join(t for _, t in mixed) == "Client: 王小明 (Wang)"


def test_decomposed_vietnamese_is_composed_before_drawing():
    decomposed = unicodedata.normalize("NFD", "Nguyễn")
    assert T.runs(decomposed) == [(SANS, "Nguyễn")]
    assert T.missing_glyphs(decomposed) == set()


def test_arabic_is_shaped_and_reordered_but_latin_untouched():
    assert T.shape("Nguyễn Văn Anh") == "Nguyễn Văn Anh"
    shaped = T.shape("محمد")
    assert shaped != "محمد"
    # visual order: the last letter (dal, final form) comes first
    assert unicodedata.normalize("NFKC", shaped) == "دمحم"
    # a Latin label before an Arabic name keeps its place
    assert T.shape("Name: محمد").startswith("Name: ")
    assert T.shape("שלום") == "םולש"


def test_every_glyph_we_need_exists():
    for name in NAMES.values():
        assert T.missing_glyphs(name) == set(), name


def test_a_character_no_font_has_is_kept_and_recorded():
    T.clear_recorded_missing()
    devanagari = "नमस्ते"
    assert T.missing_glyphs(f"Ana {devanagari}")
    drawn = T.runs(f"Ana {devanagari}")
    assert "".join(t for _, t in drawn) == f"Ana {devanagari}"
    assert drawn[0][0] == SANS
    assert T.recorded_missing() >= set("नमस") - {" "}


def test_string_width_and_alignment():
    w = T.string_width("王小明", 10)
    assert w == pytest.approx(30, abs=1)
    assert T.string_width("", 10) == 0
    assert T.string_width("ab", 10, bold=True) > T.string_width("ab", 10)


def test_wrap_breaks_words_and_cjk_and_loses_nothing():
    text = "The plan denied the requested service " + "王小明" * 8 + " supercalifragilistic"
    lines = T.wrap(text, 80, 10)
    assert all(T.string_width(line, 10) <= 80 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert T.wrap("one\n\ntwo", 200, 10) == ["one", "", "two"]
    assert T.wrap("   ", 200, 10) == []
    assert T.wrap("a verylongwordwithoutanyspaces b", 40, 10)[0] == "a"


def test_draw_string_restores_the_canvas_font():
    from reportlab.pdfgen.canvas import Canvas

    T.register_all()
    buf = io.BytesIO()
    c = Canvas(buf, initialFontName=SANS)
    c.setFont(SANS, 11)
    T.draw_string(c, 10, 10, "王小明", 20, align="right")
    c.drawString(10, 30, "after")
    c.showPage()
    c.save()
    # the stream sets IMRSans 11 again after the CJK run, before "after" is drawn
    from pypdf import PdfReader

    content = PdfReader(io.BytesIO(buf.getvalue())).pages[0].get_contents().get_data()
    assert content.rstrip().endswith(b"ET") and b" 11 Tf" in content.split(b"(after)")[0][-80:]
    with pytest.raises(ValueError, match="align"):
        T.draw_string(c, 0, 0, "x", 10, align="middle")


@pytest.mark.parametrize("bold", [False, True])
def test_names_survive_in_the_pdf_with_embedded_fonts_and_ink(bold, tmp_path):
    pdf = _names_pdf(bold)
    assert_fonts_embedded(pdf)
    extracted = pdf_text(pdf)
    for script, name in NAMES.items():
        if script == "arabic":
            # drawn in visual order: compare the letters, not their order
            assert _letters(name) <= _letters(extracted), script
            assert "دمحم" in unicodedata.normalize("NFKC", extracted) or "محمد" in extracted
        else:
            assert name in extracted, script
    png = render_png(pdf, tmp_path / "names.png", dpi=72)
    for i, script in enumerate(NAMES):
        baseline = 792 - (TOP - i * STEP)
        box = (72, baseline - 20, 72 + 200, baseline + 6)
        assert ink(png, box) > 60, f"{script} drew nothing"


@settings(max_examples=80, deadline=None)
@given(
    text=st.text(
        alphabet=st.sampled_from(list("abc XYZ王小明김민지Արմեն Иван محمد ễ—,.\n")), max_size=120
    ),
    width=st.integers(20, 300),
)
def test_wrap_never_loses_a_character(text, width):
    lines = T.wrap(text, width, 10)
    kept = "".join(lines)
    expected = unicodedata.normalize("NFC", text)
    assert Counter(ch for ch in kept if not ch.isspace()) == Counter(
        ch for ch in expected if not ch.isspace()
    )
    for line in lines:
        # a line is only wider than asked when it is one character that alone does not fit
        assert T.string_width(line, 10) <= width or len(line) == 1
