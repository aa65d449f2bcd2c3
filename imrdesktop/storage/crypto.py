"""Small, fail-closed wrappers around pyca/cryptography.

- AES-256-GCM with a random 96-bit nonce stored in front of the ciphertext (``seal``).
- HKDF-SHA256 sub-keys with distinct labels.
- Keys are handed around as ``bytearray`` so they can be zeroed on lock (best effort:
  OpenSSL and the cipher objects keep their own copies, see docs/storage-format.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from imrdesktop.domain.errors import ImrError

KEY_LEN = 32
NONCE_LEN = 12
TAG_LEN = 16
SEALED_OVERHEAD = NONCE_LEN + TAG_LEN

Buffer = bytes | bytearray | memoryview


def random_key() -> bytearray:
    return bytearray(secrets.token_bytes(KEY_LEN))


def hkdf(
    key: Buffer, label: bytes, *, salt: bytes | None = None, length: int = KEY_LEN
) -> bytearray:
    """A sub-key of ``key`` for one purpose, named by ``label``."""
    out = HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=label).derive(bytes(key))
    return bytearray(out)


def aead(key: Buffer) -> AESGCM:
    return AESGCM(bytes(key))


def seal(key: Buffer | AESGCM, plaintext: Buffer, aad: bytes) -> bytes:
    """nonce ‖ AES-256-GCM(plaintext) ‖ tag, with a fresh random nonce."""
    cipher = key if isinstance(key, AESGCM) else aead(key)
    nonce = secrets.token_bytes(NONCE_LEN)
    return nonce + cipher.encrypt(nonce, bytes(plaintext), aad)


def open_sealed(
    key: Buffer | AESGCM, sealed: bytes, aad: bytes, error: type[ImrError], **params: Any
) -> bytes:
    """Inverse of :func:`seal`; any failure raises ``error(**params)`` (fail closed)."""
    if not isinstance(sealed, bytes | bytearray) or len(sealed) < SEALED_OVERHEAD:
        raise error("sealed value too short", **params)
    cipher = key if isinstance(key, AESGCM) else aead(key)
    try:
        return cipher.decrypt(bytes(sealed[:NONCE_LEN]), bytes(sealed[NONCE_LEN:]), aad)
    except InvalidTag:
        raise error("authentication failed", **params) from None


def hmac_sha256(key: Buffer, data: bytes) -> bytes:
    return hmac.new(bytes(key), data, hashlib.sha256).digest()


def equal(a: bytes, b: bytes) -> bool:
    return hmac.compare_digest(a, b)


def zeroize(buf: bytearray | None) -> None:
    """Overwrite a key in place (best effort; see §4.1 of RELIABILITY.md)."""
    if buf is not None:
        buf[:] = bytes(len(buf))


def canonical_json(obj: Any) -> bytes:
    """One byte string per value: sorted keys, no spaces, ASCII, no NaN (for MACs and hashes)."""
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    ).encode("ascii")
