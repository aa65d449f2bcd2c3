"""Random identifiers in Crockford base32 (no I, L, O, U: easy to read aloud and type).

Case ids look like ``C-7F3A9Q2K`` and attachment ids like ``A-0M5D2XRT``: 40 random bits,
never derived from client data and never reused.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE = {c: i for i, c in enumerate(ALPHABET)}
# Crockford's reading aids: letters that look like digits decode as those digits.
_DECODE.update({"O": 0, "I": 1, "L": 1})

ID_CHARS = 8  # 40 bits
# \A…\Z, not ^…$: "$" also matches before a trailing newline ("C-…\n" must not pass).
CASE_ID_RE = re.compile(r"\AC-[0-9A-HJKMNP-TV-Z]{8}\Z")
ATTACHMENT_ID_RE = re.compile(r"\AA-[0-9A-HJKMNP-TV-Z]{8}\Z")
VAULT_ID_RE = re.compile(r"\AV-[0-9A-HJKMNP-TV-Z]{16}\Z")


def encode_int(value: int, n_chars: int) -> str:
    """``value`` as exactly ``n_chars`` base32 digits, most significant first."""
    if value < 0 or value >= 1 << (5 * n_chars):
        raise ValueError("value out of range")
    return "".join(ALPHABET[(value >> (5 * (n_chars - 1 - i))) & 31] for i in range(n_chars))


def decode_int(text: str) -> int:
    """Inverse of :func:`encode_int` (case-insensitive); KeyError on a foreign character."""
    value = 0
    for ch in text.upper():
        value = (value << 5) | _DECODE[ch]
    return value


def _random_token(n_chars: int) -> str:
    return encode_int(secrets.randbits(5 * n_chars), n_chars)


def new_case_id() -> str:
    return "C-" + _random_token(ID_CHARS)


def new_attachment_id() -> str:
    return "A-" + _random_token(ID_CHARS)


def new_vault_id() -> str:
    return "V-" + _random_token(16)


def is_case_id(text: object) -> bool:
    return isinstance(text, str) and CASE_ID_RE.fullmatch(text) is not None


def attachment_blob_id(att_id: object) -> int | None:
    """The integer row key of an attachment id, or None if it is not one."""
    if not isinstance(att_id, str) or ATTACHMENT_ID_RE.fullmatch(att_id) is None:
        return None
    return decode_int(att_id[2:])


def attachment_id(blob_id: int) -> str:
    return "A-" + encode_int(blob_id, ID_CHARS)
