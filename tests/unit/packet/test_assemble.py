"""Packet assembly: order, stamps and footers, placement and rotation, bookmarks, Unicode
names with embedded fonts, SAMPLE, clean output (T-IN-3) from hostile exhibits."""

from __future__ import annotations

import io
import unicodedata
from collections import Counter

import pytest
from assemble_helpers import (
    BLUE,
    bomb_pdf,
    content_box,
    cropped_pdf,
    hostile_pdf,
    inherited_pdf,
    ink_box,
    marked_pdf,
    red_box,
    render,
    rotated_pdf,
    scanned_pdf,
    split_contents_pdf,
    text_pdf,
    user_unit_pdf,
)

from imrdesktop.packet.assemble import (
    BAND,
    MARGIN,
    Assembled,
    ExhibitSource,
    Part,
    active_content,
    assemble,
    count_pages,
)

NAME = "Nguyễn Văn Anh"
NAMES = {
    "vietnamese": "Nguyễn Thị Minh Khai",
    "chinese": "王小明",
    "korean": "김민지",
    "armenian": "Արմեն Պետրոսյան",
    "russian": "Иван Петров",
    "arabic": "محمد عبد الله",
}
BAND_TOP = round(792 - BAND)  # image row where the stamp band starts (1 px = 1 pt)
ROOM_W = 612 - 2 * MARGIN  # the room for an exhibit page
ROOM_H = 792 - BAND - MARGIN


def _parts() -> list[Part]:
    return [
        Part("cover_sheet", "Cover sheet", text_pdf(1, "cover")),
        Part("letter", "Letter in support", text_pdf(2, "letter")),
        Part("application", "Application", text_pdf(1, "application")),
        Part("exhibit_index", "Exhibit index", text_pdf(1, "index")),
        Part("release", "Release", text_pdf(1, "release")),
    ]


def _exhibit(letter: str, pdf: bytes, pages, title: str = "records") -> ExhibitSource:
    pages = [(p, 0) if isinstance(p, int) else p for p in pages]
    return ExhibitSource(letter, f"Exhibit {letter} — {title}", pdf, tuple(pages))


def _page_texts(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    return [
        unicodedata.normalize("NFKC", p.extract_text() or "")
        for p in PdfReader(io.BytesIO(pdf)).pages
    ]


def _one_page(pdf: bytes, rotate: int = 0, **kw) -> Assembled:
    return assemble([], [_exhibit("A", pdf, [(1, rotate)])], client_name=NAME, **kw)


@pytest.fixture(scope="module")
def packet() -> Assembled:
    records = text_pdf(5, "records")
    exhibits = [
        _exhibit("A", records, [1, 2, 3], "denial letter"),
        _exhibit("B", marked_pdf((792, 612), label="landscape"), [1], "landscape"),
        _exhibit("C", scanned_pdf(), [1], "scan"),
        _exhibit("D", records, [5, (4, 90)], "same records again"),
    ]
    return assemble(_parts(), exhibits, client_name=NAME)


# -- order, pages, stamps ----------------------------------------------------------------------


def test_order_sections_and_page_count(packet):
    assert packet.page_count == 6 + 3 + 1 + 1 + 2 == 13
    assert packet.sections == (
        ("cover_sheet", 1, 1),
        ("letter", 2, 2),
        ("application", 4, 1),
        ("exhibit_index", 5, 1),
        ("exhibit:A", 6, 3),
        ("exhibit:B", 9, 1),
        ("exhibit:C", 10, 1),
        ("exhibit:D", 11, 2),
        ("release", 13, 1),
    )
    texts = _page_texts(packet.pdf)
    assert len(texts) == 13
    assert "cover page 1" in texts[0]
    assert "letter page 2" in texts[2]
    assert "index page 1" in texts[4]
    assert [t for t in texts[5:8] if "records page" in t] == texts[5:8]
    assert "records page 3" in texts[7]
    assert "landscape page 1" in texts[8]
    assert "records page 5" in texts[10] and "records page 4" in texts[11]
    assert "release page 1" in texts[12]


def test_every_exhibit_page_is_stamped_and_every_part_page_has_the_footer(packet):
    texts = _page_texts(packet.pdf)
    expected = {
        6: ("A", 1, 3),
        7: ("A", 2, 3),
        8: ("A", 3, 3),
        9: ("B", 1, 1),
        10: ("C", 1, 1),
        11: ("D", 1, 2),
        12: ("D", 2, 2),
    }
    for n, text in enumerate(texts, start=1):
        flat = " ".join(text.split())
        if n in expected:
            letter, page, pages = expected[n]
            stamp = f"Exhibit {letter} — page {page} of {pages} — packet page {n} of 13 — {NAME}"
            assert stamp in flat, (n, flat)
            assert "Packet page" not in flat
        else:
            assert f"Packet page {n} of 13" in flat, (n, flat)
            assert "Exhibit" not in flat


def test_exhibits_go_at_the_end_without_the_index_part_and_labels_are_translatable():
    parts = [Part("cover_sheet", "Cover", text_pdf(1, "cover"))]
    out = assemble(
        parts,
        [_exhibit("A", text_pdf(2, "records"), [2, 1])],
        client_name="Ana",
        stamp_label="Anexo {letter}, pág. {page}/{pages}, paquete {n}/{total}, {name}",
        footer_label="Página {n} de {total}",
    )
    assert out.sections == (("cover_sheet", 1, 1), ("exhibit:A", 2, 2))
    texts = [" ".join(t.split()) for t in _page_texts(out.pdf)]
    assert "Página 1 de 3" in texts[0]
    assert "Anexo A, pág. 1/2, paquete 2/3, Ana" in texts[1] and "records page 2" in texts[1]
    assert "Anexo A, pág. 2/2, paquete 3/3, Ana" in texts[2] and "records page 1" in texts[2]


def test_no_exhibits_and_an_empty_name():
    out = assemble(_parts()[:2], [], client_name="")
    assert out.page_count == 3 and out.sections == (("cover_sheet", 1, 1), ("letter", 2, 2))
    stamped = assemble([], [_exhibit("A", text_pdf(1, "x"), [1])], client_name="  ")
    text = " ".join(_page_texts(stamped.pdf)[0].split())
    assert text.endswith("Exhibit A — page 1 of 1 — packet page 1 of 1")


def test_count_pages_plans_what_assemble_builds(packet):
    records = text_pdf(5, "records")
    counts = count_pages(_parts(), [_exhibit("A", records, [1, 2, 3]), _exhibit("B", records, [])])
    assert counts == {
        "cover_sheet": 1,
        "letter": 2,
        "application": 1,
        "exhibit_index": 1,
        "release": 1,
        "exhibit:A": 3,
        "exhibit:B": 0,
    }


def test_bad_input_is_refused_with_the_section_named():
    records = text_pdf(2, "records")
    with pytest.raises(ValueError, match="exhibit A: page 3"):
        assemble([], [_exhibit("A", records, [3])], client_name="x")
    with pytest.raises(ValueError, match="exhibit A: rotation 45"):
        assemble([], [_exhibit("A", records, [(1, 45)])], client_name="x")
    with pytest.raises(ValueError, match="exhibit B: the PDF cannot be read"):
        assemble(
            [], [_exhibit("A", records, [1]), _exhibit("B", b"not a pdf", [1])], client_name="x"
        )
    with pytest.raises(ValueError, match="part letter"):
        count_pages([Part("letter", "Letter", b"%PDF-1.4 junk")], [])


# -- bookmarks, metadata, fonts -------------------------------------------------------------------


def test_bookmarks_one_per_part_and_exhibit_at_their_first_page(packet):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(packet.pdf))
    marks = [(o.title, reader.get_destination_page_number(o)) for o in reader.outline]
    assert marks == [
        ("Cover sheet", 0),
        ("Letter in support", 1),
        ("Application", 3),
        ("Exhibit index", 4),
        ("Exhibit A — denial letter", 5),
        ("Exhibit B — landscape", 8),
        ("Exhibit C — scan", 9),
        ("Exhibit D — same records again", 10),
        ("Release", 12),
    ]


def test_bookmark_titles_in_any_script():
    from pypdf import PdfReader

    title = "Exhibit A — Hồ sơ bệnh án 王小明 — تقرير"
    out = assemble([], [ExhibitSource("A", title, text_pdf(1, "x"), ((1, 0),))], client_name="x")
    assert [o.title for o in PdfReader(io.BytesIO(out.pdf)).outline] == [title]


def test_output_is_plain_compressed_deterministic_and_names_nobody(packet):
    import pikepdf

    with pikepdf.open(io.BytesIO(packet.pdf)) as pdf:
        assert not pdf.is_encrypted
        assert dict(pdf.docinfo.items()) == {"/Title": "IMR packet"}
        assert "/Metadata" not in pdf.Root
        for page in pdf.pages:
            assert "/Annots" not in page.obj and "/AA" not in page.obj
        streams = [o for o in pdf.objects if isinstance(o, pikepdf.Stream)]
        assert len(streams) > 20
        for stream in streams:  # every stream compressed (or an image codec)
            assert stream.get("/Filter") is not None, stream.stream_dict
    again = assemble(
        _parts(),
        [
            _exhibit("A", text_pdf(5, "records"), [1, 2, 3], "denial letter"),
            _exhibit("B", marked_pdf((792, 612), label="landscape"), [1], "landscape"),
            _exhibit("C", scanned_pdf(), [1], "scan"),
            _exhibit("D", text_pdf(5, "records"), [5, (4, 90)], "same records again"),
        ],
        client_name=NAME,
    )
    assert again.pdf == packet.pdf
    assert NAME.encode() not in packet.pdf and NAME.encode("utf-16-be") not in packet.pdf


def test_the_fonts_we_add_are_embedded_truetype(packet):
    import pikepdf

    with pikepdf.open(io.BytesIO(packet.pdf)) as pdf:
        seen = set()
        for page in pdf.pages:
            fonts = page.obj.Resources.get("/Font", {})  # ours: the exhibits' are in the form
            assert fonts, "every page has our stamp or footer"
            for font in fonts.values():
                seen.add(str(font.BaseFont))
                assert "Helvetica" not in str(font.BaseFont)
                assert "/FontFile2" in font.FontDescriptor, font.BaseFont
        assert any("DejaVuSans" in name for name in seen)


@pytest.mark.parametrize("script", NAMES)
def test_any_unicode_name_prints_in_the_stamp(script):
    from packet_pdf_helpers import pdf_text

    name = NAMES[script]
    out = assemble(
        [Part("cover_sheet", "Cover", text_pdf(1, "cover"))],
        [_exhibit("A", text_pdf(1, "records"), [1])],
        client_name=name,
    )
    text = pdf_text(out.pdf)
    if script == "arabic":  # drawn in visual order: compare the letters
        letters = Counter(ch for ch in unicodedata.normalize("NFKC", name) if not ch.isspace())
        assert letters <= Counter(text), text
    else:
        assert name in text, text
    assert "packet page 2 of 2" in text


def test_a_long_name_shrinks_the_stamp_but_stays_whole_and_inside_the_band():
    name = "Maria de los Ángeles Guadalupe Fernández-Hernández y Villalobos de la Cruz Ortega"
    out = assemble([], [_exhibit("A", text_pdf(1, "records"), [1])], client_name=name)
    assert name in " ".join(_page_texts(out.pdf)[0].split())
    image = render(out.pdf, 0)
    stamp = ink_box(image, (0, BAND_TOP, 612, 792))
    assert stamp is not None
    assert stamp[0] >= MARGIN - 1 and stamp[2] <= 612 - MARGIN + 1, stamp  # printable


# -- placement ------------------------------------------------------------------------------------


def _placed(pdf: bytes, rotate: int = 0):
    out = _one_page(pdf, rotate)
    image = render(out.pdf, 0)
    return image, content_box(image), red_box(image)


def _corner(content, red) -> str:
    cx = (red[0] + red[2]) / 2
    cy = (red[1] + red[3]) / 2
    midx = (content[0] + content[2]) / 2
    midy = (content[1] + content[3]) / 2
    return ("top" if cy < midy else "bottom") + "-" + ("left" if cx < midx else "right")


def _assert_centred_above_band(content, width=None, height=None):
    left, top, right, bottom = content
    assert bottom <= BAND_TOP + 1, content  # nothing of the page in the stamp band
    assert left >= MARGIN - 1 and top >= MARGIN - 1 and right <= 612 - MARGIN + 1, content
    assert abs(left - (612 - right)) <= 2, content  # centred across
    assert abs((top - MARGIN) - (BAND_TOP - bottom)) <= 2, content  # centred in the room
    if width is not None:
        assert abs((right - left) - width) <= 2, content
    if height is not None:
        assert abs((bottom - top) - height) <= 2, content


def test_a_letter_page_is_scaled_down_just_enough_for_the_band():
    image, content, red = _placed(marked_pdf())
    scale = ROOM_H / 792
    _assert_centred_above_band(content, width=612 * scale, height=ROOM_H)
    assert _corner(content, red) == "top-left"
    stamp = ink_box(image, (0, BAND_TOP, 612, 792))
    assert stamp is not None and stamp[1] > BAND_TOP  # the stamp sits in the band
    assert stamp[3] <= 792 - MARGIN + 4  # and clear of the paper's unprintable edge


@pytest.mark.parametrize(
    ("rotate", "corner"),
    [(0, "top-left"), (90, "top-right"), (180, "bottom-right"), (270, "bottom-left")],
)
def test_extra_rotation_turns_the_page_clockwise(rotate, corner):
    _image, content, red = _placed(marked_pdf(), rotate)
    if rotate in (90, 270):  # landscape now: full width, centred vertically
        _assert_centred_above_band(content, width=ROOM_W, height=ROOM_W * 612 / 792)
    assert _corner(content, red) == corner


@pytest.mark.parametrize(
    ("own", "extra", "corner"),
    [
        (90, 0, "top-right"),
        (90, 90, "bottom-right"),
        (270, 90, "top-left"),
        (180, 0, "bottom-right"),
    ],
)
def test_the_pages_own_rotate_is_honoured_and_added_to(own, extra, corner):
    _image, content, red = _placed(rotated_pdf(own), extra)
    assert _corner(content, red) == corner


def test_landscape_and_a4_pages_fit_and_small_pages_are_not_enlarged():
    _i, content, red = _placed(marked_pdf((792, 612)))
    _assert_centred_above_band(content, width=ROOM_W, height=ROOM_W * 612 / 792)
    assert _corner(content, red) == "top-left"
    _i, content, _r = _placed(marked_pdf((595.28, 841.89)))
    _assert_centred_above_band(content, height=ROOM_H)
    _i, content, red = _placed(marked_pdf((216, 360)))  # 3x5 in: 100%, centred
    _assert_centred_above_band(content, width=216, height=360)
    assert _corner(content, red) == "top-left"


def test_inherited_boxes_crop_box_and_user_unit():
    _i, content, red = _placed(inherited_pdf())  # 3x5 in, /Rotate 90 from /Pages
    _assert_centred_above_band(content, width=360, height=216)
    assert _corner(content, red) == "top-right"
    image, content, red = _placed(cropped_pdf())  # only the crop box shows, at 100%
    _assert_centred_above_band(content, width=216, height=360)
    assert _corner(content, red) == "top-left"
    _i, content, red = _placed(user_unit_pdf())  # 216x360 units of 2/72 in: 6x10 in
    _assert_centred_above_band(content, width=432, height=720)
    assert _corner(content, red) == "top-left"


def test_a_part_page_keeps_its_size_and_rotation_under_its_footer():
    import pikepdf

    out = assemble([Part("envelope", "Envelope", rotated_pdf(90))], [], client_name="x")
    with pikepdf.open(io.BytesIO(out.pdf)) as pdf:
        assert [float(v) for v in pdf.pages[0].mediabox] == [0, 0, 792, 612]
    image = render(out.pdf, 0)
    content, red = content_box(image), red_box(image)
    assert content == (0, 0, 792, 612)  # 1:1, the whole page
    assert _corner(content, red) == "top-right"
    assert "Packet page 1 of 1" in _page_texts(out.pdf)[0]


def test_only_resources_reach_the_packet_from_a_pages_resources():
    import pikepdf
    from assemble_helpers import edit

    def stray(doc):
        page = doc.pages[0].obj
        page.Resources.Stray = doc.pages[1].obj  # a whole other page, where it has no place

    out = _one_page(edit(text_pdf(3, "stray"), stray))
    with pikepdf.open(io.BytesIO(out.pdf)) as pdf:
        form = pdf.pages[0].obj.Resources.XObject["/IMRPage"]
        assert "/Stray" not in form.Resources and "/Font" in form.Resources
        kinds = [o.get("/Type") for o in pdf.objects if isinstance(o, pikepdf.Dictionary)]
        assert kinds.count(pikepdf.Name.Page) == 1


def test_content_split_over_several_streams_is_drawn_whole():
    out = _one_page(split_contents_pdf())
    red = red_box(render(out.pdf, 0))
    assert red is not None and red[2] - red[0] > 30
    assert "split page 1" in _page_texts(out.pdf)[0]


def test_a_scanned_page_keeps_its_image_and_is_stamped():
    out = _one_page(scanned_pdf())
    image = render(out.pdf, 0)
    red = red_box(image)
    assert red is not None and red[0] < MARGIN + 30 and red[1] < MARGIN + 10
    assert "packet page 1 of 1" in _page_texts(out.pdf)[0]
    import pikepdf

    with pikepdf.open(io.BytesIO(out.pdf)) as pdf:
        form = pdf.pages[0].obj.Resources.XObject["/IMRPage"]
        images = list(form.Resources.XObject.values())
        assert images[0].Filter == pikepdf.Name.DCTDecode  # passed through, not re-encoded


def test_the_same_page_twice_and_the_same_document_twice_share_one_form():
    import pikepdf

    records = text_pdf(3, "records")
    out = assemble(
        [],
        [_exhibit("A", records, [2, 2, (2, 90)]), _exhibit("B", records, [2])],
        client_name=NAME,
    )
    assert out.page_count == 4
    texts = _page_texts(out.pdf)
    assert all("records page 2" in t for t in texts)
    assert "Exhibit B — page 1 of 1 — packet page 4 of 4" in " ".join(texts[3].split())
    with pikepdf.open(io.BytesIO(out.pdf)) as pdf:
        forms = {p.obj.Resources.XObject["/IMRPage"].objgen for p in pdf.pages}
        assert len(forms) == 1


def test_a_flate_bomb_is_copied_compressed_never_inflated():
    import time

    import pikepdf

    start = time.perf_counter()
    out = _one_page(bomb_pdf(split=False))
    assert time.perf_counter() - start < 5  # inflating 1 GiB takes longer than that
    assert len(out.pdf) < 200_000
    with pikepdf.open(io.BytesIO(out.pdf)) as pdf:
        form = pdf.pages[0].obj.Resources.XObject["/IMRPage"]
        assert list(form.Filter) == [pikepdf.Name.FlateDecode] * 3
        assert len(form.read_raw_bytes()) < 10_000


def test_a_flate_bomb_in_a_content_array_is_refused_not_inflated():
    with pytest.raises(ValueError, match="exhibit A: page 1 holds more drawing instructions"):
        _one_page(bomb_pdf(split=True))


# -- SAMPLE ----------------------------------------------------------------------------------------


def test_sample_on_every_page_only_when_asked():
    parts = _parts()[:2]
    exhibits = [_exhibit("A", marked_pdf(), [1]), _exhibit("B", scanned_pdf(), [1])]
    sample = assemble(parts, exhibits, client_name=NAME, sample=True, sample_label="MUESTRA")
    texts = _page_texts(sample.pdf)
    assert len(texts) == 5
    for text in texts:
        assert "MUESTRA" in text.replace("\n", "").replace(" ", "")
    plain = assemble(parts, exhibits, client_name=NAME)
    assert not any("MUESTRA" in t for t in _page_texts(plain.pdf))
    # drawn over the content and see-through: on the blue exhibit page (packet page 4) the
    # letters darken the blue without hiding it; on a white part page they are light grey
    blue_page = render(sample.pdf, 3).crop((106, 196, 506, 596))
    plain_page = render(plain.pdf, 3).crop((106, 196, 506, 596))
    assert blue_page.getcolors(1 << 20) != plain_page.getcolors(1 << 20)
    darker_blue = [c for _n, c in blue_page.getcolors(1 << 20) if c != BLUE and c[2] > c[0] + 40]
    assert darker_blue, "the watermark hides the page instead of tinting it"
    white_page = render(sample.pdf, 0).crop((106, 196, 506, 596))
    greys = [c for _n, c in white_page.getcolors(1 << 20) if c[0] == c[1] == c[2] and c[0] < 250]
    assert greys and min(g[0] for g in greys) > 150  # light grey, never black


# -- clean output (T-IN-3) ----------------------------------------------------------------------


def test_hostile_exhibit_yields_a_clean_packet():
    hostile = hostile_pdf()
    found = active_content(hostile)
    for name in ("/JavaScript", "/JS", "/OpenAction", "/AA", "/Launch", "/URI", "/XFA"):
        assert name in found, found
    assert "/EmbeddedFiles" in found and "/RichMedia" in found and "/SubmitForm" in found
    out = assemble(
        [Part("cover_sheet", "Cover", text_pdf(1, "cover"))],
        [_exhibit("A", hostile, [1, 1]), _exhibit("B", hostile, [(1, 180)])],
        client_name=NAME,
        sample=True,
    )
    assert active_content(out.pdf) == []
    assert "hostile page 1" in _page_texts(out.pdf)[1]
    import pikepdf

    with pikepdf.open(io.BytesIO(out.pdf)) as pdf:
        assert "/Names" not in pdf.Root and "/AcroForm" not in pdf.Root
        assert "/OpenAction" not in pdf.Root and "/URI" not in pdf.Root
        assert all("/Annots" not in p.obj for p in pdf.pages)


def test_active_content_sees_names_spelled_with_escapes_and_in_the_trailer():
    import pikepdf

    raw = text_pdf(1, "x")
    assert b"/Type /Catalog" in raw
    escaped = raw.replace(b"/Type /Catalog", b"/Type /Catalog /Open#41ction (x)", 1)
    assert "/OpenAction" in active_content(escaped)  # qpdf reads #41 as "A"

    def trailer(doc):
        doc.trailer.Extra = pikepdf.Dictionary(JS=pikepdf.String("x"))

    from assemble_helpers import edit

    assert active_content(edit(text_pdf(1, "x"), trailer)) == ["/JS"]
    assert active_content(text_pdf(1, "clean")) == []
