"""T-INT-1, T-INT-3, T-INT-4: every single-byte change, every truncation, and moved,
swapped, replayed or deleted rows and chunks are detected — or harmless (identical content).

Never different content, never an exception outside our ImrError family, never a hang.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import random
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from storage_helpers import CHUNK, PASSPHRASE, sample_record, snapshot

from imrdesktop.domain.errors import AttachmentDamaged, CaseDamaged, ImrError
from imrdesktop.storage.casefile import CaseFile
from imrdesktop.storage.vault import Vault

HANG_LIMIT_S = 2.0


def build_reference(vault: Vault, seed: int = 7) -> tuple[str, dict[str, Any]]:
    """~45 KiB: 30 records, 2 small attachments, an edited summary."""
    rnd = random.Random(seed)
    cid = vault.create_case(sample_record(), {"name": "Reference", "status": "open"})
    with vault.open_case(cid) as case:
        records = {
            f"note-{i:02d}": {
                "text": "".join(
                    rnd.choice("abcdefghij klmnop ✓é") for _ in range(rnd.randint(20, 240))
                ),
                "n": i,
                "tags": ["x", i],
            }
            for i in range(29)
        }
        case.save(records, {"name": "Reference", "status": "ready"})
        case.add_attachment(io.BytesIO(rnd.randbytes(2500)), {"title": "denial letter"})
        case.add_attachment(io.BytesIO(rnd.randbytes(4000)), {"title": "photo"})
        expected = snapshot(case)
    assert len(expected["records"]) == 30
    return cid, expected


def read_all(vault: Vault, cid: str) -> dict[str, Any]:
    with vault.open_case(cid) as case:
        return snapshot(case)


def outcome(vault: Vault, cid: str, expected: dict[str, Any]) -> str:
    """ "detected", "identical", or an assertion failure."""
    for suffix in ("-wal", "-shm", "-journal"):
        with_suffix = Path(str(vault.case_path(cid)) + suffix)
        if with_suffix.exists():
            with_suffix.unlink()
    start = time.monotonic()
    try:
        got = read_all(vault, cid)
    except ImrError:
        return "detected"
    finally:
        assert time.monotonic() - start < HANG_LIMIT_S
    assert got == expected, "silently different content"
    return "identical"


# --- T-INT-1: every byte --------------------------------------------------------------
_SWEEP: dict[str, Any] = {}


def _sweep(task: tuple[int, int, int, str]) -> dict[str, Any]:
    """Flip offsets start, start+step, … < stop of the reference file (runs in a fork)."""
    start, stop, step, workdir = task
    data: bytes = _SWEEP["data"]
    path = Path(workdir) / "case.imrcase"
    result: dict[str, Any] = {"detected": 0, "identical": 0, "wrong": [], "other": [], "worst": 0.0}
    for offset in range(start, stop, step):
        mutated = bytearray(data)
        mutated[offset] ^= 0xFF
        for leftover in (Path(str(path) + "-wal"), Path(str(path) + "-shm")):
            if leftover.exists():
                leftover.unlink()
        path.write_bytes(mutated)
        t0 = time.monotonic()
        try:
            case = CaseFile.open_file(
                path, case_id=_SWEEP["case_id"], vault_id=_SWEEP["vault_id"], wrap_key=_SWEEP["key"]
            )
            with case:
                got = snapshot(case)
        except ImrError:
            result["detected"] += 1
            continue
        except Exception as exc:  # anything else is a test failure, reported below
            result["other"].append((offset, type(exc).__name__))
            continue
        finally:
            result["worst"] = max(result["worst"], time.monotonic() - t0)
        if got == _SWEEP["expected"]:
            result["identical"] += 1
        else:
            result["wrong"].append(offset)
    return result


def test_every_byte_flip_is_detected_or_harmless(vault: Vault, tmp_path: Path) -> None:
    cid, expected = build_reference(vault)
    data = vault.case_path(cid).read_bytes()
    assert 36_000 <= len(data) <= 60_000, len(data)
    _SWEEP.update(
        data=data,
        case_id=cid,
        vault_id=vault.vault_id,
        key=bytearray(vault._k_case),
        expected=expected,
    )
    n_tasks = 16
    # 50,000 small rewrites: a RAM disk, where there is one, saves ~15% of the time.
    shm = Path("/dev/shm")
    base = Path(tempfile.mkdtemp(dir=shm)) if shm.is_dir() and os.access(shm, os.W_OK) else tmp_path
    tasks = []
    for t in range(n_tasks):
        workdir = base / f"w{t}"
        workdir.mkdir()
        tasks.append((t, len(data), n_tasks, str(workdir)))
    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:  # no fork on this OS: run in this process
        results = [_sweep(task) for task in tasks]
    else:
        with ctx.Pool(min(2, os.cpu_count() or 1)) as pool:
            results = pool.map_async(_sweep, tasks).get(timeout=900)
    finally:
        _SWEEP.clear()
        if base != tmp_path:
            shutil.rmtree(base, ignore_errors=True)
    detected = sum(r["detected"] for r in results)
    identical = sum(r["identical"] for r in results)
    wrong = sorted(o for r in results for o in r["wrong"])
    other = sorted(o for r in results for o in r["other"])
    worst = max(r["worst"] for r in results)
    assert wrong == [], f"silently different content at offsets {wrong[:20]}"
    assert other == [], f"foreign exception types: {other[:20]}"
    assert detected + identical == len(data)
    assert detected > len(data) // 4 and identical > 0
    assert worst < HANG_LIMIT_S


# --- T-INT-3: truncation ----------------------------------------------------------------
def test_truncation_at_every_512_byte_boundary(vault: Vault) -> None:
    cid, expected = build_reference(vault)
    path = vault.case_path(cid)
    data = path.read_bytes()
    results = []
    for cut in [*range(0, len(data), 512), len(data) - 1]:
        path.write_bytes(data[:cut])
        results.append(outcome(vault, cid, expected))
    assert results.count("detected") == len(results)
    path.write_bytes(data)
    assert read_all(vault, cid) == expected


# --- T-INT-4: moved, swapped, replayed and deleted rows -----------------------------------
def db(vault: Vault, cid: str) -> sqlite3.Connection:
    return sqlite3.connect(vault.case_path(cid), isolation_level=None)


def expect_damage(vault: Vault, cid: str, kind: type[ImrError] = CaseDamaged) -> None:
    with pytest.raises(kind):
        read_all(vault, cid)


def restore(vault: Vault, cid: str, saved: Path) -> None:
    shutil.copyfile(saved, vault.case_path(cid))


@pytest.fixture
def ref(vault: Vault, tmp_path: Path) -> tuple[Vault, str, dict[str, Any], Path]:
    cid, expected = build_reference(vault)
    saved = tmp_path / "pristine.imrcase"
    shutil.copyfile(vault.case_path(cid), saved)
    return vault, cid, expected, saved


def test_swapped_records_are_detected(ref) -> None:
    vault, cid, expected, saved = ref
    conn = db(vault, cid)
    (a, an, ac), (b, bn, bc) = conn.execute(
        "SELECT rec_id, nonce, ct FROM record LIMIT 2"
    ).fetchall()
    conn.execute("UPDATE record SET nonce = ?, ct = ? WHERE rec_id = ?", (bn, bc, a))
    conn.execute("UPDATE record SET nonce = ?, ct = ? WHERE rec_id = ?", (an, ac, b))
    conn.close()
    expect_damage(vault, cid)
    restore(vault, cid, saved)
    conn = db(vault, cid)  # swap the ids instead of the contents
    conn.execute("UPDATE record SET rec_id = -1 WHERE rec_id = ?", (a,))
    conn.execute("UPDATE record SET rec_id = ? WHERE rec_id = ?", (a, b))
    conn.execute("UPDATE record SET rec_id = ? WHERE rec_id = -1", (b,))
    conn.close()
    expect_damage(vault, cid)
    restore(vault, cid, saved)
    assert read_all(vault, cid) == expected


def test_deleted_added_and_version_bumped_records_are_detected(ref) -> None:
    vault, cid, _expected, saved = ref
    conn = db(vault, cid)
    conn.execute("DELETE FROM record WHERE rec_id = (SELECT MIN(rec_id) FROM record)")
    conn.close()
    expect_damage(vault, cid)
    restore(vault, cid, saved)
    conn = db(vault, cid)
    conn.execute("INSERT INTO record SELECT 12345, ver, nonce, ct FROM record LIMIT 1")
    conn.close()
    expect_damage(vault, cid)
    restore(vault, cid, saved)
    conn = db(vault, cid)
    conn.execute("UPDATE record SET ver = ver + 1 WHERE rec_id = (SELECT MAX(rec_id) FROM record)")
    conn.close()
    expect_damage(vault, cid)
    restore(vault, cid, saved)
    conn = db(vault, cid)
    conn.execute("DELETE FROM manifest")
    conn.close()
    expect_damage(vault, cid)


def test_replayed_older_record_is_detected(ref, tmp_path: Path) -> None:
    vault, cid, _expected, _saved = ref
    before = tmp_path / "before.imrcase"
    shutil.copyfile(vault.case_path(cid), before)
    with vault.open_case(cid) as case:
        case.save({"note-03": {"text": "new version"}})
    old = sqlite3.connect(before)
    rows = {r[0]: r for r in old.execute("SELECT rec_id, ver, nonce, ct FROM record")}
    old_manifest = old.execute("SELECT nonce, ct FROM manifest").fetchone()
    old.close()
    conn = db(vault, cid)
    current = {r[0]: r for r in conn.execute("SELECT rec_id, ver, nonce, ct FROM record")}
    changed = [rid for rid in current if current[rid][1] != rows[rid][1]]
    assert len(changed) == 1
    conn.execute("INSERT OR REPLACE INTO record VALUES (?, ?, ?, ?)", rows[changed[0]])
    conn.close()
    expect_damage(vault, cid)
    # replaying the old manifest too gives a consistent older copy of the case: only the
    # generation remembered in the vault index can tell, and it does
    conn = db(vault, cid)
    conn.execute("UPDATE manifest SET nonce = ?, ct = ?", old_manifest)
    conn.close()
    with vault.open_case(cid) as case:
        assert case.rollback_suspected
        assert case.get("note-03") != {"text": "new version"}


def test_replayed_older_descriptor_and_header_edits_are_detected(ref, tmp_path: Path) -> None:
    vault, cid, _expected, saved = ref
    with vault.open_case(cid) as case:
        att = case.attachments()[0].id
    before = tmp_path / "before.imrcase"
    shutil.copyfile(vault.case_path(cid), before)
    with vault.open_case(cid) as case:
        case.update_attachment_meta(att, {"title": "renamed"})
    old = sqlite3.connect(before)
    old_rows = old.execute("SELECT blob_id, ver, nonce, ct FROM blob").fetchall()
    old.close()
    conn = db(vault, cid)
    conn.execute("DELETE FROM blob")
    conn.executemany("INSERT INTO blob VALUES (?, ?, ?, ?)", old_rows)
    conn.close()
    expect_damage(vault, cid)
    for key, value in (
        ("case_id", b"C-00000000"),
        ("chunk_size", (4096).to_bytes(4, "big")),
        ("magic", b"IMRCASE\x01"),
        ("aead", b"aes-128-gcm"),
    ):
        restore(vault, cid, saved)
        conn = db(vault, cid)
        conn.execute("UPDATE meta SET value = ? WHERE key = ?", (value, key))
        conn.close()
        expect_damage(vault, cid)


def test_key_slot_from_another_case_is_refused(vault: Vault) -> None:
    a = vault.create_case(sample_record(1))
    b = vault.create_case(sample_record(2))
    other = db(vault, b).execute("SELECT value FROM meta WHERE key = 'dek'").fetchone()[0]
    conn = db(vault, a)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'dek'", (other,))
    conn.close()
    expect_damage(vault, a)


# --- chunks ------------------------------------------------------------------------------
@pytest.fixture
def chunky(vault: Vault, tmp_path: Path):
    """A case with two 3-chunk attachments, and a second case with one."""
    rnd = random.Random(3)
    a_data, b_data = rnd.randbytes(2 * CHUNK + 100), rnd.randbytes(2 * CHUNK + 200)
    cid = vault.create_case(sample_record())
    with vault.open_case(cid) as case:
        a = case.add_attachment(io.BytesIO(a_data), {"t": "a"})
        b = case.add_attachment(io.BytesIO(b_data), {"t": "b"})
    other = vault.create_case(sample_record(9))
    with vault.open_case(other) as case:
        case.add_attachment(io.BytesIO(rnd.randbytes(2 * CHUNK + 300)), {"t": "c"})
    saved = tmp_path / "chunky.imrcase"
    shutil.copyfile(vault.case_path(cid), saved)
    return vault, cid, other, saved, {a: a_data, b: b_data}


def blob_ids(conn: sqlite3.Connection) -> list[int]:
    return [r[0] for r in conn.execute("SELECT blob_id FROM blob ORDER BY blob_id")]


def read_attachments(vault: Vault, cid: str) -> dict[str, bytes]:
    with vault.open_case(cid) as case:
        return {a.id: case.read_attachment(a.id) for a in case.attachments()}


def chunk_case(chunky, edit) -> None:
    vault, cid, _other, saved, data = chunky
    shutil.copyfile(saved, vault.case_path(cid))
    conn = db(vault, cid)
    edit(conn)
    conn.close()
    with pytest.raises(AttachmentDamaged):
        read_attachments(vault, cid)
    with vault.open_case(cid) as case, pytest.raises(AttachmentDamaged):
        case.verify()
    assert any(isinstance(p.error, AttachmentDamaged) for p in vault.verify())


def test_chunk_attacks_are_detected(chunky) -> None:
    vault, cid, other, saved, data = chunky
    assert read_attachments(vault, cid) == data

    def delete_last(conn):
        conn.execute("DELETE FROM chunk WHERE idx = 2 AND blob_id = ?", (blob_ids(conn)[0],))

    def delete_first(conn):
        conn.execute("DELETE FROM chunk WHERE idx = 0 AND blob_id = ?", (blob_ids(conn)[0],))

    def swap_within(conn):
        bid = blob_ids(conn)[0]
        c0 = conn.execute("SELECT ct FROM chunk WHERE blob_id=? AND idx=0", (bid,)).fetchone()[0]
        c1 = conn.execute("SELECT ct FROM chunk WHERE blob_id=? AND idx=1", (bid,)).fetchone()[0]
        conn.execute("UPDATE chunk SET ct=? WHERE blob_id=? AND idx=0", (c1, bid))
        conn.execute("UPDATE chunk SET ct=? WHERE blob_id=? AND idx=1", (c0, bid))

    def duplicate_as_extension(conn):
        bid = blob_ids(conn)[0]
        conn.execute(
            "INSERT INTO chunk SELECT blob_id, cver, 3, ct FROM chunk WHERE blob_id=? AND idx=2",
            (bid,),
        )

    def final_flag_replaced(conn):  # the last chunk replaced by a non-final middle chunk
        bid = blob_ids(conn)[0]
        c1 = conn.execute("SELECT ct FROM chunk WHERE blob_id=? AND idx=1", (bid,)).fetchone()[0]
        conn.execute("UPDATE chunk SET ct=? WHERE blob_id=? AND idx=2", (c1, bid))

    def truncate_chunk(conn):
        bid = blob_ids(conn)[0]
        conn.execute("UPDATE chunk SET ct = substr(ct, 1, 1000) WHERE blob_id=? AND idx=1", (bid,))

    def move_between_attachments(conn):
        a, b = blob_ids(conn)
        ct = conn.execute("SELECT ct FROM chunk WHERE blob_id=? AND idx=1", (a,)).fetchone()[0]
        conn.execute("UPDATE chunk SET ct=? WHERE blob_id=? AND idx=1", (ct, b))

    def reassign_between_attachments(conn):
        a, b = blob_ids(conn)
        conn.execute("DELETE FROM chunk WHERE blob_id=? AND idx=1", (b,))
        conn.execute("UPDATE chunk SET blob_id=? WHERE blob_id=? AND idx=1", (b, a))

    foreign = sqlite3.connect(vault.case_path(other))
    foreign_ct = foreign.execute("SELECT ct FROM chunk WHERE idx = 1").fetchone()[0]
    foreign.close()

    def move_between_cases(conn):
        conn.execute(
            "UPDATE chunk SET ct=? WHERE blob_id=? AND idx=1", (foreign_ct, blob_ids(conn)[0])
        )

    for edit in (
        delete_last,
        delete_first,
        swap_within,
        duplicate_as_extension,
        final_flag_replaced,
        truncate_chunk,
        move_between_attachments,
        reassign_between_attachments,
        move_between_cases,
    ):
        chunk_case(chunky, edit)
    shutil.copyfile(saved, vault.case_path(cid))
    assert read_attachments(vault, cid) == data
    assert vault.verify() == []


def test_swapped_descriptors_are_detected(chunky) -> None:
    vault, cid, _other, _saved, _data = chunky
    conn = db(vault, cid)
    (a, an, ac), (b, bn, bc) = conn.execute("SELECT blob_id, nonce, ct FROM blob").fetchall()
    conn.execute("UPDATE blob SET nonce=?, ct=? WHERE blob_id=?", (bn, bc, a))
    conn.execute("UPDATE blob SET nonce=?, ct=? WHERE blob_id=?", (an, ac, b))
    conn.close()
    expect_damage(vault, cid)


def verify_and_read(vault: Vault, cid: str) -> None:
    with vault.open_case(cid) as case:
        case.verify()
        snapshot(case)


def test_truncated_large_file_and_wal(chunky) -> None:
    vault, cid, _other, saved, data = chunky
    size = saved.stat().st_size
    rnd = random.Random(11)
    for cut in sorted(rnd.sample(range(1, size), 40)):
        with open(saved, "rb") as f:
            vault.case_path(cid).write_bytes(f.read(cut))
        with pytest.raises(ImrError):
            verify_and_read(vault, cid)
    shutil.copyfile(saved, vault.case_path(cid))
    assert read_attachments(vault, cid) == data


def test_vault_password_is_not_enough_for_another_vaults_case(tmp_path: Path) -> None:
    one, _ = Vault.create(tmp_path / "one", PASSPHRASE)
    two, _ = Vault.create(tmp_path / "two", PASSPHRASE)
    cid = one.create_case(sample_record())
    shutil.copyfile(one.case_path(cid), two.case_path(cid))
    with pytest.raises(CaseDamaged):
        two.open_case(cid)
    one.lock()
    two.lock()
