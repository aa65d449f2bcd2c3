"""Every dialog the app opens goes through this module, so tests can answer them.

Widgets call these functions, never ``QMessageBox``/``QFileDialog`` directly. Tests
replace them through the ``answers`` fixture (``tests/gui/conftest.py``).

File dialogs use Qt's own widget dialog with history switched off, so no file name ends
up in a recent-files list; their history is wiped after use.
"""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

from imrdesktop.i18n import _


def _box(parent: QWidget | None, icon, title: str, text: str) -> QMessageBox:
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("messageBox")
    return box


def _tell(parent: QWidget | None, icon, title: str, text: str) -> None:
    box = _box(parent, icon, title, text)
    box.addButton(QMessageBox.StandardButton.Ok)
    box.exec()


def inform(parent: QWidget | None, title: str, text: str) -> None:
    _tell(parent, QMessageBox.Icon.Information, title, text)


def warn(parent: QWidget | None, title: str, text: str) -> None:
    _tell(parent, QMessageBox.Icon.Warning, title, text)


def error(parent: QWidget | None, text: str, title: str | None = None) -> None:
    _tell(parent, QMessageBox.Icon.Critical, title or _("Something went wrong"), text)


def confirm(
    parent: QWidget | None, title: str, text: str, yes: str | None = None, no: str | None = None
) -> bool:
    box = _box(parent, QMessageBox.Icon.Question, title, text)
    yes_button = box.addButton(yes or _("Yes"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(no or _("Cancel"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(yes_button)
    box.exec()
    return box.clickedButton() is yes_button


def _forget_dialog_history() -> None:
    settings = QSettings("QtProject")
    settings.beginGroup("FileDialog")
    settings.remove("")
    settings.endGroup()
    settings.sync()


def _file_dialog(parent: QWidget | None, title: str, name_filter: str) -> QFileDialog:
    dlg = QFileDialog(parent, title)
    dlg.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dlg.setHistory([])
    if name_filter:
        dlg.setNameFilter(name_filter)
    return dlg


def choose_save_path(
    parent: QWidget | None, title: str, suggested_name: str, name_filter: str = ""
) -> Path | None:
    dlg = _file_dialog(parent, title, name_filter)
    dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dlg.selectFile(suggested_name)
    try:
        if dlg.exec() and dlg.selectedFiles():
            return Path(dlg.selectedFiles()[0])
        return None
    finally:
        _forget_dialog_history()


def choose_open_file(parent: QWidget | None, title: str, name_filter: str = "") -> Path | None:
    dlg = _file_dialog(parent, title, name_filter)
    dlg.setFileMode(QFileDialog.FileMode.ExistingFile)
    try:
        if dlg.exec() and dlg.selectedFiles():
            return Path(dlg.selectedFiles()[0])
        return None
    finally:
        _forget_dialog_history()


def choose_files(parent: QWidget | None, title: str, name_filter: str = "") -> list[Path]:
    dlg = _file_dialog(parent, title, name_filter)
    dlg.setFileMode(QFileDialog.FileMode.ExistingFiles)
    try:
        if dlg.exec():
            return [Path(p) for p in dlg.selectedFiles()]
        return []
    finally:
        _forget_dialog_history()


def ask_password(parent: QWidget | None, title: str, text: str) -> str | None:
    """Ask for a password (e.g. of a protected PDF), typed hidden; None when cancelled.

    The typed text is wiped from the dialog before it is deleted."""
    dlg = QInputDialog(parent)
    dlg.setObjectName("passwordDialog")
    dlg.setWindowTitle(title)
    dlg.setLabelText(text)
    dlg.setInputMode(QInputDialog.InputMode.TextInput)
    dlg.setTextEchoMode(QLineEdit.EchoMode.Password)
    dlg.setOkButtonText(_("OK"))
    dlg.setCancelButtonText(_("Cancel"))
    for edit in dlg.findChildren(QLineEdit):
        edit.setAccessibleName(_("Password"))
        edit.setInputMethodHints(
            Qt.InputMethodHint.ImhSensitiveData
            | Qt.InputMethodHint.ImhNoPredictiveText
            | Qt.InputMethodHint.ImhHiddenText
        )
    try:
        accepted = dlg.exec()
        if not shiboken6.isValid(dlg):  # closed and deleted by a lock meanwhile
            return None
        return dlg.textValue() if accepted else None
    finally:
        if shiboken6.isValid(dlg):
            dlg.setTextValue("")
            dispose(dlg)


def run_dialog(dialog) -> bool:
    """Run one of our own dialogs modally; tests replace this to drive it instead."""
    return bool(dialog.exec())


def dispose(dialog: QWidget) -> None:
    """Wipe what a finished dialog shows (it may hold client data) and delete it."""
    from PySide6.QtWidgets import QLabel, QPlainTextEdit

    # setText/setPlainText (not clear()) also empty the undo history.
    for edit in dialog.findChildren(QLineEdit):
        edit.setText("")
    for text in dialog.findChildren(QPlainTextEdit):
        text.setPlainText("")
    for picture in dialog.findChildren(QLabel):  # a page shown in a viewer
        if not picture.pixmap().isNull():
            picture.clear()
    dialog.hide()
    dialog.deleteLater()


def dispose_all_dialogs() -> None:
    """Close and wipe every dialog (on lock), then let Qt delete them now."""
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication, QDialog

    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QDialog):
            if widget.isVisible():
                widget.reject()
            dispose(widget)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
