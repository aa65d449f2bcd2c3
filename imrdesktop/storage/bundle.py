"""Case bundles (``.imrbundle``): one case as one encrypted file, for hand-off or backup.

Layout (integers big-endian)::

    0   8   magic b"IMRBUNDL"
    8   2   format major (1)
    10  2   format minor (0)
    12  4   header length n (≤ 64 KiB; more is refused as hostile)
    16  n   header: canonical JSON {"chunk": 1048576, "kdf": {...Argon2id...}, "w": b64}
    16+n 32 SHA-256 of bytes [0, 16+n)
    …       STREAM chunks: AES-256-GCM(payload key, nonce = counter(11) ‖ last(1),
            AAD = "IMRB1/chunk" ‖ header SHA-256); each chunk but the last is exactly
            chunk + 16 bytes; nothing may follow the last chunk

``w`` wraps a random file key under HKDF(Argon2id(bundle passphrase)); the payload key is
HKDF(file key). The bundle has its own Argon2id parameters and salt, checked against the
bundle ceilings (m ≤ 1 GiB, t ≤ 4: tighter than the vault's) before deriving. The plaintext
stream is a sequence of frames (type byte ‖ u32 length ‖ body): one ``H`` (summary and
counts), the ``R`` records, each ``A`` attachment header followed by its raw bytes, and a
final ``E``.

Import creates a new case (new id, new data key): everything is re-encrypted.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import struct
from pathlib import Path
from typing import Any, BinaryIO

from imrdesktop.domain.errors import (
    BundleDamaged,
    HostileParameters,
    InputFileMissing,
    InvalidField,
    NewerFormat,
    StoragePermissionDenied,
    WrongBundlePassphrase,
)
from imrdesktop.storage import crypto, kdf, stream
from imrdesktop.storage.atomic import AtomicFile
from imrdesktop.storage.casefile import MAX_RECORD_BYTES, CaseFile
from imrdesktop.storage.ids import attachment_blob_id

MAGIC = b"IMRBUNDL"
MAJOR, MINOR = 1, 0
SUFFIX = ".imrbundle"
PREFIX = struct.Struct(">8sHHI")
MAX_HEADER = 64 * 1024
DIGEST_LEN = 32
FRAME = struct.Struct(">cI")
_MAX_FRAME = {b"H": 16 * 1024 * 1024, b"R": MAX_RECORD_BYTES + 1024, b"A": 1024 * 1024, b"E": 0}

_LABEL_WRAP = b"IMRB1 wrap key"
_LABEL_PAYLOAD = b"IMRB1 payload key"


def _wrap_aad(major: int, minor: int, kdf_json: dict[str, Any], chunk: int) -> bytes:
    return (
        b"IMRB1/wrap\x00"
        + struct.pack(">HH", major, minor)
        + crypto.canonical_json({"chunk": chunk, "kdf": kdf_json})
    )


def _chunk_aad(header_digest: bytes) -> bytes:
    return b"IMRB1/chunk\x00" + header_digest


# --- writing ------------------------------------------------------------------------------
class _ChunkWriter:
    """Plaintext in, STREAM chunks out; holds at most one chunk of plaintext."""

    def __init__(self, out: AtomicFile, payload_key: bytearray, aad: bytes) -> None:
        self._out = out
        self._cipher = crypto.aead(payload_key)
        self._aad = aad
        self._buf = bytearray()
        self._index = 0

    def write(self, data: bytes) -> None:
        self._buf += data
        # Keep the last (possibly full) chunk back: only finish() knows it is the last.
        while len(self._buf) > stream.CHUNK_SIZE:
            self._emit(bytes(self._buf[: stream.CHUNK_SIZE]), last=False)
            del self._buf[: stream.CHUNK_SIZE]

    def frame(self, kind: bytes, body: bytes = b"") -> None:
        self.write(FRAME.pack(kind, len(body)) + body)

    def _emit(self, plain: bytes, *, last: bool) -> None:
        self._out.write(stream.encrypt_chunk(self._cipher, self._index, last, plain, self._aad))
        self._index += 1

    def finish(self) -> None:
        self._emit(bytes(self._buf), last=True)
        self._buf.clear()


def _json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode(
        "utf-8", "surrogatepass"
    )


def export_case(case: CaseFile, out_path: Path, passphrase: str) -> None:
    """Write ``case`` to ``out_path`` as a bundle protected by ``passphrase`` (streaming;
    the file appears only once complete)."""
    params = kdf.new_params()
    file_key = crypto.random_key()
    kek = kdf.derive(passphrase, params)
    wrap = payload_key = bytearray()
    try:
        wrap = crypto.hkdf(kek, _LABEL_WRAP)
        wrapped = crypto.seal(
            wrap, file_key, _wrap_aad(MAJOR, MINOR, params.to_json(), stream.CHUNK_SIZE)
        )
        crypto.zeroize(wrap)
        body = crypto.canonical_json(
            {
                "chunk": stream.CHUNK_SIZE,
                "kdf": params.to_json(),
                "w": base64.b64encode(wrapped).decode("ascii"),
            }
        )
        head = PREFIX.pack(MAGIC, MAJOR, MINOR, len(body)) + body
        digest = hashlib.sha256(head).digest()
        payload_key = crypto.hkdf(file_key, _LABEL_PAYLOAD)
        names = case.keys()
        attachments = case.attachments()
        with AtomicFile(out_path) as out:
            out.write(head + digest)
            writer = _ChunkWriter(out, payload_key, _chunk_aad(digest))
            writer.frame(
                b"H",
                _json(
                    {
                        "summary": case.summary,
                        "records": len(names),
                        "attachments": len(attachments),
                    }
                ),
            )
            for name in names:
                writer.frame(b"R", _json({"k": name, "v": case.get(name)}))
            for info in attachments:
                writer.frame(
                    b"A",
                    _json(
                        {"id": info.id, "size": info.size, "sha256": info.sha256, "meta": info.meta}
                    ),
                )
                for piece in case.open_attachment(info.id):
                    writer.write(piece)
            writer.frame(b"E")
            writer.finish()
    finally:
        crypto.zeroize(kek)
        crypto.zeroize(wrap)
        crypto.zeroize(payload_key)
        crypto.zeroize(file_key)


# --- reading ------------------------------------------------------------------------------
class _PlainStream:
    """Decrypts STREAM chunks on demand; ``read`` never returns unverified bytes."""

    def __init__(self, f: BinaryIO, payload_key: bytearray, aad: bytes, chunk: int) -> None:
        self._f = f
        self._cipher = crypto.aead(payload_key)
        self._aad = aad
        self._ct_len = chunk + crypto.TAG_LEN
        self._next: bytes | None = None
        self._buf = b""
        self._pos = 0
        self._index = 0
        self._finished = False  # the last-flagged chunk has been decrypted

    def _load(self) -> bool:
        if self._finished:
            return False
        current = self._next if self._next is not None else stream.read_full(self._f, self._ct_len)
        if not current:
            raise BundleDamaged("no final chunk", where="payload")
        following = stream.read_full(self._f, self._ct_len) if len(current) == self._ct_len else b""
        last = not following
        self._buf = stream.decrypt_chunk(
            self._cipher, self._index, last, current, self._aad, BundleDamaged, where="payload"
        )
        self._pos = 0
        self._next = following or None
        self._index += 1
        self._finished = last
        return True

    def read(self, n: int) -> bytes:
        out: list[bytes] = []
        while n > 0:
            if self._pos >= len(self._buf) and not self._load():
                break
            piece = self._buf[self._pos : self._pos + n]
            self._pos += len(piece)
            n -= len(piece)
            out.append(piece)
        return b"".join(out)

    def read_exact(self, n: int) -> bytes:
        data = self.read(n)
        if len(data) != n:
            raise BundleDamaged("payload ends early", where="payload")
        return data

    def at_end(self) -> bool:
        if self._pos < len(self._buf):
            return False
        while not self._finished:
            self._load()
            if self._buf:
                return False
        return self._f.read(1) == b""


class _Limited:
    """The next ``size`` bytes of the plaintext stream, as a file-like source."""

    def __init__(self, plain: _PlainStream, size: int) -> None:
        self._plain = plain
        self.remaining = size

    def read(self, n: int = -1) -> bytes:
        if n < 0 or n > self.remaining:
            n = self.remaining
        data = self._plain.read_exact(n) if n else b""
        self.remaining -= len(data)
        return data


class BundleReader:
    """Opens and authenticates a bundle; use as a context manager."""

    def __init__(self, path: Path, passphrase: str) -> None:
        self.path = path
        try:
            self._f: BinaryIO = open(path, "rb")  # noqa: SIM115 - closed in close()
        except FileNotFoundError:
            raise InputFileMissing("no such bundle") from None
        except IsADirectoryError:
            raise InputFileMissing("not a file") from None
        except PermissionError:
            raise StoragePermissionDenied("bundle unreadable") from None
        except OSError:
            raise BundleDamaged("unreadable", where="file") from None
        self._attachments_left = 0
        try:
            self._plain = self._open(passphrase)
        except BaseException:
            self._f.close()
            raise

    def _open(self, passphrase: str) -> _PlainStream:
        prefix = stream.read_full(self._f, PREFIX.size)
        if len(prefix) < len(MAGIC) or prefix[: len(MAGIC)] != MAGIC:
            raise BundleDamaged("not a bundle", where="header")
        if len(prefix) < PREFIX.size:
            raise BundleDamaged("truncated", where="header")
        _magic, major, minor, n = PREFIX.unpack(prefix)
        if major > MAJOR:
            raise NewerFormat("bundle", found=f"{major}.{minor}", supported=f"{MAJOR}.{MINOR}")
        if major != MAJOR:
            raise BundleDamaged("version", where="header")
        if n > MAX_HEADER:
            raise HostileParameters("bundle header too large", what="header")
        body = stream.read_full(self._f, n)
        digest = stream.read_full(self._f, DIGEST_LEN)
        if len(body) != n or len(digest) != DIGEST_LEN:
            raise BundleDamaged("truncated", where="header")
        if not crypto.equal(hashlib.sha256(prefix + body).digest(), digest):
            raise BundleDamaged("header checksum", where="header")
        try:
            obj = json.loads(body.decode("ascii"))
            if not isinstance(obj, dict) or set(obj) - {"chunk", "kdf", "w"} and minor <= MINOR:
                raise ValueError("header fields")
            params = kdf.KdfParams.from_json(obj["kdf"])
            chunk = obj["chunk"]
            if chunk != stream.CHUNK_SIZE:
                raise ValueError("chunk size")
            wrapped = base64.b64decode(obj["w"], validate=True)
        except (
            ValueError,
            KeyError,
            TypeError,
            UnicodeDecodeError,
            RecursionError,
            binascii.Error,
        ):
            raise BundleDamaged("header structure", where="header") from None
        kdf.check_bundle_bounds(params)  # before deriving: T-INT-5, L4
        kek = kdf.derive(passphrase, params)
        wrap = file_key = payload_key = bytearray()
        try:
            wrap = crypto.hkdf(kek, _LABEL_WRAP)
            file_key = bytearray(
                crypto.open_sealed(
                    wrap, wrapped, _wrap_aad(major, minor, obj["kdf"], chunk), WrongBundlePassphrase
                )
            )
            payload_key = crypto.hkdf(file_key, _LABEL_PAYLOAD)
            # the stream keeps only its cipher object (a copy we cannot wipe: best effort)
            return _PlainStream(self._f, payload_key, _chunk_aad(digest), chunk)
        finally:
            for key in (kek, wrap, file_key, payload_key):
                crypto.zeroize(key)

    def _frame(self, expected: bytes) -> bytes:
        kind, length = FRAME.unpack(self._plain.read_exact(FRAME.size))
        if kind != expected or length > _MAX_FRAME[expected]:
            raise BundleDamaged("unexpected frame", where="payload")
        return self._plain.read_exact(length)

    def _frame_json(self, expected: bytes) -> Any:
        try:
            return json.loads(self._frame(expected).decode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise BundleDamaged("frame body", where="payload") from None

    def read_records(self) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
        head = self._frame_json(b"H")
        try:
            summary, n_records, n_att = head["summary"], head["records"], head["attachments"]
            if (
                not isinstance(summary, dict)
                or type(n_records) is not int
                or type(n_att) is not int
            ):
                raise ValueError("head")
            if n_records < 0 or n_att < 0:
                raise ValueError("counts")
            records: dict[str, dict[str, Any]] = {}
            for _ in range(n_records):
                rec = self._frame_json(b"R")
                name, value = rec["k"], rec["v"]
                if not isinstance(name, str) or not isinstance(value, dict) or name in records:
                    raise ValueError("record")
                records[name] = value
        except (ValueError, KeyError, TypeError):
            raise BundleDamaged("records", where="payload") from None
        self._attachments_left = n_att
        return records, summary

    def fill_attachments(self, case: CaseFile) -> None:
        """Stream every attachment of the bundle into ``case``, then check the end."""
        while self._attachments_left > 0:
            self._attachments_left -= 1
            head = self._frame_json(b"A")
            try:
                att_id, size, sha, meta = head["id"], head["size"], head["sha256"], head["meta"]
                if attachment_blob_id(att_id) is None or type(size) is not int or size < 0:
                    raise ValueError("attachment head")
                if not isinstance(sha, str) or not isinstance(meta, dict):
                    raise ValueError("attachment head")
            except (ValueError, KeyError, TypeError):
                raise BundleDamaged("attachment header", where="payload") from None
            source = _Limited(self._plain, size)
            try:
                case._add_attachment(source, meta, att_id=att_id)  # type: ignore[arg-type]
            except InvalidField:
                raise BundleDamaged("attachment", where="payload") from None
            stored = next(a for a in case.attachments() if a.id == att_id)
            if source.remaining or stored.size != size or stored.sha256 != sha:
                raise BundleDamaged("attachment size or checksum", where="payload")
        self._frame(b"E")
        if not self._plain.at_end():
            raise BundleDamaged("data after the end", where="payload")

    def close(self) -> None:
        self._f.close()

    def __enter__(self) -> BundleReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_bundle(path: Path, passphrase: str) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Authenticate a whole bundle and return its records and summary (attachments are
    checked and discarded). For tests and a future "check bundle" command."""
    with BundleReader(path, passphrase) as reader:
        records, summary = reader.read_records()
        while reader._attachments_left > 0:
            reader._attachments_left -= 1
            head = reader._frame_json(b"A")
            try:
                size = int(head["size"])
            except (KeyError, TypeError, ValueError):
                raise BundleDamaged("attachment header", where="payload") from None
            source = _Limited(reader._plain, size)
            while source.remaining:
                source.read(stream.CHUNK_SIZE)
        reader._frame(b"E")
        if not reader._plain.at_end():
            raise BundleDamaged("data after the end", where="payload")
        return records, summary
