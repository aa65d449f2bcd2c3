"""T-DUR-4: failing writes (ENOSPC, EIO, EACCES) at every step leave the previous state
intact and raise DiskFull / WriteFailed / StoragePermissionDenied; read-only folders."""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from storage_helpers import CHUNK, OTHER_PASSPHRASE, PASSPHRASE, sample_record, snapshot

from imrdesktop.domain.errors import DiskFull, StoragePermissionDenied, WriteFailed
from imrdesktop.storage import atomic
from imrdesktop.storage.vault import HEADER_NAME, Vault

ROOT = Path(__file__).resolve().parents[3]


class Injector:
    """Counts calls of one os function and fails call number ``fail_at`` with ``err``."""

    def __init__(self, real, fail_at: int, err: int) -> None:
        self.real, self.fail_at, self.err, self.calls = real, fail_at, err, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.calls == self.fail_at:
            raise OSError(self.err, os.strerror(self.err))
        return self.real(*args, **kwargs)


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if atomic.is_temp_name(p.name)]


@pytest.mark.parametrize("func", ["open", "write", "fsync", "replace"])
@pytest.mark.parametrize(
    ("err", "kind"),
    [(errno.ENOSPC, DiskFull), (errno.EIO, WriteFailed), (errno.EACCES, StoragePermissionDenied)],
)
def test_atomic_write_failure_at_every_call(tmp_path: Path, monkeypatch, func, err, kind) -> None:
    target = tmp_path / "small.bin"
    old = b"previous version " * 1000
    new = b"N" * (3 * 65536 + 7)
    fail_at = 1
    while True:
        target.write_bytes(old)
        injector = Injector(getattr(os, func), fail_at, err)
        with monkeypatch.context() as m:
            m.setattr(os, func, injector)
            try:
                atomic.write_atomic(target, new)
            except kind:
                failed = True
            else:
                failed = False
        content = target.read_bytes()
        # Whole old or whole new (a failing folder fsync comes after the rename), never a mix.
        assert content == new if not failed else content in (old, new)
        assert leftovers(tmp_path) == []
        if not failed and injector.calls < fail_at:
            break
        fail_at += 1
    assert fail_at > 1


def test_short_writes_are_completed(tmp_path: Path, monkeypatch) -> None:
    real = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real(fd, bytes(data)[:7]))
    atomic.write_atomic(tmp_path / "f", b"0123456789" * 100)
    monkeypatch.undo()
    assert (tmp_path / "f").read_bytes() == b"0123456789" * 100


def test_failed_header_write_keeps_the_old_passphrase(vault, vault_path: Path, monkeypatch) -> None:
    before = (vault_path / HEADER_NAME).read_bytes()
    monkeypatch.setattr(os, "fsync", Injector(os.fsync, 1, errno.ENOSPC))
    with pytest.raises(DiskFull) as e:
        vault.change_passphrase(OTHER_PASSPHRASE)
    assert e.value.exit_code == 1
    monkeypatch.undo()
    assert (vault_path / HEADER_NAME).read_bytes() == before
    assert leftovers(vault_path) == []
    vault.lock()
    Vault.open(vault_path, PASSPHRASE).lock()


def _run_with_file_size_limit(script: str, env_extra: dict[str, str] | None = None) -> str:
    # a child process has no pytest loaded: it needs the second variable for the test KDF
    env = dict(os.environ, IMRDESKTOP_ALLOW_TEST_KDF="1", **(env_extra or {}))
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout.strip()


DISK_FULL_CHILD = """
    import io, os, resource, signal, sys
    from pathlib import Path
    from imrdesktop.storage.vault import Vault
    from imrdesktop.domain.errors import ImrError
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # write() returns EFBIG instead
    vault = Vault.open(Path(sys.argv[1] if len(sys.argv) > 1 else {path!r}), {pw!r})
    case = vault.open_case({cid!r})
    case_path = vault.case_path({cid!r})
    limit = case_path.stat().st_size + 64 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    results = []
    try:
        case.save({{"big": {{"text": "x" * (3 * 1024 * 1024)}}, "case": {{"changed": True}}}})
        results.append("saved")
    except ImrError as exc:
        results.append(type(exc).__name__)
    try:
        case.add_attachment(io.BytesIO(os.urandom(5 * 1024 * 1024)), {{"t": "big"}})
        results.append("stored")
    except ImrError as exc:
        results.append(type(exc).__name__)
    print(" ".join(results))
"""


def test_disk_full_during_case_save_and_import(vault, vault_path: Path) -> None:
    cid = vault.create_case(sample_record(), {"name": "S"})
    with vault.open_case(cid) as case:
        case.save({"note": {"n": 1}})
        case.add_attachment(__import__("io").BytesIO(os.urandom(CHUNK + 3)), {"t": "kept"})
        before = snapshot(case)
    script = DISK_FULL_CHILD.format(path=str(vault_path), pw=PASSPHRASE, cid=cid)
    result = _run_with_file_size_limit(script).split()
    assert len(result) == 2
    assert all(r in ("DiskFull", "WriteFailed") for r in result), result
    with vault.open_case(cid) as case:
        assert snapshot(case) == before
        case.verify()
    assert vault.verify() == []


def _make_read_only(folder: Path, monkeypatch) -> None:
    """chmod for a normal user; root ignores modes, so simulate EACCES at os.open then."""
    if os.geteuid() != 0:
        for p in (folder, folder / "cases"):
            p.chmod(0o500)
        return
    real_open = os.open

    def guarded(path, flags, mode=0o777, *args, **kwargs):
        writing = flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
        if writing and Path(os.fsdecode(path)).resolve().is_relative_to(folder.resolve()):
            raise PermissionError(errno.EACCES, "read-only folder")
        return real_open(path, flags, mode, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded)


def test_read_only_vault_folder(vault_path: Path, monkeypatch) -> None:
    vault, _ = Vault.create(vault_path, PASSPHRASE)
    cid = vault.create_case(sample_record(), {"name": "RO"})
    vault.lock()
    _make_read_only(vault_path, monkeypatch)
    try:
        with Vault.open(vault_path, PASSPHRASE) as opened:
            assert [c.case_id for c in opened.list_cases()] == [cid]
            with pytest.raises(StoragePermissionDenied) as e:
                opened.create_case(sample_record(2))
            assert e.value.exit_code == 1
            with pytest.raises(StoragePermissionDenied):
                opened.change_passphrase(OTHER_PASSPHRASE)
            with pytest.raises(StoragePermissionDenied):
                opened.remember_on_this_computer(shared_pc=False, backend=_Fake())
            if os.geteuid() != 0:  # SQLite's own files: only a real read-only folder
                with pytest.raises(StoragePermissionDenied):
                    opened.open_case(cid)
        with pytest.raises(StoragePermissionDenied):
            Vault.create(vault_path / "cases" / "inner", PASSPHRASE)
    finally:
        monkeypatch.undo()
        for p in (vault_path, vault_path / "cases"):
            p.chmod(0o700)
    with Vault.open(vault_path, PASSPHRASE) as opened:
        assert opened.verify() == []
        assert len(opened.list_cases()) == 1


class _Fake:
    def __init__(self) -> None:
        self.items: dict = {}

    def set_password(self, s, u, p) -> None:
        self.items[(s, u)] = p

    def get_password(self, s, u):
        return self.items.get((s, u))

    def delete_password(self, s, u) -> None:
        self.items.pop((s, u), None)


class _FailingWal:
    """A connection whose ``PRAGMA journal_mode=WAL`` fails like it does on a read-only
    file system (SQLite reports SQLITE_IOERR_LOCK, SQLITE_READONLY or SQLITE_CANTOPEN)."""

    def __init__(self, conn, errorname: str) -> None:
        self._conn, self._errorname = conn, errorname

    def execute(self, sql, *args):
        if sql.replace(" ", "").lower() == "pragmajournal_mode=wal":
            exc = sqlite3.OperationalError("disk I/O error")
            exc.sqlite_errorname = self._errorname
            raise exc
        return self._conn.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._conn, name)


@pytest.mark.parametrize("errorname", ["SQLITE_IOERR_LOCK", "SQLITE_READONLY", "SQLITE_CANTOPEN"])
@pytest.mark.parametrize("how", ["read_only_mount", "no_write_permission"])
def test_case_on_a_read_only_file_system_is_not_damage(vault, monkeypatch, errorname, how) -> None:
    """M2: a case on a read-only file system is StoragePermissionDenied (exit 1), not
    CaseDamaged (exit 3). Simulated: we run as root, and mounting is not for unit tests."""
    from imrdesktop.domain.errors import CaseDamaged
    from imrdesktop.storage import sqlite_util

    cid = vault.create_case(sample_record())
    real_connect = sqlite3.connect
    monkeypatch.setattr(
        sqlite_util.sqlite3,
        "connect",
        lambda *a, **k: _FailingWal(real_connect(*a, **k), errorname),
    )
    if errorname == "SQLITE_IOERR_LOCK":  # on a writable folder the same error is damage
        with pytest.raises(CaseDamaged):
            vault.open_case(cid)
    cases_dir = vault.cases_dir.resolve()
    if how == "read_only_mount":
        real_statvfs = os.statvfs

        def statvfs(path):
            st = real_statvfs(path)
            if Path(os.fsdecode(path)).resolve().is_relative_to(cases_dir):
                return os.statvfs_result((*st[:8], st.f_flag | os.ST_RDONLY, st.f_namemax))
            return st

        monkeypatch.setattr(os, "statvfs", statvfs)
    else:
        real_access = os.access
        monkeypatch.setattr(
            os,
            "access",
            lambda p, mode, **k: (
                False
                if mode & os.W_OK and Path(os.fsdecode(p)).resolve().is_relative_to(cases_dir)
                else real_access(p, mode, **k)
            ),
        )
    with pytest.raises(StoragePermissionDenied) as e:
        vault.open_case(cid)
    assert e.value.exit_code == 1
    assert [type(p.error) for p in vault.verify()] == [StoragePermissionDenied]


@pytest.mark.parametrize("func", ["write", "fsync", "replace"])
def test_settings_and_profiles_use_the_atomic_writer(tmp_path: Path, monkeypatch, func) -> None:
    """Settings and profile labels are written by the storage's atomic writer: a failing
    write keeps the previous file, leaves no temp file and raises a typed error."""
    import json

    from imrdesktop.services.profiles import ProfileStore
    from imrdesktop.storage.settings import Settings

    settings_file = tmp_path / "config" / "settings.json"
    settings = Settings(settings_file)
    settings.set("auto_lock_minutes", 7)
    store = ProfileStore(tmp_path / "profiles")
    with monkeypatch.context() as m:
        m.setattr(os, func, Injector(getattr(os, func), 1, errno.ENOSPC))
        with pytest.raises(DiskFull):
            settings.set("auto_lock_minutes", 9)
    assert json.loads(settings_file.read_text()) == {"auto_lock_minutes": 7}
    assert sorted(p.name for p in settings_file.parent.iterdir()) == ["settings.json"]
    with monkeypatch.context() as m:
        m.setattr(os, func, Injector(getattr(os, func), 1, errno.ENOSPC))
        with pytest.raises(DiskFull):
            store.new("Ana's cases")
    assert list((tmp_path / "profiles").iterdir()) == [], "a half-made profile was left"
    profile = store.new("Ana's cases")
    assert sorted(p.name for p in profile.folder.iterdir()) == ["profile.json"]
    assert oct((profile.folder / "profile.json").stat().st_mode & 0o777) == "0o600"
    assert [p.label for p in store.list()] == ["Ana's cases"]
