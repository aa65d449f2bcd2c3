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
                assert len(attachments) <= 1 or step % 3 == 0
                if acked_attachment:
                    assert max(x.meta["step"] for x in attachments) >= acked_attachment
                for att in attachments:
                    assert case.read_attachment(att.id) == bytes([att.meta["step"] % 256]) * (
                        1024 * 1024 + 100
                    )
            assert opened.verify() == []
            assert [c.summary["step"] for c in opened.list_cases()][0] <= step
    assert acked_step > KILLS  # the loop made real progress between kills
