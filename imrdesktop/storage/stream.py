"""The STREAM construction (as in age) for attachments and bundles.

Each stream has its own fresh key. Chunk ``i`` is AES-256-GCM with the nonce
``i`` as 11 bytes big-endian ‖ ``0x01`` if it is the last chunk else ``0x00``. The counter
stops reordering and duplication; the last-chunk flag stops truncation and extension.
Every chunk but the last holds exactly CHUNK_SIZE bytes; the last may be empty only when
it is the only chunk.
"""

from __future__ import annotations

from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from imrdesktop.domain.errors import ImrError, WriteFailed
from imrdesktop.storage.crypto import TAG_LEN

CHUNK_SIZE = 1024 * 1024
MAX_CHUNKS = 1 << 40  # far below the 2^88 counter space


def read_full(source: BinaryIO, n: int) -> bytes:
    """Up to ``n`` bytes: fewer only at the end of ``source`` (short reads are retried)."""
    parts: list[bytes] = []
    remaining = n
    while remaining > 0:
        piece = source.read(remaining)
        if piece is None:  # a non-blocking source with nothing to give now
            raise WriteFailed("source would block", reason="source")
        if not piece:
            break
        parts.append(bytes(piece))
        remaining -= len(piece)
    return b"".join(parts)


def chunk_nonce(index: int, last: bool) -> bytes:
    if not 0 <= index < MAX_CHUNKS:
        raise ValueError("chunk index out of range")
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def encrypt_chunk(cipher: AESGCM, index: int, last: bool, plaintext: bytes, aad: bytes) -> bytes:
    return cipher.encrypt(chunk_nonce(index, last), plaintext, aad)


def decrypt_chunk(
    cipher: AESGCM,
    index: int,
    last: bool,
    ciphertext: bytes,
    aad: bytes,
    error: type[ImrError],
    **params: Any,
) -> bytes:
    """Authenticate and decrypt one chunk and enforce the size rules; ``error`` otherwise."""
    if not isinstance(ciphertext, bytes) or len(ciphertext) < TAG_LEN:
        raise error("chunk too short", **params)
    try:
        plain = cipher.decrypt(chunk_nonce(index, last), ciphertext, aad)
    except InvalidTag:
        raise error("chunk authentication failed", **params) from None
    if not last and len(plain) != CHUNK_SIZE:
        raise error("inner chunk size", **params)
    if last and (len(plain) > CHUNK_SIZE or (index > 0 and not plain)):
        raise error("last chunk size", **params)
    return plain
