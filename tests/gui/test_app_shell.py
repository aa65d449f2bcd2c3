"""The shell's guards: --demo, single instance, accessibility names, process start-up."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
)

from imrdesktop.gui.single_instance import SingleInstance


def test_demo_opens_the_training_vault(qtbot, ctx, answers):
    from imrdesktop.gui.run import create_main_window

    w = create_main_window(ctx, demo=True)
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: w.session is not None, timeout=20_000)
    assert w.session.training
    assert w.case_list.proxy.rowCount() == 5
    w.close()


def test_second_instance_is_refused(tmp_path):
    first = SingleInstance(tmp_path / "instance.lock")
    second = SingleInstance(tmp_path / "instance.lock")
    assert first.acquire()
    assert not second.acquire()
    first.release()
    assert second.acquire()
    second.release()


def _unnamed_controls(root) -> list[str]:
    missing = []
    kinds = (QLineEdit, QComboBox, QPlainTextEdit, QAbstractSpinBox, QAbstractItemView)
    for w in root.findChildren(QAbstractButton):
        if not (w.accessibleName() or w.text().replace("&", "").strip()) and w.isVisibleTo(root):
            missing.append(f"{type(w).__name__} {w.objectName()}")
    for w in [c for kind in kinds for c in root.findChildren(kind)]:
        if w.objectName().startswith("qt_") or not w.isVisibleTo(root):
            continue
        if type(w).__name__ in ("QComboBoxListView", "QListView") and w.parent() is not root:
            continue
        if not w.accessibleName():
            missing.append(f"{type(w).__name__} {w.objectName()}")
    return missing


def test_every_control_has_an_accessible_name(qtbot, window, answers):
    from guihelpers import create_profile

    from imrdesktop.gui.widgets.about_dialog import AboutDialog
    from imrdesktop.gui.widgets.bundle_dialogs import BundlePassphraseDialog
    from imrdesktop.gui.widgets.new_case_dialog import NewCaseDialog
    from imrdesktop.gui.widgets.profile_dialogs import (
        NewProfileDialog,
        RecoverDialog,
        RecoveryKeyDialog,
    )
    from imrdesktop.gui.widgets.settings_dialog import SettingsDialog

    assert _unnamed_controls(window.unlock_screen) == []
    create_profile(qtbot, window, answers)
    assert _unnamed_controls(window.case_list) == []
    case_id = window.session.create_case({"enrollee": {"name": "Test Person"}})
    window.open_case(case_id)
    assert _unnamed_controls(window.workspace) == []
    for dlg in (
        NewProfileDialog(window),
        RecoverDialog(window),
        RecoveryKeyDialog("ABCD-EFGH", "v1", window),
        NewCaseDialog(window),
        SettingsDialog(window.ctx.settings, window),
        AboutDialog("/tmp", window),
        BundlePassphraseDialog(export=True, parent=window),
        BundlePassphraseDialog(export=False, parent=window),
    ):
        dlg.show()
        assert _unnamed_controls(dlg) == [], dlg.objectName()
        dlg.close()


def test_window_titles_never_name_the_client(qtbot, window, answers):
    from guihelpers import create_profile

    create_profile(qtbot, window, answers)
    case_id = window.session.create_case({"enrollee": {"name": "Distinct Clientname"}})
    window.open_case(case_id)
    assert "Clientname" not in window.windowTitle()
    assert window.windowTitle() == "IMR Desktop"


def test_the_app_starts_as_a_process_and_makes_private_files(sandbox):
    """`python -m imrdesktop --demo` starts, logs, and creates files 0600 under umask 077."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", IMRDESKTOP_LOG_LEVEL="INFO")
    proc = subprocess.Popen(
        [sys.executable, "-m", "imrdesktop", "--demo"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    from imrdesktop.storage.paths import AppPaths

    log_file = AppPaths.default().logs / "imrdesktop.log"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if log_file.exists() and "training vault created" in log_file.read_text():
                break
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.1)
        else:
            raise AssertionError("the app did not start within 60 s")
        with open(f"/proc/{proc.pid}/status") as fh:
            status = fh.read()
        assert "\nUmask:\t0077" in status
    finally:
        proc.kill()
        proc.wait(10)
    assert oct(log_file.stat().st_mode & 0o777) == "0o600"
    for path in AppPaths.default().data.rglob("*"):
        if path.is_file():
            assert path.stat().st_mode & 0o077 == 0, path
