"""Conversion of one untrusted file into a clean PDF (docs/documents.md, "Conversion rules").

Runs ONLY inside the document worker process (:mod:`imrdesktop.documents.worker`), which
has already limited memory and CPU and disabled sockets. Parsers are imported per media
when first needed. Every failure leaves as a :class:`DocumentProblem` with a fixed code.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import struct
import warnings
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from imrdesktop.documents import sniff
from imrdesktop.documents.limits import Limits
from imrdesktop.documents.problems import DocumentProblem

LETTER = (612.0, 792.0)
IMAGE_MARGIN = 18.0  # 0.25 in on every side
TEXT_MARGIN = 54.0  # 0.75 in
TEXT_SIZE = 10.0
TEXT_LEADING = 12.0
MIRRORED_JPEG_QUALITY = 95
HEIC_JPEG_QUALITY = 92

PILLOW_FORMATS = ("JPEG", "PNG", "TIFF")  # + "HEIF" once pillow-heif is registered


@dataclass(frozen=True)
class Result:
    pdf: bytes
    pages: int
    page_sizes: tuple[tuple[float, float], ...]
    notes: tuple[str, ...]


def convert(media: str, data: bytes, limits: Limits, password: str | None = None) -> Result:
    if media == "pdf":
        return convert_pdf(data, limits, password)
    if media == "jpeg":
        return convert_jpeg(data, limits)
    if media == "png":
        return convert_png(data, limits)
    if media == "tiff":
        return convert_tiff(data, limits)
    if media == "heic":
        return convert_heic(data, limits)
    if media == "text":
        return convert_text(data, limits)
    raise DocumentProblem("not_supported")


# --- Pillow, locked down ----------------------------------------------------------------
_pillow_ready = False


def pillow(limits: Limits):
    """Pillow with the allow-listed decoders only and the bomb warning made an error."""
    global _pillow_ready
    from PIL import Image, ImageFile

    Image.MAX_IMAGE_PIXELS = limits.max_image_pixels
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    if not _pillow_ready:
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        Image.init()
        # Libraries that call Image.open() without formats= (img2pdf) get the same list.
        Image.ID[:] = [f for f in Image.ID if f in PILLOW_FORMATS]
        _pillow_ready = True
    return Image


def _register_heif(limits: Limits):
    Image = pillow(limits)
    if "HEIF" not in Image.ID:
        import pillow_heif

        pillow_heif.register_heif_opener()
    return Image


def image_too_large(pixels: int | None, limit: int) -> DocumentProblem:
    """``image_too_large`` as the message table words it: the picture's megapixels (rounded
    up, so never shown at or under the limit) and the limit in pixels."""
    params: dict[str, int] = {"limit": limit}
    if pixels is not None:
        params["megapixels"] = max(1, math.ceil(pixels / 1_000_000))
    return DocumentProblem("image_too_large", **params)


_BOMB_PIXELS = re.compile(r"\((\d{1,20}) pixels\)")


@contextlib.contextmanager
def image_errors() -> Iterator[None]:
    """Decoder failures as problems: a bomb is ``image_too_large``, the rest damaged."""
    from PIL import Image

    try:
        yield
    except (DocumentProblem, MemoryError):
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as bomb:
        # Pillow's message is the one place its size check reports the picture's size.
        m = _BOMB_PIXELS.search(str(bomb))
        pixels = int(m.group(1)) if m else None
        raise image_too_large(pixels, Image.MAX_IMAGE_PIXELS) from None
    except RecursionError:
        raise DocumentProblem("image_damaged") from None
    except Exception:  # any decoder error (OSError, SyntaxError, ValueError, struct.error...)
        raise DocumentProblem("image_damaged") from None


def _check_pixels(width: int, height: int, limits: Limits) -> None:
    if width <= 0 or height <= 0:
        raise DocumentProblem("image_damaged")
    if width * height > limits.max_image_pixels:
        raise image_too_large(width * height, limits.max_image_pixels)


# --- JPEG: marker walk, metadata removed, no re-encoding ------------------------------------
@dataclass(frozen=True)
class JpegInfo:
    data: bytes  # the JPEG without metadata segments and without anything after EOI
    width: int
    height: int
    components: int
    orientation: int  # EXIF orientation 1..8 (1 when absent or invalid)
    had_gps: bool
    removed: int  # metadata segments removed


_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def _keep_segment(marker: int, body: bytes) -> bool:
    if marker == 0xE0:
        return body.startswith(b"JFIF\x00")  # not JFXX (it carries a thumbnail)
    if marker == 0xE2:
        return body.startswith(b"ICC_PROFILE\x00")  # not MPF
    if marker == 0xEE:
        return body.startswith(b"Adobe")  # colour transform: needed to decode
    return not (0xE0 <= marker <= 0xEF or marker == 0xFE)  # other APPn, COM


def parse_jpeg(data: bytes) -> JpegInfo:
    """Walk the segments of a JPEG: keep what decoding needs (APP0 JFIF, APP2 ICC, APP14
    Adobe, DQT, DHT, DRI, SOFn, SOS and the entropy-coded data), drop EXIF, XMP, IPTC,
    comments and trailing data. Raises ``image_damaged`` for a broken structure."""
    n = len(data)
    if not data.startswith(b"\xff\xd8"):
        raise DocumentProblem("image_damaged")
    view = memoryview(data)  # slices without copies: the one copy is the final join
    out: list[bytes | memoryview] = [b"\xff\xd8"]
    pos = 2
    width = height = components = 0
    exif: bytes | None = None
    had_gps = False
    removed = 0
    # Header segments, up to and including the first SOS.
    while True:
        if pos + 4 > n or data[pos] != 0xFF:
            raise DocumentProblem("image_damaged")
        while pos < n and data[pos] == 0xFF:  # fill bytes
            pos += 1
        if pos + 3 > n:
            raise DocumentProblem("image_damaged")
        marker = data[pos]
        if marker in (0x00, 0x01, 0xD8, 0xD9) or 0xD0 <= marker <= 0xD7:
            raise DocumentProblem("image_damaged")
        length = (data[pos + 1] << 8) | data[pos + 2]
        end = pos + 1 + length
        if length < 2 or end > n:
            raise DocumentProblem("image_damaged")
        body = data[pos + 3 : end]
        if marker in _SOF:
            if len(body) < 6 or width:
                raise DocumentProblem("image_damaged")
            height, width, components = struct.unpack(">HHB", body[1:6])
        if marker == 0xE1:
            if body.startswith(b"Exif\x00\x00") and exif is None:
                exif = body[6:]
            elif b"GPSLatitude" in body or b"GPSLongitude" in body:  # XMP location
                had_gps = True
        if _keep_segment(marker, body):
            out += (b"\xff", view[pos:end])
        else:
            removed += 1
        pos = end
        if marker == 0xDA:
            break
    if not width or not height or not components:
        raise DocumentProblem("image_damaged")
    # Entropy-coded data and the segments between scans (progressive JPEGs), up to EOI.
    start = pos
    while True:
        m = _MARKER.search(data, pos)
        if m is None:
            raise DocumentProblem("image_damaged")  # truncated: no EOI
        marker = data[m.start() + 1]
        if marker == 0xD9:
            out.append(view[start : m.end()])
            break
        seg = m.start() + 1
        if seg + 3 > n:
            raise DocumentProblem("image_damaged")
        length = (data[seg + 1] << 8) | data[seg + 2]
        end = seg + 1 + length
        if length < 2 or end > n:
            raise DocumentProblem("image_damaged")
        if not _keep_segment(marker, b"" if marker < 0xE0 else data[seg + 3 : end]):
            out.append(view[start : m.start()])
            start = end
            removed += 1
        pos = end
    orientation, gps = exif_facts(exif) if exif is not None else (1, False)
    return JpegInfo(
        data=b"".join(out),
        width=width,
        height=height,
        components=components,
        orientation=orientation,
        had_gps=had_gps or gps,
        removed=removed,
    )


def exif_facts(tiff: bytes) -> tuple[int, bool]:
    """(orientation, has a GPS IFD) from an EXIF TIFF structure; (1, False) if unreadable."""
    if tiff.startswith(b"Exif\x00\x00"):
        tiff = tiff[6:]
    if tiff[:4] == b"II*\x00":
        order = "<"
    elif tiff[:4] == b"MM\x00*":
        order = ">"
    else:
        return 1, False
    try:
        (ifd,) = struct.unpack_from(order + "I", tiff, 4)
        (count,) = struct.unpack_from(order + "H", tiff, ifd)
        orientation, gps = 1, False
        for i in range(min(count, 512)):
            tag, kind, _num = struct.unpack_from(order + "HHI", tiff, ifd + 2 + 12 * i)
            if tag == 0x0112 and kind == 3:
                (value,) = struct.unpack_from(order + "H", tiff, ifd + 2 + 12 * i + 8)
                orientation = value if 1 <= value <= 8 else 1
            elif tag == 0x8825:
                gps = True
        return orientation, gps
    except struct.error:
        return 1, False


def _layout(rotation: int):
    """img2pdf layout: the image fitted inside the margins of a page that is Letter
    portrait AS DISPLAYED (for /Rotate 90 or 270 the MediaBox is landscape)."""
    import img2pdf

    page = LETTER if rotation in (0, 180) else (LETTER[1], LETTER[0])
    return img2pdf.get_layout_fun(
        pagesize=page, border=(IMAGE_MARGIN, IMAGE_MARGIN), fit=img2pdf.FitMode.into
    )


def _img2pdf(images: list[bytes], rotation: int = 0) -> bytes:
    import img2pdf

    try:
        return img2pdf.convert(
            [io.BytesIO(b) for b in images],
            layout_fun=_layout(rotation),
            rotation=img2pdf.Rotation[str(rotation)],
            nodate=True,
            engine=img2pdf.Engine.internal,
        )
    except (DocumentProblem, MemoryError):
        raise
    except Exception:
        raise DocumentProblem("image_damaged") from None


def _image_result(pdf: bytes, pages: int, notes: list[str]) -> Result:
    sizes = tuple(LETTER for _ in range(pages))
    return Result(pdf=pdf, pages=pages, page_sizes=sizes, notes=_unique(notes))


def _unique(notes: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(notes))


_TRANSPOSE_FOR = {2: "FLIP_LEFT_RIGHT", 4: "FLIP_TOP_BOTTOM", 5: "TRANSPOSE", 7: "TRANSVERSE"}
_ROTATION_FOR = {1: 0, 3: 180, 6: 90, 8: 270}


def convert_jpeg(data: bytes, limits: Limits) -> Result:
    Image = pillow(limits)
    info = parse_jpeg(data)
    _check_pixels(info.width, info.height, limits)
    notes: list[str] = []
    if info.had_gps:
        notes.append("location_removed")
    jpeg = info.data
    rotation = _ROTATION_FOR.get(info.orientation, 0)
    if info.orientation in _TRANSPOSE_FOR:
        # A mirrored orientation cannot be shown with /Rotate: decode, flip, re-encode.
        with image_errors():
            im = Image.open(io.BytesIO(jpeg), formats=["JPEG"])
            icc = im.info.get("icc_profile")
            im = im.transpose(getattr(Image.Transpose, _TRANSPOSE_FOR[info.orientation]))
            if im.mode not in ("RGB", "L", "CMYK"):
                im = im.convert("RGB")
            out = io.BytesIO()
            im.save(out, "JPEG", quality=MIRRORED_JPEG_QUALITY, icc_profile=icc)
            jpeg = out.getvalue()
        notes += ["exif_rotated", "reencoded"]
    elif rotation:
        notes.append("exif_rotated")
    with image_errors():
        pdf = _img2pdf([jpeg], rotation)
    return _image_result(pdf, 1, notes)


# --- PNG, TIFF, HEIC ----------------------------------------------------------------------
def _has_alpha(im) -> bool:
    return im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in im.info


# Grayscale modes wider than 8 bits: Pillow's convert() to L/RGB/RGBA CLIPS them (every
# value over 255 becomes white), so they are scaled here first (_to_8bit).
_WIDE_GRAY = frozenset({"I;16", "I;16L", "I;16B", "I;16N", "I", "F"})
_BAND_ROWS = 256  # rows widened to 32 bits at a time (a 100 MP frame never is, whole)


def _gray_scale(im) -> tuple[float, float]:
    """(scale, offset) taking the values of a wide grayscale image to 0..255.

    16-bit modes are full scale (0..65535, as img2pdf shows a 16-bit PNG it passes through);
    32-bit integers and floats are read by their range: 0..255 as they are, 0..65535 as
    16-bit, floats 0..1 as fractions, anything else stretched from its minimum to maximum."""
    if im.mode.startswith("I;16"):
        return 1 / 257, 0.0  # 65535 -> 255 exactly
    lo, hi = im.getextrema()
    if im.mode == "F" and lo >= 0 and hi <= 1.0:
        return 255.0, 0.0
    if lo >= 0 and hi <= 255:
        return 1.0, 0.0
    if lo >= 0 and hi <= 65535:
        return 1 / 257, 0.0
    scale = 255.0 / (hi - lo) if hi > lo else 0.0
    return scale, -lo * scale


def _to_8bit(im):
    """A 16-bit, 32-bit or float grayscale image as 8-bit L, or LA when the image names a
    transparent value (a 16-bit PNG's tRNS); any other image unchanged. Converted in bands
    of rows, so memory stays near the image plus its 8-bit copy."""
    from PIL import Image

    if im.mode not in _WIDE_GRAY:
        return im
    scale, offset = _gray_scale(im)
    trns = im.info.get("transparency")
    mask_lut = None
    if isinstance(trns, int) and not isinstance(trns, bool) and 0 <= trns <= 65535:
        mask_lut = [255] * 65536
        mask_lut[trns] = 0
    gray = Image.new("L", im.size)
    alpha = Image.new("L", im.size, 255) if mask_lut is not None else None
    for top in range(0, im.height, _BAND_ROWS):
        part = im.crop((0, top, im.width, min(top + _BAND_ROWS, im.height)))
        if part.mode == "F":
            gray.paste(part.point(lambda v: v * scale + offset).convert("L"), (0, top))
            continue
        if part.mode != "I":
            part = part.convert("I")
        gray.paste(part.point(lambda v: v * scale + offset, "L"), (0, top))
        if alpha is not None:
            alpha.paste(part.point(mask_lut, "L"), (0, top))
    if alpha is not None:
        return Image.merge("LA", (gray, alpha))
    return gray


def _flatten(im):
    """Transparency composited on white; the result is RGB or L. Memory: the image, one
    RGB(A) copy and the white page (a 100 MP image stays well inside RLIMIT_AS)."""
    from PIL import Image

    im = _to_8bit(im)
    if im.mode in ("LA", "La", "L"):
        la = im if im.mode == "LA" else im.convert("LA")  # L + tRNS: the value's pixels clear
        gray, alpha = la.split()
        flat = Image.new("L", la.size, 255)
        flat.paste(gray, (0, 0), alpha)
        return flat
    gray = im.mode == "1"
    rgba = im if im.mode == "RGBA" else im.convert("RGBA")
    flat = Image.new("L", rgba.size, 255) if gray else Image.new("RGB", rgba.size, (255,) * 3)
    flat.paste(rgba.convert(flat.mode) if gray else rgba, (0, 0), rgba.getchannel("A"))
    return flat


PNG_LEVEL = 3  # zlib level of PNGs we encode: 2x faster than 6, a few % larger
# Chunks a PNG keeps on its way into img2pdf: the image and its colour/size facts, no text,
# EXIF or animation chunks.
_PNG_KEEP = frozenset({b"IHDR", b"PLTE", b"tRNS", b"iCCP", b"sRGB", b"gAMA", b"cHRM", b"pHYs"})


def single_idat(png: bytes) -> bytes:
    """The PNG with its IDAT chunks merged into one and ancillary metadata dropped.

    img2pdf joins IDAT chunks with ``bytes +=`` (quadratic: a 100 MP PNG written in 64 KiB
    chunks took 268 s); one chunk keeps it linear. One copy of the data is made."""
    view = memoryview(png)
    head = bytearray(png[:8])
    idat: list[memoryview] = []
    pos = 8
    n = len(png)
    while pos + 12 <= n:
        length = int.from_bytes(png[pos : pos + 4], "big")
        kind = png[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > n:
            raise DocumentProblem("image_damaged")
        if kind == b"IDAT":
            idat.append(view[pos + 8 : pos + 8 + length])
        elif kind == b"IEND":
            break
        elif kind in _PNG_KEEP:
            head += view[pos:end]
        pos = end
    size = sum(len(part) for part in idat)
    if not size:
        raise DocumentProblem("image_damaged")
    crc = zlib.crc32(b"IDAT")
    for part in idat:
        crc = zlib.crc32(part, crc)
    tail = crc.to_bytes(4, "big") + b"\x00\x00\x00\x00IEND\xaeB`\x82"
    return b"".join([head, size.to_bytes(4, "big"), b"IDAT", *idat, tail])


def _png_bytes(im) -> bytes:
    out = io.BytesIO()
    im.save(out, "PNG", compress_level=PNG_LEVEL)
    return single_idat(out.getvalue())


def _png_passthrough(im, data: bytes) -> bool:
    """img2pdf copies the IDAT data of this PNG as it is (no decoding, no re-encoding)."""
    return (
        data[28] == 0  # not interlaced
        and im.mode in ("1", "L", "P", "RGB", "I;16", "I;16B")
        and not (im.mode == "P" and im.info.get("icc_profile"))
    )


def _png_declared_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from the IHDR chunk (checked before Pillow, whose own bomb check
    would not say how large the picture is)."""
    if len(data) >= 24 and data[12:16] == b"IHDR":
        return struct.unpack(">II", data[16:24])
    return None


def _orientation(im) -> int:
    """EXIF orientation 1..8 of a decoded image (1 when absent or invalid)."""
    try:
        value = im.getexif().get(0x0112, 1)
    except Exception:  # an unreadable EXIF block is no orientation
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def convert_png(data: bytes, limits: Limits) -> Result:
    Image = pillow(limits)
    notes: list[str] = []
    declared = _png_declared_size(data)
    if declared is not None:
        _check_pixels(*declared, limits)
    with image_errors():
        im = Image.open(io.BytesIO(data), formats=["PNG"])
        _check_pixels(im.width, im.height, limits)
        im.load()  # decodes everything: a truncated or corrupt file fails here
        # EXIF orientation (an eXIf chunk): a turn is the page's /Rotate, the PNG itself
        # stays as it is; a mirror is applied to the pixels (PNG is lossless either way).
        orientation = _orientation(im)
        rotation = _ROTATION_FOR.get(orientation, 0)
        mirrored = orientation in _TRANSPOSE_FOR
        if mirrored:
            im = im.transpose(getattr(Image.Transpose, _TRANSPOSE_FOR[orientation]))
        if orientation != 1:
            notes.append("exif_rotated")
        if _has_alpha(im):
            payload = _png_bytes(_flatten(im))
            notes.append("alpha_flattened")
        elif not mirrored and _png_passthrough(im, data):
            payload = single_idat(data)  # 16-bit stays 16-bit: img2pdf copies it
        else:
            im = _to_8bit(im)
            payload = _png_bytes(im if im.mode in ("L", "RGB") else im.convert("RGB"))
        im.close()
        del im  # the decoded pixels are not needed by img2pdf
    return _image_result(_img2pdf([payload], rotation), 1, notes)


MAX_FRAMES_COUNTED = 100_000  # frames of a refused TIFF counted for the message, at most


def _count_frames(im, counted: int) -> int | None:
    """The number of frames, counting on from ``counted`` without decoding any (``None``
    past :data:`MAX_FRAMES_COUNTED` or at a broken directory)."""
    try:
        while counted < MAX_FRAMES_COUNTED:
            im.seek(counted)
            counted += 1
    except EOFError:
        return counted
    except Exception:  # a broken directory further on: the count is unknown
        return None
    return None


def _too_many(code: str, im, frames: int, limits: Limits) -> DocumentProblem:
    total = _count_frames(im, frames)
    if code == "too_many_frames":
        limit, key = limits.max_frames, "frames"
    else:
        limit, key = limits.max_pages, "pages"
    params = {"limit": limit} if total is None else {key: total, "limit": limit}
    return DocumentProblem(code, **params)


def _tiff_frames(im, limits: Limits) -> tuple[int, bool]:
    """Count and check every frame (size, decodability) without going past the caps.
    Returns (frames, whether any frame has an EXIF/TIFF orientation other than upright);
    Pillow applies the orientation itself when it loads a frame."""
    frames = 0
    oriented = False
    while True:
        try:
            im.seek(frames)
        except EOFError:
            break
        if frames >= limits.max_frames:
            raise _too_many("too_many_frames", im, frames, limits)
        if frames >= limits.max_pages:
            raise _too_many("too_many_pages", im, frames, limits)
        _check_pixels(im.width, im.height, limits)
        if im.tag_v2.get(0x0112, 1) in range(2, 9):
            oriented = True
        im.load()
        frames += 1
    return frames, oriented


def _all_bilevel(im, frames: int) -> bool:
    for i in range(frames):
        im.seek(i)
        if im.mode != "1":
            return False
    return True


def convert_tiff(data: bytes, limits: Limits) -> Result:
    Image = pillow(limits)
    notes: list[str] = []
    with image_errors():
        im = Image.open(io.BytesIO(data), formats=["TIFF"])
        frames, oriented = _tiff_frames(im, limits)
        if frames == 0:
            raise DocumentProblem("image_damaged")
        # img2pdf would copy a rotated fax's strips as stored (sideways): decode those.
        fax = not oriented and _all_bilevel(im, frames)
    if oriented:
        notes.append("exif_rotated")
    if fax:
        # img2pdf copies CCITT G4 strips as they are (and G4-encodes other bilevel frames).
        try:
            return _image_result(_img2pdf([data]), frames, notes)
        except DocumentProblem:
            pass
    with image_errors():
        payloads = []
        for i in range(frames):
            im.seek(i)
            frame = im
            if _has_alpha(frame):
                frame = _flatten(frame)
                notes.append("alpha_flattened")
            else:
                frame = _to_8bit(frame)  # 16-bit scans: scaled, not clipped to white
                if frame.mode not in ("1", "L", "RGB"):
                    frame = frame.convert("RGB")
            payloads.append(_png_bytes(frame))
            del frame
        im.close()
        del im
    return _image_result(_img2pdf(payloads), frames, notes)


def convert_heic(data: bytes, limits: Limits) -> Result:
    Image = _register_heif(limits)
    from PIL import ImageOps

    notes = ["reencoded"]
    with image_errors():
        im = Image.open(io.BytesIO(data), formats=["HEIF"])
        _check_pixels(im.width, im.height, limits)
        exif = im.info.get("exif")
        if exif and exif_facts(exif)[1]:
            notes.append("location_removed")
        im.load()
        # libheif applies the file's own transforms (irot/imir) and reports what they were;
        # an EXIF orientation still present is applied on top.
        if im.info.get("original_orientation") in range(2, 9):
            notes.append("exif_rotated")
        if im.getexif().get(0x0112, 1) in range(2, 9):
            notes.append("exif_rotated")
            im = ImageOps.exif_transpose(im)
        if _has_alpha(im):
            im = _flatten(im)
            notes.append("alpha_flattened")
        else:
            im = _to_8bit(im)
            if im.mode not in ("RGB", "L"):
                im = im.convert("RGB")
        out = io.BytesIO()
        im.save(out, "JPEG", quality=HEIC_JPEG_QUALITY)  # no EXIF/XMP copied
    return _image_result(_img2pdf([out.getvalue()]), 1, notes)


# --- text -----------------------------------------------------------------------------------
CJK_FONT = "IMRDocCJK"
CJK_FILE = "wqy-microhei.ttc"


def _text_fonts():
    """(font name, covered code points) in order of preference; fonts registered once."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from imrdesktop.packet.fonts import MONO, SANS, register_fonts
    from imrdesktop.resources_path import resource_path

    register_fonts()
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(
            TTFont(CJK_FONT, str(resource_path("fonts", CJK_FILE)), subfontIndex=0)
        )
    return [(name, pdfmetrics.getFont(name)) for name in (MONO, SANS, CJK_FONT)]


def _wrap(line: str, width: float, measure) -> list[list[tuple[str, str]]]:
    """A logical line as display lines, each a list of (font, run) pieces."""
    pieces_lines: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    used = 0.0
    run_font = ""
    run: list[str] = []
    for ch in line:
        font, w = measure(ch)
        if used + w > width and (current or run):
            if run:
                current.append((run_font, "".join(run)))
            pieces_lines.append(current)
            current, run, used, run_font = [], [], 0.0, ""
        if font != run_font and run:
            current.append((run_font, "".join(run)))
            run = []
        run_font = font
        run.append(ch)
        used += w
    if run:
        current.append((run_font, "".join(run)))
    pieces_lines.append(current)
    return pieces_lines


def _wrap_mono(line: str, chars: int) -> list[str]:
    """A logical line as display lines of at most ``chars`` characters, broken at a space
    in the second half of a line when there is one. Walks the line with an index (cutting
    the rest off the front each time was quadratic: a 5 MB line took 12 s)."""
    out = []
    start, end = 0, len(line)
    while end - start > chars:
        cut = line.rfind(" ", start + chars // 2, start + chars + 1)
        if cut < 0:
            out.append(line[start : start + chars])
            start += chars
        else:
            out.append(line[start:cut])
            start = cut + 1
    out.append(line[start:] if start else line)
    return out


def _page_count(lines: int, per_page: int, breaks: set[int]) -> int:
    """Pages the text takes: a page ends after ``per_page`` lines or at a form feed."""
    bounds = sorted({0, lines} | {b for b in breaks if 0 < b < lines})
    spans = (b - a for a, b in zip(bounds, bounds[1:], strict=False))
    return max(1, sum(-(-span // per_page) for span in spans))


def convert_text(data: bytes, limits: Limits) -> Result:
    if len(data) > limits.max_text_bytes:
        raise DocumentProblem("text_too_large", size=len(data), limit=limits.max_text_bytes)
    text = sniff.decode_text(data)
    if text is None:
        raise DocumentProblem("text_binary")
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    fonts = _text_fonts()
    mono_name, mono = fonts[0]
    mono_cover = mono.face.charToGlyph
    char_w = mono.stringWidth("M", TEXT_SIZE)
    width = LETTER[0] - 2 * TEXT_MARGIN
    chars = int(width // char_w)
    cache: dict[str, tuple[str, float]] = {}

    def measure(ch: str) -> tuple[str, float]:
        hit = cache.get(ch)
        if hit is None:
            code = ord(ch)
            for name, font in fonts:
                if code in font.face.charToGlyph:
                    hit = (name, font.stringWidth(ch, TEXT_SIZE))
                    break
            else:
                hit = (mono_name, char_w)
            cache[ch] = hit
        return hit

    # Display lines: a str (all in the mono font) or a list of (font, run) pieces.
    lines: list[str | list[tuple[str, str]]] = []
    per_page = int((LETTER[1] - 2 * TEXT_MARGIN) // TEXT_LEADING)
    page_breaks: set[int] = set()
    for block_no, block in enumerate(text.split("\f")):
        if block_no:
            page_breaks.add(len(lines))
        for raw in block.splitlines():
            line = raw.expandtabs(8).rstrip()
            if line.isascii() or all(ord(c) in mono_cover for c in line):
                lines.extend(_wrap_mono(line, chars))
            else:
                lines.extend(_wrap(line, width, measure))
    # Wrapping is bounded by max_text_bytes, so the whole text is counted for the message.
    total = _page_count(len(lines), per_page, page_breaks)
    if total > limits.max_pages:
        raise DocumentProblem("too_many_pages", pages=total, limit=limits.max_pages)
    if not lines:
        lines = [""]
    buf = io.BytesIO()
    c = canvas.Canvas(
        buf,
        pagesize=letter,
        initialFontName=mono_name,
        initialFontSize=TEXT_SIZE,
        invariant=1,
        pageCompression=1,
    )
    pages = 0
    i = 0
    while i < len(lines):
        t = c.beginText(TEXT_MARGIN, LETTER[1] - TEXT_MARGIN - TEXT_SIZE)
        t.setFont(mono_name, TEXT_SIZE, TEXT_LEADING)
        start = i
        while i < len(lines) and i - start < per_page and (i == start or i not in page_breaks):
            line = lines[i]
            if isinstance(line, str):
                t.textLine(line)
            else:
                for name, run in line:
                    t.setFont(name, TEXT_SIZE, TEXT_LEADING)
                    t.textOut(run)
                t.setFont(mono_name, TEXT_SIZE, TEXT_LEADING)
                t.textLine("")
            i += 1
        c.drawText(t)
        c.showPage()
        pages += 1
    c.save()
    return Result(
        pdf=buf.getvalue(), pages=pages, page_sizes=tuple(LETTER for _ in range(pages)), notes=()
    )


# --- PDF --------------------------------------------------------------------------------------
# Keys and names that mean active or embedded content (T-IN-3 checks none survive).
FORBIDDEN_KEYS = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/OpenAction",
        "/AA",
        "/Launch",
        "/EmbeddedFiles",
        "/EmbeddedFile",
        "/EF",
        "/RichMedia",
        "/RichMediaContent",
        "/RichMediaSettings",
        "/XFA",
        "/SubmitForm",
        "/URI",
        "/AlternatePresentations",
        "/Collection",
    }
)
# Action types that reach outside the document or run something (emptied wherever found);
# link annotations and outline items keep only /GoTo and /Named actions (_strip_actions).
BAD_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/URI",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
        "/RichMediaExecute",
        "/Rendition",
        "/Movie",
        "/Sound",
    }
)
BAD_ANNOTS = frozenset({"/FileAttachment", "/Movie", "/Sound", "/Screen", "/RichMedia", "/3D"})
FORBIDDEN_NAMES = FORBIDDEN_KEYS | BAD_ACTIONS | BAD_ANNOTS
# Any of these names in an object's text sends it through the (slower) cleaner. qpdf prints
# names canonically (``/J#53`` is printed ``/JS``), so the test cannot be dodged by escapes.
_SUSPECT = re.compile(
    rb"/(?:"
    + b"|".join(
        re.escape(n[1:].encode()) for n in sorted(FORBIDDEN_NAMES | {"/A", "/AA"}, key=len)[::-1]
    )
    + rb")(?=[\s/\[\]<>()%{}]|$)"
)


def _num(obj) -> float:
    value = float(obj)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("not a finite number")
    return value


def _box(obj) -> tuple[float, float, float, float] | None:
    import pikepdf

    if not isinstance(obj, pikepdf.Array) or len(obj) != 4:
        return None
    try:
        x1, y1, x2, y2 = (_num(v) for v in obj)
    except (TypeError, ValueError):
        return None
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def _page_geometry(page, number: int, limits: Limits) -> tuple[float, float, bool]:
    """The displayed size (points, after /UserUnit and /Rotate) of one page, checked
    against the page-size caps; /Rotate normalised. Returns (w, h, changed)."""
    import pikepdf

    obj = page.obj
    changed = False
    media = _box(obj.get("/MediaBox"))
    if media is None:
        media = (0.0, 0.0, *LETTER)  # what readers assume
        obj.MediaBox = pikepdf.Array([0, 0, *LETTER])
        changed = True
    crop = _box(obj.get("/CropBox"))
    shown = media
    if crop is not None:
        x1, y1 = max(media[0], crop[0]), max(media[1], crop[1])
        x2, y2 = min(media[2], crop[2]), min(media[3], crop[3])
        if x2 > x1 and y2 > y1:
            shown = (x1, y1, x2, y2)
    unit = 1.0
    if "/UserUnit" in obj:
        try:
            unit = _num(obj.UserUnit)
        except (TypeError, ValueError):
            unit = 0.0
        if unit <= 0:
            raise DocumentProblem("pdf_damaged")
    width = (shown[2] - shown[0]) * unit
    height = (shown[3] - shown[1]) * unit
    for side in (width, height):
        inches = side / 72.0
        if not (limits.min_page_inches <= inches <= limits.max_page_inches):
            raise DocumentProblem(
                "page_size",
                page=number,
                width_in=round(width / 72.0, 1),
                height_in=round(height / 72.0, 1),
            )
    rotate = 0
    if "/Rotate" in obj:
        try:
            rotate = int(_num(obj.Rotate))
        except (TypeError, ValueError):
            rotate = 0
        rotate = rotate % 360 if rotate % 90 == 0 else 0
        if obj.get("/Rotate") != rotate:
            obj.Rotate = rotate
            changed = True
    if rotate in (90, 270):
        width, height = height, width
    return round(width, 3), round(height, 3), changed


def _is_action(value) -> bool:
    """An action dictionary (one with /S) or an array holding one."""
    import pikepdf

    if isinstance(value, pikepdf.Dictionary):
        return "/S" in value
    if isinstance(value, pikepdf.Array):
        return any(isinstance(v, pikepdf.Dictionary) and "/S" in v for v in value)
    return False


# Keys that make a dictionary an annotation, widget, form field or outline item: the owners
# of an /A action. A structure element (tagged PDF) has none of them; its /A is attributes.
_ACTION_OWNER_KEYS = ("/Subtype", "/Rect", "/FT", "/T", "/Title", "/Parent", "/Dest")


def _is_struct_elem(d) -> bool:
    if str(d.get("/Type", "")) == "/StructElem":
        return True
    return "/S" in d and "/P" in d and not any(k in d for k in _ACTION_OWNER_KEYS)


def _strip_actions(d, annotation: bool = False) -> bool:
    """Remove /AA and any /A action except GoTo/Named from one dictionary. The /A of an
    annotation goes whatever it holds; elsewhere /A is an action only when it looks like
    one and the dictionary is not a structure element (whose /A are layout attributes)."""
    import pikepdf

    changed = False
    if "/AA" in d:
        del d["/AA"]
        changed = True
    action = d.get("/A")
    if action is None:
        return changed
    if not annotation and (not _is_action(action) or _is_struct_elem(d)):
        return changed
    kind = str(action.get("/S", "")) if isinstance(action, pikepdf.Dictionary) else ""
    if kind not in ("/GoTo", "/Named") or "/Next" in action:
        del d["/A"]
        changed = True
    return changed


# Trailer keys kept (qpdf needs /Encrypt, /Prev and /XRefStm while the file is open and
# writes none of them); everything else in the trailer is dropped before saving.
_TRAILER_KEEP = frozenset({"/Root", "/Size", "/ID", "/Info", "/Encrypt", "/Prev", "/XRefStm"})


def _clean_trailer(pdf) -> bool:
    """The trailer rebuilt from /Root, /ID, /Size and /Info only (T-IN-3: the sweep walks
    indirect objects, and a direct dictionary in the trailer is not one). A direct /Info is
    made indirect so the sweep cleans it; an /Info that is not a dictionary goes."""
    import pikepdf

    trailer = pdf.trailer
    changed = False
    for key in list(trailer.keys()):
        if key in _TRAILER_KEEP:
            continue
        value = trailer.get(key)
        direct = isinstance(value, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream) and (
            not value.is_indirect
        )
        if direct and _SUSPECT.search(value.unparse()):
            changed = True
        del trailer[key]
    info = trailer.get("/Info")
    if info is not None:
        if not isinstance(info, pikepdf.Dictionary):
            del trailer["/Info"]
        elif not info.is_indirect:
            trailer.Info = pdf.make_indirect(info)
    return changed


def _clean_structure(pdf) -> bool:
    """Remove active content where the PDF spec puts it (docs/documents.md)."""
    import pikepdf

    changed = _clean_trailer(pdf)
    root = pdf.Root
    for key in ("/OpenAction", "/AA", "/URI", "/Collection", "/Threads"):
        if key in root:
            del root[key]
            changed = True
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        for key in ("/JavaScript", "/EmbeddedFiles", "/AlternatePresentations"):
            if key in names:
                del names[key]
                changed = True
    form = root.get("/AcroForm")
    if isinstance(form, pikepdf.Dictionary) and "/XFA" in form:
        del form["/XFA"]
        changed = True
    for page in pdf.pages:
        obj = page.obj
        if "/AA" in obj:
            del obj["/AA"]
            changed = True
        annots = obj.get("/Annots")
        if annots is None:
            continue
        if not isinstance(annots, pikepdf.Array):
            del obj["/Annots"]
            changed = True
            continue
        kept = []
        for annot in annots:
            if not isinstance(annot, pikepdf.Dictionary):
                changed = True
                continue
            if str(annot.get("/Subtype", "")) in BAD_ANNOTS:
                changed = True
                continue
            changed |= _strip_actions(annot, annotation=True)
            kept.append(annot)
        if len(kept) != len(annots):
            obj.Annots = pikepdf.Array(kept)
    return changed


def _clean_object(obj) -> bool:
    """One object and the direct objects inside it: forbidden keys deleted, dictionaries of a
    forbidden action/annotation type emptied, actions other than GoTo/Named removed."""
    import pikepdf

    Dictionary, Stream, Array, Name = (
        pikepdf.Dictionary,
        pikepdf.Stream,
        pikepdf.Array,
        pikepdf.Name,
    )
    changed = False
    stack = [obj]
    while stack:
        obj = stack.pop()
        if isinstance(obj, Dictionary | Stream):
            if "/AA" in obj or "/A" in obj:
                # annotations, form fields, outline items: only GoTo/Named actions stay
                changed |= _strip_actions(obj)
            if isinstance(obj, Stream) and str(obj.get("/Type", "")) in FORBIDDEN_NAMES:
                # an embedded file's stream, wherever it is referenced from (even as an
                # XObject): its payload and dictionary go, an empty stream stays
                obj.write(b"")
                for key in list(obj.keys()):
                    if key != "/Length":
                        del obj[key]
                changed = True
                continue
            keys = list(obj.keys())
            kind = [obj.get(k) for k in ("/S", "/Subtype") if k in obj]
            if any(isinstance(v, Name) and str(v) in FORBIDDEN_NAMES for v in kind):
                for key in keys:
                    if key not in ("/Length", "/Filter", "/DecodeParms"):
                        del obj[key]
                changed = True
                continue
            for key in keys:
                if key in FORBIDDEN_KEYS:
                    del obj[key]
                    changed = True
                    continue
                value = obj.get(key)
                if isinstance(value, Name):
                    if str(value) in FORBIDDEN_NAMES and key != "/Type":
                        del obj[key]
                        changed = True
                elif isinstance(value, Dictionary | Array) and not value.is_indirect:
                    stack.append(value)
        elif isinstance(obj, Array):
            for i, value in enumerate(obj):
                if isinstance(value, Name) and str(value) in FORBIDDEN_NAMES:
                    obj[i] = None
                    changed = True
                elif isinstance(value, Dictionary | Array) and not value.is_indirect:
                    stack.append(value)
    return changed


def _sweep(pdf) -> bool:
    """Every object of the file, T-IN-3: the few whose text names something suspect go
    through :func:`_clean_object` (a whole-file Python walk cost 3x the floor's save)."""
    import pikepdf

    changed = False
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream):
            text = obj.stream_dict.unparse(resolved=True)
        elif isinstance(obj, pikepdf.Dictionary | pikepdf.Array):
            text = obj.unparse(resolved=True)
        else:
            continue
        if _SUSPECT.search(text):
            changed |= _clean_object(obj)
    return changed


def _compress_plain_streams(pdf) -> None:
    """Deflate the streams stored without a filter (their raw size is bounded by the
    input's); filtered streams are kept byte for byte, never decoded."""
    import pikepdf

    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream) or "/Filter" in obj:
            continue
        if str(obj.get("/Type", "")) in ("/XRef", "/ObjStm", "/Metadata"):
            continue  # structural, or XMP that tools expect to read uncompressed
        raw = obj.read_raw_bytes()
        if len(raw) < 256:
            continue
        packed = zlib.compress(raw, 6)
        if len(packed) < len(raw):
            if "/DecodeParms" in obj:
                del obj["/DecodeParms"]
            obj.write(packed, filter=pikepdf.Name.FlateDecode)


def convert_pdf(data: bytes, limits: Limits, password: str | None = None) -> Result:
    import pikepdf

    try:
        pdf = pikepdf.open(
            io.BytesIO(data),
            password=password or "",
            attempt_recovery=True,
            suppress_warnings=True,
            inherit_page_attributes=True,
        )
    except pikepdf.PasswordError:
        raise DocumentProblem("password_wrong" if password else "password_required") from None
    except (pikepdf.PdfError, RecursionError, ValueError, RuntimeError):
        raise DocumentProblem("pdf_damaged") from None
    try:
        return _clean_pdf(pdf, data, limits)
    except (DocumentProblem, MemoryError):
        raise
    except Exception:  # qpdf's view of a broken file (PdfError, TypeError, KeyError...)
        raise DocumentProblem("pdf_damaged") from None
    finally:
        pdf.close()


# --- blank pages: a valid page without content, or content lost in a repair? ---------------
_PDF_SPACE = b"\x00\t\n\x0c\r "
_OBJ_HEADER = re.compile(
    rb"(?<![0-9])([0-9]{1,10})[\x00\t\n\x0c\r ]+([0-9]{1,5})[\x00\t\n\x0c\r ]+obj"
    rb"(?=[\x00\t\n\x0c\r ()<>\[\]{}/%]|$)"
)
_DICT_TOKEN = re.compile(rb"<<|>>|[\[\]()<%/]")
_STRING_TOKEN = re.compile(rb"[()\\]")
_NAME = re.compile(rb"/[^\x00\t\n\x0c\r ()<>\[\]{}/%]*")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_EOL = re.compile(rb"[\r\n]")
_DICT_WINDOW = 1 << 20  # bytes of one object's text looked at, at most


def _top_level_key(data: bytes, pos: int, key: bytes) -> bool | None:
    """Whether the dictionary starting at ``pos`` (after ``n g obj``) has ``key`` (a name
    without its slash) at its top level; ``None`` when the object is no readable dictionary.
    A small tokenizer over the raw text: nesting, strings and comments skipped by regex."""
    end = min(len(data), pos + _DICT_WINDOW)
    depth = 0
    i = pos
    while True:
        m = _DICT_TOKEN.search(data, i, end)
        if m is None:
            return None
        token = m.group()
        if token == b"%":  # a comment, to the end of the line
            eol = _EOL.search(data, m.end(), end)
            i = eol.end() if eol else end
            continue
        if depth == 0 and (token != b"<<" or data[i : m.start()].strip(_PDF_SPACE)):
            return None  # not a dictionary (or something before it)
        i = m.end()
        if token in (b"<<", b"["):
            depth += 1
        elif token in (b">>", b"]"):
            depth -= 1
            if depth <= 0:
                return False
        elif token == b"(":
            nest = 1
            while nest:
                s = _STRING_TOKEN.search(data, i, end)
                if s is None:
                    return None
                i = s.end() + (1 if s.group() == b"\\" else 0)
                nest += {b"(": 1, b")": -1}.get(s.group(), 0)
        elif token == b"<":
            i = data.find(b">", i, end) + 1
            if i <= 0:
                return None
        else:  # a name
            name = _NAME.match(data, m.start())
            i = name.end()
            if depth == 1:
                raw = _NAME_ESCAPE.sub(lambda e: bytes([int(e.group(1), 16)]), name.group()[1:])
                if raw == key:
                    return True


def _named_contents(data: bytes, wanted: set[tuple[int, int]]) -> dict[tuple[int, int], bool]:
    """For each page object in ``wanted`` (object, generation) found in the file as plain
    ``n g obj`` text: whether that definition (the last one, as a rebuilt cross-reference
    table takes it) has a /Contents key. Pages stored inside object streams are left out:
    unknown."""
    last: dict[tuple[int, int], int] = {}
    for m in _OBJ_HEADER.finditer(data):
        objgen = (int(m.group(1)), int(m.group(2)))
        if objgen in wanted:
            last[objgen] = m.end()
    found = {}
    for objgen, pos in last.items():
        named = _top_level_key(data, pos, b"Contents")
        if named is not None:
            found[objgen] = named
    return found


def _without_content(page) -> bool:
    import pikepdf

    contents = page.obj.get("/Contents")
    if isinstance(contents, pikepdf.Array):
        return not any(isinstance(c, pikepdf.Stream) for c in contents)
    return not isinstance(contents, pikepdf.Stream)


def _check_lost_contents(pdf, data: bytes, repaired: bool) -> None:
    """A page without content is a valid blank page, unless the file named content for it
    that the repair could not find (qpdf makes a missing object null): that would import a
    blank exhibit page, so the file is refused. A page whose text cannot be found (it sits
    in an object stream) is refused only when qpdf had to repair something."""
    blank = [page.obj for page in pdf.pages if _without_content(page)]
    if not blank:
        return
    named = _named_contents(data, {o.objgen for o in blank if o.is_indirect})
    for obj in blank:
        had = named.get(obj.objgen) if obj.is_indirect else None
        if had or (had is None and repaired):
            raise DocumentProblem("pdf_damaged")


# --- the saved copy has every stream's data ------------------------------------------------
def _save_problem(warnings: list[str], limits: Limits) -> DocumentProblem:
    """qpdf warns, and writes the stream EMPTY, when it cannot copy a stream's data while
    saving (out of memory under RLIMIT_AS, or data it cannot read): never a repair."""
    if any("bad_alloc" in w or "memory" in w.lower() for w in warnings):
        return DocumentProblem("memory", limit=limits.memory_bytes)
    return DocumentProblem("pdf_damaged")


_EMPTY_STREAM = re.compile(rb"/Length 0(?![0-9.])")


def _lost_stream_data(pdf, check, clean: bytes) -> bool:
    """Whether a stream with data in ``pdf`` came out empty in ``check``, its saved copy
    (``clean`` its bytes). Only when the copy has an empty stream at all (qpdf writes every
    /Length as a plain number: a quick search of the bytes) are both walked side by side
    from /Root."""
    import pikepdf

    Dictionary, Stream, Array = pikepdf.Dictionary, pikepdf.Stream, pikepdf.Array

    def empty(s) -> bool:
        return s.stream_dict.get("/Length") == 0

    if not _EMPTY_STREAM.search(clean):
        return False
    seen: set[tuple[int, int]] = set()
    stack = [(pdf.Root, check.Root)]
    while stack:
        a, b = stack.pop()
        if a.is_indirect:
            if a.objgen in seen:
                continue
            seen.add(a.objgen)
        lost = isinstance(a, Stream) and isinstance(b, Stream) and empty(b)
        if lost and len(a.read_raw_bytes()) > 0:
            return True
        if isinstance(a, Dictionary | Stream) and isinstance(b, Dictionary | Stream):
            keys = a.keys()
            pairs = [(a.get(k), b.get(k)) for k in keys if k in b]
        elif isinstance(a, Array) and isinstance(b, Array):
            pairs = list(zip(a, b, strict=False))
        else:
            continue
        stack += [(x, y) for x, y in pairs if isinstance(x, Dictionary | Array | Stream)]
    return False


def _clean_pdf(pdf, data: bytes, limits: Limits) -> Result:
    import pikepdf

    pages = len(pdf.pages)
    if pages == 0:
        raise DocumentProblem("pdf_damaged")
    if pages > limits.max_pages:
        raise DocumentProblem("too_many_pages", pages=pages, limit=limits.max_pages)
    sizes = []
    for number, page in enumerate(pdf.pages, start=1):
        w, h, _changed = _page_geometry(page, number, limits)
        sizes.append((w, h))
    # qpdf's warnings (get_warnings() hands them over once): those raised while reading the
    # file mean a repair; any raised while saving mean a stream could not be copied.
    read_warnings: list[str] = pdf.get_warnings()
    _check_lost_contents(pdf, data, repaired=bool(read_warnings))
    notes: list[str] = []
    active = _clean_structure(pdf)
    active |= _sweep(pdf)
    if active:
        notes.append("active_content_removed")
    _compress_plain_streams(pdf)
    read_warnings += pdf.get_warnings()
    out = io.BytesIO()
    pdf.save(
        out,
        # qpdf's compress_streams decodes and re-encodes every stream that is not plain
        # /FlateDecode (filter chains, LZW, RunLength...): a nested-Flate bomb would go off.
        # So nothing is decoded; streams stored without a filter are deflated above.
        compress_streams=False,
        stream_decode_level=pikepdf.StreamDecodeLevel.none,
        object_stream_mode=pikepdf.ObjectStreamMode.disable,
        encryption=False,
        deterministic_id=True,
        fix_metadata_version=False,
    )
    save_warnings = pdf.get_warnings()
    if save_warnings:
        raise _save_problem(save_warnings, limits)
    if read_warnings:
        notes.insert(0, "repaired")
    clean = out.getvalue()
    del out
    with pikepdf.open(io.BytesIO(clean)) as check:
        if len(check.pages) != pages or _lost_stream_data(pdf, check, clean):
            raise DocumentProblem("pdf_damaged")
    return Result(pdf=clean, pages=pages, page_sizes=tuple(sizes), notes=_unique(notes))


__all__ = ["Result", "convert", "exif_facts", "parse_jpeg"]
