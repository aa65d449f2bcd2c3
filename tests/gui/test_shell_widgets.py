"""The pieces of the shell that need no vault: apology dialog, idle timer, clipboard."""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLineEdit

from imrdesktop.gui import excepthook
from imrdesktop.gui.clipboard import SecureClipboard
from imrdesktop.gui.lock import InactivityTimer

CANARY = "CANARY-client-Maria-Lopez"


def test_unexpected_exception_shows_a_copyable_apology_without_client_data(qtbot, answers):
    seen = []

    def handler(dialog):
        seen.append(dialog.details.toPlainText())
        dialog.copy_button.click()
        return True

    answers.dialog_handlers.append(handler)
    try:
        raise ValueError(f"cannot parse {CANARY}")
    except ValueError:
        excepthook.handle_exception(*sys.exc_info())
    assert seen, "the apology dialog was not shown"
    details = seen[0]
    assert "builtins.ValueError" in details and "test_shell_widgets.py" in details
    assert CANARY not in details
    assert QGuiApplication.clipboard().text() == details


def test_inactivity_timer_fires_and_activity_postpones_it(qtbot):
    timer = InactivityTimer()
    timer.set_interval(300)
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.show()
    timer.activate()
    with qtbot.waitSignal(timer.inactivity_detected, timeout=3000):
        pass
    assert not timer.is_active()
    timer.set_interval(400)
    timer.activate()
    # Typing keeps restarting the countdown.
    with qtbot.assertNotEmitted(timer.inactivity_detected, wait=250):
        qtbot.keyClick(edit, Qt.Key.Key_A)
    with qtbot.assertNotEmitted(timer.inactivity_detected, wait=250):
        qtbot.keyClick(edit, Qt.Key.Key_B)
    with qtbot.waitSignal(timer.inactivity_detected, timeout=3000):
        pass
    timer.deactivate()


def test_clipboard_is_cleared_only_if_it_still_holds_our_text(qtbot):
    cb = QGuiApplication.clipboard()
    secure = SecureClipboard(clear_after_seconds=1)
    secure.set_text("GVH-448812093")
    mime = cb.mimeData()
    assert mime.hasFormat("x-kde-passwordManagerHint")
    assert secure.holds_ours()
    qtbot.waitUntil(lambda: cb.text() == "", timeout=3000)
    secure.set_text("GVH-1")
    cb.setText("something the advocate copied elsewhere")
    secure.clear_if_ours()
    assert cb.text() == "something the advocate copied elsewhere"
