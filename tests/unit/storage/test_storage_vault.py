"""Vault: create, open, wrong passphrase, damage vs wrong passphrase, recovery, lock."""

from __future__ import annotations

import hashlib
import json
import os
import struct
from pathlib import Path

import pytest
from storage_helpers import OTHER_PASSPHRASE, PASSPHRASE, sample_record

from imrdesktop.domain.errors import (
    BadRecoveryKey,
    CaseInUse,
    NewerFormat,
    NotAVault,
    NoVault,
    UnknownCase,
    VaultDamaged,
    VaultExists,
    VaultLocked,
    WeakPassphrase,
    WrongPassphrase,
    WrongRecoveryKey,
)
from imrdesktop.storage import recovery
from imrdesktop.storage.formats import vault_header
from imrdesktop.storage.vault import BACKUP_NAME, HEADER_NAME, Vault


def rewrite_header_body(path: Path, edit) -> None:
    """Change the header JSON and fix its unkeyed checksum (a deliberate tamper)."""
    data = (path / HEADER_NAME).read_bytes()
    _m, major, minor, n = vault_header.PREFIX.unpack_from(data)
    body = json.loads(data[16 : 16 + n])
    major, minor = edit(body, major, minor) or (major, minor)
    raw = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    head = vault_header.PREFIX.pack(b"IMRVAULT", major, minor, len(raw)) + raw
    (path / HEADER_NAME).write_bytes(head + hashlib.sha256(head).digest())


def test_create_open_roundtrip(vault_path: Path) -> None:
    vault, key = Vault.create(vault_path, PASSPHRASE)
    assert Vault.exists(vault_path)
    assert not vault.locked
    cid = vault.create_case(sample_record(), {"name": "A"})
    assert cid.startswith("C-") and len(cid) == 10
    vault.lock()
    again = Vault.open(vault_path, PASSPHRASE)
    assert again.vault_id == vault.vault_id
    assert [c.case_id for c in again.list_cases()] == [cid]
    with again.open_case(cid) as case:
        assert case.get("case") == sample_record()
    again.lock()
    # files are private and names carry no client data
    assert oct(vault_path.stat().st_mode & 0o777) == "0o700"
    for f in vault_path.rglob("*"):
        if f.is_file():
            assert f.stat().st_mode & 0o077 == 0, f.name
    assert recovery.parse(key)


def test_create_refuses_existing_and_weak(vault_path: Path) -> None:
    Vault.create(vault_path, PASSPHRASE)[0].lock()
    with pytest.raises(VaultExists):
        Vault.create(vault_path, PASSPHRASE)
    other = vault_path.parent / "other"
    other.mkdir()
    (other / "notes.txt").write_text("x")
    with pytest.raises(VaultExists):
        Vault.create(other, PASSPHRASE)
    with pytest.raises(WeakPassphrase):
        Vault.create(vault_path.parent / "weak", "password")
    assert not (vault_path.parent / "weak").exists()


def test_wrong_passphrase_is_exit_4(vault_path: Path) -> None:
    Vault.create(vault_path, PASSPHRASE)[0].lock()
    with pytest.raises(WrongPassphrase) as e:
        Vault.open(vault_path, OTHER_PASSPHRASE)
    assert e.value.exit_code == 4


def test_no_vault_and_not_a_vault(tmp_path: Path) -> None:
    with pytest.raises(NoVault):
        Vault.open(tmp_path / "missing", PASSPHRASE)
    (tmp_path / "empty").mkdir()
    with pytest.raises(NoVault):
        Vault.open(tmp_path / "empty", PASSPHRASE)
    (tmp_path / "file").write_bytes(b"hello")
    with pytest.raises(NotAVault):
        Vault.open(tmp_path / "file", PASSPHRASE)
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / HEADER_NAME).write_bytes(b"%PDF-1.7 not ours at all" * 10)
    with pytest.raises(NotAVault) as e:
        Vault.open(foreign, PASSPHRASE)
    assert e.value.exit_code == 3


def test_truncated_header_is_damage_not_wrong_passphrase(vault_path: Path) -> None:
    Vault.create(vault_path, PASSPHRASE)[0].lock()
    data = (vault_path / HEADER_NAME).read_bytes()
    assert (vault_path / BACKUP_NAME).read_bytes() == data
    for cut in (0, 3, 8, 15, 16, 100, len(data) - 32, len(data) - 1):
        # the header alone: opened from its copy, and rewritten (H4)
        (vault_path / HEADER_NAME).write_bytes(data[:cut])
        with Vault.open(vault_path, PASSPHRASE) as opened:
            assert opened.header_repaired
        assert (vault_path / HEADER_NAME).read_bytes() == data
        # both copies: damage, never "wrong passphrase"
        for name in (HEADER_NAME, BACKUP_NAME):
            (vault_path / name).write_bytes(data[:cut])
        with pytest.raises(VaultDamaged) as e:
            Vault.open(vault_path, PASSPHRASE)
        assert e.value.exit_code == 3
        (vault_path / BACKUP_NAME).write_bytes(data)


def test_every_header_byte_flip_is_repaired_from_the_copy(vault_path: Path, caplog) -> None:
    """H4: the unkeyed checksum catches any accidental change; the vault then opens from
    vault.imrv.bak (identical since creation) and rewrites vault.imrv from it."""
    vault, _ = Vault.create(vault_path, PASSPHRASE)
    cid = vault.create_case(sample_record(), {"name": "kept"})
    vault.lock()
    original = (vault_path / HEADER_NAME).read_bytes()
    assert (vault_path / BACKUP_NAME).read_bytes() == original
    for i in range(len(original)):
        flipped = bytearray(original)
        flipped[i] ^= 0xFF
        (vault_path / HEADER_NAME).write_bytes(bytes(flipped))
        with Vault.open(vault_path, PASSPHRASE) as opened:
            assert opened.header_repaired, i
            assert [c.case_id for c in opened.list_cases()] == [cid]
            assert opened.verify() == []
        assert (vault_path / HEADER_NAME).read_bytes() == original, i
    assert "opened from its backup copy" in caplog.text
    with Vault.open(vault_path, PASSPHRASE) as opened:
        assert not opened.header_repaired


def test_every_byte_flip_in_both_header_copies_reads_as_damage(vault_path: Path) -> None:
    """H4: with both copies damaged the vault is VaultDamaged (exit 3) — not "not a vault",
    not "newer", not "wrong passphrase"."""
    Vault.create(vault_path, PASSPHRASE)[0].lock()
    original = (vault_path / HEADER_NAME).read_bytes()
    for i in range(len(original)):
        flipped = bytearray(original)
        flipped[i] ^= 0xFF
        for name in (HEADER_NAME, BACKUP_NAME):
            (vault_path / name).write_bytes(bytes(flipped))
        with pytest.raises(VaultDamaged) as e:
            Vault.open(vault_path, PASSPHRASE)
        assert e.value.exit_code == 3
        # the copy alone damaged: opens normally, and the copy is rewritten from the header
        (vault_path / HEADER_NAME).write_bytes(original)
        with Vault.open(vault_path, PASSPHRASE) as opened:
            assert not opened.header_repaired
        assert (vault_path / BACKUP_NAME).read_bytes() == original


def test_damaged_header_opens_from_its_copy_after_a_passphrase_change(vault_path: Path) -> None:
    """H4: the copy follows every rewrite, and the old passphrase opens neither copy."""
    vault, key = Vault.create(vault_path, PASSPHRASE)
    vault.change_passphrase(OTHER_PASSPHRASE)
    vault.lock()
    data = (vault_path / HEADER_NAME).read_bytes()
    assert (vault_path / BACKUP_NAME).read_bytes() == data
    (vault_path / HEADER_NAME).write_bytes(data[:-5] + b"XXXXX")
    with pytest.raises(WrongPassphrase):
        Vault.open(vault_path, PASSPHRASE)  # via the copy: the old passphrase is revoked
    with Vault.open(vault_path, OTHER_PASSPHRASE) as opened:
        assert opened.header_repaired
    assert (vault_path / HEADER_NAME).read_bytes() == data
    (vault_path / HEADER_NAME).unlink()  # a missing header is damage too
    assert Vault.exists(vault_path)
    with Vault.open_with_recovery_key(vault_path, key) as opened:
        assert opened.header_repaired
    assert (vault_path / HEADER_NAME).read_bytes() == data
    for name in (HEADER_NAME, BACKUP_NAME):
        other = vault_path.parent / f"copy-of-{name}"
        other.mkdir()
        (other / HEADER_NAME).write_bytes((vault_path / name).read_bytes())
        with pytest.raises(WrongPassphrase):
            Vault.open(other, PASSPHRASE)


def test_header_copy_exists_from_creation_and_follows_every_rewrite(vault_path: Path) -> None:
    """H4: one rule — vault.imrv.bak is byte-identical to vault.imrv after every write."""
    vault, _ = Vault.create(vault_path, PASSPHRASE)

    def same() -> bool:
        return (vault_path / HEADER_NAME).read_bytes() == (vault_path / BACKUP_NAME).read_bytes()

    assert same()
    vault.change_passphrase(OTHER_PASSPHRASE)
    assert same()
    vault._set_passphrase(OTHER_PASSPHRASE)  # what a KDF upgrade does
    assert same()
    vault.forget_on_this_computer()
    assert same()
    vault.lock()
    (vault_path / BACKUP_NAME).unlink()  # e.g. a vault made by an older version
    Vault.open(vault_path, OTHER_PASSPHRASE).lock()  # unlocking puts the copy back
    assert same()


def test_failed_header_write_leaves_both_copies_as_they_were(vault, vault_path, monkeypatch):
    """H4: the copy is written first; if the header then fails, the copy is put back."""
    import errno

    before = {n: (vault_path / n).read_bytes() for n in (HEADER_NAME, BACKUP_NAME)}
    real_replace = os.replace
    calls = []

    def replace(src, dst):
        calls.append(Path(dst).name)
        if Path(dst).name == HEADER_NAME:
            raise OSError(errno.EIO, "injected")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(Exception) as e:
        vault.change_passphrase(OTHER_PASSPHRASE)
    assert e.value.exit_code == 1
    monkeypatch.undo()
    assert calls[:2] == [BACKUP_NAME, HEADER_NAME]
    assert {n: (vault_path / n).read_bytes() for n in before} == before
    vault.lock()
    Vault.open(vault_path, PASSPHRASE).lock()


def test_tampered_but_checksummed_header_is_refused(vault_path: Path) -> None:
    Vault.create(vault_path, PASSPHRASE)[0].lock()

    def swap_mac(body, major, minor):
        body["mac"] = "A" * 43 + "="

    rewrite_header_body(vault_path, swap_mac)
    with pytest.raises(VaultDamaged):
        Vault.open(vault_path, PASSPHRASE)


def test_newer_major_refused_newer_minor_read_only(vault_path: Path) -> None:
    vault, _ = Vault.create(vault_path, PASSPHRASE)
    cid = vault.create_case(sample_record())
    vault.lock()
    good = (vault_path / HEADER_NAME).read_bytes()
    rewrite_header_body(vault_path, lambda b, major, minor: (2, 0))
    with pytest.raises(NewerFormat) as e:
        Vault.open(vault_path, PASSPHRASE)
    assert e.value.exit_code == 3
    assert e.value.params["found"] == "2.0"
    (vault_path / HEADER_NAME).write_bytes(good)
    # A newer minor with a field we do not know: the MAC covers it, so rebuild the MAC by
    # hand is impossible without the key; instead check the reader accepts the shape and
    # that the vault is then refused as damaged (MAC) rather than mis-parsed.
    rewrite_header_body(vault_path, lambda b, major, minor: b.update(future=1) or (1, 1))
    with pytest.raises(VaultDamaged):
        Vault.open(vault_path, PASSPHRASE)
    (vault_path / HEADER_NAME).write_bytes(good)
    with Vault.open(vault_path, PASSPHRASE) as v:
        assert not v.read_only
        assert [c.case_id for c in v.list_cases()] == [cid]


def test_recovery_key_opens_and_resets_passphrase(vault_and_key, vault_path: Path) -> None:
    vault, key = vault_and_key
    cid = vault.create_case(sample_record(), {"name": "R"})
    vault.lock()
    with pytest.raises(BadRecoveryKey):
        Vault.open_with_recovery_key(vault_path, key[:-1] + ("0" if key[-1] != "0" else "1"))
    with pytest.raises(BadRecoveryKey):
        Vault.open_with_recovery_key(vault_path, "not a key")
    other_secret, other_text = recovery.generate()
    with pytest.raises(WrongRecoveryKey) as e:
        Vault.open_with_recovery_key(vault_path, other_text)
    assert e.value.exit_code == 4
    # forgiving input: lower case, spaces, O for 0
    typed = key.lower().replace("-", " ").replace("0", "o")
    rescued = Vault.open_with_recovery_key(vault_path, typed)
    rescued.change_passphrase(OTHER_PASSPHRASE)
    rescued.lock()
    with pytest.raises(WrongPassphrase):
        Vault.open(vault_path, PASSPHRASE)
    with Vault.open(vault_path, OTHER_PASSPHRASE) as v, v.open_case(cid) as case:
        assert case.get("case") == sample_record()
    # the old passphrase does not open the header backup either
    backup_dir = vault_path.parent / "from-backup"
    backup_dir.mkdir()
    (backup_dir / HEADER_NAME).write_bytes((vault_path / BACKUP_NAME).read_bytes())
    with pytest.raises(WrongPassphrase):
        Vault.open(backup_dir, PASSPHRASE)
    Vault.open_with_recovery_key(vault_path, key).lock()


def test_recovery_key_format() -> None:
    secret, text = recovery.generate()
    groups = text.split("-")
    assert len(groups) == 9 and all(len(g) == 4 for g in groups)
    assert recovery.parse(text) == secret
    # every single-character typo is caught by the check group or the alphabet
    caught = 0
    for i, ch in enumerate(text):
        if ch == "-":
            continue
        for repl in "0123456789ABCDEFGHJKMNPQRSTVWXYZ":
            if repl == ch:
                continue
            typo = text[:i] + repl + text[i + 1 :]
            with pytest.raises(BadRecoveryKey):
                recovery.parse(typo)
            caught += 1
    assert caught > 1000


def test_lock_zeroes_keys_and_refuses_use(vault: Vault) -> None:
    cid = vault.create_case(sample_record())
    case = vault.open_case(cid)
    master = vault._master
    case_keys = case._keys
    record_key = case_keys.record
    assert any(master) and any(record_key)
    vault.lock()
    assert vault.locked
    assert not any(master)
    assert not any(record_key)
    for call in (
        vault.list_cases,
        lambda: vault.open_case(cid),
        lambda: vault.create_case({}),
        lambda: vault.change_passphrase(OTHER_PASSPHRASE),
        vault.verify,
        lambda: case.get("case"),
        case.keys,
        lambda: case.save({"x": {}}),
    ):
        with pytest.raises(VaultLocked):
            call()
    vault.lock()  # idempotent


def test_lock_drops_decrypted_objects(vault: Vault) -> None:
    import gc
    import weakref

    cid = vault.create_case(sample_record(), {"name": "weak"})
    case = vault.open_case(cid)
    summaries = vault.list_cases()
    ref_case = weakref.ref(case)
    ref_index = weakref.ref(vault._index)
    del case, summaries
    vault.lock()
    gc.collect()
    assert ref_case() is None
    assert ref_index() is None


def test_cases_open_once(vault: Vault) -> None:
    cid = vault.create_case(sample_record())
    with vault.open_case(cid):
        with pytest.raises(CaseInUse) as e:
            vault.open_case(cid)
        assert e.value.exit_code == 1
        with pytest.raises(CaseInUse):
            vault.delete_case(cid)
    with vault.open_case(cid):
        pass


def test_unknown_and_deleted_cases(vault: Vault) -> None:
    for bad in ("C-00000000", "../../etc/passwd", "", "C-1234"):
        with pytest.raises(UnknownCase):
            vault.open_case(bad)
    cid = vault.create_case(sample_record())
    vault.delete_case(cid)
    assert vault.list_cases() == []
    with pytest.raises(UnknownCase):
        vault.open_case(cid)
    with pytest.raises(UnknownCase):
        vault.delete_case(cid)
    assert vault.verify() == []


def test_index_is_rebuilt_when_lost_or_damaged(vault_path: Path) -> None:
    vault, _ = Vault.create(vault_path, PASSPHRASE)
    ids = {vault.create_case(sample_record(i), {"name": f"n{i}"}) for i in range(3)}
    vault.lock()
    (vault_path / "index.imri").unlink()
    with Vault.open(vault_path, PASSPHRASE) as v:
        assert {c.case_id for c in v.list_cases()} == ids
        assert sorted(c.summary["name"] for c in v.list_cases()) == ["n0", "n1", "n2"]
        assert v.verify() == []
    data = bytearray((vault_path / "index.imri").read_bytes())
    data[40] ^= 1
    (vault_path / "index.imri").write_bytes(bytes(data))
    with Vault.open(vault_path, PASSPHRASE) as v:
        problems = v.verify()
        assert [p.where for p in problems] == ["index.imri"]
        assert isinstance(problems[0].error, VaultDamaged)
        assert {c.case_id for c in v.list_cases()} == ids
    with Vault.open(vault_path, PASSPHRASE) as v:
        assert v.verify() == []  # the rebuilt index was written back


def test_verify_reports_missing_and_damaged_cases(vault: Vault) -> None:
    a = vault.create_case(sample_record(1))
    b = vault.create_case(sample_record(2))
    assert vault.verify() == []
    vault.case_path(a).unlink()
    p = vault.case_path(b)
    data = bytearray(p.read_bytes())
    data[-100] ^= 0xFF
    p.write_bytes(bytes(data))
    problems = {pr.where: pr.error for pr in vault.verify()}
    assert set(problems) == {f"cases/{a}.imrcase", f"cases/{b}.imrcase"}
    assert all(e.exit_code == 3 for e in problems.values())
    # names in problems are structural only
    assert all("Nguy" not in str(e) for e in problems.values())


def test_leftovers_are_not_problems(vault: Vault) -> None:
    cid = vault.create_case(sample_record())
    (vault.path / ".imrtmp-0123456789abcdef.tmp").write_bytes(os.urandom(100))
    (vault.cases_dir / ".imrtmp-fedcba9876543210.tmp").write_bytes(os.urandom(100))
    (vault.cases_dir / "C-ZZZZZZZZ.imrcase.part").write_bytes(os.urandom(100))
    assert vault.verify() == []
    assert [c.case_id for c in vault.list_cases()] == [cid]


def test_header_reveals_no_client_data(vault: Vault) -> None:
    vault.create_case(sample_record(), {"name": "Nguyễn Văn Anh"})
    data = (vault.path / HEADER_NAME).read_bytes()
    _m, _a, _b, n = struct.unpack_from(">8sHHI", data)
    body = json.loads(data[16 : 16 + n])
    assert set(body) == {"vault_id", "kdf", "slots", "mac"}
    assert set(body["slots"]) == {"passphrase", "recovery"}


def test_newer_minor_vault_opens_read_only(vault_path: Path) -> None:
    vault, _ = Vault.create(vault_path, PASSPHRASE)
    cid = vault.create_case(sample_record(), {"name": "M"})
    newer = vault._sealed(vault._header.with_(minor=3, extra={"future_field": [1, 2]}))
    raw = json.dumps(newer.body(with_mac=True), sort_keys=True, separators=(",", ":")).encode()
    head = vault_header.PREFIX.pack(b"IMRVAULT", 1, 3, len(raw)) + raw
    vault.lock()
    (vault_path / HEADER_NAME).write_bytes(head + hashlib.sha256(head).digest())
    with Vault.open(vault_path, PASSPHRASE) as opened:
        assert opened.read_only
        assert [c.case_id for c in opened.list_cases()] == [cid]
        with opened.open_case(cid) as case:
            assert case.get("case") == sample_record()
            with pytest.raises(NewerFormat):
                case.save({"x": {}})
        for write in (
            lambda: opened.create_case({}),
            lambda: opened.change_passphrase(OTHER_PASSPHRASE),
            lambda: opened.delete_case(cid),
        ):
            with pytest.raises(NewerFormat) as e:
                write()
            assert e.value.params["read_only"] is True
        assert opened.verify() == []


def test_flipped_version_bytes_of_the_header_are_damage_not_newer(vault_path: Path) -> None:
    """The header's envelope (magic, version, length, body, SHA-256) is checked before the
    version is believed: a flipped version byte is VaultDamaged, never NewerFormat (L9)."""
    Vault.create(vault_path, PASSPHRASE)[0].lock()
    good = (vault_path / HEADER_NAME).read_bytes()
    for offset in range(8, 12):
        for mask in (0xFF, 0x01, 0x02, 0x80):
            bad = bytearray(good)
            bad[offset] ^= mask
            with pytest.raises(VaultDamaged):
                vault_header.decode(bytes(bad))


def test_lock_during_a_save_does_not_deadlock(tmp_path: Path, monkeypatch) -> None:
    """M5: a save's "saved" callback needs the vault lock; Vault.lock() needs each case's
    lock. Neither may be waited for while holding the other."""
    import threading
    import time

    vault, _ = Vault.create(tmp_path / "v", PASSPHRASE)  # not the fixture: no teardown lock
    cid = vault.create_case(sample_record(), {"name": "A"})
    in_callback = threading.Event()
    original = Vault._case_saved

    def slow_saved(self, *args):
        in_callback.set()
        time.sleep(0.3)  # widen the window: lock() runs now
        original(self, *args)

    monkeypatch.setattr(Vault, "_case_saved", slow_saved)  # before the case binds it
    case = vault.open_case(cid)
    errors: list[BaseException] = []

    def save() -> None:
        try:
            case.save({"note": {"x": 1}}, summary={"name": "B"})
        except BaseException as exc:  # reported below
            errors.append(exc)

    saver = threading.Thread(target=save, daemon=True)
    saver.start()
    assert in_callback.wait(5)
    locker = threading.Thread(target=vault.lock, daemon=True)
    locker.start()
    locker.join(5)
    saver.join(5)
    assert not locker.is_alive() and not saver.is_alive(), "deadlock"
    assert errors == []
    assert vault.locked and case.closed
    monkeypatch.undo()
    with Vault.open(tmp_path / "v", PASSPHRASE) as again:  # the save and its summary stuck
        assert [c.summary for c in again.list_cases()] == [{"name": "B"}]
        with again.open_case(cid) as reopened:
            assert reopened.get("note") == {"x": 1}
            assert reopened.generation == 2


def test_probe_sees_a_repairable_header_as_sound(vault_path: Path) -> None:
    """storage.probe (asked before the passphrase) agrees with what opening does."""
    from imrdesktop.storage import probe

    Vault.create(vault_path, PASSPHRASE)[0].lock()
    data = (vault_path / HEADER_NAME).read_bytes()
    (vault_path / HEADER_NAME).write_bytes(data[:-1])
    probe.check_vault(vault_path)  # the copy is sound
    (vault_path / BACKUP_NAME).write_bytes(data[:-1])
    with pytest.raises(VaultDamaged):
        probe.check_vault(vault_path)


def test_wrapping_keys_are_zeroed_after_use(vault_path: Path, tmp_path: Path, monkeypatch) -> None:
    """L6: every key that wraps the master key (passphrase, recovery, keyring slots) or a
    bundle's file key is a bytearray zeroed once used, on success and on failure."""
    from imrdesktop.storage import bundle, crypto
    from imrdesktop.storage import vault as vault_module

    labels = {
        vault_module._LABEL_PASSPHRASE_SLOT,
        vault_module._LABEL_RECOVERY_SLOT,
        vault_module._LABEL_KEYRING_SLOT,
        bundle._LABEL_WRAP,
        bundle._LABEL_PAYLOAD,
    }
    made: list[tuple[bytes, bytearray]] = []
    real_hkdf = crypto.hkdf

    def spy(key, label, **kwargs):
        out = real_hkdf(key, label, **kwargs)
        if label in labels:
            made.append((label, out))
        return out

    monkeypatch.setattr(crypto, "hkdf", spy)

    class Keyring:
        items: dict = {}

        def set_password(self, s, u, p):
            self.items[(s, u)] = p

        def get_password(self, s, u):
            return self.items.get((s, u))

        def delete_password(self, s, u):
            self.items.pop((s, u), None)

    vault, key = Vault.create(vault_path, PASSPHRASE)
    cid = vault.create_case(sample_record())
    vault.remember_on_this_computer(shared_pc=False, backend=Keyring())
    vault.change_passphrase(OTHER_PASSPHRASE)
    vault.export_case(cid, tmp_path / "b.imrbundle", "a bundle passphrase for the test")
    vault.import_case(tmp_path / "b.imrbundle", "a bundle passphrase for the test")
    vault.lock()
    Vault.open(vault_path, OTHER_PASSPHRASE).lock()
    Vault.open_with_recovery_key(vault_path, key).lock()
    Vault.open_with_keyring(vault_path, Keyring()).lock()
    with pytest.raises(WrongPassphrase):
        Vault.open(vault_path, PASSPHRASE)
    with pytest.raises(WrongRecoveryKey):
        Vault.open_with_recovery_key(vault_path, recovery.generate()[1])
    assert {label for label, _ in made} == labels
    assert [label for label, buf in made if any(buf)] == []
