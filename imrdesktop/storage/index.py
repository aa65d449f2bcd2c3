"""The encrypted case index ``index.imri``: one small blob, replaced atomically, that caches
each case's summary dict (name, status, next deadline … whatever the services pass) so the
case list of 1,000 cases needs one read and one decryption.

Layout::

    0   8   magic b"IMRINDEX"
    8   2   format major (1)
    10  2   format minor (0)
    12  12  nonce
    24  …   AES-256-GCM(K_index, canonical JSON, AAD = bytes[0,12) ‖ vault id) ‖ tag

Plaintext: ``{"cases": [{"id": "C-…", "gen": n, "summary": {...}, "deleting": true?,
"rollback": true?}, …]}``. ``gen`` is the highest generation seen for the case; ``rollback``
(optional, ignored by older readers) marks a case file found older than that, until the
user acknowledges it.
It is only a cache: the summary of record lives (encrypted) in each case's manifest, so a
lost or damaged index is rebuilt from the case files.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imrdesktop.domain.errors import NewerFormat, VaultDamaged
from imrdesktop.storage import atomic, crypto
from imrdesktop.storage.ids import is_case_id

MAGIC = b"IMRINDEX"
MAJOR, MINOR = 1, 0
PREFIX = struct.Struct(">8sHH")
MAX_INDEX = 256 * 1024 * 1024


@dataclass
class IndexEntry:
    case_id: str
    generation: int
    summary: dict[str, Any]
    deleting: bool = False
    rollback: bool = False  # the file was found older than ``generation`` (not acknowledged)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.case_id, "gen": self.generation, "summary": self.summary}
        if self.deleting:
            out["deleting"] = True
        if self.rollback:
            out["rollback"] = True
        return out


@dataclass
class CaseIndex:
    entries: dict[str, IndexEntry] = field(default_factory=dict)

    def encode(self, key: bytes | bytearray, vault_id: str) -> bytes:
        prefix = PREFIX.pack(MAGIC, MAJOR, MINOR)
        body = json.dumps(
            {"cases": [e.to_json() for e in self.entries.values()]},
            ensure_ascii=False,
            separators=(",", ":"),
            allow_nan=False,
        ).encode("utf-8")
        return prefix + crypto.seal(key, body, prefix + vault_id.encode("ascii"))

    def save(self, path: Path, key: bytes | bytearray, vault_id: str) -> None:
        atomic.write_atomic(path, self.encode(key, vault_id))

    @classmethod
    def decode(cls, data: bytes, key: bytes | bytearray, vault_id: str) -> CaseIndex:
        if len(data) < PREFIX.size or data[:8] != MAGIC:
            raise VaultDamaged("index magic", where="index")
        _m, major, _minor = PREFIX.unpack_from(data)
        if major > MAJOR:
            raise NewerFormat("index", found=str(major), supported=str(MAJOR))
        if major != MAJOR:
            raise VaultDamaged("index version", where="index")
        prefix = data[: PREFIX.size]
        plain = crypto.open_sealed(
            key, data[PREFIX.size :], prefix + vault_id.encode("ascii"), VaultDamaged, where="index"
        )
        try:
            obj = json.loads(plain.decode("utf-8"))
            entries: dict[str, IndexEntry] = {}
            for item in obj["cases"]:
                case_id, gen, summary = item["id"], item["gen"], item["summary"]
                if not is_case_id(case_id) or type(gen) is not int or not isinstance(summary, dict):
                    raise ValueError("entry")
                entries[case_id] = IndexEntry(
                    case_id,
                    gen,
                    summary,
                    deleting=bool(item.get("deleting")),
                    rollback=bool(item.get("rollback")),
                )
        except (ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError):
            raise VaultDamaged("index structure", where="index") from None
        return cls(entries)

    @classmethod
    def load(cls, path: Path, key: bytes | bytearray, vault_id: str) -> CaseIndex | None:
        """None when there is no index file yet; VaultDamaged when it cannot be trusted."""
        try:
            with open(path, "rb") as f:
                data = f.read(MAX_INDEX + 1)
        except FileNotFoundError:
            return None
        except OSError:
            raise VaultDamaged("index unreadable", where="index") from None
        if len(data) > MAX_INDEX:
            raise VaultDamaged("index too large", where="index")
        return cls.decode(data, key, vault_id)
