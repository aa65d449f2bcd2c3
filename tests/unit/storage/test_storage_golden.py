"""T-MIG-1: the committed golden files of every released format open forever with
identical decrypted content (tests/data/golden/v<N>, made once by tests/data/make_golden.py)."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest

from imrdesktop.domain.case import summary_for
from imrdesktop.storage.vault import Vault

GOLDEN = Path(__file__).resolve().parents[2] / "data" / "golden"
VERSIONS = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())


def test_there_is_a_golden_set_for_the_current_format() -> None:
    from imrdesktop.storage.formats import case_v1, vault_header

    assert f"v{vault_header.MAJOR}" in VERSIONS
    assert f"v{case_v1.MAJOR}" in VERSIONS


def _check(vault: Vault, expected: dict) -> None:
    assert vault.vault_id == expected["vault_id"]
    listed = {c.case_id: c.summary for c in vault.list_cases()}
    assert listed == {cid: case["summary"] for cid, case in expected["cases"].items()}
    for cid, want in expected["cases"].items():
        with vault.open_case(cid) as case:
            assert case.generation == want["generation"]
            assert case.summary == want["summary"]
            assert {k: case.get(k) for k in case.keys()} == want["records"]  # noqa: SIM118
            got = [
                {
                    "id": a.id,
                    "size": a.size,
                    "sha256": a.sha256,
                    "meta": a.meta,
                    "data_b64": base64.b64encode(case.read_attachment(a.id)).decode(),
                }
                for a in case.attachments()
            ]
            assert got == want["attachments"]
    assert vault.verify() == []


@pytest.mark.parametrize("version", VERSIONS)
def test_golden_vault_opens_with_identical_content(version: str, tmp_path: Path) -> None:
    src = GOLDEN / version
    expected = json.loads((src / "expected.json").read_text(encoding="utf-8"))
    work = tmp_path / "vault"
    shutil.copytree(src / "vault", work)  # opening may write (index, housekeeping)
    with Vault.open(work, expected["passphrase"]) as vault:
        _check(vault, expected)
    with Vault.open_with_recovery_key(work, expected["recovery_key"]) as vault:
        _check(vault, expected)


@pytest.mark.parametrize("version", VERSIONS)
def test_golden_bundle_imports_with_identical_content(version: str, tmp_path: Path) -> None:
    src = GOLDEN / version
    expected = json.loads((src / "expected.json").read_text(encoding="utf-8"))
    vault, _ = Vault.create(tmp_path / "fresh", "a fresh vault for the golden bundle")
    with vault:
        cid = vault.import_case(src / "case.imrbundle", expected["bundle_passphrase"])
        want = expected["cases"][expected["bundle_case"]]
        with vault.open_case(cid) as case:
            # an import rebuilds the summary from the case record (the bundle's is ignored)
            assert case.summary == summary_for(want["records"]["case"])
            assert {k: case.get(k) for k in case.keys()} == want["records"]  # noqa: SIM118
            assert [(a.id, a.sha256, a.meta) for a in case.attachments()] == [
                (a["id"], a["sha256"], a["meta"]) for a in want["attachments"]
            ]
