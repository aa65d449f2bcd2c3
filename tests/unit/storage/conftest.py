"""Fixtures for the storage tests: a fresh vault per test (fast KDF)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from storage_helpers import PASSPHRASE

from imrdesktop.storage.vault import Vault


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
