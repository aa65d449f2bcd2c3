"""Search a folder tree for canary strings in every encoding a leak could take (T-LEAK-1).

Each file is read whole and searched for each needle as UTF-8, UTF-16LE, UTF-16BE,
base64 (three alignments) and hex, and inside zlib/deflate streams (e.g. PDF content).
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from pathlib import Path

_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


def _forms(needle: str) -> list[bytes]:
    raw = needle.encode("utf-8")
    forms = [raw, needle.encode("utf-16-le"), needle.encode("utf-16-be")]
    for shift in range(3):
        chunk = base64.b64encode(b"\x00" * shift + raw)[4 if shift else 0 :][:-4]
        if len(chunk) >= 8:
            forms.append(chunk)
    forms.append(binascii.hexlify(raw))
    forms.append(binascii.hexlify(raw).upper())
    return forms


def _inflated(data: bytes) -> list[bytes]:
    out = []
    for m in _STREAM.finditer(data):
        try:
            out.append(zlib.decompress(m.group(1)))
        except zlib.error:
            continue
    return out


def scan_for(root: Path, needles: list[str], skip: tuple[Path, ...] = ()) -> list[tuple[Path, str]]:
    hits = []
    forms = {n: _forms(n) for n in needles}
    for path in sorted(root.rglob("*")):
        if not path.is_file() or any(path.is_relative_to(s) for s in skip):
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        blobs = [data, *_inflated(data)]
        for needle, variants in forms.items():
            if any(v in blob for blob in blobs for v in variants):
                hits.append((path, needle))
    return hits
