"""Inputs for the packet assembly tests: small PDFs of every shape an exhibit can have, each
with a red marker in the top-left corner of its visible page, and pixel helpers."""

from __future__ import annotations

import io

RED = (220, 20, 20)
BLUE = (150, 190, 240)
MARK = 40  # the marker's side, points


def text_pdf(pages: int, label: str, size: tuple[float, float] = (612, 792)) -> bytes:
    """``pages`` pages of Courier text "<label> page i" (a part or a text exhibit)."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=size, invariant=1, initialFontName="Courier")
    for i in range(pages):
        c.setFont("Courier", 12)
        c.drawString(72, size[1] - 100, f"{label} page {i + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


def marked_pdf(
    size: tuple[float, float] = (612, 792), *, pages: int = 1, label: str = "marked"
) -> bytes:
    """The whole page light blue, a red square in its top-left corner, a line of text."""
    from reportlab.pdfgen import canvas

    w, h = size
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=size, invariant=1, initialFontName="Courier")
    for i in range(pages):
        c.setFillColorRGB(*(v / 255 for v in BLUE))
        c.rect(0, 0, w, h, stroke=0, fill=1)
        c.setFillColorRGB(*(v / 255 for v in RED))
        c.rect(0, h - MARK, MARK, MARK, stroke=0, fill=1)
        c.setFillColorRGB(0, 0, 0)
        c.setFont("Courier", 10)
        c.drawString(MARK + 10, h - 30, f"{label} page {i + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


def edit(pdf: bytes, fn) -> bytes:
    """``fn(pikepdf.Pdf)`` applied, saved as the worker saves: no object streams, no stream
    decoded or recompressed (qpdf would inflate a stream with a filter array)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        fn(doc)
        out = io.BytesIO()
        doc.save(out, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return out.getvalue()


def rotated_pdf(rotate: int) -> bytes:
    """A marked Letter page whose own /Rotate is ``rotate``."""

    def set_rotate(doc):
        doc.pages[0].obj.Rotate = rotate

    return edit(marked_pdf(), set_rotate)


def inherited_pdf() -> bytes:
    """A 3x5 in marked page whose /MediaBox, /Resources and /Rotate (90) are on /Pages."""
    import pikepdf

    def hoist(doc):
        page = doc.pages[0].obj
        root = doc.Root.Pages
        root.MediaBox = page.MediaBox
        root.Resources = page.Resources
        root.Rotate = 90
        for key in ("/MediaBox", "/Resources", "/Rotate"):
            if key in page:
                del page[key]
        assert pikepdf.Name.MediaBox not in page

    return edit(marked_pdf((216, 360)), hoist)


def cropped_pdf() -> bytes:
    """A Letter media box cropped to 3x5 in at (100, 100); the marker at the crop's corner,
    blue outside the crop that must not show."""
    import pikepdf

    def crop(doc):
        page = doc.pages[0]
        page.obj.CropBox = pikepdf.Array([100, 100, 316, 460])
        draw = b"q 0.59 0.75 0.94 rg 0 0 612 792 re f 0.86 0.08 0.08 rg 100 420 40 40 re f Q\n"
        page.obj.Contents = doc.make_stream(draw)

    return edit(marked_pdf(), crop)


def user_unit_pdf() -> bytes:
    """A marked page of 216x360 units at /UserUnit 2 (2/72 in each): 6x10 in of paper."""

    def unit(doc):
        doc.pages[0].obj.UserUnit = 2

    return edit(marked_pdf((216, 360)), unit)


def split_contents_pdf() -> bytes:
    """A page whose content is three streams that only make sense joined (q … Q across them)."""
    import pikepdf

    def split(doc):
        page = doc.pages[0].obj
        parts = [b"q 0.86 0.08 0.08 rg", b"0 752 40 40 re", b"f Q"]
        page.Contents = pikepdf.Array([page.Contents, *(doc.make_stream(p) for p in parts)])

    return edit(text_pdf(1, "split"), split)


def deflate_zeros(total: int, block: int = 1 << 20) -> bytes:
    """A zlib stream of ``total`` zero bytes built in milliseconds (one fully flushed block
    repeated; the Adler-32 of zeros computed directly)."""
    import zlib

    c = zlib.compressobj(9)
    body = (c.compress(bytes(block)) + c.flush(zlib.Z_FULL_FLUSH))[2:]
    adler = ((total % 65521) << 16) | 1
    return b"\x78\xda" + body * (total // block) + b"\x03\x00" + adler.to_bytes(4, "big")


def bomb_pdf(*, split: bool) -> bytes:
    """A text page plus a content stream of 1 GiB of zeros (spaces would do the same) deflated
    three times over (~3 KB); ``split``: the bomb is a second stream of a content array."""
    import zlib

    import pikepdf

    def arm(doc):
        page = doc.pages[0].obj
        bomb = doc.make_stream(b"")
        data = zlib.compress(zlib.compress(deflate_zeros(1 << 30), 9), 9)
        bomb.write(data, filter=pikepdf.Array([pikepdf.Name.FlateDecode] * 3))
        page.Contents = pikepdf.Array([page.Contents, bomb]) if split else bomb

    return edit(text_pdf(1, "bomb"), arm)


def scanned_pdf() -> bytes:
    """A 200-dpi greyscale-looking scan (JPEG via img2pdf, as the worker stores photos) with
    a red block in its top-left corner."""
    import img2pdf
    from PIL import Image, ImageDraw

    im = Image.new("RGB", (1700, 2200), (235, 235, 230))
    draw = ImageDraw.Draw(im)
    draw.rectangle((0, 0, 110, 110), fill=RED)
    for line in range(40):
        y = 300 + line * 40
        draw.rectangle((200, y, 1500 - (line * 37) % 600, y + 14), fill=(60, 60, 60))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=85)
    layout = img2pdf.get_layout_fun((img2pdf.in_to_pt(8.5), img2pdf.in_to_pt(11)))
    return img2pdf.convert(buf.getvalue(), layout_fun=layout)


def hostile_pdf() -> bytes:
    """A text page carrying every kind of active content: /OpenAction, /Names /JavaScript
    and /EmbeddedFiles, /AcroForm /XFA, a page /AA, a URI link, a Launch and a SubmitForm
    annotation, and a resource (an unused form) with /AA and /RichMedia names."""
    from pikepdf import Array, Dictionary, Name, String

    def poison(doc):
        js = Dictionary(S=Name.JavaScript, JS=String("app.alert('x')"))
        doc.Root.OpenAction = js
        doc.Root.Names = Dictionary(
            JavaScript=Dictionary(Names=Array([String("a"), doc.make_indirect(js)])),
            EmbeddedFiles=Dictionary(Names=Array([])),
        )
        doc.Root.AcroForm = Dictionary(Fields=Array([]), XFA=doc.make_stream(b"<xdp/>"))
        doc.Root.URI = Dictionary(Base=String("http://example.invalid/"))
        page = doc.pages[0].obj
        page.AA = Dictionary(O=js)
        link = Dictionary(
            Type=Name.Annot,
            Subtype=Name.Link,
            Rect=Array([72, 600, 300, 620]),
            A=Dictionary(S=Name.URI, URI=String("http://example.invalid/")),
        )
        launch = Dictionary(
            Type=Name.Annot,
            Subtype=Name.Link,
            Rect=Array([72, 560, 300, 580]),
            A=Dictionary(S=Name.Launch, F=String("calc.exe")),
            AA=Dictionary(E=Dictionary(S=Name.SubmitForm, F=String("http://x.invalid"))),
        )
        page.Annots = Array([doc.make_indirect(link), doc.make_indirect(launch)])
        evil = doc.make_stream(b"")
        evil.Type = Name.XObject
        evil.Subtype = Name.Form
        evil.BBox = Array([0, 0, 1, 1])
        evil.AA = Dictionary(PO=doc.make_indirect(js))
        evil.Extra = Array([Name.RichMedia, Name("/Launch")])
        resources = page.Resources
        resources.XObject = Dictionary(Evil=evil)

    return edit(text_pdf(1, "hostile"), poison)


# -- pixels ----------------------------------------------------------------------------------


def render(pdf: bytes, index: int, scale: float = 1.0):
    """Page ``index`` (0-based) as a PIL RGB image (pypdfium2, in memory; 1 px = 1 pt)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        return doc[index].render(scale=scale).to_pil().convert("RGB")
    finally:
        doc.close()


def _mask(image, r_test, g_test, b_test):
    from PIL import ImageChops

    r, g, b = image.split()
    mask = r.point(lambda v: 255 if r_test(v) else 0)
    mask = ImageChops.multiply(mask, g.point(lambda v: 255 if g_test(v) else 0))
    return ImageChops.multiply(mask, b.point(lambda v: 255 if b_test(v) else 0))


def red_box(image) -> tuple[int, int, int, int] | None:
    """(left, top, right, bottom) of the red marker's pixels, None when there are none."""
    return _mask(image, lambda v: v > 170, lambda v: v < 90, lambda v: v < 90).getbbox()


def content_box(image) -> tuple[int, int, int, int] | None:
    """The bounding box of the placed page: its blue background or red marker (not white
    paper, not the black stamp, not a grey watermark)."""
    from PIL import ImageChops

    blue = _mask(image, lambda v: v < 200, lambda v: True, lambda v: v > 200)
    red = _mask(image, lambda v: v > 170, lambda v: v < 90, lambda v: v < 90)
    return ImageChops.lighter(blue, red).getbbox()


def ink_box(image, box: tuple[int, int, int, int]) -> tuple[int, int, int, int] | None:
    """The bounding box (page coordinates) of anything not white inside ``box``."""
    from PIL import ImageOps

    part = ImageOps.invert(image.crop(box).convert("L")).point(lambda v: 255 if v > 60 else 0)
    found = part.getbbox()
    if found is None:
        return None
    return (found[0] + box[0], found[1] + box[1], found[2] + box[0], found[3] + box[1])
