"""Test inputs made on the spot (fictional content only) and checks on the PDFs we produce."""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterable, Sequence

RED = (220, 20, 20)
GREEN = (20, 180, 20)
BLUE = (20, 20, 220)
WHITE = (255, 255, 255)

GPS_CANARY = b"CANARY-GPS-7f3a"
COMMENT_CANARY = b"CANARY-COMMENT-91c2"
XMP_CANARY = b"CANARY-XMP-55d0"

# --- raw PDFs -----------------------------------------------------------------------------


def raw_pdf(
    objects: Sequence[bytes],
    *,
    root: int = 1,
    header: bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
    trailer_extra: bytes = b"",
    xref: bool = True,
) -> bytes:
    """A PDF whose object i+1 is ``objects[i]`` (the bytes between ``obj`` and
    ``endobj``), with a correct cross-reference table unless ``xref`` is False."""
    out = bytearray(header)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    start = len(out)
    if xref:
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        for off in offsets:
            out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\n" % (len(objects) + 1, root, trailer_extra)
    out += b"startxref\n%d\n%%%%EOF\n" % start
    return bytes(out)


def stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n" % (dictionary, len(data)) + data + b"\nendstream"


def simple_page_pdf(
    pages: int = 1,
    box: bytes = b"[0 0 612 792]",
    *,
    extra_root: bytes = b"",
    extra_page: bytes = b"",
    extra_objects: Sequence[bytes] = (),
) -> bytes:
    """Catalog (1), Pages (2), a shared content stream (3), a font (4), pages from 5; the
    ``extra_objects`` are numbered after the pages."""
    content = stream(b"", b"BT /F1 24 Tf 72 700 Td (Fictional record) Tj ET")
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>"
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R %s >>" % extra_root,
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        content,
        font,
    ]
    for _ in range(pages):
        objs.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox %s /Contents 3 0 R "
            b"/Resources << /Font << /F1 4 0 R >> >> %s >>" % (box, extra_page)
        )
    objs.extend(extra_objects)
    return raw_pdf(objs)


def reportlab_pdf(sizes: Sequence[tuple[float, float]], *, text: str = "Fictional page") -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=sizes[0], invariant=1)
    for i, size in enumerate(sizes, start=1):
        c.setPageSize(size)
        c.setFont("Courier", 14)
        c.drawString(36, size[1] - 50, f"{text} {i}")
        c.showPage()
    c.save()
    return buf.getvalue()


def nested_flate(data: bytes, levels: int) -> tuple[bytes, bytes]:
    """``data`` deflated ``levels`` times, and the matching /Filter array."""
    for _ in range(levels):
        data = zlib.compress(data, 9)
    return data, b"[" + b" ".join([b"/FlateDecode"] * levels) + b"]"


def deflate_zeros(total: int, level: int = 9) -> bytes:
    """zlib stream of ``total`` zero bytes, built without holding them in memory."""
    comp = zlib.compressobj(level)
    chunk = bytes(1 << 20)
    parts = []
    left = total
    while left:
        n = min(left, len(chunk))
        parts.append(comp.compress(chunk[:n]))
        left -= n
    parts.append(comp.flush())
    return b"".join(parts)


# --- images -------------------------------------------------------------------------------


def upright_picture(size: tuple[int, int] = (300, 400)):
    """What the viewer must see: a red band at the top, a green band on the left, blue
    elsewhere."""
    from PIL import Image, ImageDraw

    w, h = size
    im = Image.new("RGB", size, BLUE)
    d = ImageDraw.Draw(im)
    d.rectangle([0, 0, w, h // 5], fill=RED)
    d.rectangle([0, h // 5, w // 5, h], fill=GREEN)
    return im


_STORE_FOR = {1: None, 3: "ROTATE_180", 6: "ROTATE_90", 8: "ROTATE_270"}


def jpeg_bytes(
    im=None,
    *,
    orientation: int | None = None,
    gps: bool = False,
    comment: bool = False,
    xmp: bool = False,
    quality: int = 90,
) -> bytes:
    """A JPEG of ``im`` (default: :func:`upright_picture`) stored so that a viewer applying
    EXIF ``orientation`` shows ``im`` upright."""
    from PIL import Image

    im = im if im is not None else upright_picture()
    stored = im
    if orientation:
        method = _STORE_FOR[orientation]
        if method:
            stored = im.transpose(getattr(Image.Transpose, method))
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if gps:
        ifd = exif.get_ifd(0x8825)
        ifd[1] = "N"
        ifd[2] = (37.0, 46.0, 30.0)
        ifd[3] = "W"
        ifd[4] = (122.0, 25.0, 10.0)
        ifd[27] = b"ASCII\x00\x00\x00" + GPS_CANARY
    buf = io.BytesIO()
    kwargs = {}
    if orientation or gps:
        kwargs["exif"] = exif.tobytes()
    if comment:
        kwargs["comment"] = COMMENT_CANARY
    if xmp:
        kwargs["xmp"] = (
            b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description exif:GPSLatitude="37,46N" '
            b'note="' + XMP_CANARY + b'"/></x:xmpmeta>'
        )
    stored.save(buf, "JPEG", quality=quality, **kwargs)
    return buf.getvalue()


def jpeg_segments(data: bytes) -> list[tuple[int, bytes]]:
    """(marker, whole segment bytes) up to and including SOS, then (0, rest up to EOI)."""
    pos, out = 2, []
    while True:
        marker = data[pos + 1]
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        out.append((marker, data[pos : pos + 2 + length]))
        pos += 2 + length
        if marker == 0xDA:
            end = data.index(b"\xff\xd9", pos) + 2  # our test JPEGs have no data after EOI
            out.append((0, data[pos:end]))
            return out


def strip_metadata_reference(data: bytes) -> bytes:
    """The test's own idea of the JPEG minus metadata: APP1 (EXIF/XMP), APP13, COM and every
    APPn other than APP0 JFIF, APP2 ICC and APP14 Adobe removed; nothing re-encoded."""
    kept = [b"\xff\xd8"]
    for marker, seg in jpeg_segments(data):
        body = seg[4:]
        metadata = marker == 0xFE or (0xE0 <= marker <= 0xEF)
        needed = (
            (marker == 0xE0 and body.startswith(b"JFIF\x00"))
            or (marker == 0xE2 and body.startswith(b"ICC_PROFILE\x00"))
            or (marker == 0xEE and body.startswith(b"Adobe"))
        )
        if metadata and not needed:
            continue
        kept.append(seg)
    return b"".join(kept)


def png_bytes(im) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def png_with_alpha() -> bytes:
    from PIL import Image, ImageDraw

    im = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    ImageDraw.Draw(im).ellipse([20, 10, 180, 90], fill=(200, 30, 30, 255))
    return png_bytes(im)


def fax_tiff(pages: int = 3, size: tuple[int, int] = (1728, 1100)) -> bytes:
    from PIL import Image, ImageDraw

    frames = []
    for i in range(pages):
        im = Image.new("1", size, 1)
        d = ImageDraw.Draw(im)
        d.rectangle([100, 100 + 50 * i, 900, 160 + 50 * i], fill=0)
        d.text((120, 400), f"Fictional fax page {i + 1}", fill=0)
        frames.append(im)
    buf = io.BytesIO()
    frames[0].save(
        buf, "TIFF", compression="group4", save_all=True, append_images=frames[1:], dpi=(204, 196)
    )
    return buf.getvalue()


def heic_bytes(size: tuple[int, int] = (160, 120)) -> bytes:
    import pillow_heif

    im = upright_picture(size)
    heif = pillow_heif.from_pillow(im)
    buf = io.BytesIO()
    heif.save(buf, quality=60)
    return buf.getvalue()


# --- checks on output PDFs ------------------------------------------------------------------

FORBIDDEN = (
    "/JavaScript",
    "/JS",
    "/OpenAction",
    "/AA",
    "/Launch",
    "/EmbeddedFiles",
    "/EmbeddedFile",
    "/RichMedia",
    "/XFA",
    "/SubmitForm",
    "/URI",
)


def forbidden_found(pdf_bytes: bytes) -> set[str]:
    """T-IN-3: every object of the file walked with pikepdf, and the trailer's direct
    dictionaries; forbidden keys or name values."""
    import pikepdf

    found: set[str] = set()
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        stack: list = [*pdf.objects, pdf.trailer]
        while stack:
            obj = stack.pop()
            if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                for key in list(obj):
                    if key in FORBIDDEN:
                        found.add(key)
                    value = obj.get(key)
                    if isinstance(value, pikepdf.Name) and str(value) in FORBIDDEN:
                        found.add(str(value))
                    elif not getattr(value, "is_indirect", True):
                        stack.append(value)
            elif isinstance(obj, pikepdf.Array):
                for value in obj:
                    if isinstance(value, pikepdf.Name) and str(value) in FORBIDDEN:
                        found.add(str(value))
                    elif not getattr(value, "is_indirect", True):
                        stack.append(value)
    return found


def image_placements(pdf_bytes: bytes) -> list[tuple[list[float], list[float], int]]:
    """Per page: (MediaBox, [a, b, c, d, e, f] of the image's cm, /Rotate)."""
    import pikepdf

    out = []
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        for page in pdf.pages:
            cm = None
            for operands, op in pikepdf.parse_content_stream(page):
                if str(op) == "cm":
                    cm = [float(v) for v in operands]
            box = [float(v) for v in page.obj.MediaBox]
            out.append((box, cm, int(page.obj.get("/Rotate", 0))))
    return out


def images_of(pdf_bytes: bytes) -> list[tuple[dict, bytes]]:
    """(stream dictionary as plain dict, raw stream bytes) of every image XObject."""
    import pikepdf

    out = []
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        for page in pdf.pages:
            for _name, xobj in page.get_images().items():
                d = {str(k): xobj.get(k) for k in list(xobj)}
                d = {k: (str(v) if isinstance(v, pikepdf.Name) else v) for k, v in d.items()}
                filters = d.get("/Filter")
                if isinstance(filters, pikepdf.Array):
                    d["/Filter"] = " ".join(str(f) for f in filters)
                out.append((d, bytes(xobj.read_raw_bytes())))
    return out


def fonts_of(pdf_bytes: bytes) -> list[tuple[str, bool]]:
    """(BaseFont, embedded?) of every font the pages use."""
    import pikepdf

    out = []
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        for page in pdf.pages:
            fonts = page.obj.Resources.get("/Font", {})
            for _name, font in fonts.items():
                fd = font.get("/FontDescriptor")
                if fd is None and "/DescendantFonts" in font:
                    fd = font.DescendantFonts[0].get("/FontDescriptor")
                embedded = fd is not None and any(
                    k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3")
                )
                out.append((str(font.get("/BaseFont")), embedded))
    return out


def pixel(png: bytes, fx: float, fy: float) -> tuple[int, int, int]:
    """The colour at (fx, fy) as fractions of a rendered image's width and height."""
    from PIL import Image

    im = Image.open(io.BytesIO(png)).convert("RGB")
    return im.getpixel((int(fx * (im.width - 1)), int(fy * (im.height - 1))))


def close_to(colour: Iterable[int], target: Iterable[int], tol: int = 60) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(colour, target, strict=True))


def render_page(pdf_bytes: bytes, page: int = 0, scale: float = 0.5):
    """One page of a PDF we produced, rendered by PDFium in the test process, as RGB."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf_bytes)
    try:
        return doc[page].render(scale=scale).to_pil().convert("RGB")
    finally:
        doc.close()


def quadrants(im) -> str:
    """The colours (R, G, B, W, K, ?) at the centres of the four quarters of the picture
    drawn on a white page (found as the box of everything not white): TL TR BL BR."""
    gray = im.convert("L").point(lambda v: 255 if v < 245 else 0)
    box = gray.getbbox()
    if box is None:
        return "----"
    x0, y0, x1, y1 = box
    out = ""
    for fx, fy in ((0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)):
        r, g, b = im.getpixel((int(x0 + (x1 - x0) * fx), int(y0 + (y1 - y0) * fy)))
        named = {
            (True, False, False): "R",
            (False, True, False): "G",
            (False, False, True): "B",
            (True, True, True): "W",
            (False, False, False): "K",
        }
        out += named.get((r > 150, g > 150, b > 150), "?")
    return out
