"""`imrdesktop --self-test`: the smoke test every built artefact runs (issue 9)."""

from __future__ import annotations

import os
import subprocess
import sys

from imrdesktop import selftest


def test_self_test_passes_with_one_line_and_leaves_nothing(tmp_path, sandbox):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "imrdesktop", "--self-test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("imrdesktop self-test: ok")
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []  # the throwaway folders are gone


def test_a_failure_is_one_line_and_exit_1(monkeypatch, capsys):
    def broken(_folder):
        raise RuntimeError("the packet is incomplete")

    monkeypatch.setattr(selftest, "_packet", broken)
    assert selftest.run() == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert out == ["imrdesktop self-test: FAILED at RuntimeError: the packet is incomplete"]
