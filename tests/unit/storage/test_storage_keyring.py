"""T-KEY-6: the "remember on this computer" token, with an in-memory fake backend."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from storage_helpers import PASSPHRASE, sample_record

from imrdesktop.domain.errors import KeyringUnavailable, SharedPcRefusesKeyring
from imrdesktop.storage import keyring_token
from imrdesktop.storage import vault as vault_module
from imrdesktop.storage.formats import vault_header
from imrdesktop.storage.vault import BACKUP_NAME, HEADER_NAME, Vault


class FakeKeyring:
    """The three calls we use, like keyring.backend.KeyringBackend."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], str] = {}

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def delete_password(self, service: str, username: str) -> None:
        del self.items[(service, username)]


def test_remember_and_unlock_with_token(vault_and_key, vault_path: Path) -> None:
    vault, _key = vault_and_key
    cid = vault.create_case(sample_record())
    backend = FakeKeyring()
    assert Vault.open_with_keyring(vault_path, backend) is None  # nothing remembered yet
    vault.remember_on_this_computer(shared_pc=False, backend=backend)
    assert vault.remembered
    [(service, username)] = backend.items
    assert service == "IMR Desktop" and username == vault.vault_id
    token = base64.b64decode(backend.items[(service, username)])
    assert len(token) == 32
    assert PASSPHRASE not in backend.items[(service, username)]
    vault.lock()
    again = Vault.open_with_keyring(vault_path, backend)
    assert again is not None
    with again.open_case(cid) as case:
        assert case.get("case") == sample_record()
    again.lock()
    assert Vault.open_with_keyring(vault_path, FakeKeyring()) is None  # another PC


def test_token_expires_after_12_hours(vault, vault_path: Path, monkeypatch) -> None:
    backend = FakeKeyring()
    vault.remember_on_this_computer(shared_pc=False, backend=backend)
    vault.lock()
    start = vault_module.now()
    monkeypatch.setattr(vault_module, "now", lambda: start + 11.9 * 3600)
    opened = Vault.open_with_keyring(vault_path, backend)
    assert opened is not None
    opened.lock()
    monkeypatch.setattr(vault_module, "now", lambda: start + 12 * 3600 + 1)
    assert Vault.open_with_keyring(vault_path, backend) is None
    assert backend.items == {}  # the expired token was deleted
    header = vault_header.decode((vault_path / HEADER_NAME).read_bytes())
    assert "keyring" not in header.slots  # ... and its slot removed
    Vault.open(vault_path, PASSPHRASE).lock()


def test_forget_removes_token_and_slot_everywhere(vault, vault_path: Path) -> None:
    backend = FakeKeyring()
    vault.remember_on_this_computer(shared_pc=False, backend=backend)
    stolen = dict(backend.items)
    vault.forget_on_this_computer(backend=backend)
    assert not vault.remembered
    assert backend.items == {}
    vault.lock()
    assert Vault.open_with_keyring(vault_path, backend) is None
    # a copy of the token kept elsewhere opens neither the header nor its backup
    backend.items.update(stolen)
    assert Vault.open_with_keyring(vault_path, backend) is None
    for name in (HEADER_NAME, BACKUP_NAME):
        assert "keyring" not in vault_header.decode((vault_path / name).read_bytes()).slots


def test_shared_pc_refuses(vault) -> None:
    backend = FakeKeyring()
    with pytest.raises(SharedPcRefusesKeyring) as e:
        vault.remember_on_this_computer(shared_pc=True, backend=backend)
    assert e.value.exit_code == 2
    assert backend.items == {}
    assert not vault.remembered


def test_no_usable_backend_carries_on_with_passphrase(vault, vault_path: Path, monkeypatch) -> None:
    # conftest sets PYTHON_KEYRING_BACKEND to keyring's "fail" backend
    with pytest.raises(KeyringUnavailable):
        vault.remember_on_this_computer(shared_pc=False)
    import keyring.backends.fail
    import keyring.backends.null

    for refused in (keyring.backends.null.Keyring(), keyring.backends.fail.Keyring()):
        with pytest.raises(KeyringUnavailable):
            vault.remember_on_this_computer(shared_pc=False, backend=refused)
    for name in (
        "keyring.backends.null.Keyring",
        "keyrings.alt.file.PlaintextKeyring",
        "my_module.Sneaky",
        "keyring.backends.chainer.ChainerBackend",
    ):
        monkeypatch.setenv("PYTHON_KEYRING_BACKEND", name)
        with pytest.raises(KeyringUnavailable):
            keyring_token.resolve_backend()
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    monkeypatch.setattr(keyring_token.sys, "platform", "linux")
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    with pytest.raises(KeyringUnavailable):  # no D-Bus session here: Secret Service unusable
        keyring_token.resolve_backend()
    assert not vault.remembered
    # a remembered vault with no backend now: None, and the passphrase still works
    vault.remember_on_this_computer(shared_pc=False, backend=FakeKeyring())
    vault.lock()
    assert Vault.open_with_keyring(vault_path) is None
    Vault.open(vault_path, PASSPHRASE).lock()


def test_wrong_or_garbled_token_is_ignored(vault, vault_path: Path) -> None:
    backend = FakeKeyring()
    vault.remember_on_this_computer(shared_pc=False, backend=backend)
    vault.lock()
    key = next(iter(backend.items))
    backend.items[key] = base64.b64encode(b"\x01" * 32).decode()
    assert Vault.open_with_keyring(vault_path, backend) is None
    assert backend.items == {}
    backend.items[key] = "not base64 !!!"
    assert Vault.open_with_keyring(vault_path, backend) is None


class BrokenKeyring(FakeKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError("locked collection")

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError("locked collection")


def test_backend_errors_become_keyring_unavailable(vault, vault_path: Path) -> None:
    with pytest.raises(KeyringUnavailable):
        vault.remember_on_this_computer(shared_pc=False, backend=BrokenKeyring())
    assert not vault.remembered
    vault.remember_on_this_computer(shared_pc=False, backend=FakeKeyring())
    vault.lock()
    assert Vault.open_with_keyring(vault_path, BrokenKeyring()) is None
