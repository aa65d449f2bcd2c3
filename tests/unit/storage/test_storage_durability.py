"""T-DUR-1: SIGKILL during saves never loses an acknowledged save, never shows half of one,
and always leaves a vault that opens and verifies clean."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from storage_helpers import PASSPHRASE

from imrdesktop.storage.vault import Vault

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
KILLS = int(os.environ.get("IMRDESKTOP_DURABILITY_KILLS", "200"))
BUDGET_S = 240.0


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
def test_sigkill_during_saves(vault_path: Path) -> None:
    vault, _ = Vault.create(vault_path, PASSPHRASE)
    cid = vault.create_case({"seed": True}, {"step": 0})
    vault.lock()
    rnd = random.Random(1234)
    acked_step = 0
    acked_attachment = 0
    kills = 0
    started = time.monotonic()
    # a child process has no pytest loaded: it needs the second variable for the test KDF
    env = dict(os.environ, PYTHONPATH=str(ROOT), IMRDESKTOP_ALLOW_TEST_KDF="1")
    while kills < KILLS:
        assert time.monotonic() - started < BUDGET_S, f"only {kills} kills in the time budget"
        child = subprocess.Popen(
            [sys.executable, str(HERE / "durability_child.py"), str(vault_path), cid, PASSPHRASE],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env=env,
        )
        # Kill at a uniformly random moment: during start-up, unlock, WAL recovery, a save
        # or an attachment import.
        time.sleep(rnd.uniform(0.05, 0.7))
        child.send_signal(signal.SIGKILL)
        out, err = child.communicate(timeout=30)
        assert child.returncode == -signal.SIGKILL, err.decode(errors="replace")[-2000:]
        kills += 1
        for line in out.decode().splitlines():
            kind, _, number = line.partition(" ")
            if kind == "ack":
                acked_step = max(acked_step, int(number))
            elif kind == "att":
                acked_attachment = max(acked_attachment, int(number))
        with Vault.open(vault_path, PASSPHRASE) as opened:
            with opened.open_case(cid) as case:
                a, b = case.get("a"), case.get("b")
                step = a["step"] if a else 0
                assert step >= acked_step, "an acknowledged save was lost"
                assert b is not None or a is None
                if a:  # both records and the summary come from the same save
                    assert b["step"] == step and a["pad"] == b["pad"][::-1]
                    assert case.summary["step"] == step
                attachments = case.attachments()
                assert len(attachments) <= 1  # the replace is one transaction
                if acked_attachment:
                    assert max(x.meta["step"] for x in attachments) >= acked_attachment
                for att in attachments:
                    assert case.read_attachment(att.id) == bytes([att.meta["step"] % 256]) * (
                        1024 * 1024 + 100
                    )
            assert opened.verify() == []
            assert [c.summary["step"] for c in opened.list_cases()][0] <= step
    assert acked_step > KILLS  # the loop made real progress between kills


STUCK_IMPORT_CHILD = """
import sys, time
from pathlib import Path
from imrdesktop.storage.vault import Vault

class Stuck:
    '''3.5 MiB, then the source hangs: the import is mid-transaction when killed.'''
    def __init__(self):
        self.left = 3 * 1024 * 1024 + 512 * 1024
    def read(self, n):
        if self.left == 0:
            print("stuck", flush=True)
            time.sleep(3600)
        n = min(n, self.left)
        self.left -= n
        return b"\\x5a" * n

vault = Vault.open(Path(sys.argv[1]), sys.argv[2])
case = vault.open_case(sys.argv[3])
case.add_attachment(Stuck(), {"title": "never finished"})
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
def test_sigkill_in_the_middle_of_a_bulk_import(vault_path: Path) -> None:
    """A multi-chunk import writes with SQLite's rollback journal (new pages once, not
    twice). Killed mid-transaction, it leaves a hot journal that the next open rolls back:
    the case is as before, sound, back in WAL mode, and the leftovers are gone."""
    import io

    from storage_helpers import snapshot

    vault, _ = Vault.create(vault_path, PASSPHRASE)
    cid = vault.create_case({"seed": True}, {"step": 0})
    with vault.open_case(cid) as case:
        case.add_attachment(io.BytesIO(os.urandom(2 * 1024 * 1024 + 7)), {"title": "kept"})
        before = snapshot(case)
    vault.lock()
    env = dict(os.environ, PYTHONPATH=str(ROOT), IMRDESKTOP_ALLOW_TEST_KDF="1")
    child = subprocess.Popen(
        [sys.executable, "-c", STUCK_IMPORT_CHILD, str(vault_path), PASSPHRASE, cid],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    try:
        assert child.stdout.readline().strip() == b"stuck", child.stderr.read()[-2000:]
        case_path = vault_path / "cases" / f"{cid}.imrcase"
        journal = Path(str(case_path) + "-journal")
        deadline = time.monotonic() + 10
        while not (journal.exists() and journal.stat().st_size > 0):
            assert time.monotonic() < deadline, "no rollback journal: not in bulk mode"
            time.sleep(0.01)
        time.sleep(0.3)  # let the writer insert what it has
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    assert journal.exists()
    with Vault.open(vault_path, PASSPHRASE) as again:
        with again.open_case(cid) as case:
            assert snapshot(case) == before
            mode = case._conn.execute("PRAGMA journal_mode").fetchone()[0]
            assert mode == "wal"
        assert again.verify() == []
    leftovers = [p.name for p in case_path.parent.iterdir() if p.name != case_path.name]
    assert leftovers == []
