"""The optional "remember on this computer" unlock token in the OS credential store.

What is stored: a random 32-byte token (base64) under service "IMR Desktop" and user name
= the vault's random id (never a person's name, never the passphrase). The vault header
holds a second wrapping of the master key under HKDF(token) with an expiry inside the
ciphertext; deleting either the slot or the token revokes it.

The backend is pinned to an allow-list (RELIABILITY.md §1.6): Windows Credential Locker,
macOS Keychain, Secret Service and KWallet. ``keyringrc.cfg`` is never read (it can add
code to the import path); ``PYTHON_KEYRING_BACKEND`` is honoured only when it names an
allow-listed class. null, fail, chainer, keyrings.alt and anything else →
:class:`KeyringUnavailable`, and the passphrase flow carries on.

Tests inject a backend object through the ``backend`` parameter; an injected object is
trusted (our own code chose it) unless it is one of the refused kinds.
"""

from __future__ import annotations

import base64
import binascii
import importlib
import logging
import os
import sys
from typing import Any

from imrdesktop.domain.errors import KeyringUnavailable

log = logging.getLogger(__name__)

SERVICE = "IMR Desktop"
TOKEN_LEN = 32
TOKEN_TTL_S = 12 * 3600
ENV_BACKEND = "PYTHON_KEYRING_BACKEND"

ALLOWED = (
    "keyring.backends.Windows.WinVaultKeyring",
    "keyring.backends.macOS.Keyring",
    "keyring.backends.SecretService.Keyring",
    "keyring.backends.kwallet.DBusKeyring",
)
_REFUSED = (
    "keyring.backends.null.",
    "keyring.backends.fail.",
    "keyring.backends.chainer.",
    "keyrings.alt.",
)


def _class_path(obj: Any) -> str:
    cls = obj if isinstance(obj, type) else type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def _platform_candidates() -> tuple[str, ...]:
    if sys.platform.startswith("win"):
        return ("keyring.backends.Windows.WinVaultKeyring",)
    if sys.platform == "darwin":
        return ("keyring.backends.macOS.Keyring",)
    return ("keyring.backends.SecretService.Keyring", "keyring.backends.kwallet.DBusKeyring")


def _instantiate(path: str) -> Any:
    module_name, _, class_name = path.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
        if cls.priority <= 0:  # raises RuntimeError when the backend cannot work here
            raise RuntimeError("backend not usable")
        return cls()
    except Exception as exc:  # import errors, D-Bus errors … all mean "not available"
        raise KeyringUnavailable(f"backend unavailable: {type(exc).__name__}") from None


def resolve_backend(backend: Any = None) -> Any:
    """The backend to use, or KeyringUnavailable."""
    if backend is not None:
        if _class_path(backend).startswith(_REFUSED):
            raise KeyringUnavailable("refused backend", backend=_class_path(backend))
        return backend
    configured = os.environ.get(ENV_BACKEND)
    if configured:
        if configured not in ALLOWED:
            log.warning("keyring backend from the environment is not allow-listed; refused")
            raise KeyringUnavailable("backend not allow-listed")
        return _instantiate(configured)
    last: KeyringUnavailable | None = None
    for path in _platform_candidates():
        try:
            return _instantiate(path)
        except KeyringUnavailable as exc:
            last = exc
    raise last or KeyringUnavailable("no backend")


def store_token(backend: Any, vault_id: str, token: bytes) -> None:
    try:
        backend.set_password(SERVICE, vault_id, base64.b64encode(token).decode("ascii"))
    except Exception as exc:  # every backend has its own errors
        raise KeyringUnavailable(f"store failed: {type(exc).__name__}") from None


def load_token(backend: Any, vault_id: str) -> bytes | None:
    try:
        text = backend.get_password(SERVICE, vault_id)
    except Exception as exc:
        log.info("keyring read failed (%s)", type(exc).__name__)
        return None
    if not isinstance(text, str):
        return None
    try:
        token = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return token if len(token) == TOKEN_LEN else None


def delete_token(backend: Any, vault_id: str) -> None:
    """Best effort: a token that cannot be deleted is useless once its slot is gone."""
    try:
        backend.delete_password(SERVICE, vault_id)
    except Exception as exc:
        log.info("keyring delete: %s", type(exc).__name__)
