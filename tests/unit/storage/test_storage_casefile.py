"""Case files: records, attachments, streaming, locking, versions (T-INT-8 and friends)."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from storage_helpers import CHUNK, PASSPHRASE, add_bytes, sample_record, snapshot

from imrdesktop.domain.errors import (
    AttachmentDamaged,
    CaseClosed,
    CaseDamaged,
    CaseInUse,
    InvalidField,
    NewerFormat,
    UnknownAttachment,
    WriteFailed,
)
from imrdesktop.storage import crypto
from imrdesktop.storage.casefile import _derive_keys
from imrdesktop.storage.formats import case_v1
from imrdesktop.storage.vault import Vault

ROOT = Path(__file__).resolve().parents[3]


def test_records_roundtrip_and_one_transaction(vault: Vault) -> None:
    cid = vault.create_case(sample_record(), {"name": "A", "status": "open"})
    with vault.open_case(cid) as case:
        assert case.keys() == ["case"]
        assert case.generation == 1
        assert case.get("missing") is None
        case.save({"timeline": {"events": [1, 2, 3]}, "letter": {"text": "Dear …"}}, {"name": "B"})
        assert case.generation == 2
        assert case.keys() == ["case", "letter", "timeline"]
        case.save({"letter": None, "timeline": {"events": []}})
        assert case.keys() == ["case", "timeline"]
        assert case.summary == {"name": "B"}
        got = case.get("timeline")
        got["events"].append("mutating the copy does not change the case")
        assert case.get("timeline") == {"events": []}
    assert vault.list_cases()[0].summary == {"name": "B"}
    with vault.open_case(cid) as case:
        assert case.generation == 3
        assert case.get("timeline") == {"events": []}
        assert case.get("letter") is None


def test_bad_records_are_refused_before_writing(vault: Vault) -> None:
    cid = vault.create_case(sample_record())
    with vault.open_case(cid) as case:
        for bad in ({"x": {"f": float("nan")}}, {"x": {"f": object()}}, {"x": [1, 2]}, {"": {}}):
            with pytest.raises(InvalidField):
                case.save(bad)
        with pytest.raises(InvalidField):
            case.save({"ok": {}}, summary={"bad": {1, 2}})
        assert case.generation == 1
    with pytest.raises(InvalidField):
        vault.create_case({"x": float("inf")})


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17])
def test_attachment_sizes_roundtrip(vault: Vault, size: int) -> None:
    data = os.urandom(size)
    cid = vault.create_case(sample_record())
    with vault.open_case(cid) as case:
        att = add_bytes(case, data, title="scan", kind="medical_record")
        info = case.attachments()[0]
        assert (info.id, info.size, info.sha256) == (att, size, hashlib.sha256(data).hexdigest())
        assert info.meta == {"title": "scan", "kind": "medical_record"}
        chunks = list(case.open_attachment(att))
        assert len(chunks) == max(1, -(-size // CHUNK))
        assert b"".join(chunks) == data
    with vault.open_case(cid) as case:
        assert case.read_attachment(att) == data
        case.verify()


class TrickleSource(io.RawIOBase):
    """Returns at most 1000 bytes per read, like a pipe."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        n = min(n if n >= 0 else len(self._data), 1000)
        out, self._data = bytes(self._data[:n]), self._data[n:]
        return out


def test_short_reads_from_the_source(vault: Vault) -> None:
    data = os.urandom(CHUNK + 5000)
    cid = vault.create_case(sample_record())
    with vault.open_case(cid) as case:
        att = case.add_attachment(TrickleSource(data), {})
        assert case.read_attachment(att) == data


def test_large_attachment_streams_in_bounded_memory(vault: Vault, tmp_path: Path) -> None:
    size = 20 * CHUNK + 12345
    src = tmp_path / "big.bin"
    digest = hashlib.sha256()
    with open(src, "wb") as f:
        for i in range(21):
            block = (bytes([i]) * 997 + os.urandom(27))[:1024] * (CHUNK // 1024)
            block = block if i < 20 else block[:12345]
            digest.update(block)
            f.write(block)
    cid = vault.create_case(sample_record())
    with vault.open_case(cid) as case:
        tracemalloc.start()
        try:
            with open(src, "rb") as f:
                att = case.add_attachment(f, {"title": "big"})
            _cur, peak_in = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            out = hashlib.sha256()
            total = 0
            for piece in case.open_attachment(att):
                out.update(piece)
                total += len(piece)
            _cur, peak_out = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert total == size and out.hexdigest() == digest.hexdigest()
        assert peak_in < 8 * CHUNK, peak_in  # 20 MiB went through; at most a few chunks held
        assert peak_out < 4 * CHUNK, peak_out
        case.verify()


def test_attachment_meta_update_and_delete(vault: Vault) -> None:
    cid = vault.create_case(sample_record())
    with vault.open_case(cid) as case:
        a = add_bytes(case, b"first", title="one")
        b = add_bytes(case, b"second", title="two")
        assert [x.id for x in case.attachments()] == [a, b]
        case.update_attachment_meta(a, {"title": "uno", "pages": 3})
        assert case.attachments()[0].meta == {"title": "uno", "pages": 3}
        assert case.read_attachment(a) == b"first"
        case.delete_attachment(b)
        assert [x.id for x in case.attachments()] == [a]
        with pytest.raises(UnknownAttachment):
            case.read_attachment(b)
        with pytest.raises(UnknownAttachment):
            case.open_attachment("A-NOTREAL1")
        with pytest.raises(UnknownAttachment):
            case.delete_attachment("nonsense")
    with vault.open_case(cid) as case:
        assert case.attachments()[0].meta == {"title": "uno", "pages": 3}
        case.verify()
    assert vault.verify() == []


class FailingSource(io.RawIOBase):
    def __init__(self, good: int) -> None:
        self._left = good

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if self._left <= 0:
            raise OSError(5, "device error")
        n = min(n, self._left)
        self._left -= n
        return b"x" * n


def test_failed_import_leaves_the_case_as_it_was(vault: Vault) -> None:
    cid = vault.create_case(sample_record())
    with vault.open_case(cid) as case:
        add_bytes(case, b"kept")
        before = snapshot(case)
        gen = case.generation
        with pytest.raises(WriteFailed):
            case.add_attachment(FailingSource(20 * CHUNK + 3), {"title": "broken"})
        assert snapshot(case) == before
        assert case.generation == gen
        conn = case._conn
        assert conn.execute("SELECT COUNT(*) FROM chunk").fetchone()[0] == 1
    assert vault.verify() == []


def test_orphan_chunks_are_removed_and_not_damage(vault: Vault) -> None:
    cid = vault.create_case(sample_record())
    path = vault.case_path(cid)
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO chunk(blob_id, cver, idx, ct) VALUES (42, 1, 0, x'00112233')")
    conn.commit()
    conn.close()
    assert vault.verify() == []
    with vault.open_case(cid) as case:
        assert case._conn.execute("SELECT COUNT(*) FROM chunk").fetchone()[0] == 0


def test_closed_case_refuses_use(vault: Vault) -> None:
    cid = vault.create_case(sample_record())
    case = vault.open_case(cid)
    case.close()
    case.close()
    with pytest.raises(CaseClosed):
        case.get("case")
    with pytest.raises(CaseClosed):
        case.save({})


def test_attachment_iterator_stops_when_the_case_closes(vault: Vault) -> None:
    cid = vault.create_case(sample_record())
    case = vault.open_case(cid)
    att = add_bytes(case, os.urandom(2 * CHUNK + 1))
    chunks = case.open_attachment(att)
    next(chunks)
    case.close()
    with pytest.raises(CaseClosed):
        next(chunks)


def test_case_in_use_by_another_process(vault: Vault) -> None:
    cid = vault.create_case(sample_record())
    path = vault.case_path(cid)
    script = textwrap.dedent(
        f"""
        import sqlite3, sys, time
        from pathlib import Path
        from imrdesktop.storage import sqlite_util
        conn = sqlite_util.connect(Path({str(path)!r}))
        print("locked", flush=True)
        sys.stdin.readline()
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert child.stdout.readline().strip() == "locked"
        with pytest.raises(CaseInUse):
            vault.open_case(cid)
        with pytest.raises(CaseInUse):
            vault.delete_case(cid)
        problems = vault.verify()
        assert [type(p.error) for p in problems] == [CaseInUse]
    finally:
        child.communicate("done\n", timeout=30)
    with vault.open_case(cid) as case:
        assert case.get("case") == sample_record()


def _rewrite_format(vault: Vault, cid: str, major: int, minor: int) -> None:
    """Make a case claim another format version, with a valid header hash and MAC."""
    path = vault.case_path(cid)
    conn = sqlite3.connect(path, isolation_level=None)
    meta = dict(conn.execute("SELECT key, value FROM meta"))
    dek = bytearray(
        crypto.open_sealed(
            vault._k_case, meta["dek"], case_v1.dek_aad(vault.vault_id, cid), CaseDamaged
        )
    )
    keys = _derive_keys(dek, cid)
    meta["format"] = case_v1.format_bytes(major, minor)
    meta["header_sha256"] = case_v1.header_sha256(meta)
    meta["header_mac"] = crypto.hmac_sha256(keys.header_mac, case_v1.header_bytes(meta))
    for key in ("format", "header_sha256", "header_mac"):
        conn.execute("UPDATE meta SET value = ? WHERE key = ?", (meta[key], key))
    conn.execute(f"PRAGMA user_version={major * 100 + minor}")
    conn.close()


def test_newer_major_case_refused_newer_minor_read_only(vault: Vault) -> None:
    cid = vault.create_case(sample_record())
    _rewrite_format(vault, cid, 1, 7)
    with vault.open_case(cid) as case:
        assert case.read_only
        assert case.get("case") == sample_record()
        with pytest.raises(NewerFormat) as e:
            case.save({"x": {}})
        assert e.value.params["read_only"] is True
    _rewrite_format(vault, cid, 2, 0)
    with pytest.raises(NewerFormat) as e:
        vault.open_case(cid)
    assert e.value.exit_code == 3
    assert e.value.params["found"] == "2.0"


def test_case_file_swapped_under_another_name_is_detected(vault: Vault) -> None:
    a = vault.create_case(sample_record(1))
    b = vault.create_case(sample_record(2))
    shutil.copyfile(vault.case_path(a), vault.case_path(b))
    with pytest.raises(CaseDamaged):
        vault.open_case(b)


def test_case_from_another_vault_is_refused(vault: Vault, tmp_path: Path) -> None:
    other, _ = Vault.create(tmp_path / "other", PASSPHRASE)
    cid = other.create_case(sample_record())
    other.lock()
    shutil.copyfile(other.case_path(cid), vault.case_path(cid))
    with pytest.raises(CaseDamaged):
        vault.open_case(cid)


def test_whole_file_rollback_is_flagged(vault: Vault, tmp_path: Path) -> None:
    cid = vault.create_case(sample_record())
    old = tmp_path / "old.imrcase"
    shutil.copyfile(vault.case_path(cid), old)
    with vault.open_case(cid) as case:
        case.save({"note": {"n": 1}})
        case.save({"note": {"n": 2}})
        assert not case.rollback_suspected
    shutil.copyfile(old, vault.case_path(cid))
    with vault.open_case(cid) as case:
        assert case.rollback_suspected
        assert case.generation == 1


def test_a_wrong_path_never_creates_a_database(vault: Vault) -> None:
    from imrdesktop.storage import sqlite_util

    missing = vault.cases_dir / "C-00000000.imrcase"
    with pytest.raises(CaseDamaged):
        sqlite_util.connect(missing)
    assert not missing.exists()


def test_damaged_chunk_raises_before_yielding_it(vault: Vault) -> None:
    cid = vault.create_case(sample_record())
    with vault.open_case(cid) as case:
        att = add_bytes(case, os.urandom(2 * CHUNK + 10))
    conn = sqlite3.connect(vault.case_path(cid), isolation_level=None)
    ct = bytearray(conn.execute("SELECT ct FROM chunk WHERE idx = 1").fetchone()[0])
    ct[100] ^= 1
    conn.execute("UPDATE chunk SET ct = ? WHERE idx = 1", (bytes(ct),))
    conn.close()
    with vault.open_case(cid) as case:
        chunks = case.open_attachment(att)
        assert len(next(chunks)) == CHUNK
        with pytest.raises(AttachmentDamaged) as e:
            next(chunks)
        assert e.value.exit_code == 3
        with pytest.raises(AttachmentDamaged):
            case.verify()


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
records_st = st.dictionaries(
    st.text(min_size=1, max_size=12),
    st.one_of(st.none(), st.dictionaries(st.text(max_size=8), json_values, max_size=4)),
    max_size=4,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(records_st, min_size=1, max_size=4))
def test_property_records_roundtrip(tmp_path_factory, steps) -> None:
    """T-INT-8: random edits, deletes, saves and reopens always read back the model."""
    path = tmp_path_factory.mktemp("prop") / "vault"
    vault, _ = Vault.create(path, PASSPHRASE)
    try:
        cid = vault.create_case({"seed": True})
        model: dict = {"case": {"seed": True}}
        for step in steps:
            with vault.open_case(cid) as case:
                case.save(step)
                for name, value in step.items():
                    if value is None:
                        model.pop(name, None)
                    else:
                        model[name] = value
                assert {k: case.get(k) for k in case.keys()} == model  # noqa: SIM118
            with vault.open_case(cid) as case:
                assert {k: case.get(k) for k in case.keys()} == model  # noqa: SIM118
    finally:
        vault.lock()


def test_flipped_version_bytes_read_as_damage_not_newer(vault: Vault) -> None:
    """user_version (SQLite header bytes 60–63) is believed to be newer only when the meta
    rows agree with it and their unkeyed checksum holds: a flipped bit is damage (L9)."""
    cid = vault.create_case(sample_record())
    path = vault.case_path(cid)
    good = path.read_bytes()
    assert int.from_bytes(good[60:64], "big") == case_v1.USER_VERSION
    for offset in range(60, 64):
        for mask in (0xFF, 0x01, 0x02, 0x10, 0x80):
            bad = bytearray(good)
            bad[offset] ^= mask
            path.write_bytes(bytes(bad))
            with pytest.raises(CaseDamaged):
                vault.open_case(cid)
            assert [type(p.error) for p in vault.verify()] == [CaseDamaged]
    path.write_bytes(good)
    # a newer major whose meta rows say so (checksum intact) is still "newer"
    _rewrite_format(vault, cid, 3, 1)
    with pytest.raises(NewerFormat):
        vault.open_case(cid)
    # ... but not with a damaged checksum
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("UPDATE meta SET value = zeroblob(32) WHERE key = 'header_sha256'")
    conn.close()
    with pytest.raises(CaseDamaged):
        vault.open_case(cid)


def _rolled_back_case(vault: Vault, tmp_path: Path) -> str:
    """A case whose file was replaced by an older copy of itself (generation 1 of 3)."""
    cid = vault.create_case(sample_record(), {"name": "v1"})
    old = tmp_path / "old.imrcase"
    shutil.copyfile(vault.case_path(cid), old)
    with vault.open_case(cid) as case:
        case.save({"note": {"n": 1}}, {"name": "v2"})
        case.save({"note": {"n": 2}}, {"name": "v3"})
    shutil.copyfile(old, vault.case_path(cid))
    return cid


def test_rollback_stays_flagged_until_acknowledged(vault: Vault, tmp_path: Path) -> None:
    """M4: the index keeps the highest generation seen, so the flag survives reopening the
    case, locking the vault and saving the old copy; verify reports it; only
    acknowledge_rollback clears it."""
    from imrdesktop.domain.errors import CaseRolledBack, DamagedData

    cid = _rolled_back_case(vault, tmp_path)
    for _ in range(2):
        with vault.open_case(cid) as case:
            assert case.rollback_suspected
            assert case.generation == 1
    [listed] = vault.list_cases()
    assert listed.rollback_suspected and listed.summary == {"name": "v1"}
    [problem] = vault.verify()
    assert problem.where == f"cases/{cid}.imrcase"
    assert isinstance(problem.error, CaseRolledBack) and isinstance(problem.error, DamagedData)
    assert problem.error.exit_code == 3
    assert (problem.error.params["found"], problem.error.params["last_seen"]) == (1, 3)
    vault.lock()
    with Vault.open(vault.path, PASSPHRASE) as again:
        with again.open_case(cid) as case:
            assert case.rollback_suspected
            for n in range(4):  # saving the old copy, even past the old generation
                case.save({"note": {"n": 10 + n}})
            assert case.generation == 5
        with again.open_case(cid) as case:
            assert case.rollback_suspected
        assert [type(p.error) for p in again.verify()] == [CaseRolledBack]
        again.acknowledge_rollback(cid)
        assert again.verify() == []
        assert not again.list_cases()[0].rollback_suspected
        with again.open_case(cid) as case:
            assert not case.rollback_suspected
    with Vault.open(vault.path, PASSPHRASE) as again, again.open_case(cid) as case:
        assert not case.rollback_suspected


def test_rollback_is_found_by_verify_without_opening_the_case(vault: Vault, tmp_path) -> None:
    from imrdesktop.domain.errors import CaseRolledBack, UnknownCase

    cid = _rolled_back_case(vault, tmp_path)
    vault.lock()
    with Vault.open(vault.path, PASSPHRASE) as again:
        assert [type(p.error) for p in again.verify()] == [CaseRolledBack]
        with again.open_case(cid) as case:
            assert case.rollback_suspected
            again.acknowledge_rollback(cid)  # while it is open
            assert not case.rollback_suspected
        assert again.verify() == []
        with pytest.raises(UnknownCase):
            again.acknowledge_rollback("C-00000000")
