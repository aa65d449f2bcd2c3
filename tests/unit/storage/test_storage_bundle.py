"""Bundles: round trip into another vault (new id, new key), wrong passphrase, damage."""

from __future__ import annotations

import io
import os
import random
from pathlib import Path

import pytest
from storage_helpers import BUNDLE_PASSPHRASE, CHUNK, PASSPHRASE, sample_record, snapshot

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
