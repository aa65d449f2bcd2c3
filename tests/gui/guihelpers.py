"""Steps shared by GUI tests."""

from __future__ import annotations

from PySide6.QtCore import Qt

PASS = "four unrelated words make a passphrase"


def create_profile(qtbot, window, answers, label="Training desk", passphrase=PASS):
    def fill(dialog):
        qtbot.keyClicks(dialog.name_edit, label)
        qtbot.keyClicks(dialog.passphrase.first, passphrase)
        qtbot.keyClicks(dialog.passphrase.second, passphrase)
        assert dialog.ok_button.isEnabled()
        return True

    recovery = {}

    def acknowledge(dialog):
        recovery["key"] = dialog.key_view.toPlainText()
        assert not dialog.ok_button.isEnabled()
        dialog.confirm_check.setChecked(True)
        assert dialog.ok_button.isEnabled()
        return True

    answers.dialog_handlers += [fill, acknowledge]
    qtbot.mouseClick(window.unlock_screen.new_profile_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.session is not None or bool(answers.messages("error")), timeout=20_000
    )
    assert window.session is not None, answers.messages()
    return recovery["key"]


def unlock(qtbot, window, passphrase=PASS):
    screen = window.unlock_screen
    qtbot.keyClicks(screen.passphrase_edit, passphrase)
    qtbot.keyClick(screen.passphrase_edit, Qt.Key.Key_Return)
