"""Bundles: round trip into another vault (new id, new key), wrong passphrase, damage."""

from __future__ import annotations

import io
import os
import random
from pathlib import Path

import pytest
from storage_helpers import BUNDLE_PASSPHRASE, CHUNK, PASSPHRASE, sample_record, snapshot

from imrdesktop.domain.case import summary_for
from imrdesktop.domain.errors import (
    BundleDamaged,
    DamagedData,
    InputFileMissing,
    WeakPassphrase,
    WrongBundlePassphrase,
)
from imrdesktop.storage import bundle
from imrdesktop.storage.vault import Vault


@pytest.fixture
def source(vault: Vault) -> tuple[Vault, str, dict]:
    cid = vault.create_case(sample_record(), {"name": "Nguyễn", "status": "ready"})
    with vault.open_case(cid) as case:
        case.save({"timeline": {"events": ["2024-01-02", "2024-02-03"]}, "letter": {"t": "✓"}})
        case.add_attachment(io.BytesIO(b""), {"title": "empty"})
        case.add_attachment(io.BytesIO(os.urandom(2 * CHUNK + 5)), {"title": "scan", "pages": 3})
        case.add_attachment(io.BytesIO(os.urandom(CHUNK)), {"title": "exact"})
        expected = snapshot(case)
    return vault, cid, expected


def test_roundtrip_into_another_vault(source, tmp_path: Path) -> None:
    vault, cid, expected = source
    out = tmp_path / f"hand-off{bundle.SUFFIX}"
    vault.export_case(cid, out, BUNDLE_PASSPHRASE)
    assert out.stat().st_mode & 0o077 == 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".imrtmp")] == []
    other, _ = Vault.create(tmp_path / "other", PASSPHRASE)
    new_id = other.import_case(out, BUNDLE_PASSPHRASE)
    assert new_id != cid
    assert [c.case_id for c in other.list_cases()] == [new_id]
    # the summary is rebuilt from the record, never taken from the bundle (H1)
    expected = {**expected, "summary": summary_for(expected["records"]["case"])}
    assert other.list_cases()[0].summary == expected["summary"]
    with other.open_case(new_id) as case:
        assert snapshot(case) == expected
        case.verify()
    # a new data key: no ciphertext in common with the source case
    a = vault.case_path(cid).read_bytes()
    b = other.case_path(new_id).read_bytes()
    assert a[-4096:] not in b
    assert other.verify() == []
    other.lock()
    # import into the same vault: yet another case
    again = vault.import_case(out, BUNDLE_PASSPHRASE)
    assert again not in (cid, new_id)
    with vault.open_case(again) as case:
        assert snapshot(case) == expected


def test_export_of_an_open_case(source, tmp_path: Path) -> None:
    vault, cid, expected = source
    with vault.open_case(cid):
        vault.export_case(cid, tmp_path / "b.imrbundle", BUNDLE_PASSPHRASE)
    records, summary = bundle.read_bundle(tmp_path / "b.imrbundle", BUNDLE_PASSPHRASE)
    assert records == expected["records"] and summary == expected["summary"]


def test_wrong_bundle_passphrase(source, tmp_path: Path) -> None:
    vault, cid, _ = source
    out = tmp_path / "b.imrbundle"
    vault.export_case(cid, out, BUNDLE_PASSPHRASE)
    with pytest.raises(WrongBundlePassphrase) as e:
        vault.import_case(out, PASSPHRASE)
    assert e.value.exit_code == 4
    assert len(vault.list_cases()) == 1
    with pytest.raises(WeakPassphrase):
        vault.export_case(cid, tmp_path / "weak.imrbundle", "password123")
    assert not (tmp_path / "weak.imrbundle").exists()
    with pytest.raises(InputFileMissing):
        vault.import_case(tmp_path / "missing.imrbundle", BUNDLE_PASSPHRASE)


def test_damaged_bundles_are_refused_and_leave_nothing(source, tmp_path: Path) -> None:
    vault, cid, _ = source
    out = tmp_path / "b.imrbundle"
    vault.export_case(cid, out, BUNDLE_PASSPHRASE)
    good = out.read_bytes()
    header_end = 16 + int.from_bytes(good[12:16], "big") + 32
    rnd = random.Random(5)
    offsets = list(range(header_end)) + rnd.sample(range(header_end, len(good)), 60)
    offsets += [header_end, header_end + CHUNK + 15, len(good) - 1]
    for offset in offsets:
        bad = bytearray(good)
        bad[offset] ^= 0xFF
        out.write_bytes(bytes(bad))
        with pytest.raises(DamagedData) as e:
            vault.import_case(out, BUNDLE_PASSPHRASE)
        assert e.value.exit_code == 3
    cuts = [0, 5, 15, header_end - 1, header_end, header_end + 100, header_end + CHUNK + 16]
    cuts += [len(good) - 16, len(good) - 1]
    for cut in cuts:
        out.write_bytes(good[:cut])
        with pytest.raises(BundleDamaged):
            vault.import_case(out, BUNDLE_PASSPHRASE)
    out.write_bytes(good + b"\x00")
    with pytest.raises(BundleDamaged):
        vault.import_case(out, BUNDLE_PASSPHRASE)
    out.write_bytes(b"%PDF-1.4 not a bundle at all")
    with pytest.raises(BundleDamaged):
        vault.import_case(out, BUNDLE_PASSPHRASE)
    # nothing half-imported is left behind
    assert [c.case_id for c in vault.list_cases()] == [cid]
    assert sorted(p.name for p in vault.cases_dir.iterdir()) == [f"{cid}.imrcase"]
    assert vault.verify() == []
    out.write_bytes(good)
    vault.import_case(out, BUNDLE_PASSPHRASE)


def test_bundle_chunks_cannot_be_reordered_or_dropped(source, tmp_path: Path) -> None:
    vault, cid, _ = source
    out = tmp_path / "b.imrbundle"
    vault.export_case(cid, out, BUNDLE_PASSPHRASE)
    good = out.read_bytes()
    header_end = 16 + int.from_bytes(good[12:16], "big") + 32
    size = CHUNK + 16
    chunks = [good[i : i + size] for i in range(header_end, len(good), size)]
    assert len(chunks) >= 3
    variants = [
        chunks[1:],  # first dropped
        chunks[:-1],  # final dropped
        [chunks[1], chunks[0], *chunks[2:]],  # reordered
        [chunks[0], chunks[0], *chunks[1:]],  # duplicated
        [*chunks, chunks[-1]],  # final repeated
    ]
    for variant in variants:
        out.write_bytes(good[:header_end] + b"".join(variant))
        with pytest.raises(BundleDamaged):
            vault.import_case(out, BUNDLE_PASSPHRASE)
    assert len(vault.list_cases()) == 1


def _bundle_of(vault: Vault, out: Path, records: dict, summary: dict) -> Path:
    """A well-formed bundle holding exactly ``records`` and ``summary`` (CaseFile does not
    validate records: only the services do, so a bundle can carry anything JSON-shaped)."""
    cid = vault.create_case(records.get("case", {}), summary)
    with vault.open_case(cid) as case:
        case.save({k: v for k, v in records.items() if k != "case"})
        if "case" not in records:
            case.save({"case": None})
    vault.export_case(cid, out, BUNDLE_PASSPHRASE)
    return out


@pytest.mark.parametrize(
    "records",
    [
        {"case": {"enrollee": {"name": 5}, "notes": "x"}},  # the reviewer's hostile bundle
        {"case": {"enrollee": {"name": "A"}, "plan": "not an object"}},
        {"case": {"enrollee": {"name": "A"}, "surprise": 1}},
        {"case": {"enrollee": {}}},  # no name
        {"timeline": {"a": 1}},  # no case record at all
    ],
    ids=["name-not-text", "plan-not-object", "unknown-key", "no-name", "no-case-record"],
)
def test_import_validates_the_case_record(vault: Vault, tmp_path: Path, records) -> None:
    """H1: what a bundle carries is checked like a record typed in; nothing is imported."""
    out = _bundle_of(vault, tmp_path / "b.imrbundle", records, {"name": "x"})
    other, _ = Vault.create(tmp_path / "other", PASSPHRASE)
    with other:
        with pytest.raises(BundleDamaged) as e:
            other.import_case(out, BUNDLE_PASSPHRASE)
        assert e.value.exit_code == 3
        assert other.list_cases() == []
        assert list(other.cases_dir.iterdir()) == []


def test_import_rebuilds_the_summary_from_the_record(vault: Vault, tmp_path: Path) -> None:
    """H1: the bundle's summary is ignored; a bad one can no longer break the case list."""
    from imrdesktop.domain.case import summary_for
    from imrdesktop.services.session import VaultSession

    record = {"enrollee": {"name": "  Ana Díaz "}, "plan": {"member_id": "M-1"}}
    hostile = {"name": 5, "next_deadline": {"date": 7}, "status": ["x"]}
    out = _bundle_of(vault, tmp_path / "b.imrbundle", {"case": record}, hostile)
    assert bundle.read_bundle(out, BUNDLE_PASSPHRASE)[1] == hostile
    other, _ = Vault.create(tmp_path / "other", PASSPHRASE)
    session = VaultSession(other)
    try:
        cid = session.import_case(out, BUNDLE_PASSPHRASE)
        with other.open_case(cid) as case:
            stored = case.get("case")
            assert stored == {"enrollee": {"name": "Ana Díaz"}, "plan": {"member_id": "M-1"}}
            assert case.summary == summary_for(stored)
        [listed] = other.list_cases()
        assert listed.summary == summary_for(stored)
        [row] = session.list_cases()
        assert (row.case_id, row.name, row.member_id) == (cid, "Ana Díaz", "M-1")
    finally:
        session.lock()


def test_case_list_tolerates_wrong_types_in_a_stored_summary(vault: Vault) -> None:
    """H1: one bad index entry (made by an older version, or by hand) never breaks the list."""
    from imrdesktop.services.session import VaultSession

    good = vault.create_case(
        sample_record(1),
        {"name": "Good", "next_deadline": {"date": "2030-01-02", "what": "IMR application"}},
    )
    bad = {
        "C1": {"name": 5, "next_deadline": {"date": 7}, "member_id": None, "status": 3},
        "C2": {"name": None, "next_deadline": {"date": "2030-13-01", "what": "x"}},
        "C3": {"name": ["x"], "next_deadline": {"date": "2030-01-01", "what": 5}},
        "C4": {"name": "n", "next_deadline": {"date": "20300101", "what": "x"}},
        "C5": {"name": "n", "next_deadline": "2030-01-01"},
    }
    ids = {vault.create_case(sample_record(2), summary): key for key, summary in bad.items()}
    rows = {r.case_id: r for r in VaultSession(vault).list_cases()}
    assert rows[good].next_deadline == {"date": "2030-01-02", "what": "IMR application"}
    assert rows[good].days_left is not None
    for cid in ids:
        row = rows[cid]
        assert isinstance(row.name, str) and isinstance(row.member_id, str)
        assert isinstance(row.status, str)
        assert row.next_deadline is None and row.days_left is None
    by_key = {key: rows[cid] for cid, key in ids.items()}
    assert by_key["C1"].name == "5" and by_key["C1"].status == "3"
    assert by_key["C2"].name == ""
