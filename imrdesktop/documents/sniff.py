"""What a file is, from its first bytes (never from its name). Pure Python, no parsing.

:func:`sniff` answers one of the supported media (``pdf``, ``jpeg``, ``png``, ``tiff``,
``heic``, ``text``) or ``None``; :func:`known_other` names common formats we refuse, so a
program renamed ``.jpg`` or a ZIP renamed ``.pdf`` is refused as what it is.
"""

from __future__ import annotations

import re

MEDIA = ("pdf", "jpeg", "png", "tiff", "heic", "text")

# What a file name claims (lower-case extension -> media).
SUFFIX_MEDIA = {
    "pdf": "pdf",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "jpe": "jpeg",
    "jfif": "jpeg",
    "png": "png",
    "tif": "tiff",
    "tiff": "tiff",
    "heic": "heic",
    "heif": "heic",
    "hif": "heic",
    "txt": "text",
    "text": "text",
    "log": "text",
    "md": "text",
    "csv": "text",
}

PDF_HEADER_WINDOW = 1024  # readers accept "%PDF-" anywhere in the first 1 KiB

_HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"})
_HEIF_GENERIC = frozenset({b"mif1", b"msf1", b"mif2"})

# Formats we recognise in order to refuse them by name. Strong signatures (4+ bytes) are
# checked before the text test; weak ones only once the bytes failed to decode as text, so
# a letter that starts with "BM" or "MZ" stays a letter.
_STRONG = (
    (b"\x7fELF", "exe"),
    (b"\xfe\xed\xfa\xce", "exe"),
    (b"\xfe\xed\xfa\xcf", "exe"),
    (b"\xcf\xfa\xed\xfe", "exe"),
    (b"\xce\xfa\xed\xfe", "exe"),
    (b"\xca\xfe\xba\xbe", "exe"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"PK\x07\x08", "zip"),
    (b"Rar!\x1a\x07", "rar"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "office"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"\x00\x00\x01\x00", "ico"),
    (b"8BPS", "psd"),
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "jpeg2000"),
    (b"\xff\x4f\xff\x51", "jpeg2000"),
    (b"\x97JB2\r\n\x1a\n", "jbig2"),
    (b"II+\x00", "bigtiff"),
    (b"MM\x00+", "bigtiff"),
    (b"OggS", "audio"),
    (b"fLaC", "audio"),
    (b"\x1a\x45\xdf\xa3", "video"),
    (b"SQLite format 3\x00", "sqlite"),
)
_WEAK = (
    (b"MZ", "exe"),
    (b"BM", "bmp"),
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"ID3", "audio"),
    (b"{\\rtf", "rtf"),
    (b"%!", "postscript"),
)


def _box_brand(data: bytes) -> tuple[bytes, list[bytes]] | None:
    """The major and compatible brands of an ISO-BMFF ``ftyp`` box at offset 0."""
    if len(data) < 16 or data[4:8] != b"ftyp":
        return None
    size = int.from_bytes(data[0:4], "big")
    if size < 16 or size > 4096:
        return None
    box = data[:size]
    compatible = [box[i : i + 4] for i in range(16, len(box) - 3, 4)]
    return box[8:12], compatible


def known_other(data: bytes, *, weak: bool = True) -> str | None:
    """A short name of a recognised unsupported format (``"exe"``, ``"zip"``...), or None.
    ``weak=False`` checks only signatures no text file starts with."""
    for magic, kind in _STRONG + (_WEAK if weak else ()):
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF":
        return "riff"
    brands = _box_brand(data)
    if brands is not None:
        major, _compatible = brands
        if major in (b"avif", b"avis"):
            return "avif"
        if major in (b"qt  ", b"isom", b"mp41", b"mp42", b"M4V ", b"M4A "):
            return "video"
        return "isobmff"
    return None


def sniff_binary(data: bytes) -> str | None:
    """The supported binary media of ``data`` from its magic bytes, or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    brands = _box_brand(data)
    if brands is not None:
        major, compatible = brands
        if major in _HEIC_BRANDS:
            return "heic"
        if major in _HEIF_GENERIC and any(b in _HEIC_BRANDS for b in compatible):
            return "heic"
        return None
    if known_other(data, weak=False) is None and b"%PDF-" in data[:PDF_HEADER_WINDOW]:
        # Some scanners and mail gateways put a few bytes before the header.
        return "pdf"
    return None


# Control characters a text document does not contain: C0 except tab, line feed, form feed
# and carriage return; DEL; C1.
_BAD_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_BAD_BYTES = bytes(b for b in range(32) if b not in b"\t\n\x0c\r") + b"\x7f"


def has_bad_controls(text: str) -> bool:
    return _BAD_CONTROLS.search(text) is not None


def decode_text(data: bytes) -> str | None:
    """``data`` as text (UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252), or
    None when it does not decode or holds control characters."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                return None
    if has_bad_controls(text):
        return None
    return text


def looks_textual(data: bytes, sample: int = 65536) -> bool:
    """Mostly text, even if not clean: decides ``text_binary`` versus ``not_supported``."""
    head = data[:sample]
    if not head:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return True
    bad = len(head) - len(head.translate(None, _BAD_BYTES))
    return bad * 10 < len(head)  # under 10% control bytes (random data has 11%)


__all__ = [
    "MEDIA",
    "SUFFIX_MEDIA",
    "decode_text",
    "has_bad_controls",
    "known_other",
    "looks_textual",
    "sniff_binary",
]
