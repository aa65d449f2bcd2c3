from __future__ import annotations

import base64
import binascii
import zlib

from leakscan import scan_for


def test_scanner_finds_every_encoding(tmp_path):
    needle = "CANARY-1234-Ünïcode"
    raw = needle.encode()
    samples = {
        "utf8": raw,
        "utf16": needle.encode("utf-16-le"),
        "b64": base64.b64encode(b"xx" + raw + b"yy"),
        "hex": binascii.hexlify(raw),
        "pdf": b"1 0 obj\nstream\n" + zlib.compress(b"BT (" + raw + b") Tj ET") + b"\nendstream",
    }
    for name, data in samples.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "clean").write_bytes(b"nothing here")
    found = {p.name for p, _n in scan_for(tmp_path, [needle])}
    assert found == set(samples)
