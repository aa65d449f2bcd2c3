"""The recovery key: 160 random bits shown once, as 8 groups of 4 Crockford base32
characters plus a 4-character check group (20 bits), e.g.::

    7F3A-9Q2K-M0XD-5TRE-AB12-CD34-EF56-GH78-K9ZW

Reading is forgiving about case, spaces, hyphens and the look-alikes O/0 and I/L/1; a typo
is caught by the check group (:class:`BadRecoveryKey`) with probability 1 − 2⁻²⁰ instead of
being reported as a wrong key.
"""

from __future__ import annotations

import hashlib
import secrets

from imrdesktop.domain.errors import BadRecoveryKey
from imrdesktop.storage.ids import decode_int, encode_int

SECRET_LEN = 20
_BODY_CHARS = SECRET_LEN * 8 // 5  # 32
_CHECK_CHARS = 4
_GROUP = 4


def _check(secret: bytes | bytearray) -> str:
    digest = hashlib.sha256(b"IMR recovery key check v1" + bytes(secret)).digest()
    return encode_int(int.from_bytes(digest[:3], "big") >> 4, _CHECK_CHARS)


def format_key(secret: bytes | bytearray) -> str:
    body = encode_int(int.from_bytes(bytes(secret), "big"), _BODY_CHARS) + _check(secret)
    return "-".join(body[i : i + _GROUP] for i in range(0, len(body), _GROUP))


def generate() -> tuple[bytearray, str]:
    """A new random recovery secret and its printable text."""
    secret = bytearray(secrets.token_bytes(SECRET_LEN))
    return secret, format_key(secret)


def parse(text: str) -> bytearray:
    """The secret inside a typed recovery key; BadRecoveryKey if it cannot be one."""
    if not isinstance(text, str):
        raise BadRecoveryKey("not text", reason="format")
    compact = "".join(ch for ch in text.upper() if ch not in " -\t\r\n")
    if len(compact) != _BODY_CHARS + _CHECK_CHARS:
        raise BadRecoveryKey("length", reason="format")
    try:
        value = decode_int(compact[:_BODY_CHARS])
        check = decode_int(compact[_BODY_CHARS:])
    except KeyError:
        raise BadRecoveryKey("character", reason="format") from None
    secret = bytearray(value.to_bytes(SECRET_LEN, "big"))
    if encode_int(check, _CHECK_CHARS) != _check(secret):
        raise BadRecoveryKey("check group", reason="check")
    return secret
