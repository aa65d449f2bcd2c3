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


def _rewrite_as_newer_minor(vault: Vault, vault_path: Path) -> dict[str, bytes]:
    """Both header copies as a newer minor version (1.1, an unknown field) would write them,
    properly MACed; returns the bytes of every file of the vault folder."""
    import hashlib

    from imrdesktop.storage import crypto

    newer = vault._sealed(vault._header.with_(minor=1, extra={"future_field": 1}))
    body = crypto.canonical_json(newer.body(with_mac=True))
    head = vault_header.PREFIX.pack(vault_header.MAGIC, 1, 1, len(body)) + body
    data = head + hashlib.sha256(head).digest()
    for name in (HEADER_NAME, BACKUP_NAME):
        (vault_path / name).write_bytes(data)
    return {p.name: p.read_bytes() for p in vault_path.iterdir() if p.is_file()}


def test_expired_token_of_a_read_only_vault_leaves_its_header_alone(
    vault, vault_path: Path, monkeypatch
) -> None:
    """H3: the expired slot of a newer-minor (read-only) vault is not dropped: rewriting
    the header would destroy both copies (1.0 written over a 1.1 body)."""
    backend = FakeKeyring()
    cid = vault.create_case(sample_record())
    vault.remember_on_this_computer(shared_pc=False, backend=backend)
    before = _rewrite_as_newer_minor(vault, vault_path)
    vault.lock()
    start = vault_module.now()
    monkeypatch.setattr(vault_module, "now", lambda: start + 13 * 3600)
    assert Vault.open_with_keyring(vault_path, backend) is None
    assert backend.items == {}  # the token (local, ours) is deleted all the same
    after = {p.name: p.read_bytes() for p in vault_path.iterdir() if p.is_file()}
    assert {k: after[k] for k in (HEADER_NAME, BACKUP_NAME)} == {
        k: before[k] for k in (HEADER_NAME, BACKUP_NAME)
    }
    with Vault.open(vault_path, PASSPHRASE) as opened:
        assert opened.read_only and opened.remembered
        assert [c.case_id for c in opened.list_cases()] == [cid]


def test_header_writes_are_refused_on_a_read_only_vault(vault, vault_path: Path) -> None:
    """H3: writability is enforced where the header is written, whoever calls."""
    from imrdesktop.domain.errors import NewerFormat

    vault.remember_on_this_computer(shared_pc=False, backend=FakeKeyring())
    before = _rewrite_as_newer_minor(vault, vault_path)
    vault.lock()
    with Vault.open(vault_path, PASSPHRASE) as opened:
        assert opened.read_only
        for write in (
            opened._drop_keyring_slot,
            lambda: opened._write_header(opened._header),
            lambda: opened.forget_on_this_computer(backend=FakeKeyring()),
        ):
            with pytest.raises(NewerFormat) as e:
                write()
            assert e.value.params["read_only"] is True
    assert (vault_path / HEADER_NAME).read_bytes() == before[HEADER_NAME]
    assert (vault_path / BACKUP_NAME).read_bytes() == before[BACKUP_NAME]


def test_encode_writes_only_the_current_version(vault) -> None:
    """H3: the one writer refuses a header of another version or with unknown fields."""
    from imrdesktop.domain.errors import NewerFormat

    header = vault._header
    assert vault_header.decode(vault_header.encode(header)).vault_id == vault.vault_id
    for other in (
        header.with_(minor=vault_header.MINOR + 1),
        header.with_(major=vault_header.MAJOR + 1),
        header.with_(extra={"future_field": 1}),
    ):
        with pytest.raises(NewerFormat):
            vault_header.encode(other)


def test_slot_of_a_wrong_token_is_removed_at_the_next_unlock(vault, vault_path: Path) -> None:
    """L11: a wrong token is deleted at once; its slot (which needs the master key to be
    removed) goes at the next unlock in this run, so a copy of the matching token kept
    elsewhere opens nothing afterwards."""
    backend = FakeKeyring()
    vault.remember_on_this_computer(shared_pc=False, backend=backend)
    stolen = dict(backend.items)
    vault.lock()
    key = next(iter(backend.items))
    backend.items[key] = base64.b64encode(b"\x01" * 32).decode()
    assert Vault.open_with_keyring(vault_path, backend) is None
    assert backend.items == {}
    with Vault.open(vault_path, PASSPHRASE) as opened:
        assert not opened.remembered
    for name in (HEADER_NAME, BACKUP_NAME):
        if (vault_path / name).exists():
            assert "keyring" not in vault_header.decode((vault_path / name).read_bytes()).slots
    backend.items.update(stolen)
    assert Vault.open_with_keyring(vault_path, backend) is None
