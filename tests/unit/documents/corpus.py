"""A hostile corpus (RELIABILITY.md T-IN-1), built on the spot: each file with what the import
must answer, a problem code or success with given notes.

Every builder takes a folder and returns the path it wrote, or ``(name, bytes)`` for inputs
that cannot exist as a file name on this system (they go through ``inspect_bytes``).
"""

from __future__ import annotations

import io
import os
import random
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from doc_samples import (
    GPS_CANARY,
    fax_tiff,
    heic_bytes,
    jpeg_bytes,
    png_bytes,
    quadrants,
    raw_pdf,
    render_page,
    reportlab_pdf,
    simple_page_pdf,
    stream,
    upright_picture,
)

Built = Path | tuple[str, bytes]


@dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[Path], Built]
    expect: str  # a problem code, or "ok"
    notes: frozenset[str] = frozenset()  # for "ok": notes that must be present
    check: Callable[[object], None] | None = None  # extra check on the Converted
    posix_only: bool = False
    tags: tuple[str, ...] = field(default=())


# --- helpers ------------------------------------------------------------------------------


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return (
        struct.pack(">I", len(body))
        + kind
        + body
        + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    )


def _png_declaring(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def _noise_image(size=(256, 256)):
    from PIL import Image

    rnd = random.Random(7)
    return Image.frombytes(
        "RGB", size, bytes(rnd.getrandbits(8) for _ in range(size[0] * size[1] * 3))
    )


def _jpeg_with_size(width: int, height: int) -> bytes:
    data = bytearray(jpeg_bytes(upright_picture((64, 48))))
    pos = 2
    while True:
        marker, length = data[pos + 1], int.from_bytes(data[pos + 2 : pos + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            data[pos + 5 : pos + 9] = struct.pack(">HH", height, width)
            return bytes(data)
        pos += 2 + length


def deflate_zeros(total: int, block: int = 1 << 20) -> bytes:
    """A zlib stream of ``total`` zero bytes built in milliseconds: one fully flushed deflate
    block repeated, and the Adler-32 of zeros computed directly."""
    assert total % block == 0
    c = zlib.compressobj(9)
    body = (c.compress(bytes(block)) + c.flush(zlib.Z_FULL_FLUSH))[2:]
    adler = ((total % 65521) << 16) | 1
    return b"\x78\xda" + body * (total // block) + b"\x03\x00" + adler.to_bytes(4, "big")


JS = b"<< /S /JavaScript /JS (app.alert\\('fictional'\\);) >>"


def _active(extra_root: bytes = b"", extra_page: bytes = b"", objs=()) -> Callable:
    def build(folder: Path) -> Path:
        data = simple_page_pdf(
            1, extra_root=extra_root, extra_page=extra_page, extra_objects=list(objs)
        )
        return _write(folder, "active.pdf", data)

    return build


# --- builders -----------------------------------------------------------------------------


def b_empty(folder: Path) -> Path:
    return _write(folder, "empty.pdf", b"")


def b_sparse(folder: Path) -> Path:
    path = folder / "scan-2gb.pdf"
    path.touch()
    os.truncate(path, 2 * 1024**3)  # sparse: never written
    return path


def b_exe_as_jpg(folder: Path) -> Path:
    stub = bytearray(512)
    stub[0:2] = b"MZ"
    stub[0x3C:0x40] = struct.pack("<I", 0x80)
    stub[0x4E:0x76] = b"This program cannot be run in DOS mode.\r"
    stub[0x80:0x84] = b"PE\x00\x00"
    return _write(folder, "holiday-photo.jpg", bytes(stub))


def b_zip_as_pdf(folder: Path) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("notes.txt", "fictional notes\n" * 100)
    return _write(folder, "records.pdf", buf.getvalue())


def b_zip_bomb_as_pdf(folder: Path) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(4):
            z.writestr(f"part{i}.bin", bytes(16 << 20))
    return _write(folder, "lab-results.pdf", buf.getvalue())


def b_png_100k(folder: Path) -> Path:
    return _write(folder, "huge.png", _png_declaring(100_000, 100_000))


def b_jpeg_65k(folder: Path) -> Path:
    return _write(folder, "huge.jpg", _jpeg_with_size(65000, 65000))


def b_jpeg_truncated(folder: Path) -> Path:
    data = jpeg_bytes(_noise_image())
    return _write(folder, "cut.jpg", data[: len(data) // 2])


def b_png_truncated(folder: Path) -> Path:
    data = png_bytes(_noise_image())
    return _write(folder, "cut.png", data[: len(data) // 2])


def b_png_zero(folder: Path) -> Path:
    return _write(folder, "zero.png", _png_declaring(0, 0))


def b_jpeg_zero_height(folder: Path) -> Path:
    return _write(folder, "zero.jpg", _jpeg_with_size(64, 0))


def b_gif_as_png(folder: Path) -> Path:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("P", (10, 10)).save(buf, "GIF")
    return _write(folder, "chart.png", buf.getvalue())


def b_tiff_501_frames(folder: Path) -> Path:
    from PIL import Image

    frames = [Image.new("1", (8, 8), i % 2) for i in range(501)]
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:])
    return _write(folder, "many.tif", buf.getvalue())


def b_tiff_frame_too_large(folder: Path) -> Path:
    """Frame 1 fine, frame 2 declares 20000x20000 (Pillow checks only the first on open)."""
    from PIL import Image

    small = Image.new("1", (16, 16), 1)
    buf = io.BytesIO()
    small.save(buf, "TIFF", save_all=True, append_images=[Image.new("1", (16, 16), 0)])
    data = bytearray(buf.getvalue())
    # patch the second IFD's ImageWidth/ImageLength (tags 256/257, SHORT or LONG)
    order = "<" if data[:2] == b"II" else ">"
    ifd = struct.unpack_from(order + "I", data, 4)[0]
    n = struct.unpack_from(order + "H", data, ifd)[0]
    ifd2 = struct.unpack_from(order + "I", data, ifd + 2 + 12 * n)[0]
    n2 = struct.unpack_from(order + "H", data, ifd2)[0]
    for i in range(n2):
        at = ifd2 + 2 + 12 * i
        tag, kind = struct.unpack_from(order + "HH", data, at)
        if tag in (256, 257):
            struct.pack_into(order + "HHII", data, at, tag, 4, 1, 20000)
    return _write(folder, "fax-big-frame.tif", bytes(data))


def b_bigtiff(folder: Path) -> Path:
    return _write(folder, "scan.tif", b"II+\x00\x08\x00\x00\x00" + bytes(64))


def b_avif_as_heic(folder: Path) -> Path:
    box = struct.pack(">I", 24) + b"ftypavif" + b"\x00\x00\x00\x00" + b"mif1miaf"
    return _write(folder, "photo.heic", box + bytes(200))


def b_heic_truncated(folder: Path) -> Path:
    data = heic_bytes()
    return _write(folder, "cut.heic", data[: len(data) * 2 // 3])


def b_flate_bomb_pdf(folder: Path) -> Path:
    """A content stream of 1 GiB of zeros, deflated three times over: ~3 KB on disk."""
    data = deflate_zeros(1 << 30)
    data = zlib.compress(zlib.compress(data, 9), 9)
    content = stream(b"/Filter [/FlateDecode /FlateDecode /FlateDecode]", data)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        content,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R /Resources << >> >>",
    ]
    return _write(folder, "bomb.pdf", raw_pdf(objs))


def b_image_bomb_pdf(folder: Path) -> Path:
    """An image XObject of 40000 x 40000 gray pixels (1.6 GB decoded) in ~1.6 MB."""
    side = 40000
    data = deflate_zeros(side * side, block=side * 25)
    image = stream(
        b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /FlateDecode" % (side, side),
        data,
    )
    content = stream(b"", b"q 500 0 0 500 50 50 cm /Im0 Do Q")
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        content,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
        b"/Resources << /XObject << /Im0 5 0 R >> >> >>",
        image,
    ]
    return _write(folder, "image-bomb.pdf", raw_pdf(objs))


def b_length_2_40(folder: Path) -> Path:
    data = simple_page_pdf(1)
    body = b"BT /F1 24 Tf 72 700 Td (Fictional record) Tj ET"
    data = data.replace(b"/Length %d" % len(body), b"/Length 1099511627776")
    return _write(folder, "length.pdf", data)


def b_prev_loop(folder: Path) -> Path:
    data = simple_page_pdf(1)
    start = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    data = data.replace(b"/Root 1 0 R ", b"/Root 1 0 R /Prev %d " % start)
    return _write(folder, "prev-loop.pdf", data)


def b_prev_loop_pair(folder: Path) -> Path:
    """Two xref sections whose trailers name each other with /Prev."""
    data = simple_page_pdf(1)
    head, tail = data.rsplit(b"xref\n", 1)
    table = b"xref\n" + tail.split(b"startxref")[0]
    a = len(head)
    table = table.replace(b"/Root 1 0 R ", b"/Root 1 0 R /Prev 0000000000 ")
    b = a + len(table)
    table = table.replace(b"/Prev 0000000000", b"/Prev %010d" % b)
    other = b"xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 6 /Prev %010d >>\n" % a
    data = head + table + other + b"startxref\n%d\n%%%%EOF\n" % a
    return _write(folder, "prev-loop-2.pdf", data)


def b_page_tree_cycle(folder: Path) -> Path:
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Pages /Kids [2 0 R] /Parent 2 0 R /Count 1 >>",
    ]
    return _write(folder, "cycle.pdf", raw_pdf(objs))


def b_deep_arrays(folder: Path) -> Path:
    """10,000 nested arrays in an object of their own: qpdf drops that object (repaired)."""
    deep = b"[" * 10000 + b"]" * 10000
    data = simple_page_pdf(1, extra_page=b"/Deep 6 0 R", extra_objects=[deep])
    return _write(folder, "deep.pdf", data)


def b_deep_dicts(folder: Path) -> Path:
    """10,000 nested dictionaries inside the page itself: the page is lost (damaged)."""
    deep = b"<< /A " * 10000 + b"1" + b" >>" * 10000
    data = simple_page_pdf(1, extra_page=b"/Deep " + deep)
    return _write(folder, "deep-dict.pdf", data)


def b_3000_pages(folder: Path) -> Path:
    return _write(folder, "long.pdf", simple_page_pdf(3000))


def b_100k_page_refs(folder: Path) -> Path:
    """One page object listed 100,000 times in /Kids."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + b"3 0 R " * 100_000 + b"] /Count 100000 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    ]
    return _write(folder, "100k.pdf", raw_pdf(objs))


def b_page_huge(folder: Path) -> Path:
    return _write(folder, "poster.pdf", simple_page_pdf(1, box=b"[0 0 720000 720000]"))


def b_page_userunit_huge(folder: Path) -> Path:
    data = simple_page_pdf(1, extra_page=b"/UserUnit 75000")
    return _write(folder, "userunit.pdf", data)


def b_page_zero(folder: Path) -> Path:
    return _write(folder, "flat.pdf", simple_page_pdf(1, box=b"[0 0 0 0]"))


def b_encrypted(folder: Path) -> Path:
    import pikepdf

    src = pikepdf.open(io.BytesIO(reportlab_pdf([(612, 792)])))
    buf = io.BytesIO()
    src.save(buf, encryption=pikepdf.Encryption(user="unknown-7", owner="owner-7"))
    return _write(folder, "locked.pdf", buf.getvalue())


def _truncated(fraction: float) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        data = reportlab_pdf([(612, 792)] * 3)
        return _write(folder, f"cut-{int(fraction * 100)}.pdf", data[: int(len(data) * fraction)])

    return build


def b_truncated_tail(folder: Path) -> Path:
    """Cut inside the trailer's startxref: qpdf rebuilds the cross-reference table."""
    data = reportlab_pdf([(612, 792)] * 2)
    return _write(folder, "cut-tail.pdf", data[:-12])


def b_garbage(folder: Path) -> Path:
    rnd = random.Random(11)
    return _write(
        folder, "garbage.pdf", b"%PDF-1.7\n" + bytes(rnd.getrandbits(8) for _ in range(20000))
    )


def b_polyglot(folder: Path) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("payload.txt", "fictional payload")
    return _write(folder, "polyglot.pdf", reportlab_pdf([(612, 792)]) + buf.getvalue())


def _no_zip(converted) -> None:
    assert b"PK\x03\x04" not in converted.pdf and b"payload.txt" not in converted.pdf


def b_tagged_pdf(folder: Path) -> Path:
    """A tagged PDF as word processors write it: a table header cell with attributes
    /A << /O /Table /Scope /Column >> (layout, not an action)."""
    data = simple_page_pdf(
        1,
        extra_root=b"/MarkInfo << /Marked true >> /StructTreeRoot 6 0 R",
        extra_objects=[
            b"<< /Type /StructTreeRoot /K [7 0 R] >>",
            b"<< /Type /StructElem /S /TH /P 6 0 R /A << /O /Table /Scope /Column >> /K [] >>",
        ],
    )
    return _write(folder, "word-export.pdf", data)


def _struct_attributes_kept(converted) -> None:
    import pikepdf

    assert "active_content_removed" not in converted.notes
    with pikepdf.open(io.BytesIO(converted.pdf)) as pdf:
        th = pdf.Root.StructTreeRoot.K[0]
        assert str(th.A.O) == "/Table" and str(th.A.Scope) == "/Column"


def b_trailer_javascript(folder: Path) -> Path:
    """A custom trailer key and a DIRECT /Info, both holding JavaScript."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << >> >>",
        stream(b"", b"BT /F1 24 Tf 72 700 Td (x) Tj ET"),
    ]
    extra = b"/X " + JS + b" /Info << /Title (Fictional) /OpenAction " + JS + b" >> "
    return _write(folder, "trailer.pdf", raw_pdf(objs, trailer_extra=extra))


def _trailer_rebuilt(converted) -> None:
    import pikepdf

    with pikepdf.open(io.BytesIO(converted.pdf)) as pdf:
        assert set(pdf.trailer.keys()) <= {"/Root", "/Size", "/ID", "/Info"}
        assert pdf.trailer.Info.is_indirect and str(pdf.trailer.Info.Title) == "Fictional"
    assert b"app.alert" not in converted.pdf


EMBEDDED_PAYLOAD = b"MZ fictional embedded payload"


def b_embedded_file_as_xobject(folder: Path) -> Path:
    data = simple_page_pdf(
        1,
        extra_page=b"/Resources << /XObject << /E 6 0 R >> >>",
        extra_objects=[
            stream(b"/Type /EmbeddedFile /Subtype /application#2Fx-msdownload", EMBEDDED_PAYLOAD)
        ],
    )
    return _write(folder, "xobject-file.pdf", data)


def _no_embedded_payload(converted) -> None:
    import pikepdf

    with pikepdf.open(io.BytesIO(converted.pdf)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                assert EMBEDDED_PAYLOAD not in obj.read_bytes()


def b_blank_page(folder: Path) -> Path:
    """A valid page with neither /Contents nor /Resources (qpdf warns about /Resources)."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    ]
    return _write(folder, "blank.pdf", raw_pdf(objs))


def b_blank_page_rebuilt_xref(folder: Path) -> Path:
    """A blank page and a page with text, no cross-reference table (qpdf rebuilds it)."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Annots [<< /Type /Annot /Subtype /Text /Rect [0 0 9 9] /Contents (a note) >>] >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R >>",
        stream(b"", b"BT /F1 24 Tf 72 700 Td (x) Tj ET"),
    ]
    return _write(folder, "blank-2.pdf", raw_pdf(objs, xref=False))


def _pages(n: int):
    def check(converted) -> None:
        assert converted.pages == n

    return check


def _contents_missing(xref: bool) -> Callable[[Path], Path]:
    """A page whose /Contents names an object that is not in the file."""

    def build(folder: Path) -> Path:
        objs = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 9 0 R "
            b"/Resources << >> >>",
        ]
        return _write(folder, f"lost-{xref}.pdf", raw_pdf(objs, xref=xref))

    return build


def b_one_long_line(folder: Path) -> Path:
    """One 5 MB line without a space (wrapping it used to be quadratic: 12.6 s)."""
    return _write(folder, "one-line.txt", b"A" * (5 * 1024 * 1024 - 16))


def b_text_150000_lines(folder: Path) -> Path:
    return _write(folder, "lines.txt", b"x\n" * 150_000)  # 57 lines a page: 2,632 pages


def b_symlink_loop(folder: Path) -> Path:
    a, b = folder / "a.pdf", folder / "b.pdf"
    a.symlink_to(b)
    b.symlink_to(a)
    return a


def b_name_too_long(folder: Path) -> Path:
    return folder / ("n" * 300 + ".pdf")  # longer than any file system allows


def b_text_nul(folder: Path) -> Path:
    return _write(folder, "notes.txt", b"Fictional visit notes\n\x00\x00\x00 more notes\n" * 20)


def b_text_6mb(folder: Path) -> Path:
    line = b"Fictional line of a long clinic log, nothing real in it.\n"
    return _write(folder, "log.txt", line * (6 * 1024 * 1024 // len(line) + 1))


def b_fifo(folder: Path) -> Path:
    path = folder / "pipe.pdf"
    os.mkfifo(path)
    return path


def b_directory(folder: Path) -> Path:
    path = folder / "folder.pdf"
    path.mkdir()
    return path


def b_symlink(folder: Path) -> Path:
    target = _write(folder, "real.txt", b"Fictional letter text\n")
    link = folder / "link.txt"
    link.symlink_to(target)
    return link


def b_name_controls(folder: Path) -> Path:
    return _write(folder, "visit\x07notes\x1b[31m.txt", b"Fictional visit notes\n")


def b_name_traversal(_folder: Path) -> tuple[str, bytes]:
    return "../../etc/passwd", b"Fictional text, not a password file\n"


def b_name_rtl(folder: Path) -> Path:
    return _write(folder, "receipt\u202egpj.exe", jpeg_bytes())


def b_name_300(_folder: Path) -> tuple[str, bytes]:
    return ("letter-" + "x" * 290 + ".txt"), b"Fictional letter\n"


def b_png_as_jpg(folder: Path) -> Path:
    return _write(folder, "photo.jpg", png_bytes(upright_picture((60, 80))))


def b_jpeg_big_comment(folder: Path) -> Path:
    """65 KB comment segments and a 60 KB EXIF block: metadata, removed."""
    data = jpeg_bytes(gps=True)
    com = b"\xff\xfe" + struct.pack(">H", 65535) + b"C" * 65533
    data = data[:2] + com * 4 + data[2:]
    return _write(folder, "commented.jpg", data)


def _no_big_comment(converted) -> None:
    assert b"C" * 1000 not in converted.pdf and GPS_CANARY not in converted.pdf


def b_jpeg_trailing_image(folder: Path) -> Path:
    """A second JPEG with GPS appended after EOI (as phones append MPF images)."""
    return _write(folder, "mpo.jpg", jpeg_bytes() + jpeg_bytes(gps=True))


def b_jpeg_mirrored(folder: Path) -> Path:
    from PIL import Image

    im = upright_picture((90, 120)).transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    buf = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 2
    im.save(buf, "JPEG", exif=exif.tobytes())
    return _write(folder, "mirror.jpg", buf.getvalue())


MID_16 = 30000  # a 16-bit mid gray: 30000 / 257 = 116.7 in 8 bits
MID_8 = 117


def _i16(size: tuple[int, int], value: int, mode: str = "I;16"):
    """A 16-bit gray image of one value (built from bytes: Pillow's paste() of a number
    into an I;16 image writes the low byte twice)."""
    from PIL import Image

    order = ">" if mode == "I;16B" else "<"
    return Image.frombytes(mode, size, struct.pack(order + "H", value) * (size[0] * size[1]))


def _gray_at(fx: float, fy: float, page: int = 0, expect: int = MID_8, tol: int = 3):
    """Check: the rendered page's gray level at (fx, fy) of the page (the picture is
    centred on it) is ``expect`` (a 16-bit mid gray used to come out white: 255)."""

    def check(converted) -> None:
        im = render_page(converted.pdf, page).convert("L")
        value = im.getpixel((int(fx * (im.width - 1)), int(fy * (im.height - 1))))
        assert abs(value - expect) <= tol, f"gray {value}, expected {expect}"

    return check


def _all_pages_mid_gray(converted) -> None:
    for page in range(converted.pages):
        _gray_at(0.5, 0.5, page)(converted)


def b_tiff_16bit(folder: Path) -> Path:
    buf = io.BytesIO()
    _i16((40, 30), MID_16).save(buf, "TIFF")
    return _write(folder, "16bit.tif", buf.getvalue())


def b_tiff_16bit_big_endian_2_pages(folder: Path) -> Path:
    frames = [_i16((40, 30), MID_16, "I;16B"), _i16((30, 40), MID_16, "I;16B")]
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:])
    return _write(folder, "16bit-be.tif", buf.getvalue())


def b_tiff_32bit_int(folder: Path) -> Path:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("I", (40, 30), MID_16).save(buf, "TIFF")
    return _write(folder, "32bit.tif", buf.getvalue())


def b_tiff_float(folder: Path) -> Path:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("F", (40, 30), 0.5).save(buf, "TIFF")  # floats 0..1: 0.5 is 127/128
    return _write(folder, "float.tif", buf.getvalue())


def _tiff_rgb16(width: int, height: int, value: int) -> bytes:
    """An uncompressed 16-bit-per-channel RGB TIFF (Pillow cannot write one)."""
    pixels = struct.pack("<H", value) * (width * height * 3)
    bps_at = 8 + 2 + 12 * 9 + 4
    data_at = bps_at + 6
    entries = [
        (256, 3, 1, width),
        (257, 3, 1, height),
        (258, 3, 3, bps_at),
        (259, 3, 1, 1),
        (262, 3, 1, 2),
        (273, 4, 1, data_at),
        (277, 3, 1, 3),
        (278, 3, 1, height),
        (279, 4, 1, len(pixels)),
    ]
    out = b"II*\x00" + struct.pack("<IH", 8, len(entries))
    for tag, kind, count, value in entries:
        if kind == 3 and count == 1:
            out += struct.pack("<HHIHH", tag, kind, count, value, 0)
        else:
            out += struct.pack("<HHII", tag, kind, count, value)
    return out + b"\x00" * 4 + struct.pack("<3H", 16, 16, 16) + pixels


def b_tiff_16bit_rgb(folder: Path) -> Path:
    return _write(folder, "rgb16.tif", _tiff_rgb16(40, 30, MID_16))


def b_png_16bit_gray(folder: Path) -> Path:
    return _write(folder, "16bit.png", png_bytes(_i16((40, 30), MID_16)))


def b_png_16bit_gray_transparent(folder: Path) -> Path:
    """Left half the transparent value (0), right half mid gray: flattened, the right half
    must stay gray (it used to be clipped to white)."""
    from PIL import Image

    im = Image.new("I;16", (40, 30))
    im.paste(_i16((20, 30), 0), (0, 0))
    im.paste(_i16((20, 30), MID_16), (20, 0))
    buf = io.BytesIO()
    im.save(buf, "PNG", transparency=0)
    return _write(folder, "16bit-trns.png", buf.getvalue())


def _png_raw(width: int, height: int, depth: int, color: int, row: bytes) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, 0)
    idat = zlib.compress((b"\x00" + row) * height)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def b_png_16bit_gray_alpha(folder: Path) -> Path:
    """16-bit gray + 16-bit alpha (colour type 4), opaque mid gray."""
    row = struct.pack(">HH", MID_16, 65535) * 40
    return _write(folder, "16bit-la.png", _png_raw(40, 30, 16, 4, row))


def _quad():
    """Red, green / blue, white quarters (as stored), to see turns and mirrors."""
    from PIL import Image

    im = Image.new("RGB", (200, 100), (255, 255, 255))
    im.paste((255, 0, 0), (0, 0, 100, 50))
    im.paste((0, 255, 0), (100, 0, 200, 50))
    im.paste((0, 0, 255), (0, 50, 100, 100))
    return im


def _exif(orientation: int) -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


# The quarters as the picture must be SHOWN for each EXIF orientation (TL TR BL BR).
SHOWN = {1: "RGBW", 2: "GRWB", 6: "BRWG", 8: "GWRB"}


def _shown_as(orientation: int):
    def check(converted) -> None:
        got = quadrants(render_page(converted.pdf))
        assert got == SHOWN[orientation], f"quarters {got}, expected {SHOWN[orientation]}"

    return check


def _png_oriented(orientation: int) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        buf = io.BytesIO()
        _quad().save(buf, "PNG", exif=_exif(orientation))
        return _write(folder, f"orient-{orientation}.png", buf.getvalue())

    return build


def b_tiff_oriented(folder: Path) -> Path:
    buf = io.BytesIO()
    _quad().save(buf, "TIFF", tiffinfo={0x0112: 6})
    return _write(folder, "orient-6.tif", buf.getvalue())


def b_fax_oriented(folder: Path) -> Path:
    """A G4 fax page stored sideways (Orientation 6): 300 wide, 100 high as stored."""
    from PIL import Image

    im = Image.new("1", (300, 100), 1)
    im.paste(0, (0, 0, 150, 100))  # left half black as stored: the TOP half when shown
    buf = io.BytesIO()
    im.save(buf, "TIFF", compression="group4", tiffinfo={0x0112: 6})
    return _write(folder, "fax-sideways.tif", buf.getvalue())


def _fax_upright(converted) -> None:
    im = render_page(converted.pdf).convert("L")
    box = im.point(lambda v: 255 if v < 245 else 0).getbbox()
    assert box is not None
    x0, y0, x1, y1 = box
    assert y1 - y0 > x1 - x0  # shown portrait, as the orientation says


def b_tiff_rgba(folder: Path) -> Path:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGBA", (40, 30), (10, 200, 10, 128)).save(buf, "TIFF")
    return _write(folder, "alpha.tif", buf.getvalue())


def b_tiff_cmyk(folder: Path) -> Path:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("CMYK", (40, 30), (0, 200, 10, 0)).save(buf, "TIFF", compression="tiff_lzw")
    return _write(folder, "cmyk.tif", buf.getvalue())


def b_fax(folder: Path) -> Path:
    return _write(folder, "fax.tif", fax_tiff(2, (800, 600)))


def b_utf16(folder: Path) -> Path:
    return _write(folder, "note.txt", "Fictional note: Nguyễn, señora\n".encode("utf-16"))


CASES: list[Case] = [
    # --- main-process refusals
    Case("zero-byte", b_empty, "empty"),
    Case("sparse-2gb", b_sparse, "too_large"),
    Case("exe-named-jpg", b_exe_as_jpg, "not_supported"),
    Case("zip-named-pdf", b_zip_as_pdf, "not_supported"),
    Case("zip-bomb-named-pdf", b_zip_bomb_as_pdf, "not_supported"),
    Case("gif-named-png", b_gif_as_png, "not_supported"),
    Case("bigtiff", b_bigtiff, "not_supported"),
    Case("avif-named-heic", b_avif_as_heic, "not_supported"),
    Case("text-with-nul", b_text_nul, "text_binary"),
    Case("text-6mb", b_text_6mb, "text_too_large"),
    Case("fifo", b_fifo, "not_regular", posix_only=True),
    Case("directory", b_directory, "not_regular"),
    # --- images
    Case("png-100000x100000", b_png_100k, "image_too_large"),
    Case("jpeg-65000x65000", b_jpeg_65k, "image_too_large"),
    Case("jpeg-truncated", b_jpeg_truncated, "image_damaged"),
    Case("png-truncated", b_png_truncated, "image_damaged"),
    Case("png-0x0", b_png_zero, "image_damaged"),
    Case("jpeg-height-0", b_jpeg_zero_height, "image_damaged"),
    Case("tiff-501-frames", b_tiff_501_frames, "too_many_frames"),
    Case("tiff-second-frame-20000x20000", b_tiff_frame_too_large, "image_too_large"),
    Case("heic-truncated", b_heic_truncated, "image_damaged"),
    Case("png-named-jpg", b_png_as_jpg, "ok", frozenset({"type_mismatch"})),
    Case(
        "jpeg-huge-comments-and-gps",
        b_jpeg_big_comment,
        "ok",
        frozenset({"location_removed"}),
        check=_no_big_comment,
    ),
    Case("jpeg-trailing-gps-image", b_jpeg_trailing_image, "ok", check=_no_big_comment),
    Case("jpeg-mirrored", b_jpeg_mirrored, "ok", frozenset({"exif_rotated", "reencoded"})),
    Case("tiff-16-bit", b_tiff_16bit, "ok", check=_gray_at(0.5, 0.5)),
    Case(
        "tiff-16-bit-big-endian-2-pages",
        b_tiff_16bit_big_endian_2_pages,
        "ok",
        check=_all_pages_mid_gray,
    ),
    Case("tiff-32-bit-int", b_tiff_32bit_int, "ok", check=_gray_at(0.5, 0.5)),
    Case("tiff-float", b_tiff_float, "ok", check=_gray_at(0.5, 0.5, expect=127)),
    Case("tiff-16-bit-rgb", b_tiff_16bit_rgb, "ok", check=_gray_at(0.5, 0.5)),
    Case("png-16-bit-gray", b_png_16bit_gray, "ok", check=_gray_at(0.5, 0.5)),
    Case(
        "png-16-bit-gray-transparent-value",
        b_png_16bit_gray_transparent,
        "ok",
        frozenset({"alpha_flattened"}),
        check=_gray_at(0.6, 0.5),
    ),
    Case("png-16-bit-gray-alpha", b_png_16bit_gray_alpha, "ok", check=_gray_at(0.5, 0.5)),
    Case(
        "png-exif-orientation-6",
        _png_oriented(6),
        "ok",
        frozenset({"exif_rotated"}),
        check=_shown_as(6),
    ),
    Case(
        "png-exif-orientation-8",
        _png_oriented(8),
        "ok",
        frozenset({"exif_rotated"}),
        check=_shown_as(8),
    ),
    Case(
        "png-exif-orientation-2",
        _png_oriented(2),
        "ok",
        frozenset({"exif_rotated"}),
        check=_shown_as(2),
    ),
    Case(
        "tiff-orientation-6", b_tiff_oriented, "ok", frozenset({"exif_rotated"}), check=_shown_as(6)
    ),
    Case(
        "tiff-fax-sideways", b_fax_oriented, "ok", frozenset({"exif_rotated"}), check=_fax_upright
    ),
    Case("tiff-rgba", b_tiff_rgba, "ok", frozenset({"alpha_flattened"})),
    Case("tiff-cmyk", b_tiff_cmyk, "ok"),
    Case("tiff-fax-g4", b_fax, "ok"),
    # --- PDFs: structure
    Case("pdf-nested-flate-bomb", b_flate_bomb_pdf, "ok", tags=("bomb",)),
    Case("pdf-image-bomb", b_image_bomb_pdf, "ok", tags=("bomb",)),
    Case("pdf-length-2^40", b_length_2_40, "ok", frozenset({"repaired"})),
    Case("pdf-prev-loop", b_prev_loop, "ok", frozenset({"repaired"})),
    Case("pdf-prev-loop-pair", b_prev_loop_pair, "ok", frozenset({"repaired"})),
    Case("pdf-page-tree-cycle", b_page_tree_cycle, "pdf_damaged"),
    Case("pdf-10000-deep-arrays", b_deep_arrays, "ok", frozenset({"repaired"})),
    Case("pdf-10000-deep-dicts", b_deep_dicts, "pdf_damaged"),
    Case("pdf-3000-pages", b_3000_pages, "too_many_pages"),
    Case("pdf-100000-page-refs", b_100k_page_refs, "too_many_pages"),
    Case("pdf-page-10000in", b_page_huge, "page_size"),
    Case("pdf-userunit-75000", b_page_userunit_huge, "page_size"),
    Case("pdf-page-0x0", b_page_zero, "page_size"),
    Case("pdf-encrypted-unknown", b_encrypted, "password_required"),
    Case("pdf-truncated-30", _truncated(0.3), "pdf_damaged"),
    Case("pdf-truncated-60", _truncated(0.6), "pdf_damaged"),
    Case("pdf-truncated-95", _truncated(0.95), "ok", frozenset({"repaired"})),
    Case("pdf-truncated-tail", b_truncated_tail, "ok", frozenset({"repaired"})),
    Case("pdf-garbage", b_garbage, "pdf_damaged"),
    Case("pdf-zip-polyglot", b_polyglot, "ok", check=_no_zip),
    Case("pdf-blank-page", b_blank_page, "ok", check=_pages(1)),
    Case(
        "pdf-blank-page-rebuilt-xref",
        b_blank_page_rebuilt_xref,
        "ok",
        frozenset({"repaired"}),
        check=_pages(2),
    ),
    Case("pdf-contents-object-missing", _contents_missing(True), "pdf_damaged"),
    Case("pdf-contents-object-missing-no-xref", _contents_missing(False), "pdf_damaged"),
    Case("pdf-tagged-structure-attributes", b_tagged_pdf, "ok", check=_struct_attributes_kept),
    # --- PDFs: active content
    Case(
        "pdf-javascript-names",
        _active(extra_root=b"/Names << /JavaScript << /Names [(a) 6 0 R] >> >>", objs=[JS]),
        "ok",
        frozenset({"active_content_removed"}),
    ),
    Case(
        "pdf-openaction",
        _active(extra_root=b"/OpenAction " + JS),
        "ok",
        frozenset({"active_content_removed"}),
    ),
    Case(
        "pdf-page-aa",
        _active(extra_page=b"/AA << /O " + JS + b" >>"),
        "ok",
        frozenset({"active_content_removed"}),
    ),
    Case(
        "pdf-launch-link",
        _active(
            extra_page=b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] "
            b"/A << /S /Launch /F (calc.exe) >> >>]"
        ),
        "ok",
        frozenset({"active_content_removed"}),
    ),
    Case(
        "pdf-uri-link",
        _active(
            extra_page=b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] "
            b"/A << /S /URI /URI (https://example.invalid/track) >> >>]",
            extra_root=b"/URI << /Base (https://example.invalid/) >>",
        ),
        "ok",
        frozenset({"active_content_removed"}),
    ),
    Case(
        "pdf-embedded-files",
        _active(
            extra_root=b"/Names << /EmbeddedFiles << /Names [(a.exe) << /Type /Filespec "
            b"/F (a.exe) /EF << /F 6 0 R >> >>] >> >>",
            objs=[stream(b"/Type /EmbeddedFile", b"MZ fictional")],
        ),
        "ok",
        frozenset({"active_content_removed"}),
    ),
    Case(
        "pdf-file-attachment-annot",
        _active(
            extra_page=b"/Annots [<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 9 9] "
            b"/FS << /Type /Filespec /F (b.exe) /EF << /F 6 0 R >> >> >>]",
            objs=[stream(b"/Type /EmbeddedFile", b"MZ fictional")],
        ),
        "ok",
        frozenset({"active_content_removed"}),
    ),
    Case(
        "pdf-richmedia",
        _active(
            extra_page=b"/Annots [<< /Type /Annot /Subtype /RichMedia /Rect [0 0 9 9] "
            b"/RichMediaContent << /Assets << >> >> /RichMediaSettings << >> >>]"
        ),
        "ok",
        frozenset({"active_content_removed"}),
    ),
    Case(
        "pdf-xfa-submitform",
        _active(
            extra_root=b"/AcroForm << /Fields [6 0 R] /XFA 7 0 R >>",
            extra_page=b"/Annots [6 0 R]",
            objs=[
                b"<< /Type /Annot /Subtype /Widget /FT /Btn /T (send) /Rect [0 0 50 20] "
                b"/A << /S /SubmitForm /F << /FS /URL /F (https://example.invalid/) >> >> "
                b"/AA << /K " + JS + b" >> >>",
                stream(b"", b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'></xdp:xdp>"),
            ],
        ),
        "ok",
        frozenset({"active_content_removed"}),
    ),
    Case(
        "pdf-outline-javascript",
        _active(
            extra_root=b"/Outlines 6 0 R",
            objs=[
                b"<< /Type /Outlines /First 7 0 R /Last 7 0 R /Count 1 >>",
                b"<< /Title (x) /Parent 6 0 R /A " + JS + b" >>",
            ],
        ),
        "ok",
        frozenset({"active_content_removed"}),
    ),
    Case(
        "pdf-hidden-js-elsewhere",
        _active(
            extra_root=b"/Custom << /Deep [ << /S /JavaScript /JS 6 0 R >> ] >>", objs=[b"(x)"]
        ),
        "ok",
        frozenset({"active_content_removed"}),
    ),
    Case(
        "pdf-trailer-javascript",
        b_trailer_javascript,
        "ok",
        frozenset({"active_content_removed"}),
        check=_trailer_rebuilt,
    ),
    Case(
        "pdf-embedded-file-as-xobject",
        b_embedded_file_as_xobject,
        "ok",
        frozenset({"active_content_removed"}),
        check=_no_embedded_payload,
    ),
    # --- names and the file system
    Case("name-control-chars", b_name_controls, "ok", frozenset({"name_cleaned"})),
    Case("name-traversal", b_name_traversal, "ok", frozenset({"name_cleaned"})),
    Case("name-rtl-override", b_name_rtl, "ok", frozenset({"name_cleaned"})),
    Case("name-300-chars", b_name_300, "ok", frozenset({"name_cleaned"})),
    Case("symlink", b_symlink, "ok", posix_only=True),
    Case("symlink-loop", b_symlink_loop, "not_regular", posix_only=True),
    Case("name-too-long-for-the-system", b_name_too_long, "not_regular", posix_only=True),
    Case("text-utf16", b_utf16, "ok"),
    Case(
        "text-one-5mb-line",
        b_one_long_line,
        "ok",
        check=_pages(1109),  # 83 characters a line, 57 lines a page
    ),
    Case("text-2632-pages", b_text_150000_lines, "too_many_pages"),
]
