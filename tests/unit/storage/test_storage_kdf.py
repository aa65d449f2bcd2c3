"""KDF policy (production vs the test profile), floor and ceilings (T-KEY-3, T-INT-5)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
import tracemalloc
from pathlib import Path

import pytest
from storage_helpers import BUNDLE_PASSPHRASE, PASSPHRASE, sample_record

from imrdesktop.domain.errors import HostileParameters
from imrdesktop.storage import bundle, kdf
from imrdesktop.storage.formats import vault_header
from imrdesktop.storage.vault import BACKUP_NAME, HEADER_NAME, Vault

ALLOW_ENV = "IMRDESKTOP_ALLOW_TEST_KDF"  # the second variable a test's child process sets


def test_fast_profile_in_tests_and_production_without_the_variable(monkeypatch) -> None:
    assert kdf.fast_kdf_enabled()
    assert kdf.policy() == (8 * 1024, 1, 1)
    monkeypatch.delenv(kdf.FAST_KDF_ENV)
    assert not kdf.fast_kdf_enabled()
    assert kdf.policy() == (256 * 1024, 2, 1)
    params = kdf.new_params()
    assert (params.m_kib, params.t, params.p, len(params.salt)) == (256 * 1024, 2, 1, 16)
    assert params.m_kib >= kdf.FLOOR[0] and params.t >= kdf.FLOOR[1]
    monkeypatch.setenv(kdf.FAST_KDF_ENV, "0")
    assert kdf.policy() == kdf.PRODUCTION


def test_weak_vault_is_rewrapped_at_unlock_with_production_params(vault_path, monkeypatch) -> None:
    """The one test that pays for a production derivation (~0.5 s)."""
    vault, _ = Vault.create(vault_path, PASSPHRASE)  # test profile: below the floor
    cid = vault.create_case(sample_record())
    vault.lock()
    monkeypatch.delenv(kdf.FAST_KDF_ENV)
    start = time.perf_counter()
    with Vault.open(vault_path, PASSPHRASE) as opened:  # accepted, then re-wrapped
        elapsed = time.perf_counter() - start
        assert [c.case_id for c in opened.list_cases()] == [cid]
    header = vault_header.decode((vault_path / HEADER_NAME).read_bytes())
    assert (header.kdf.m_kib, header.kdf.t, header.kdf.p) == kdf.PRODUCTION
    assert elapsed < 30
    # (re-opening would cost another production derivation; the header check suffices)


def test_bounds_are_checked_before_deriving() -> None:
    ok = kdf.KdfParams(m_kib=8192, t=1, p=1, salt=b"s" * 16)
    kdf.check_bounds(ok)
    for bad in (
        dict(m_kib=4 * 1024**3, t=2, p=1, salt=b"s" * 16),  # 4 TiB
        dict(m_kib=2 * 1024**2 + 1, t=2, p=1, salt=b"s" * 16),
        dict(m_kib=65536, t=2**32, p=1, salt=b"s" * 16),
        dict(m_kib=65536, t=17, p=1, salt=b"s" * 16),
        dict(m_kib=65536, t=0, p=1, salt=b"s" * 16),
        dict(m_kib=65536, t=2, p=17, salt=b"s" * 16),
        dict(m_kib=65536, t=2, p=0, salt=b"s" * 16),
        dict(m_kib=7, t=2, p=1, salt=b"s" * 16),
        dict(m_kib=65536, t=2, p=1, salt=b""),
        dict(m_kib=65536, t=2, p=1, salt=b"s" * 15),
        dict(m_kib=65536, t=2, p=1, salt=b"s" * 65),
        dict(m_kib=65536, t=2, p=1, salt=b"s" * 1_000_000),
    ):
        with pytest.raises(HostileParameters):
            kdf.derive("whatever passphrase", kdf.KdfParams(**bad))


class _NoDerive:
    def __init__(self, *a, **k) -> None:
        raise AssertionError("derived with hostile parameters")


HOSTILE = [
    {"m": 4 * 1024**3, "t": 2, "p": 1, "salt": b"s" * 16},
    {"m": 65536, "t": 2**32, "p": 1, "salt": b"s" * 16},
    {"m": 65536, "t": 2, "p": 1, "salt": b""},
    {"m": 65536, "t": 2, "p": 1, "salt": b"s" * 1_000_000},
]


def _kdf_json(h: dict) -> dict:
    return {
        "alg": "argon2id",
        "v": 19,
        "m": h["m"],
        "t": h["t"],
        "p": h["p"],
        "salt": base64.b64encode(h["salt"]).decode(),
        "norm": "NFKC",
    }


@pytest.mark.parametrize("hostile", HOSTILE, ids=["m4TiB", "t2^32", "salt0", "salt1MB"])
def test_hostile_vault_header_is_refused_fast(vault_path: Path, hostile, monkeypatch) -> None:
    Vault.create(vault_path, PASSPHRASE)[0].lock()
    data = (vault_path / HEADER_NAME).read_bytes()
    n = int.from_bytes(data[12:16], "big")
    body = json.loads(data[16 : 16 + n])
    body["kdf"] = _kdf_json(hostile)
    raw = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    head = vault_header.PREFIX.pack(b"IMRVAULT", 1, 0, len(raw)) + raw
    (vault_path / HEADER_NAME).write_bytes(head + hashlib.sha256(head).digest())
    monkeypatch.setattr(kdf, "Argon2id", _NoDerive)
    start = time.perf_counter()
    with pytest.raises(HostileParameters) as e:
        Vault.open(vault_path, PASSPHRASE)
    elapsed = time.perf_counter() - start
    assert e.value.exit_code == 3
    assert elapsed < 0.05
    tracemalloc.start()
    with pytest.raises(HostileParameters):
        Vault.open(vault_path, PASSPHRASE)
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 10 * 1024 * 1024


@pytest.mark.parametrize("hostile", HOSTILE, ids=["m4TiB", "t2^32", "salt0", "salt1MB"])
def test_hostile_bundle_is_refused_fast(vault, tmp_path: Path, hostile, monkeypatch) -> None:
    cid = vault.create_case(sample_record())
    out = tmp_path / "case.imrbundle"
    vault.export_case(cid, out, BUNDLE_PASSPHRASE)
    data = out.read_bytes()
    n = int.from_bytes(data[12:16], "big")
    body = json.loads(data[16 : 16 + n])
    body["kdf"] = _kdf_json(hostile)
    raw = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    head = bundle.PREFIX.pack(b"IMRBUNDL", 1, 0, len(raw)) + raw
    out.write_bytes(head + hashlib.sha256(head).digest() + data[16 + n + 32 :])
    monkeypatch.setattr(kdf, "Argon2id", _NoDerive)
    start = time.perf_counter()
    with pytest.raises(HostileParameters):
        vault.import_case(out, BUNDLE_PASSPHRASE)
    assert time.perf_counter() - start < 0.05
    tracemalloc.start()
    with pytest.raises(HostileParameters):
        vault.import_case(out, BUNDLE_PASSPHRASE)
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 10 * 1024 * 1024
    assert len(vault.list_cases()) == 1


BUNDLE_TOO_COSTLY = [
    {"m": 2 * 1024**2, "t": 2, "p": 1, "salt": b"s" * 16},  # the reviewer's: 2 GiB, 8.8 s
    {"m": 4 * kdf.PRODUCTION[0] + 1, "t": 2, "p": 1, "salt": b"s" * 16},
    {"m": kdf.PRODUCTION[0], "t": 5, "p": 1, "salt": b"s" * 16},
    {"m": 65536, "t": 16, "p": 1, "salt": b"s" * 16},
]


@pytest.mark.parametrize("costly", BUNDLE_TOO_COSTLY, ids=["m2GiB", "m1GiB+1", "t5", "t16"])
def test_bundle_kdf_is_capped_below_the_general_ceilings(vault, tmp_path, costly, monkeypatch):
    """L4: a bundle's parameters come from an unauthenticated header, and bundles are always
    written at the production policy: at most 4x its memory (1 GiB) and t <= 4, refused
    before deriving. The vault header keeps the general ceilings."""
    kdf.check_bounds(kdf.KdfParams(m_kib=costly["m"], t=costly["t"], p=1, salt=b"s" * 16))
    cid = vault.create_case(sample_record())
    out = tmp_path / "case.imrbundle"
    vault.export_case(cid, out, BUNDLE_PASSPHRASE)
    data = out.read_bytes()
    n = int.from_bytes(data[12:16], "big")
    body = json.loads(data[16 : 16 + n])
    body["kdf"] = _kdf_json(costly)
    raw = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    head = bundle.PREFIX.pack(b"IMRBUNDL", 1, 0, len(raw)) + raw
    out.write_bytes(head + hashlib.sha256(head).digest() + data[16 + n + 32 :])
    monkeypatch.setattr(kdf, "Argon2id", _NoDerive)
    start = time.perf_counter()
    with pytest.raises(HostileParameters) as e:
        vault.import_case(out, BUNDLE_PASSPHRASE)
    assert time.perf_counter() - start < 0.05
    assert e.value.exit_code == 3
    # the most a bundle may ask for is accepted (checked, not derived here)
    assert kdf.BUNDLE_MAX_M_KIB == 4 * kdf.PRODUCTION[0] == 1024**2
    assert kdf.BUNDLE_MAX_T == 4
    kdf.check_bundle_bounds(kdf.KdfParams(m_kib=1024**2, t=4, p=1, salt=b"s" * 16))


def test_the_test_kdf_variable_alone_does_not_weaken_a_real_run(monkeypatch) -> None:
    """L10: IMRDESKTOP_TEST_FAST_KDF=1 is honoured only in a test run — pytest imported,
    or IMRDESKTOP_ALLOW_TEST_KDF=1 too (a test's child process) — and never in a frozen
    (installed) build. A variable leaked into a user's environment weakens nothing."""
    import sys

    assert os.environ.get(kdf.FAST_KDF_ENV) == "1" and "pytest" in sys.modules
    assert kdf.fast_kdf_enabled()
    monkeypatch.delitem(sys.modules, "pytest")  # as in the app: pytest not loaded
    monkeypatch.delenv(ALLOW_ENV, raising=False)
    assert not kdf.fast_kdf_enabled()
    assert kdf.policy() == kdf.PRODUCTION
    monkeypatch.setenv(ALLOW_ENV, "1")
    assert kdf.fast_kdf_enabled()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert not kdf.fast_kdf_enabled()
    assert kdf.policy() == kdf.PRODUCTION
    monkeypatch.undo()
    monkeypatch.setattr(sys, "frozen", True, raising=False)  # frozen, inside pytest
    assert not kdf.fast_kdf_enabled()


def test_a_test_kdf_vault_is_rewrapped_at_the_first_real_unlock(vault_path: Path) -> None:
    """L10: a vault made with the test profile is re-wrapped to the production policy at
    the first unlock by a process that does not honour the test variable (here: a child
    with IMRDESKTOP_TEST_FAST_KDF=1 but neither pytest nor the second variable)."""
    import subprocess
    import sys
    import textwrap

    vault, _ = Vault.create(vault_path, PASSPHRASE)
    cid = vault.create_case(sample_record())
    vault.lock()
    before = vault_header.decode((vault_path / HEADER_NAME).read_bytes()).kdf
    assert (before.m_kib, before.t, before.p) == kdf.TEST_PROFILE
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from imrdesktop.storage import kdf
        from imrdesktop.storage.vault import Vault
        print(kdf.fast_kdf_enabled())
        with Vault.open(Path({str(vault_path)!r}), {PASSPHRASE!r}) as v:
            print([c.case_id for c in v.list_cases()] == [{cid!r}])
        """
    )
    env = {k: v for k, v in os.environ.items() if k != ALLOW_ENV}
    env[kdf.FAST_KDF_ENV] = "1"
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[3],
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["False", "True"]
    for name in (HEADER_NAME, BACKUP_NAME):
        after = vault_header.decode((vault_path / name).read_bytes()).kdf
        assert (after.m_kib, after.t, after.p) == kdf.PRODUCTION
