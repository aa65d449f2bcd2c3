"""Fixtures for the storage tests: a fresh vault per test (fast KDF), sample content."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from imrdesktop.storage.vault import Vault

PASSPHRASE = "violet tractor sings under 7 moons"
OTHER_PASSPHRASE = "quiet lantern orbits a paper harbor"
BUNDLE_PASSPHRASE = "saffron kettle drifts past nine bridges"


@pytest.fixture
def vault_path(tmp_path: Path) -> Path:
    return tmp_path / "vault"


@pytest.fixture
def vault_and_key(vault_path: Path) -> Iterator[tuple[Vault, str]]:
    vault, recovery_key = Vault.create(vault_path, PASSPHRASE)
    yield vault, recovery_key
    vault.lock()


@pytest.fixture
def vault(vault_and_key: tuple[Vault, str]) -> Vault:
    return vault_and_key[0]


def sample_record(i: int = 0) -> dict:
    return {
        "enrollee": {
            "name": f"Nguyễn Văn Anh {i}",
            "date_of_birth": "1961-04-02",
            "phone": "555-0101",
        },
        "plan": {"name": "Sample Health Plan", "member_id": f"M{i:06d}"},
        "service": "physical therapy — 12 sessions",
        "notes": "Ünïcødé ✓ 中文 한국어 Հայերեն العربية",
    }


def add_bytes(case, data: bytes, **meta) -> str:
    return case.add_attachment(io.BytesIO(data), meta or {"title": "doc"})
