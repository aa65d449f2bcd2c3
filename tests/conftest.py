"""Suite-wide guards: no network, a private sandbox per test, a fast KDF, headless Qt."""

from __future__ import annotations

import os
import socket

import pytest

# Qt must be headless before any QApplication exists (without a display Qt aborts).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# KeePassXC's fastKdf pattern: tests derive keys with cheap Argon2id parameters. A dedicated
# test checks that the production parameters are what the app uses without this variable.
os.environ.setdefault("IMRDESKTOP_TEST_FAST_KDF", "1")
os.environ.setdefault("IMRDESKTOP_ALLOW_TEST_KDF", "1")  # also for child processes
# No OS keyring in tests unless a test installs one.
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

_FORBIDDEN_FAMILIES = {socket.AF_INET, socket.AF_INET6}


class NetworkForbidden(AssertionError):
    pass


def _guard(original):
    def wrapper(self, *args, **kwargs):
        if self.family in _FORBIDDEN_FAMILIES:
            raise NetworkForbidden("a test tried to use the network")
        return original(self, *args, **kwargs)

    return wrapper


def _refuse(*_args, **_kwargs):
    raise NetworkForbidden("a test tried to use the network")


def pytest_configure(config):
    # T-NET-1: the whole suite runs with Internet sockets forbidden (AF_UNIX stays allowed).
    for name in ("connect", "connect_ex", "sendto", "send"):
        setattr(socket.socket, name, _guard(getattr(socket.socket, name)))
    socket.create_connection = _refuse
    socket.getaddrinfo = _refuse


@pytest.fixture(autouse=True)
def sandbox(tmp_path_factory, monkeypatch):
    """Every test gets its own HOME, XDG dirs and temp dir, so nothing leaks between tests
    and leak scans can look at exactly what a test wrote."""
    root = tmp_path_factory.mktemp("sandbox")
    for var, sub in (
        ("HOME", "home"),
        ("XDG_DATA_HOME", "home/.local/share"),
        ("XDG_CONFIG_HOME", "home/.config"),
        ("XDG_CACHE_HOME", "home/.cache"),
        ("XDG_STATE_HOME", "home/.local/state"),
        ("XDG_RUNTIME_DIR", "runtime"),
        ("TMPDIR", "tmp"),
    ):
        d = root / sub
        d.mkdir(parents=True, exist_ok=True, mode=0o700)
        monkeypatch.setenv(var, str(d))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(root / "tmp"))
    return root
