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
    parent: QWidget | None,
    title: str,
    suggested_name: str,
    name_filter: str = "",
    default_suffix: str = "",
) -> Path | None:
    dlg = _file_dialog(parent, title, name_filter)
    dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    if default_suffix:
        # The dialog adds it before its own "replace the existing file?" question.
        dlg.setDefaultSuffix(default_suffix)
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


PRINT_DPI_CAP = 300  # pages are drawn at most this fine: 300 dpi is plenty for forms and scans


def print_pages(parent: QWidget | None, page_count: int, render_page) -> bool:
    """Print ``page_count`` pages through the system print dialog.

    ``render_page(index, dpi) -> QImage`` draws page ``index`` (0-based) at ``dpi`` dots per
    inch; each image is scaled to the printer's page rectangle. The job is named neutrally
    ("IMR packet", never the client's name) and no file is written by us: printing to a file
    is not offered. Returns True when the pages went to the printer, False when the dialog
    was cancelled or a page could not be drawn (a null image stops the job)."""
    from PySide6.QtGui import QPageSize
    from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter

    if page_count < 1:
        return False
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(_("IMR packet"))
    printer.setCreator("IMR Desktop")
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.Letter))
    printer.setFullPage(False)
    dlg = QPrintDialog(printer, parent)
    dlg.setObjectName("printDialog")
    dlg.setWindowTitle(_("Print"))
    option = QAbstractPrintDialog.PrintDialogOption
    dlg.setOptions(option.PrintPageRange | option.PrintShowPageSize | option.PrintCollateCopies)
    dlg.setMinMax(1, page_count)
    dlg.setFromTo(1, page_count)
    try:
        accepted = dlg.exec() == QPrintDialog.DialogCode.Accepted
    finally:
        if shiboken6.isValid(dlg):
            dlg.deleteLater()
    if not accepted or printer.outputFileName():
        return False
    first, last = 1, page_count
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first = max(1, printer.fromPage())
        last = min(page_count, printer.toPage() or page_count)
    return paint_pages(printer, range(first - 1, last), render_page, parent)


def paint_pages(printer, indexes, render_page, parent: QWidget | None = None) -> bool:
    """Draw the pages ``indexes`` (0-based) on ``printer``, one image per sheet, with a
    progress dialog that can stop the job. Returns False when stopped or a page failed."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QPainter
    from PySide6.QtPrintSupport import QPrinter
    from PySide6.QtWidgets import QApplication, QProgressDialog

    indexes = list(indexes)
    dpi = min(printer.resolution(), PRINT_DPI_CAP)
    progress = QProgressDialog(
        _("Sending the pages to the printer…"), _("Stop"), 0, len(indexes), parent
    )
    progress.setObjectName("printProgress")
    progress.setWindowTitle(_("Printing"))
    progress.setWindowModality(Qt.WindowModality.ApplicationModal)
    progress.setMinimumDuration(500)
    painter = QPainter()
    if not painter.begin(printer):
        progress.deleteLater()
        error(
            parent,
            _(
                "The printer could not be reached. Check that it is switched on and connected, "
                "then try again."
            ),
            _("Not printed"),
        )
        return False
    ok = True
    try:
        for n, index in enumerate(indexes):
            if not shiboken6.isValid(progress) or progress.wasCanceled():
                ok = False
                break
            progress.setLabelText(
                _("Sending page {n} of {count} to the printer…").format(n=n + 1, count=len(indexes))
            )
            progress.setValue(n)
            QApplication.processEvents()
            image = render_page(index, dpi)
            if image is None or image.isNull():
                ok = False
                break
            if n:
                printer.newPage()
            area = QRectF(printer.pageRect(QPrinter.Unit.DevicePixel))
            area.moveTo(0, 0)
            size = image.size().toSizeF().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRectF(
                (area.width() - size.width()) / 2,
                (area.height() - size.height()) / 2,
                size.width(),
                size.height(),
            )
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(target, image)
            del image
    finally:
        if not ok:
            printer.abort()
        painter.end()
        if shiboken6.isValid(progress):
            progress.reset()
            progress.deleteLater()
    return ok
