"""The vault header file ``vault.imrv``.

Layout (all integers big-endian)::

    0   8   magic  b"IMRVAULT"
    8   2   format major (1)
    10  2   format minor (0)
    12  4   body length n (at most MAX_BODY)
    16  n   body: canonical JSON (sorted keys, no spaces, ASCII)
    16+n 32 SHA-256 of bytes [0, 16+n)  — unkeyed: damage reads as "damaged", not "wrong
                                          passphrase"; the keyed MAC is inside the body

This envelope is the same for every version (it is checked before the version is read).

Readable without a secret: the magic, version, a random vault id, the KDF parameters and
salt, and the wrapped master-key slots (ciphertext). No names, no dates.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import struct
from dataclasses import dataclass, field, replace
from typing import Any

from imrdesktop.domain.errors import (
    HostileParameters,
    NewerFormat,
    NotAVault,
    VaultDamaged,
)
from imrdesktop.storage import crypto
from imrdesktop.storage.ids import VAULT_ID_RE
from imrdesktop.storage.kdf import KdfParams

MAGIC = b"IMRVAULT"
MAJOR, MINOR = 1, 0
PREFIX = struct.Struct(">8sHHI")
DIGEST_LEN = 32
MAX_BODY = 1024 * 1024  # a real header is < 1 KiB; more is a crafted file (T-INT-5)
MAX_FILE = PREFIX.size + MAX_BODY + DIGEST_LEN

# Sizes of the wrapped slots: nonce ‖ ciphertext ‖ tag.
SLOT_LEN = {
    "passphrase": crypto.SEALED_OVERHEAD + 32,
    "recovery": crypto.SEALED_OVERHEAD + 32,
    "keyring": crypto.SEALED_OVERHEAD + 32 + 8,  # master key ‖ expiry (u64 seconds)
}


@dataclass(frozen=True)
class VaultHeader:
    vault_id: str
    kdf: KdfParams
    slots: dict[str, bytes]  # kind -> wrapped master key
    keyring_slot_id: str | None = None
    mac: bytes = b""
    major: int = MAJOR
    minor: int = MINOR
    extra: dict[str, Any] = field(default_factory=dict)  # unknown keys of a newer minor

    @property
    def read_only(self) -> bool:
        return self.minor > MINOR

    def with_(self, **changes: Any) -> VaultHeader:
        return replace(self, **changes)

    def body(self, *, with_mac: bool) -> dict[str, Any]:
        slots: dict[str, Any] = {}
        for kind, wrapped in sorted(self.slots.items()):
            slot: dict[str, Any] = {"w": base64.b64encode(wrapped).decode("ascii")}
            if kind == "keyring":
                slot["id"] = self.keyring_slot_id
            slots[kind] = slot
        body: dict[str, Any] = dict(self.extra)
        body.update({"vault_id": self.vault_id, "kdf": self.kdf.to_json(), "slots": slots})
        if with_mac:
            body["mac"] = base64.b64encode(self.mac).decode("ascii")
        return body

    def mac_input(self) -> bytes:
        """What the keyed header MAC covers: version prefix and every body field but ``mac``."""
        return (
            b"IMRV1/header-mac\x00"
            + struct.pack(">HH", self.major, self.minor)
            + (crypto.canonical_json(self.body(with_mac=False)))
        )


def slot_aad(header: VaultHeader, kind: str) -> bytes:
    """Associated data of a wrapped master key: binds the vault id, slot kind and (for the
    passphrase slot) the KDF parameters, so a slot cannot be moved or its params swapped."""
    aad = b"IMRV1/slot/" + kind.encode("ascii") + b"\x00" + header.vault_id.encode("ascii")
    if kind == "passphrase":
        aad += b"\x00" + crypto.canonical_json(header.kdf.to_json())
    if kind == "keyring":
        aad += b"\x00" + (header.keyring_slot_id or "").encode("ascii")
    return aad


def encode(header: VaultHeader) -> bytes:
    """The one writer: the current version only. A header read from another version (or
    with fields we do not know) is refused: writing it as ours would make the MAC, which
    covers its version and fields, fail in both copies."""
    if (header.major, header.minor) != (MAJOR, MINOR) or header.extra:
        raise NewerFormat(
            "refusing to write another version's header",
            found=f"{header.major}.{header.minor}",
            supported=f"{MAJOR}.{MINOR}",
            read_only=True,
        )
    body = crypto.canonical_json(header.body(with_mac=True))
    if len(body) > MAX_BODY:
        raise HostileParameters("header too large")
    head = PREFIX.pack(MAGIC, MAJOR, MINOR, len(body)) + body
    return head + hashlib.sha256(head).digest()


def decode(data: bytes) -> VaultHeader:
    """Check the envelope, then dispatch on the version to that version's reader.

    The envelope (magic, major, minor, body length, body, SHA-256 of all that) is the same
    for every version, so the checksum is checked *before* the version is believed: a
    flipped version byte reads as damage, never as "made by a newer version"."""
    if len(data) < len(MAGIC) and MAGIC.startswith(data):
        raise VaultDamaged("truncated magic", where="header")  # incl. an empty file
    if data[: len(MAGIC)] != MAGIC:
        raise NotAVault("magic")
    if len(data) < PREFIX.size:
        raise VaultDamaged("truncated prefix", where="header")
    _magic, major, minor, n = PREFIX.unpack_from(data)
    end = PREFIX.size + n
    if len(data) != end + DIGEST_LEN:
        raise VaultDamaged("length", where="header")
    if n > MAX_BODY:
        raise HostileParameters("header body too large", what="header")
    if not crypto.equal(hashlib.sha256(data[:end]).digest(), data[end:]):
        raise VaultDamaged("checksum", where="header")
    reader = _READERS.get(major)
    if reader is None:
        if major > MAJOR:
            raise NewerFormat(
                "vault header", found=f"{major}.{minor}", supported=f"{MAJOR}.{MINOR}"
            )
        raise VaultDamaged("unknown version", where="header")
    return reader(data)


def _b64(value: Any, length: int | None = None) -> bytes:
    if not isinstance(value, str):
        raise ValueError("not base64 text")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("bad base64") from None
    if length is not None and len(raw) != length:
        raise ValueError("wrong length")
    return raw


def _read_v1(data: bytes) -> VaultHeader:
    """Format 1.x; :func:`decode` has checked the envelope (length and checksum)."""
    _magic, major, minor, n = PREFIX.unpack_from(data)
    try:
        body = json.loads(data[PREFIX.size : PREFIX.size + n].decode("ascii"))
        return _parse_body_v1(body, major, minor)
    except (ValueError, UnicodeDecodeError, TypeError, KeyError, RecursionError):
        raise VaultDamaged("structure", where="header") from None


def _parse_body_v1(body: Any, major: int, minor: int) -> VaultHeader:
    if not isinstance(body, dict):
        raise ValueError("body")
    known = {"vault_id", "kdf", "slots", "mac"}
    extra = {k: v for k, v in body.items() if k not in known}
    if extra and minor <= MINOR:
        raise ValueError("unknown header field")
    vault_id = body["vault_id"]
    if not isinstance(vault_id, str) or not VAULT_ID_RE.fullmatch(vault_id):
        raise ValueError("vault id")
    kdf = KdfParams.from_json(body["kdf"])
    raw_slots = body["slots"]
    if not isinstance(raw_slots, dict) or not {"passphrase", "recovery"} <= set(raw_slots):
        raise ValueError("slots")
    slots: dict[str, bytes] = {}
    keyring_slot_id = None
    for kind, slot in raw_slots.items():
        if kind not in SLOT_LEN:
            if minor > MINOR:
                continue  # a slot kind from a newer minor version: not ours to use
            raise ValueError("slot kind")
        expected_keys = {"w", "id"} if kind == "keyring" else {"w"}
        if not isinstance(slot, dict) or set(slot) != expected_keys:
            raise ValueError("slot shape")
        slots[kind] = _b64(slot["w"], SLOT_LEN[kind])
        if kind == "keyring":
            if not isinstance(slot["id"], str) or not 8 <= len(slot["id"]) <= 64:
                raise ValueError("keyring slot id")
            keyring_slot_id = slot["id"]
    mac = _b64(body["mac"], 32)
    return VaultHeader(
        vault_id=vault_id,
        kdf=kdf,
        slots=slots,
        keyring_slot_id=keyring_slot_id,
        mac=mac,
        major=major,
        minor=minor,
        extra=extra,
    )


_READERS = {1: _read_v1}
