"""One client case: an SQLite file whose client-data rows are all AES-256-GCM ciphertext.

Opening checks, in order (RELIABILITY.md §2.4; each failure has its own typed error):

1. ``file:…?mode=rw`` (a wrong path never creates a database), exclusive lock
   (another holder → :class:`CaseInUse`);
2. ``application_id`` and ``user_version`` → the reader for that format version (a higher
   major → :class:`NewerFormat`; a higher minor opens read-only);
3. ``PRAGMA quick_check``; ``sqlite_schema`` compared with the expected text exactly;
4. the ``meta`` rows: magic, format, case id (must match the file name), vault id,
   algorithm ids, chunk size; the unkeyed header SHA-256 — all before any key is used;
5. unwrap the case data key with the vault master key, then the keyed header MAC;
6. decrypt the manifest and compare every record and attachment-descriptor row with it
   (row id, version, SHA-256 of nonce ‖ ciphertext): a deleted, added, swapped or older row
   is :class:`CaseDamaged`; then decrypt every record and descriptor;
7. attachment chunks are checked when read (count, order, last-chunk flag, size, SHA-256)
   and all of them by :meth:`CaseFile.verify`.

Orphan chunks of an interrupted import are removed on open (they were never in a manifest).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import logging
import os
import queue
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, BinaryIO

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from imrdesktop.domain.errors import (
    AttachmentDamaged,
    CaseClosed,
    CaseDamaged,
    ImrError,
    InvalidField,
    NewerFormat,
    UnknownAttachment,
    VaultLocked,
    WriteFailed,
)
from imrdesktop.storage import crypto, sqlite_util, stream
from imrdesktop.storage.formats import case as case_formats
from imrdesktop.storage.formats import case_v1
from imrdesktop.storage.ids import attachment_blob_id, attachment_id, new_attachment_id

log = logging.getLogger(__name__)

MAX_RECORD_BYTES = 16 * 1024 * 1024
MAX_NAME_CHARS = 200
CHUNK_BATCH = 8  # chunks per transaction while importing (bounds the WAL)

# on_saved(case, generation, summary): called after each commit, never while the case's
# lock is held (the vault takes its own lock in it; Vault.lock() takes case locks).
SavedCallback = Callable[["CaseFile", int, dict[str, Any]], None]
# on_closed(case, generation, summary): the last committed state, after the lock is released.
ClosedCallback = Callable[["CaseFile", int, dict[str, Any]], None]

_DAMAGE_ERRORS = (
    sqlite3.Error,
    ValueError,
    KeyError,
    TypeError,
    UnicodeDecodeError,
    RecursionError,
    OverflowError,
    binascii.Error,
)


@dataclass(frozen=True)
class AttachmentInfo:
    id: str
    size: int
    sha256: str
    meta: dict[str, Any]


@dataclass(frozen=True)
class StagedAttachment:
    """Chunks stored, not yet visible: pass to :meth:`CaseFile.save` (``add=``)."""

    att_id: str
    blob: _Blob

    @property
    def size(self) -> int:
        return self.blob.size

    @property
    def sha256(self) -> str:
        return self.blob.sha256


@dataclass
class _Rec:
    rec_id: int
    ver: int
    digest: bytes
    name: str
    plain: bytes = b""  # the authenticated JSON text, kept while the case is open


@dataclass
class _Blob:
    blob_id: int
    ver: int
    digest: bytes
    key: bytearray
    cver: int
    n_chunks: int
    size: int
    sha256: str
    seq: int
    meta: dict[str, Any]

    def descriptor(self) -> dict[str, Any]:
        return {
            "key": base64.b64encode(bytes(self.key)).decode("ascii"),
            "cver": self.cver,
            "n": self.n_chunks,
            "size": self.size,
            "sha256": self.sha256,
            "seq": self.seq,
            "meta": self.meta,
        }


@dataclass
class _Keys:
    record: bytearray
    blob: bytearray
    manifest: bytearray
    header_mac: bytearray
    ciphers: dict[str, AESGCM] = field(default_factory=dict)

    def cipher(self, name: str) -> AESGCM:
        c = self.ciphers.get(name)
        if c is None:
            c = self.ciphers[name] = crypto.aead(getattr(self, name))
        return c

    def wipe(self) -> None:
        for buf in (self.record, self.blob, self.manifest, self.header_mac):
            crypto.zeroize(buf)
        self.ciphers.clear()


def _json_bytes(value: Any, what: str) -> bytes:
    try:
        data = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        raise InvalidField("not JSON-able", field=what, problem="not_json") from None
    raw = data.encode("utf-8", "surrogatepass")
    if len(raw) > MAX_RECORD_BYTES:
        raise InvalidField("too large", field=what, problem="too_large")
    return raw


def _check_dict(value: Any, what: str) -> None:
    if not isinstance(value, dict):
        raise InvalidField("not an object", field=what, problem="not_object")


def _as_damage(exc: BaseException) -> ImrError:
    """An exception from reading a case file's structure as one of our typed errors."""
    if isinstance(exc, sqlite3.Error):
        return sqlite_util.map_error(exc, writing=False)
    return CaseDamaged(f"structure: {type(exc).__name__}", where="structure")


def _derive_keys(dek: bytearray, case_id: str) -> _Keys:
    salt = case_id.encode("ascii")
    return _Keys(
        record=crypto.hkdf(dek, case_v1.LABEL_RECORD, salt=salt),
        blob=crypto.hkdf(dek, case_v1.LABEL_BLOB, salt=salt),
        manifest=crypto.hkdf(dek, case_v1.LABEL_MANIFEST, salt=salt),
        header_mac=crypto.hkdf(dek, case_v1.LABEL_HEADER_MAC, salt=salt),
    )


@dataclass
class _State:
    generation: int
    summary: dict[str, Any]
    records: dict[str, _Rec]  # by name
    blobs: dict[int, _Blob]  # by blob id


class CaseFile:
    """An open case. Use as a context manager; :meth:`close` releases the lock.

    Thread-safe (one lock per case); only one process can hold a case at a time."""

    def __init__(
        self,
        *,
        conn: sqlite3.Connection,
        path: Path,
        case_id: str,
        vault_id: str,
        fmt: ModuleType,
        keys: _Keys,
        state: _State,
        read_only: bool,
        format_found: str,
        on_saved: SavedCallback | None,
        on_closed: ClosedCallback | None,
    ) -> None:
        self.case_id = case_id
        self.path = path
        self._vault_id = vault_id
        self.read_only = read_only
        #: True when the vault index remembers a later generation than this file holds
        #: (the file was replaced by an older copy, e.g. restored from a backup).
        self.rollback_suspected = False
        self._conn: sqlite3.Connection | None = conn
        self._fmt = fmt
        self._keys: _Keys | None = keys
        self._state = state
        self._format_found = format_found
        self._on_saved = on_saved
        #: The newest generation the vault was told about (only the vault uses it, under
        #: its own lock: a late notice of an older save is ignored).
        self.notified_generation = state.generation
        self._on_closed = on_closed
        self._lock = threading.RLock()
        self._closed_reason: type[ImrError] = CaseClosed

    # --- opening --------------------------------------------------------------------
    @classmethod
    def open_file(
        cls,
        path: Path,
        *,
        case_id: str,
        vault_id: str,
        wrap_key: bytearray,
        on_saved: SavedCallback | None = None,
        on_closed: ClosedCallback | None = None,
    ) -> CaseFile:
        conn = sqlite_util.connect(path)
        try:
            fmt, major, minor, keys, state = cls._load(conn, case_id, vault_id, wrap_key)
        except BaseException:
            conn.close()
            raise
        case = cls(
            conn=conn,
            path=path,
            case_id=case_id,
            vault_id=vault_id,
            fmt=fmt,
            keys=keys,
            state=state,
            read_only=minor > fmt.MINOR,
            format_found=f"{major}.{minor}",
            on_saved=on_saved,
            on_closed=on_closed,
        )
        if not case.read_only:
            case._remove_orphans()
        log.debug("opened case %s generation %d", case_id, state.generation)
        return case

    @classmethod
    def _load(
        cls, conn: sqlite3.Connection, case_id: str, vault_id: str, wrap_key: bytearray
    ) -> tuple[ModuleType, int, int, _Keys, _State]:
        keys: _Keys | None = None
        try:
            fmt, major, minor, meta = cls._check_file(conn, case_id, vault_id, full=False)
            dek = bytearray(
                crypto.open_sealed(
                    wrap_key, meta["dek"], fmt.dek_aad(vault_id, case_id), CaseDamaged, where="key"
                )
            )
            keys = _derive_keys(dek, case_id)
            crypto.zeroize(dek)
            cls._check_header_mac(fmt, meta, keys)
            state = cls._read_state(conn, fmt, case_id, keys)
            return fmt, major, minor, keys, state
        except BaseException as exc:
            if keys is not None:
                keys.wipe()
            if isinstance(exc, _DAMAGE_ERRORS):
                raise _as_damage(exc) from None
            raise

    @classmethod
    def _check_file(
        cls, conn: sqlite3.Connection, case_id: str, vault_id: str, *, full: bool
    ) -> tuple[ModuleType, int, int, dict[str, bytes]]:
        """Checks 2–4 (no key needed): application id and version, SQLite's own check
        (``integrity_check`` when ``full``, else ``quick_check``), schema, meta rows."""
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        user_version = conn.execute("PRAGMA user_version").fetchone()[0]
        if app_id != case_v1.APPLICATION_ID:
            raise CaseDamaged("not a case file", where="header")
        try:
            fmt, major, minor = case_formats.reader_for(user_version)
        except NewerFormat:
            if not case_formats.newer_version_is_genuine(conn, user_version):
                raise CaseDamaged("version does not match the header", where="header") from None
            raise
        pragma = "integrity_check" if full else "quick_check"
        if conn.execute(f"PRAGMA {pragma}").fetchall() != [("ok",)]:
            raise CaseDamaged(pragma, where="sqlite")
        if not fmt.schema_matches(conn, minor):
            raise CaseDamaged("schema", where="schema")
        meta = cls._read_meta(conn, fmt, major, minor, case_id, vault_id)
        return fmt, major, minor, meta

    @staticmethod
    def _check_header_mac(fmt: ModuleType, meta: dict[str, bytes], keys: _Keys) -> None:
        mac = crypto.hmac_sha256(keys.header_mac, fmt.header_bytes(meta))
        if not crypto.equal(mac, meta["header_mac"]):
            raise CaseDamaged("header mac", where="header")

    @staticmethod
    def _read_meta(
        conn: sqlite3.Connection,
        fmt: ModuleType,
        major: int,
        minor: int,
        case_id: str,
        vault_id: str,
    ) -> dict[str, bytes]:
        meta: dict[str, bytes] = {}
        for key, value in conn.execute("SELECT key, value FROM meta"):
            if not isinstance(key, str) or not isinstance(value, bytes):
                raise CaseDamaged("meta type", where="header")
            meta[key] = value
        keys = set(meta)
        if not keys >= fmt.META_KEYS or (minor <= fmt.MINOR and keys != fmt.META_KEYS):
            raise CaseDamaged("meta keys", where="header")
        if meta["magic"] != fmt.MAGIC or meta["format"] != fmt.format_bytes(major, minor):
            raise CaseDamaged("magic or format", where="header")
        if not crypto.equal(fmt.header_sha256(meta), meta["header_sha256"]):
            raise CaseDamaged("header checksum", where="header")
        if meta["case_id"] != case_id.encode("ascii"):
            raise CaseDamaged("case id does not match the file name", where="header")
        if meta["vault_id"] != vault_id.encode("ascii"):
            raise CaseDamaged("case from another vault", where="header")
        if meta["aead"] != fmt.AEAD_ID or meta["chunk_size"] != fmt.CHUNK_SIZE.to_bytes(4, "big"):
            raise CaseDamaged("algorithms", where="header")
        return meta

    @staticmethod
    def _read_state(conn: sqlite3.Connection, fmt: ModuleType, case_id: str, keys: _Keys) -> _State:
        rows = conn.execute("SELECT id, nonce, ct FROM manifest").fetchall()
        if len(rows) != 1 or rows[0][0] != 1:
            raise CaseDamaged("manifest row", where="manifest")
        _id, nonce, ct = rows[0]
        if not isinstance(nonce, bytes) or not isinstance(ct, bytes):
            raise CaseDamaged("manifest type", where="manifest")
        plain = crypto.open_sealed(
            keys.cipher("manifest"),
            nonce + ct,
            fmt.manifest_aad(case_id),
            CaseDamaged,
            where="manifest",
        )
        manifest = json.loads(plain.decode("utf-8"))
        generation = manifest["gen"]
        summary = manifest["summary"]
        if type(generation) is not int or generation < 1 or not isinstance(summary, dict):
            raise CaseDamaged("manifest fields", where="manifest")

        def pinned(entries: Any) -> dict[int, tuple[int, bytes]]:
            out: dict[int, tuple[int, bytes]] = {}
            for row_id, ver, digest in entries:
                if type(row_id) is not int or type(ver) is not int or not isinstance(digest, str):
                    raise CaseDamaged("manifest entry", where="manifest")
                out[row_id] = (ver, bytes.fromhex(digest))
            return out

        want_recs = pinned(manifest["records"])
        want_blobs = pinned(manifest["blobs"])

        records: dict[str, _Rec] = {}
        seen: set[int] = set()
        for rec_id, ver, r_nonce, r_ct in conn.execute("SELECT rec_id, ver, nonce, ct FROM record"):
            _check_row(want_recs, rec_id, ver, r_nonce, r_ct, "record")
            seen.add(rec_id)
            text = crypto.open_sealed(
                keys.cipher("record"),
                r_nonce + r_ct,
                fmt.record_aad(case_id, rec_id, ver),
                CaseDamaged,
                where="record",
            )
            body = json.loads(text.decode("utf-8"))
            name = body["k"]
            if not isinstance(name, str) or not isinstance(body["v"], dict) or name in records:
                raise CaseDamaged("record body", where="record")
            records[name] = _Rec(rec_id, ver, fmt.row_digest(r_nonce, r_ct), name, text)
        if seen != set(want_recs):
            raise CaseDamaged("record missing", where="record")

        blobs: dict[int, _Blob] = {}
        for blob_id, ver, b_nonce, b_ct in conn.execute("SELECT blob_id, ver, nonce, ct FROM blob"):
            _check_row(want_blobs, blob_id, ver, b_nonce, b_ct, "attachment")
            if blob_id in blobs:
                raise CaseDamaged("duplicate descriptor", where="attachment")
            text = crypto.open_sealed(
                keys.cipher("blob"),
                b_nonce + b_ct,
                fmt.blob_aad(case_id, blob_id, ver),
                CaseDamaged,
                where="attachment",
            )
            blobs[blob_id] = _parse_descriptor(
                json.loads(text.decode("utf-8")), blob_id, ver, fmt.row_digest(b_nonce, b_ct)
            )
        if set(blobs) != set(want_blobs):
            raise CaseDamaged("attachment missing", where="attachment")
        return _State(generation, summary, records, blobs)

    def _remove_orphans(self) -> None:
        """Chunks of an import that never reached its descriptor are invisible leftovers."""
        assert self._conn is not None
        live = {(b.blob_id, b.cver): b.n_chunks for b in self._state.blobs.values()}
        try:
            groups = self._conn.execute(
                "SELECT blob_id, cver, COUNT(*), MIN(idx), MAX(idx) FROM chunk"
                " GROUP BY blob_id, cver"
            ).fetchall()
            complete = {
                (g[0], g[1]) for g in groups if g[2:] == (live.get((g[0], g[1])), 0, g[2] - 1)
            }
            orphans = [(g[0], g[1]) for g in groups if (g[0], g[1]) not in live]
            # Only when every live attachment is complete are the others surely leftovers of
            # an interrupted import; otherwise a damaged row might be what looks orphaned,
            # and deleting it would destroy evidence. Leave everything as it is then.
            if orphans and complete == set(live):
                self._conn.execute("BEGIN IMMEDIATE")
                self._conn.executemany("DELETE FROM chunk WHERE blob_id = ? AND cver = ?", orphans)
                self._conn.execute("COMMIT")
                log.info("case %s: removed %d orphan attachment(s)", self.case_id, len(orphans))
        except sqlite3.Error:
            with contextlib.suppress(sqlite3.Error):
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
            log.warning("case %s: could not remove orphan chunks now", self.case_id)

    # --- creating -------------------------------------------------------------------
    @classmethod
    def create_file(
        cls,
        path: Path,
        *,
        case_id: str,
        vault_id: str,
        wrap_key: bytearray,
        records: dict[str, dict[str, Any]],
        summary: dict[str, Any],
    ) -> None:
        """Write a new case file at ``path`` (which must not exist) and close it."""
        fmt = case_formats.CURRENT
        plains = {name: cls._encode_record(name, value) for name, value in records.items()}
        _check_dict(summary, "summary")
        _json_bytes(summary, "summary")
        try:
            fd = os.open(
                path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600
            )
            os.close(fd)
        except OSError as exc:
            from imrdesktop.storage.atomic import map_os_error

            raise map_os_error(exc, "case file") from None
        conn = sqlite_util.connect(path, new=True)
        dek = crypto.random_key()
        keys = _derive_keys(dek, case_id)
        try:
            meta = {
                "magic": fmt.MAGIC,
                "format": fmt.format_bytes(),
                "case_id": case_id.encode("ascii"),
                "vault_id": vault_id.encode("ascii"),
                "aead": fmt.AEAD_ID,
                "chunk_size": fmt.CHUNK_SIZE.to_bytes(4, "big"),
                "dek": crypto.seal(wrap_key, dek, fmt.dek_aad(vault_id, case_id)),
            }
            meta["header_sha256"] = fmt.header_sha256(meta)
            meta["header_mac"] = crypto.hmac_sha256(keys.header_mac, fmt.header_bytes(meta))
            recs: dict[str, _Rec] = {}
            rows = []
            for name, plain in plains.items():
                rec_id = _new_row_id(r.rec_id for r in recs.values())
                nonce, ct = cls._seal_record(keys, fmt, case_id, rec_id, 1, plain)
                recs[name] = _Rec(rec_id, 1, fmt.row_digest(nonce, ct), name)
                rows.append((rec_id, 1, nonce, ct))
            m_nonce, m_ct = cls._seal_manifest(keys, fmt, case_id, _State(1, summary, recs, {}))
            conn.execute(f"PRAGMA application_id={fmt.APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version={fmt.USER_VERSION}")
            conn.execute("BEGIN IMMEDIATE")
            for statement in fmt.TABLES:
                conn.execute(statement)
            conn.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", sorted(meta.items()))
            conn.executemany("INSERT INTO record(rec_id, ver, nonce, ct) VALUES (?, ?, ?, ?)", rows)
            conn.execute("INSERT INTO manifest(id, nonce, ct) VALUES (1, ?, ?)", (m_nonce, m_ct))
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise sqlite_util.map_error(exc, writing=True, path=path) from None
        finally:
            crypto.zeroize(dek)
            keys.wipe()
            conn.close()

    # --- encoding helpers -----------------------------------------------------------
    @staticmethod
    def _encode_record(name: Any, value: Any) -> bytes:
        if not isinstance(name, str) or not name or len(name) > MAX_NAME_CHARS:
            raise InvalidField("record name", field="record", problem="bad_name")
        _check_dict(value, name)
        return _json_bytes({"k": name, "v": value}, name)

    @staticmethod
    def _seal_record(
        keys: _Keys, fmt: ModuleType, case_id: str, rec_id: int, ver: int, plain: bytes
    ) -> tuple[bytes, bytes]:
        sealed = crypto.seal(keys.cipher("record"), plain, fmt.record_aad(case_id, rec_id, ver))
        return sealed[: crypto.NONCE_LEN], sealed[crypto.NONCE_LEN :]

    @staticmethod
    def _seal_manifest(
        keys: _Keys, fmt: ModuleType, case_id: str, state: _State
    ) -> tuple[bytes, bytes]:
        body = {
            "gen": state.generation,
            "summary": state.summary,
            "records": sorted([r.rec_id, r.ver, r.digest.hex()] for r in state.records.values()),
            "blobs": sorted([b.blob_id, b.ver, b.digest.hex()] for b in state.blobs.values()),
        }
        plain = _json_bytes(body, "manifest")
        sealed = crypto.seal(keys.cipher("manifest"), plain, fmt.manifest_aad(case_id))
        return sealed[: crypto.NONCE_LEN], sealed[crypto.NONCE_LEN :]

    def _seal_blob(self, blob: _Blob) -> tuple[bytes, bytes]:
        keys = self._require_keys()
        plain = _json_bytes(blob.descriptor(), "attachment")
        sealed = crypto.seal(
            keys.cipher("blob"), plain, self._fmt.blob_aad(self.case_id, blob.blob_id, blob.ver)
        )
        nonce, ct = sealed[: crypto.NONCE_LEN], sealed[crypto.NONCE_LEN :]
        blob.digest = self._fmt.row_digest(nonce, ct)
        return nonce, ct

    # --- state checks ---------------------------------------------------------------
    @property
    def generation(self) -> int:
        return self._state.generation

    @property
    def summary(self) -> dict[str, Any]:
        """The summary stored (encrypted) in this case's manifest."""
        return json.loads(json.dumps(self._state.summary))

    @property
    def closed(self) -> bool:
        return self._conn is None

    def _require_conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise self._closed_reason("case is closed")
        return self._conn

    def _require_keys(self) -> _Keys:
        self._require_conn()
        assert self._keys is not None
        return self._keys

    def _require_writable(self) -> None:
        self._require_conn()
        if self.read_only:
            raise NewerFormat(
                "case made by a newer version: read-only",
                found=self._format_found,
                supported=f"{self._fmt.MAJOR}.{self._fmt.MINOR}",
                read_only=True,
            )

    def _transaction(self, body: Callable[[sqlite3.Connection], None]) -> None:
        conn = self._require_conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
            body(conn)
            conn.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise sqlite_util.map_error(exc, writing=True, path=self.path) from None
            raise

    def _commit_state(
        self, new_state: _State, body: Callable[[sqlite3.Connection], None]
    ) -> _State:
        """Run ``body`` and write the manifest of ``new_state`` in one transaction. The
        caller passes the returned state to :meth:`_notify_saved` after releasing the lock."""
        keys = self._require_keys()
        m_nonce, m_ct = self._seal_manifest(keys, self._fmt, self.case_id, new_state)

        def run(conn: sqlite3.Connection) -> None:
            body(conn)
            cur = conn.execute(
                "UPDATE manifest SET nonce = ?, ct = ? WHERE id = 1", (m_nonce, m_ct)
            )
            if cur.rowcount != 1:
                raise CaseDamaged("manifest row vanished", where="manifest")

        self._transaction(run)
        self._state = new_state
        return new_state

    def _notify_saved(self, committed: _State) -> None:
        """Tell the vault (index: generation, summary). Never with ``self._lock`` held: the
        vault's lock is taken in the callback, and Vault.lock() takes case locks (M5)."""
        if self._on_saved is not None:
            self._on_saved(self, committed.generation, committed.summary)

    # --- records --------------------------------------------------------------------
    def keys(self) -> list[str]:
        with self._lock:
            self._require_conn()
            return sorted(self._state.records)

    def get(self, key: str) -> dict[str, Any] | None:
        """A fresh copy of the record, or None. Records were authenticated and decrypted
        when the case was opened; the exclusive lock keeps anyone else from changing them."""
        with self._lock:
            self._require_conn()
            rec = self._state.records.get(key)
            if rec is None:
                return None
            text = rec.plain
        return json.loads(text.decode("utf-8"))["v"]

    def save(
        self,
        records: dict[str, dict[str, Any] | None],
        summary: dict[str, Any] | None = None,
        *,
        add: Sequence[StagedAttachment] = (),
        delete: Sequence[str] = (),
    ) -> None:
        """Write every given record (``None`` deletes one) and the summary in ONE transaction,
        together with the staged attachments of ``add`` (from :meth:`stage_attachment`) and
        the removal of the attachments named in ``delete``.

        Durable when it returns (WAL, synchronous=FULL). On failure nothing changed (the
        staged chunks stay staged: save again or :meth:`discard_staged` them)."""
        if not isinstance(records, dict):
            raise InvalidField("records", field="records", problem="not_object")
        plains = {
            name: (None if value is None else self._encode_record(name, value))
            for name, value in records.items()
        }
        if summary is not None:
            _check_dict(summary, "summary")
            _json_bytes(summary, "summary")
        with self._lock:
            self._require_writable()
            keys = self._require_keys()
            state = self._state
            new_records = dict(state.records)
            deletes: list[tuple[int]] = []
            upserts: list[tuple[int, int, bytes, bytes]] = []
            for name, plain in plains.items():
                current = new_records.get(name)
                if plain is None:
                    if current is not None:
                        deletes.append((current.rec_id,))
                        del new_records[name]
                    continue
                if current is not None:
                    rec_id, ver = current.rec_id, current.ver + 1
                else:
                    rec_id, ver = _new_row_id(r.rec_id for r in new_records.values()), 1
                nonce, ct = self._seal_record(keys, self._fmt, self.case_id, rec_id, ver, plain)
                new_records[name] = _Rec(rec_id, ver, self._fmt.row_digest(nonce, ct), name, plain)
                upserts.append((rec_id, ver, nonce, ct))
            blobs = dict(state.blobs)
            dropped: list[_Blob] = []
            for att_id in delete:
                old = self._blob(att_id)
                if old.blob_id in blobs:
                    dropped.append(blobs.pop(old.blob_id))
            seq = max((b.seq for b in state.blobs.values()), default=0)
            added: list[tuple[int, bytes, bytes]] = []
            for staged in add:
                blob = staged.blob
                if blob.blob_id in blobs or blob.blob_id in state.blobs:
                    raise InvalidField(
                        "attachment id in use", field="attachment", problem="duplicate"
                    )
                seq += 1
                blob.seq = seq
                blobs[blob.blob_id] = blob
                nonce, ct = self._seal_blob(blob)
                added.append((blob.blob_id, nonce, ct))
            new_state = _State(
                state.generation + 1,
                json.loads(json.dumps(summary)) if summary is not None else state.summary,
                new_records,
                blobs,
            )

            def body(conn: sqlite3.Connection) -> None:
                conn.executemany("DELETE FROM record WHERE rec_id = ?", deletes)
                conn.executemany(
                    "INSERT OR REPLACE INTO record(rec_id, ver, nonce, ct) VALUES (?, ?, ?, ?)",
                    upserts,
                )
                for old in dropped:
                    conn.execute("DELETE FROM blob WHERE blob_id = ?", (old.blob_id,))
                    conn.execute("DELETE FROM chunk WHERE blob_id = ?", (old.blob_id,))
                conn.executemany(
                    "INSERT INTO blob(blob_id, ver, nonce, ct) VALUES (?, 1, ?, ?)", added
                )

            committed = self._commit_state(new_state, body)
            for old in dropped:
                crypto.zeroize(old.key)
            log.debug("case %s saved generation %d", self.case_id, new_state.generation)
        self._notify_saved(committed)

    # --- attachments ----------------------------------------------------------------
    def attachments(self) -> list[AttachmentInfo]:
        with self._lock:
            self._require_conn()
            blobs = sorted(self._state.blobs.values(), key=lambda b: (b.seq, b.blob_id))
            return [
                AttachmentInfo(
                    attachment_id(b.blob_id), b.size, b.sha256, json.loads(json.dumps(b.meta))
                )
                for b in blobs
            ]

    def _blob(self, att_id: str) -> _Blob:
        blob_id = attachment_blob_id(att_id)
        blob = self._state.blobs.get(blob_id) if blob_id is not None else None
        if blob is None:
            raise UnknownAttachment("no such attachment")
        return blob

    def add_attachment(self, source: BinaryIO, meta: dict[str, Any]) -> str:
        """Stream ``source`` in 1 MiB chunks into the case; durable when it returns."""
        staged = self.stage_attachment(source, meta)
        try:
            self.save({}, add=[staged])
        except BaseException:
            self.discard_staged(staged)
            raise
        return staged.att_id

    def stage_attachment(
        self, source: BinaryIO, meta: dict[str, Any], att_id: str | None = None
    ) -> StagedAttachment:
        """Phase 1 of an import: stream the chunks in, invisible until :meth:`save` is
        given the result in ``add=`` (phase 2, one transaction with the records). Chunks of
        a staged attachment never saved are orphans: :meth:`discard_staged` drops them now,
        and the next open removes any a crash left behind."""
        _check_dict(meta, "meta")
        _json_bytes(meta, "meta")
        with self._lock:
            self._require_writable()
            conn = self._require_conn()
            if att_id is None:
                while True:
                    att_id = new_attachment_id()
                    if self._free_blob_id(conn, attachment_blob_id(att_id)):
                        break
            blob_id = attachment_blob_id(att_id)
            if blob_id is None or not self._free_blob_id(conn, blob_id):
                raise InvalidField("attachment id in use", field="attachment", problem="duplicate")
            file_key = crypto.random_key()
            cver = 1
            try:
                n_chunks, size, digest = self._store_chunks(conn, source, file_key, blob_id, cver)
            except BaseException:
                crypto.zeroize(file_key)
                self._drop_chunks(conn, blob_id)
                raise
            blob = _Blob(
                blob_id,
                1,
                b"",
                file_key,
                cver,
                n_chunks,
                size,
                digest,
                0,
                json.loads(json.dumps(meta)),
            )
        return StagedAttachment(att_id, blob)

    def discard_staged(self, staged: StagedAttachment) -> None:
        """Drop the chunks of a staged attachment that will not be saved (best effort)."""
        with self._lock:
            if staged.blob.blob_id in self._state.blobs or self._conn is None:
                return
            crypto.zeroize(staged.blob.key)
            self._drop_chunks(self._conn, staged.blob.blob_id)

    def _add_attachment(
        self, source: BinaryIO, meta: dict[str, Any], att_id: str | None = None
    ) -> str:
        staged = self.stage_attachment(source, meta, att_id)
        try:
            self.save({}, add=[staged])
        except BaseException:
            self.discard_staged(staged)
            raise
        return staged.att_id

    def _free_blob_id(self, conn: sqlite3.Connection, blob_id: int | None) -> bool:
        if blob_id is None or blob_id in self._state.blobs:
            return False
        try:
            row = conn.execute(
                "SELECT 1 FROM chunk WHERE blob_id = ? LIMIT 1", (blob_id,)
            ).fetchone()
        except sqlite3.Error as exc:
            raise sqlite_util.map_error(exc, writing=False) from None
        return row is None

    def _drop_chunks(self, conn: sqlite3.Connection, blob_id: int) -> None:
        """Best effort after a failed import; whatever stays is an orphan, removed on open."""
        if blob_id in self._state.blobs:
            return
        try:
            self._transaction(
                lambda c: c.execute("DELETE FROM chunk WHERE blob_id = ?", (blob_id,))
            )
        except ImrError:
            log.warning(
                "case %s: leftover chunks of a failed import stay until next open", self.case_id
            )

    def _store_chunks(
        self,
        conn: sqlite3.Connection,
        source: BinaryIO,
        file_key: bytearray,
        blob_id: int,
        cver: int,
    ) -> tuple[int, int, str]:
        """Read, hash and encrypt in a helper thread (both release the GIL) while this
        thread writes chunk rows, CHUNK_BATCH per transaction. Memory stays a few MiB.

        An attachment of more than one chunk is written with SQLite's rollback journal
        (:func:`sqlite_util.bulk_journal`): its new pages go to the file once, instead of
        to the WAL and again at the checkpoint. Every batch still commits with
        synchronous=FULL, so the chunks are on disk before the descriptor that names them."""
        cipher = crypto.aead(file_key)
        aad = self._fmt.chunk_aad(self.case_id, blob_id, cver)
        items: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=2)
        stop = threading.Event()

        def put(item: tuple[str, Any]) -> bool:
            while not stop.is_set():
                try:
                    items.put(item, timeout=0.05)
                    return True
                except queue.Full:
                    continue
            return False

        def produce() -> None:
            try:
                hasher = hashlib.sha256()
                size = index = 0
                pending = stream.read_full(source, stream.CHUNK_SIZE)
                while True:
                    if len(pending) < stream.CHUNK_SIZE:
                        following, last = b"", True
                    else:
                        following = stream.read_full(source, stream.CHUNK_SIZE)
                        last = not following
                    hasher.update(pending)
                    size += len(pending)
                    ct = stream.encrypt_chunk(cipher, index, last, pending, aad)
                    if not put(("chunk", (index, ct, last))):
                        return
                    if last:
                        put(("done", (index + 1, size, hasher.hexdigest())))
                        return
                    pending, index = following, index + 1
            except BaseException as exc:  # handed to the writing thread, re-raised there
                put(("error", exc))

        worker = threading.Thread(target=produce, name="imr-attachment-reader", daemon=True)
        worker.start()
        in_batch = 0
        bulk = False
        try:
            while True:
                kind, payload = items.get()
                if kind == "error":
                    if isinstance(payload, ImrError):
                        raise payload
                    if isinstance(payload, OSError):
                        raise WriteFailed("reading the source failed", reason="source") from None
                    raise payload
                if kind == "chunk":
                    index, ct, last = payload
                    if index == 0 and not last:
                        bulk = sqlite_util.bulk_journal(conn, True)
                    if in_batch == 0:
                        conn.execute("BEGIN IMMEDIATE")
                    conn.execute(
                        "INSERT INTO chunk(blob_id, cver, idx, ct) VALUES (?, ?, ?, ?)",
                        (blob_id, cver, index, ct),
                    )
                    del ct, payload
                    in_batch += 1
                    if in_batch >= CHUNK_BATCH:
                        conn.execute("COMMIT")
                        in_batch = 0
                    continue
                if in_batch:
                    conn.execute("COMMIT")
                    in_batch = 0
                return payload
        except sqlite3.Error as exc:
            raise sqlite_util.map_error(exc, writing=True, path=self.path) from None
        finally:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            if bulk:
                sqlite_util.bulk_journal(conn, False)
            stop.set()
            with contextlib.suppress(queue.Empty):
                while True:
                    items.get_nowait()
            worker.join()

    def open_attachment(self, att_id: str) -> Iterator[bytes]:
        """Verified plaintext chunks, in order. Damage raises AttachmentDamaged before the
        damaged chunk would be yielded (the last chunk only after the whole SHA-256 matches)."""
        with self._lock:
            conn = self._require_conn()
            self._require_keys()
            blob = self._blob(att_id)
            self._check_chunk_count(conn, blob, att_id)
        return self._iter_chunks(blob, att_id)

    def _check_chunk_count(self, conn: sqlite3.Connection, blob: _Blob, att_id: str) -> None:
        try:
            count, lo, hi = conn.execute(
                "SELECT COUNT(*), MIN(idx), MAX(idx) FROM chunk WHERE blob_id = ? AND cver = ?",
                (blob.blob_id, blob.cver),
            ).fetchone()
        except sqlite3.Error as exc:
            raise AttachmentDamaged("chunk index", attachment=att_id) from exc
        if (count, lo, hi) != (blob.n_chunks, 0, blob.n_chunks - 1):
            raise AttachmentDamaged("chunk count", attachment=att_id)

    def _iter_chunks(self, blob: _Blob, att_id: str) -> Iterator[bytes]:
        cipher = crypto.aead(blob.key)
        aad = self._fmt.chunk_aad(self.case_id, blob.blob_id, blob.cver)
        hasher = hashlib.sha256()
        size = 0
        for index in range(blob.n_chunks):
            with self._lock:
                conn = self._require_conn()
                try:
                    row = conn.execute(
                        "SELECT ct FROM chunk WHERE blob_id = ? AND cver = ? AND idx = ?",
                        (blob.blob_id, blob.cver, index),
                    ).fetchone()
                except sqlite3.Error as exc:
                    raise AttachmentDamaged("chunk read", attachment=att_id) from exc
            if row is None:
                raise AttachmentDamaged("chunk missing", attachment=att_id)
            last = index == blob.n_chunks - 1
            plain = stream.decrypt_chunk(
                cipher, index, last, row[0], aad, AttachmentDamaged, attachment=att_id
            )
            hasher.update(plain)
            size += len(plain)
            if last and (size != blob.size or hasher.hexdigest() != blob.sha256):
                raise AttachmentDamaged("size or checksum", attachment=att_id)
            yield plain

    def read_attachment(self, att_id: str) -> bytes:
        return b"".join(self.open_attachment(att_id))

    def update_attachment_meta(self, att_id: str, meta: dict[str, Any]) -> None:
        _check_dict(meta, "meta")
        _json_bytes(meta, "meta")
        with self._lock:
            self._require_writable()
            old = self._blob(att_id)
            new = _Blob(
                old.blob_id,
                old.ver + 1,
                b"",
                old.key,
                old.cver,
                old.n_chunks,
                old.size,
                old.sha256,
                old.seq,
                json.loads(json.dumps(meta)),
            )
            nonce, ct = self._seal_blob(new)
            state = self._state
            new_state = _State(
                state.generation + 1,
                state.summary,
                state.records,
                {**state.blobs, old.blob_id: new},
            )

            def body(conn: sqlite3.Connection) -> None:
                conn.execute("DELETE FROM blob WHERE blob_id = ?", (old.blob_id,))
                conn.execute(
                    "INSERT INTO blob(blob_id, ver, nonce, ct) VALUES (?, ?, ?, ?)",
                    (new.blob_id, new.ver, nonce, ct),
                )

            committed = self._commit_state(new_state, body)
        self._notify_saved(committed)

    def delete_attachment(self, att_id: str) -> None:
        with self._lock:
            self._require_writable()
            old = self._blob(att_id)
            state = self._state
            blobs = {k: v for k, v in state.blobs.items() if k != old.blob_id}
            new_state = _State(state.generation + 1, state.summary, state.records, blobs)

            def body(conn: sqlite3.Connection) -> None:
                conn.execute("DELETE FROM blob WHERE blob_id = ?", (old.blob_id,))
                conn.execute("DELETE FROM chunk WHERE blob_id = ?", (old.blob_id,))

            committed = self._commit_state(new_state, body)
            crypto.zeroize(old.key)
        self._notify_saved(committed)

    # --- checking -------------------------------------------------------------------
    def problems(self) -> list[ImrError]:
        """Every problem found by a full check: SQLite's integrity_check, the header, the
        manifest and every row, and every chunk of every attachment. Empty = sound."""
        with self._lock:
            conn = self._require_conn()
            keys = self._require_keys()
            try:
                fmt, _major, _minor, meta = self._check_file(
                    conn, self.case_id, self._vault_id, full=True
                )
                if fmt is not self._fmt:
                    return [CaseDamaged("header changed", where="header")]
                self._check_header_mac(fmt, meta, keys)
                state = self._read_state(conn, fmt, self.case_id, keys)
            except ImrError as exc:
                return [exc]
            except _DAMAGE_ERRORS as exc:
                return [_as_damage(exc)]
            if state.generation != self._state.generation:
                return [CaseDamaged("generation changed underneath", where="manifest")]
            blobs = list(self._state.blobs.values())
        found: list[ImrError] = []
        for blob in blobs:
            att_id = attachment_id(blob.blob_id)
            try:
                for _chunk in self.open_attachment(att_id):
                    pass
            except (AttachmentDamaged, CaseDamaged) as exc:
                found.append(exc)
        return found

    def verify(self) -> None:
        """Raise the first problem :meth:`problems` finds."""
        found = self.problems()
        if found:
            raise found[0]

    # --- closing --------------------------------------------------------------------
    def close(self, *, reason: type[ImrError] = CaseClosed) -> None:
        with self._lock:
            if self._conn is None:
                return
            conn, self._conn = self._conn, None
            self._closed_reason = reason
            with contextlib.suppress(sqlite3.Error):
                conn.close()  # checkpoints the WAL and deletes it
            if self._keys is not None:
                self._keys.wipe()
            for blob in self._state.blobs.values():
                crypto.zeroize(blob.key)
            last = self._state
            self._state = _State(last.generation, {}, {}, {})
        if self._on_closed is not None:
            self._on_closed(self, last.generation, last.summary)
        log.debug("closed case %s", self.case_id)

    def _lock_out(self) -> None:
        """Closed because the vault was locked: further use raises VaultLocked."""
        self.close(reason=VaultLocked)

    def __enter__(self) -> CaseFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _check_row(
    pinned: dict[int, tuple[int, bytes]], row_id: Any, ver: Any, nonce: Any, ct: Any, where: str
) -> None:
    if type(row_id) is not int or type(ver) is not int:
        raise CaseDamaged("row key type", where=where)
    if not isinstance(nonce, bytes) or not isinstance(ct, bytes) or len(nonce) != crypto.NONCE_LEN:
        raise CaseDamaged("row type", where=where)
    expected = pinned.get(row_id)
    if expected is None:
        raise CaseDamaged("row not in manifest", where=where)
    if expected[0] != ver:
        raise CaseDamaged("row version differs from manifest", where=where)
    if not crypto.equal(hashlib.sha256(nonce + ct).digest(), expected[1]):
        raise CaseDamaged("row differs from manifest", where=where)


def _parse_descriptor(body: Any, blob_id: int, ver: int, digest: bytes) -> _Blob:
    if not isinstance(body, dict):
        raise CaseDamaged("descriptor", where="attachment")
    key = base64.b64decode(body["key"], validate=True)
    cver, n, size, sha, seq, meta = (
        body["cver"],
        body["n"],
        body["size"],
        body["sha256"],
        body["seq"],
        body["meta"],
    )
    ints_ok = all(type(v) is int for v in (cver, n, size, seq))
    if not ints_ok or len(key) != crypto.KEY_LEN or not isinstance(meta, dict):
        raise CaseDamaged("descriptor fields", where="attachment")
    if size < 0 or n != max(1, -(-size // stream.CHUNK_SIZE)) or cver < 1:
        raise CaseDamaged("descriptor sizes", where="attachment")
    if not isinstance(sha, str) or len(sha) != 64:
        raise CaseDamaged("descriptor checksum", where="attachment")
    return _Blob(blob_id, ver, digest, bytearray(key), cver, n, size, sha, seq, meta)


def _new_row_id(existing: Any) -> int:
    taken = set(existing)
    while True:
        candidate = secrets.randbits(63)
        if candidate and candidate not in taken:
            return candidate
