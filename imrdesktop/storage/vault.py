"""The vault: a folder holding one header, one encrypted case index and one file per case.

::

    <vault>/vault.imrv          header: format, KDF params + salt, wrapped master-key slots
    <vault>/vault.imrv.bak      an identical copy of the header (opened when it is damaged)
    <vault>/index.imri          encrypted case index (summaries for the case list)
    <vault>/cases/C-XXXXXXXX.imrcase   one SQLite file per client case

Key hierarchy: passphrase → Argon2id → KEK → master key (random, 32 bytes), also wrapped
under the recovery key and, optionally, a keyring token. Sub-keys of the master key (HKDF,
distinct labels) MAC the header, encrypt the index and wrap each case's own data key.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imrdesktop.domain.errors import (
    BundleDamaged,
    CaseDamaged,
    CaseInUse,
    CaseRolledBack,
    EnvironmentFailure,
    HostileParameters,
    ImrError,
    InvalidField,
    KeyringUnavailable,
    NewerFormat,
    NotAVault,
    NoVault,
    SharedPcRefusesKeyring,
    StoragePermissionDenied,
    UnknownCase,
    VaultDamaged,
    VaultExists,
    VaultLocked,
    WrongPassphrase,
    WrongRecoveryKey,
)
from imrdesktop.storage import atomic, crypto, kdf, keyring_token, recovery, sqlite_util
from imrdesktop.storage.casefile import CaseFile
from imrdesktop.storage.formats import vault_header
from imrdesktop.storage.formats.vault_header import VaultHeader
from imrdesktop.storage.ids import is_case_id, new_case_id, new_vault_id
from imrdesktop.storage.index import CaseIndex, IndexEntry
from imrdesktop.storage.passphrase import check_passphrase
from imrdesktop.storage.paths import ensure_private_dir

log = logging.getLogger(__name__)

HEADER_NAME = "vault.imrv"
BACKUP_NAME = HEADER_NAME + atomic.BACKUP_SUFFIX
INDEX_NAME = "index.imri"
CASES_DIR = "cases"
CASE_SUFFIX = ".imrcase"
PART_SUFFIX = ".part"
STALE_PART_S = 300.0

_LABEL_PASSPHRASE_SLOT = b"IMRV1 passphrase slot"
_LABEL_RECOVERY_SLOT = b"IMRV1 recovery slot"
_LABEL_KEYRING_SLOT = b"IMRV1 keyring slot"
_LABEL_HEADER_MAC = b"IMRV1 header-mac key"
_LABEL_INDEX = b"IMRV1 index key"
_LABEL_CASE_WRAP = b"IMRV1 case-key wrapping key"

#: Injectable clock for the keyring token expiry (tests replace it).
now: Callable[[], float] = time.time

# Keyring slots found to hold a wrong token in this run: (vault id, slot id). Removing a
# slot needs the master key (the header MAC), so it happens at the next unlock (L11).
_stale_keyring_slots: set[tuple[str, str]] = set()


@dataclass
class CaseSummary:
    case_id: str
    summary: dict[str, Any]
    #: The case file is older than the last save seen here (see Vault.acknowledge_rollback).
    rollback_suspected: bool = False


@dataclass
class Problem:
    where: str  # a file name or structural location, never client data
    error: ImrError


def _copy(value: Any) -> Any:
    return json.loads(json.dumps(value))


def _checked_import(
    records: dict[str, dict[str, Any]],
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """The records of a bundle with the "case" record validated (and cleaned) by the domain
    rules, and the summary rebuilt from it; BundleDamaged when they do not pass (H1).
    (Every record is already a JSON object: BundleReader.read_records checks that.)"""
    from imrdesktop.domain.case import summary_for, validate_record

    if "case" not in records:
        raise BundleDamaged("no case record", where="payload")
    try:
        clean = validate_record(records["case"])
        # Only the record: the summary (and its next deadline, from a stored assessment)
        # is derived from what the case holds, never taken from the bundle.
        summary = summary_for(clean)
        json.dumps(summary, allow_nan=False)
    except (InvalidField, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        raise BundleDamaged("case record", where="payload") from None
    if not isinstance(summary, dict):
        raise BundleDamaged("case record", where="payload")
    return {**records, "case": clean}, summary


def _header_path(path: Path) -> Path:
    return path / HEADER_NAME


@dataclass(frozen=True)
class _HeaderRead:
    header: VaultHeader
    data: bytes  # the bytes it was decoded from
    from_backup: bool  # vault.imrv was damaged or missing: this is vault.imrv.bak


def _read_header_file(file: Path) -> _HeaderRead:
    with open(file, "rb") as f:
        data = f.read(vault_header.MAX_FILE + 1)
    if len(data) > vault_header.MAX_FILE:
        raise HostileParameters("header too large", what="header")
    return _HeaderRead(vault_header.decode(data), data, file.name == BACKUP_NAME)


def _read_header(path: Path) -> _HeaderRead:
    """The header of the vault at ``path``, from ``vault.imrv`` or — when that is damaged
    (checksum, structure, magic) or missing — from a sound ``vault.imrv.bak``. NoVault /
    NotAVault / VaultDamaged (both copies damaged) / NewerFormat / HostileParameters.
    Never needs a secret."""
    path = Path(path)
    if not path.exists():
        raise NoVault("no such folder")
    if not path.is_dir():
        raise NotAVault("not a folder")
    has_copy = (path / BACKUP_NAME).exists()
    try:
        return _read_header_file(_header_path(path))
    except FileNotFoundError:
        if not has_copy and not (path / INDEX_NAME).exists():
            raise NoVault("no header") from None
        damage = "header missing"
    except PermissionError:
        raise StoragePermissionDenied("header unreadable") from None
    except NotAVault:
        if not has_copy and not (path / INDEX_NAME).exists():
            raise  # a foreign file, not a vault of ours with a damaged header
        damage = "magic"
    except VaultDamaged as exc:
        damage = str(exc)
    except OSError:
        damage = "header unreadable"
    try:
        read = _read_header_file(path / BACKUP_NAME)
    except (OSError, ImrError):
        raise VaultDamaged(f"{damage}; no sound copy", where=HEADER_NAME) from None
    log.warning("vault header damaged (%s); opened from its backup copy", damage)
    return read


def _open_slot(
    header: VaultHeader, kind: str, secret: Any, label: bytes, salt: bytes | None, error: type
) -> bytearray:
    """Unwrap the master key (and any trailer) from one header slot with a key derived from
    ``secret``; the derived wrapping key is zeroed whatever happens. ``error`` on failure."""
    wrap = bytearray()
    try:
        wrap = crypto.hkdf(secret, label, salt=salt)
        return bytearray(
            crypto.open_sealed(wrap, header.slots[kind], vault_header.slot_aad(header, kind), error)
        )
    finally:
        crypto.zeroize(wrap)


class Vault:
    """An unlocked vault. Create with :meth:`create` or open with :meth:`open` (or
    :meth:`open_with_recovery_key`, :meth:`open_with_keyring`); :meth:`lock` when done."""

    def __init__(self, path: Path, header: VaultHeader, master: bytearray) -> None:
        self.path = Path(path)
        self.vault_id = header.vault_id
        self._header = header
        self._header_data = b""  # the bytes of the header as on disk (both copies)
        #: True when vault.imrv was damaged or missing and the vault was opened from
        #: vault.imrv.bak (then vault.imrv is rewritten from it, unless the vault is
        #: read-only or the write fails — verify() still reports it then). Tell the user.
        self.header_repaired = False
        self._master = master
        salt = header.vault_id.encode("ascii")
        self._k_header = crypto.hkdf(master, _LABEL_HEADER_MAC, salt=salt)
        self._k_index = crypto.hkdf(master, _LABEL_INDEX, salt=salt)
        self._k_case = crypto.hkdf(master, _LABEL_CASE_WRAP, salt=salt)
        self._index: CaseIndex | None = None
        self._index_dirty = False
        self._open_cases: weakref.WeakValueDictionary[str, CaseFile] = weakref.WeakValueDictionary()
        self._lock = threading.RLock()
        self._lock_op = threading.RLock()  # serialises lock(); never taken by case code
        self._locked = False
        self._locking = False  # lock() is closing the cases: no new use

    # --- paths --------------------------------------------------------------------------
    @property
    def cases_dir(self) -> Path:
        return self.path / CASES_DIR

    def case_path(self, case_id: str) -> Path:
        return self.cases_dir / f"{case_id}{CASE_SUFFIX}"

    # --- creating and opening -----------------------------------------------------------
    @staticmethod
    def exists(path: Path) -> bool:
        path = Path(path)
        return _header_path(path).is_file() or (path / BACKUP_NAME).is_file()

    @classmethod
    def create(cls, path: Path, passphrase: str) -> tuple[Vault, str]:
        """A new vault at ``path``; returns it unlocked and the recovery key text (show it
        once). VaultExists if there is a vault (or anything else) in the folder."""
        path = Path(path)
        check_passphrase(passphrase)
        if cls.exists(path):
            raise VaultExists("vault exists")
        if path.exists():
            if not path.is_dir():
                raise VaultExists("path is a file", reason="not_a_folder")
            if any(path.iterdir()):
                raise VaultExists("folder not empty", reason="folder_not_empty")
        try:
            ensure_private_dir(path)
            ensure_private_dir(path / CASES_DIR)
        except OSError as exc:
            raise atomic.map_os_error(exc, "vault folder") from None
        master = crypto.random_key()
        params = kdf.new_params()
        secret, text = recovery.generate()
        header = VaultHeader(vault_id=new_vault_id(), kdf=params, slots={})
        kek = kdf.derive(passphrase, params)
        try:
            header = cls._with_passphrase_slot(header, kek, master)
            header = cls._with_recovery_slot(header, secret, master)
        finally:
            crypto.zeroize(kek)
            crypto.zeroize(secret)
        vault = cls(path, header, master)
        vault._index = CaseIndex()
        vault._index.save(path / INDEX_NAME, vault._k_index, vault.vault_id)
        # The header (and its copy) go last: their presence makes the folder a vault.
        vault._write_header(header)
        log.info("vault created")
        return vault, text

    @classmethod
    def open(cls, path: Path, passphrase: str) -> Vault:
        path = Path(path)
        read = _read_header(path)
        header = read.header
        kdf.check_bounds(header.kdf)  # before deriving: T-INT-5
        kek = kdf.derive(passphrase, header.kdf)
        try:
            master = _open_slot(
                header, "passphrase", kek, _LABEL_PASSPHRASE_SLOT, None, WrongPassphrase
            )
        finally:
            crypto.zeroize(kek)
        vault = cls._unlocked(path, read, master)
        if not vault.read_only and kdf.below_policy(header.kdf):
            vault._upgrade_kdf(passphrase)
        return vault

    @classmethod
    def open_with_recovery_key(cls, path: Path, recovery_key: str) -> Vault:
        path = Path(path)
        read = _read_header(path)
        header = read.header
        secret = recovery.parse(recovery_key)
        salt = header.vault_id.encode("ascii")
        try:
            master = _open_slot(
                header, "recovery", secret, _LABEL_RECOVERY_SLOT, salt, WrongRecoveryKey
            )
        finally:
            crypto.zeroize(secret)
        return cls._unlocked(path, read, master)

    @classmethod
    def open_with_keyring(cls, path: Path, backend: Any = None) -> Vault | None:
        """Unlock with the token remembered on this computer; None when there is no valid
        token (no slot, no usable backend, no token, wrong token, or expired)."""
        path = Path(path)
        read = _read_header(path)
        header = read.header
        if "keyring" not in header.slots:
            return None
        try:
            be = keyring_token.resolve_backend(backend)
        except KeyringUnavailable:
            return None
        token = keyring_token.load_token(be, header.vault_id)
        if token is None:
            return None
        salt = header.vault_id.encode("ascii")
        try:
            plain = _open_slot(header, "keyring", token, _LABEL_KEYRING_SLOT, salt, WrongPassphrase)
        except WrongPassphrase:
            log.info("keyring token does not open this vault; deleted")
            keyring_token.delete_token(be, header.vault_id)
            if header.keyring_slot_id:
                _stale_keyring_slots.add((header.vault_id, header.keyring_slot_id))
            return None
        master, expiry = bytearray(plain[:32]), int.from_bytes(plain[32:40], "big")
        crypto.zeroize(plain)
        vault = cls._unlocked(path, read, master)
        if now() >= expiry:
            log.info("keyring token expired")
            if not vault.read_only:  # a newer version's header is never rewritten (H3)
                with contextlib.suppress(EnvironmentFailure):
                    vault._drop_keyring_slot()
            keyring_token.delete_token(be, header.vault_id)
            vault.lock()
            return None
        return vault

    @classmethod
    def _unlocked(cls, path: Path, read: _HeaderRead, master: bytearray) -> Vault:
        vault = cls(path, read.header, master)
        if not vault._mac_ok(read.header):
            vault.lock()
            where = BACKUP_NAME if read.from_backup else HEADER_NAME
            raise VaultDamaged("header mac", where=where)
        vault._header_data = read.data
        vault._sync_header_copies(repair=read.from_backup)
        vault._housekeeping()
        vault._drop_stale_keyring_slot()
        log.info("vault unlocked")
        return vault

    def _sync_header_copies(self, *, repair: bool) -> None:
        """After an authenticated unlock: rewrite vault.imrv from the copy it was opened
        from (``repair``), or bring a missing or different vault.imrv.bak in line with
        vault.imrv (a vault made before the copy existed, a crash between the two writes).
        Best effort; never on a read-only vault."""
        self.header_repaired = repair
        if self.read_only:
            return
        if repair:
            target = _header_path(self.path)
        else:
            try:
                if (self.path / BACKUP_NAME).read_bytes() == self._header_data:
                    return
            except OSError:
                pass
            target = self.path / BACKUP_NAME
        try:
            atomic.write_atomic(target, self._header_data)
        except EnvironmentFailure as exc:
            log.warning("could not rewrite %s now (%s)", target.name, type(exc).__name__)
            return
        log.warning("%s rewritten from the other header copy", target.name)

    # --- header slots -------------------------------------------------------------------
    @staticmethod
    def _with_passphrase_slot(
        header: VaultHeader, kek: bytearray, master: bytearray
    ) -> VaultHeader:
        wrap = crypto.hkdf(kek, _LABEL_PASSPHRASE_SLOT)
        try:
            wrapped = crypto.seal(wrap, master, vault_header.slot_aad(header, "passphrase"))
        finally:
            crypto.zeroize(wrap)
        return header.with_(slots={**header.slots, "passphrase": wrapped})

    @staticmethod
    def _with_recovery_slot(
        header: VaultHeader, secret: bytearray, master: bytearray
    ) -> VaultHeader:
        wrap = crypto.hkdf(secret, _LABEL_RECOVERY_SLOT, salt=header.vault_id.encode("ascii"))
        try:
            wrapped = crypto.seal(wrap, master, vault_header.slot_aad(header, "recovery"))
        finally:
            crypto.zeroize(wrap)
        return header.with_(slots={**header.slots, "recovery": wrapped})

    def _mac_ok(self, header: VaultHeader) -> bool:
        """The keyed header MAC (checked after unwrapping, and again by verify)."""
        expected = crypto.hmac_sha256(self._k_header, header.mac_input())
        return crypto.equal(expected, header.mac)

    def _sealed(self, header: VaultHeader) -> VaultHeader:
        return header.with_(mac=crypto.hmac_sha256(self._k_header, header.mac_input()))

    def _write_header(self, header: VaultHeader) -> None:
        """The one place that writes the header: refused on a read-only (newer-minor) vault.

        vault.imrv.bak is kept byte-identical to vault.imrv: a damaged header opens from the
        copy, and a revoked secret (old passphrase, forgotten token) opens neither. The copy
        is written first: if that fails nothing changed; if the header then fails, the old
        copy is put back (best effort; the next unlock re-syncs it from the header)."""
        self._require_writable()
        sealed = self._sealed(header)
        data = vault_header.encode(sealed)
        backup = self.path / BACKUP_NAME
        atomic.write_atomic(backup, data)
        try:
            atomic.write_atomic(_header_path(self.path), data)
        except BaseException:
            with contextlib.suppress(ImrError, OSError):
                if self._header_data:
                    atomic.write_atomic(backup, self._header_data)
                else:  # a vault being created: no header yet
                    backup.unlink()
            raise
        self._header, self._header_data = sealed, data

    def _upgrade_kdf(self, passphrase: str) -> None:
        """Re-wrap under today's KDF policy (a vault made with weaker parameters)."""
        try:
            self._set_passphrase(passphrase)
            log.info("vault KDF parameters upgraded")
        except EnvironmentFailure as exc:
            log.warning("could not upgrade KDF parameters now (%s)", type(exc).__name__)

    def _set_passphrase(self, passphrase: str) -> None:
        params = kdf.new_params()
        header = self._header.with_(kdf=params)
        kek = kdf.derive(passphrase, params)
        try:
            header = self._with_passphrase_slot(header, kek, self._require_master())
        finally:
            crypto.zeroize(kek)
        self._write_header(header)

    # --- state guards -------------------------------------------------------------------
    @property
    def locked(self) -> bool:
        return self._locked

    @property
    def read_only(self) -> bool:
        """True for a vault written by a newer minor version: readable, not writable."""
        return self._header.read_only

    def _require_master(self) -> bytearray:
        if self._locked or self._locking:
            raise VaultLocked("vault is locked")
        return self._master

    def _require_writable(self) -> None:
        self._require_master()
        if self.read_only:
            raise NewerFormat(
                "vault made by a newer version: read-only",
                found=f"{self._header.major}.{self._header.minor}",
                supported=f"{vault_header.MAJOR}.{vault_header.MINOR}",
                read_only=True,
            )

    # --- passphrase, recovery, keyring --------------------------------------------------
    def change_passphrase(self, new_passphrase: str) -> None:
        with self._lock:
            self._require_writable()
            check_passphrase(new_passphrase)
            self._set_passphrase(new_passphrase)
            log.info("passphrase changed")

    def remember_on_this_computer(self, *, shared_pc: bool, backend: Any = None) -> None:
        with self._lock:
            self._require_writable()
            if shared_pc:
                raise SharedPcRefusesKeyring("shared PC")
            be = keyring_token.resolve_backend(backend)
            token = secrets.token_bytes(keyring_token.TOKEN_LEN)
            header = self._header.with_(keyring_slot_id=secrets.token_hex(8))
            expiry = int(now()) + keyring_token.TOKEN_TTL_S
            wrap = crypto.hkdf(token, _LABEL_KEYRING_SLOT, salt=self.vault_id.encode("ascii"))
            payload = bytearray(self._require_master()) + bytearray(expiry.to_bytes(8, "big"))
            try:
                wrapped = crypto.seal(wrap, payload, vault_header.slot_aad(header, "keyring"))
            finally:
                crypto.zeroize(payload)
                crypto.zeroize(wrap)
            keyring_token.store_token(be, self.vault_id, token)
            try:
                self._write_header(header.with_(slots={**header.slots, "keyring": wrapped}))
            except BaseException:
                keyring_token.delete_token(be, self.vault_id)
                raise
            log.info("unlock token stored in the OS keyring")

    def forget_on_this_computer(self, backend: Any = None) -> None:
        with self._lock:
            self._require_master()
            if "keyring" in self._header.slots:
                self._require_writable()
                self._drop_keyring_slot()
            try:
                be = keyring_token.resolve_backend(backend)
            except KeyringUnavailable:
                return
            keyring_token.delete_token(be, self.vault_id)

    def _drop_keyring_slot(self) -> None:
        slots = {k: v for k, v in self._header.slots.items() if k != "keyring"}
        self._write_header(self._header.with_(slots=slots, keyring_slot_id=None))

    def _drop_stale_keyring_slot(self) -> None:
        """Remove a keyring slot whose token turned out wrong earlier in this run (best
        effort: a read-only vault or a failing write keeps it until next time)."""
        key = (self.vault_id, self._header.keyring_slot_id or "")
        if key not in _stale_keyring_slots or self.read_only:
            return
        try:
            self._drop_keyring_slot()
        except EnvironmentFailure as exc:
            log.warning("could not remove a stale keyring slot now (%s)", type(exc).__name__)
            return
        _stale_keyring_slots.discard(key)
        log.info("keyring slot of a wrong token removed")

    @property
    def remembered(self) -> bool:
        """True when the header has a keyring slot (the token may still have expired)."""
        return "keyring" in self._header.slots

    # --- the case index -----------------------------------------------------------------
    def _housekeeping(self) -> None:
        """Leftovers of interrupted writes: our temp files and unfinished new cases."""
        atomic.clean_stale_temps(self.path)
        atomic.clean_stale_temps(self.cases_dir)
        try:
            entries = list(os.scandir(self.cases_dir))
        except OSError:
            return
        cutoff = time.time() - STALE_PART_S
        for entry in entries:
            if PART_SUFFIX in entry.name:
                with contextlib.suppress(OSError):
                    if entry.stat().st_mtime < cutoff:
                        os.unlink(entry.path)

    def _case_files(self) -> tuple[set[str], set[str]]:
        """(case ids with a case file, case ids with a write-ahead log left by a crash)."""
        try:
            names = os.listdir(self.cases_dir)
        except FileNotFoundError:
            return set(), set()
        except OSError as exc:
            raise atomic.map_os_error(exc, CASES_DIR) from None
        ids, wals = set(), set()
        for name in names:
            if name.endswith(CASE_SUFFIX) and is_case_id(name[: -len(CASE_SUFFIX)]):
                ids.add(name[: -len(CASE_SUFFIX)])
            elif name.endswith(CASE_SUFFIX + "-wal") and is_case_id(name[:10]):
                wals.add(name[:10])
        return ids, wals

    def _case_ids_on_disk(self) -> set[str]:
        return self._case_files()[0]

    def _ensure_index(self) -> CaseIndex:
        if self._index is not None:
            return self._index
        try:
            index = CaseIndex.load(self.path / INDEX_NAME, self._k_index, self.vault_id)
        except VaultDamaged:
            log.warning("case index damaged; rebuilding it from the case files")
            index = None
        changed = index is None
        index = index or CaseIndex()
        self._index = index
        changed |= self._reconcile(index)
        if changed:
            self._index_dirty = True
            self._flush_index()
        return index

    def _reconcile(self, index: CaseIndex) -> bool:
        """Bring the index in line with the case files after a crash or a lost index."""
        changed = False
        on_disk, with_wal = self._case_files()
        for entry in list(index.entries.values()):
            if entry.deleting:
                self._remove_case_files(entry.case_id)
                del index.entries[entry.case_id]
                on_disk.discard(entry.case_id)
                changed = True
        for case_id in sorted(on_disk):
            entry = index.entries.get(case_id)
            if entry is not None and case_id not in with_wal:
                continue
            if case_id in self._open_cases:
                continue
            generation, summary = 0, entry.summary if entry else {}
            try:
                with self._open_case_file(case_id) as case:
                    generation, summary = case.generation, case.summary
            except ImrError as exc:
                log.info("case %s not readable while indexing (%s)", case_id, type(exc).__name__)
                if entry is not None:
                    continue
            changed |= self._record_seen(index, case_id, generation, summary)
        return changed

    def _record_seen(
        self, index: CaseIndex, case_id: str, generation: int, summary: dict[str, Any]
    ) -> bool:
        """Note what a case file holds now. The entry keeps the *highest* generation seen:
        a lower one means the file was replaced by an older copy, flagged until
        :meth:`acknowledge_rollback` (M4). True when the entry changed."""
        entry = index.entries.get(case_id)
        if entry is None:
            index.entries[case_id] = IndexEntry(case_id, generation, _copy(summary))
            return True
        changed = False
        if generation < entry.generation and not entry.rollback:
            log.warning("case %s is older than the last save seen here", case_id)
            entry.rollback = True
            changed = True
        if generation > entry.generation:
            entry.generation = generation
            changed = True
        if entry.summary != summary:
            entry.summary = _copy(summary)
            changed = True
        return changed

    def acknowledge_rollback(self, case_id: str) -> None:
        """Accept a case file that is older than the last save seen (e.g. a backup the user
        restored on purpose): it becomes the reference, and it is no longer reported."""
        with self._lock:
            self._require_writable()
            index = self._ensure_index()
            entry = index.entries.get(case_id) if is_case_id(case_id) else None
            if entry is None or entry.deleting:
                raise UnknownCase("no such case")
            existing = self._open_cases.get(case_id)
            if existing is not None and not existing.closed:
                generation = existing.generation
                existing.rollback_suspected = False
            else:
                with self._open_case_file(case_id) as case:
                    generation = case.generation
            entry.generation, entry.rollback = generation, False
            self._index_dirty = True
            self._flush_index()
            log.info("case %s: rollback acknowledged", case_id)

    def _flush_index(self) -> None:
        """Write the index if it changed; a failure is logged, kept dirty and retried."""
        if not self._index_dirty or self._index is None or self._locked or self.read_only:
            return
        try:
            self._index.save(self.path / INDEX_NAME, self._k_index, self.vault_id)
            self._index_dirty = False
        except EnvironmentFailure as exc:
            log.warning("could not write the case index now (%s)", type(exc).__name__)

    def rebuild_index(self) -> None:
        """Forget the cached index and rebuild it from the case files."""
        with self._lock:
            self._require_writable()
            self._index = CaseIndex()
            self._reconcile(self._index)
            self._index_dirty = True
            self._flush_index()

    def list_cases(self) -> list[CaseSummary]:
        with self._lock:
            self._require_master()
            index = self._ensure_index()
            live = [e for e in index.entries.values() if not e.deleting]
            copies = _copy([e.summary for e in live])  # one deep copy for the whole list
            return [
                CaseSummary(e.case_id, s, e.rollback) for e, s in zip(live, copies, strict=True)
            ]

    # --- cases --------------------------------------------------------------------------
    def _open_case_file(self, case_id: str) -> CaseFile:
        case = CaseFile.open_file(
            self.case_path(case_id),
            case_id=case_id,
            vault_id=self.vault_id,
            wrap_key=self._k_case,
            on_saved=self._case_saved,
            on_closed=self._case_closed,
        )
        if self.read_only:  # a vault of a newer minor version: read, never write
            case.read_only = True
        return case

    def _note_committed(self, case: CaseFile, generation: int, summary: dict[str, Any]) -> bool:
        """Record a committed state of an open case in the index (with the vault lock held);
        True when the summary changed. A late notice of an older save is ignored."""
        if self._locked or self._index is None or generation <= case.notified_generation:
            return False
        case.notified_generation = generation
        entry = self._index.entries.get(case.case_id)
        if entry is None:
            entry = self._index.entries[case.case_id] = IndexEntry(case.case_id, 0, {})
        entry.generation = max(entry.generation, generation)  # the highest seen (M4)
        self._index_dirty = True
        if entry.summary == summary:
            return False
        entry.summary = _copy(summary)
        return True

    def _case_saved(self, case: CaseFile, generation: int, summary: dict[str, Any]) -> None:
        """A save of ``case`` committed (called without the case's lock held)."""
        with self._lock:
            # The generation is written with the next index write (at the latest when the
            # case closes); a changed summary is written now, for the case list.
            if self._note_committed(case, generation, summary):
                self._flush_index()

    def _case_closed(self, case: CaseFile, generation: int, summary: dict[str, Any]) -> None:
        with self._lock:
            if self._open_cases.get(case.case_id) is case:
                del self._open_cases[case.case_id]
            self._note_committed(case, generation, summary)  # if its notice is still due
            self._flush_index()

    def create_case(self, record: dict[str, Any], summary: dict[str, Any] | None = None) -> str:
        """A new case holding ``record`` under the key "case"; returns its id."""
        return self._create_case({"case": record}, summary or {})

    def _create_case(self, records: dict[str, dict[str, Any]], summary: dict[str, Any]) -> str:
        with self._lock:
            self._require_writable()
            index = self._ensure_index()
            while True:
                case_id = new_case_id()
                if case_id not in index.entries and not self.case_path(case_id).exists():
                    break
            self._build_case_file(case_id, records, summary)
            index.entries[case_id] = IndexEntry(case_id, 1, _copy(summary))
            self._index_dirty = True
            self._flush_index()
            log.info("case %s created", case_id)
            return case_id

    def _build_case_file(
        self,
        case_id: str,
        records: dict[str, dict[str, Any]],
        summary: dict[str, Any],
        fill: Callable[[CaseFile], None] | None = None,
    ) -> None:
        """Write a complete case under a temporary name, then rename it into place, so a
        crash never leaves a half-made case where verify would see it."""
        final = self.case_path(case_id)
        part = final.with_name(final.name + PART_SUFFIX)
        try:
            CaseFile.create_file(
                part,
                case_id=case_id,
                vault_id=self.vault_id,
                wrap_key=self._k_case,
                records=records,
                summary=summary,
            )
            if fill is not None:
                case = CaseFile.open_file(
                    part, case_id=case_id, vault_id=self.vault_id, wrap_key=self._k_case
                )
                try:
                    fill(case)
                finally:
                    case.close()
            if part.with_name(part.name + "-wal").exists():
                raise CaseDamaged("write-ahead log left behind", where="new case")
            os.replace(part, final)
            atomic.fsync_dir(self.cases_dir)
        except OSError as exc:
            self._remove_part(part)
            raise atomic.map_os_error(exc, "case file") from None
        except BaseException:
            self._remove_part(part)
            raise

    @staticmethod
    def _remove_part(part: Path) -> None:
        for suffix in ("", "-wal", "-journal", "-shm"):
            with contextlib.suppress(OSError):
                os.unlink(str(part) + suffix)

    def open_case(self, case_id: str) -> CaseFile:
        with self._lock:
            self._require_master()
            if not is_case_id(case_id):
                raise UnknownCase("not a case id")
            index = self._ensure_index()
            entry = index.entries.get(case_id)
            if entry is not None and entry.deleting:
                raise UnknownCase("case deleted")
            if not self.case_path(case_id).exists():
                if entry is not None:
                    raise CaseDamaged(
                        "case file missing", where=f"{CASES_DIR}/{case_id}{CASE_SUFFIX}"
                    )
                raise UnknownCase("no such case")
            existing = self._open_cases.get(case_id)
            if existing is not None and not existing.closed:
                raise CaseInUse("case already open")
            case = self._open_case_file(case_id)
            self._open_cases[case_id] = case
            if self._record_seen(index, case_id, case.generation, case.summary):
                self._index_dirty = True
                self._flush_index()
            case.rollback_suspected = index.entries[case_id].rollback
            return case

    def delete_case(self, case_id: str) -> None:
        with self._lock:
            self._require_writable()
            if not is_case_id(case_id):
                raise UnknownCase("not a case id")
            index = self._ensure_index()
            path = self.case_path(case_id)
            if case_id not in index.entries and not path.exists():
                raise UnknownCase("no such case")
            existing = self._open_cases.get(case_id)
            if existing is not None and not existing.closed:
                raise CaseInUse("case is open")
            if path.exists():
                sqlite_util.connect(path).close()  # CaseInUse if another process holds it
            entry = index.entries.get(case_id) or IndexEntry(case_id, 0, {})
            entry.deleting = True
            index.entries[case_id] = entry
            index.save(self.path / INDEX_NAME, self._k_index, self.vault_id)  # must succeed
            self._remove_case_files(case_id)
            del index.entries[case_id]
            self._index_dirty = True
            self._flush_index()
            log.info("case %s deleted", case_id)

    def _remove_case_files(self, case_id: str) -> None:
        path = self.case_path(case_id)
        for suffix in ("-wal", "-journal", "-shm", ""):
            try:
                os.unlink(str(path) + suffix)
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise atomic.map_os_error(exc, "case file") from None
        with contextlib.suppress(OSError):
            atomic.fsync_dir(self.cases_dir)

    # --- bundles ------------------------------------------------------------------------
    def export_case(self, case_id: str, out_path: Path, bundle_passphrase: str) -> None:
        from imrdesktop.storage import bundle

        with self._lock:
            self._require_master()
            check_passphrase(bundle_passphrase)
            existing = self._open_cases.get(case_id)
            if existing is not None and not existing.closed:
                bundle.export_case(existing, Path(out_path), bundle_passphrase)
                return
        with self.open_case(case_id) as case:
            bundle.export_case(case, Path(out_path), bundle_passphrase)

    def import_case(self, bundle_path: Path, bundle_passphrase: str) -> str:
        """A new case (new id, new data key) with the bundle's records and attachments.

        The "case" record is validated like a record typed in, and the summary is rebuilt
        from it (the bundle's own summary is not trusted); anything wrong → BundleDamaged,
        and nothing is imported."""
        from imrdesktop.storage import bundle

        with self._lock:
            self._require_writable()
            index = self._ensure_index()
            with bundle.BundleReader(Path(bundle_path), bundle_passphrase) as reader:
                records, _unused_summary = reader.read_records()
                records, summary = _checked_import(records)
                while True:
                    case_id = new_case_id()
                    if case_id not in index.entries and not self.case_path(case_id).exists():
                        break
                try:
                    self._build_case_file(case_id, records, summary, fill=reader.fill_attachments)
                except InvalidField:  # a record name or size CaseFile refuses
                    raise BundleDamaged("records", where="payload") from None
            index.entries[case_id] = IndexEntry(case_id, 1, _copy(summary))
            self._index_dirty = True
            self._flush_index()
            log.info("case %s imported from a bundle", case_id)
            return case_id

    # --- checking -----------------------------------------------------------------------
    def verify(self) -> list[Problem]:
        """Check every file and every byte (all chunks). Leftovers of interrupted saves
        (temp files, unfinished new cases, orphan chunks) are not problems."""
        with self._lock:
            self._require_master()
            problems: list[Problem] = []
            for name in (HEADER_NAME, BACKUP_NAME):
                if name == BACKUP_NAME and not (self.path / name).exists():
                    continue  # put back at the next unlock
                try:
                    if not self._mac_ok(_read_header_file(self.path / name).header):
                        raise VaultDamaged("header mac", where=name)
                except FileNotFoundError:
                    problems.append(Problem(name, VaultDamaged("missing", where=name)))
                except OSError:
                    problems.append(Problem(name, VaultDamaged("unreadable", where=name)))
                except ImrError as exc:
                    problems.append(Problem(name, exc))
            try:
                stored = CaseIndex.load(self.path / INDEX_NAME, self._k_index, self.vault_id)
            except ImrError as exc:
                problems.append(Problem(INDEX_NAME, exc))
                stored = None
            index = self._ensure_index()
            on_disk = self._case_ids_on_disk()
            listed = {e.case_id for e in (stored or index).entries.values() if not e.deleting}
            for case_id in sorted(listed - on_disk):
                where = f"{CASES_DIR}/{case_id}{CASE_SUFFIX}"
                problems.append(Problem(where, CaseDamaged("case file missing", where=where)))
            for case_id in sorted(on_disk):
                problems.extend(self._verify_case(index, case_id))
            self._flush_index()
            return problems

    def _verify_case(self, index: CaseIndex, case_id: str) -> list[Problem]:
        where = f"{CASES_DIR}/{case_id}{CASE_SUFFIX}"
        existing = self._open_cases.get(case_id)
        try:
            if existing is not None and not existing.closed:
                found, generation, summary = existing.problems(), None, None
            else:
                with self._open_case_file(case_id) as case:
                    found = case.problems()
                    generation, summary = case.generation, case.summary
        except ImrError as exc:
            return [Problem(where, exc)]
        if generation is not None and summary is not None:
            self._index_dirty |= self._record_seen(index, case_id, generation, summary)
        entry = index.entries.get(case_id)
        if not found and entry is not None and entry.rollback:
            found = [
                CaseRolledBack(
                    "case file older than the last save seen",
                    where=where,
                    found=existing.generation if generation is None else generation,
                    last_seen=entry.generation,
                )
            ]
        return [Problem(where, err) for err in found]

    # --- locking ------------------------------------------------------------------------
    def lock(self) -> None:
        """Close every open case, zero the keys (best effort) and drop decrypted data.
        Further use raises VaultLocked."""
        with self._lock_op:
            with self._lock:
                if self._locked:
                    return
                self._locking = True  # from now on no case opens and nothing new starts
                cases = list(self._open_cases.values())
            # Outside the vault lock: closing waits for a save in progress (the case's
            # lock), and that save's notice takes the vault lock (M5).
            for case in cases:
                case._lock_out()
            with self._lock:
                self._flush_index()
                self._locked = True
                self._locking = False
                for key in (self._master, self._k_header, self._k_index, self._k_case):
                    crypto.zeroize(key)
                self._index = None
            log.info("vault locked")

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock()
