"""Unexpected errors: log the scrubbed traceback and apologise, instead of crashing."""

from __future__ import annotations

import logging
import platform
import sys

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from imrdesktop import __version__
from imrdesktop.gui import dialogs
from imrdesktop.i18n import _
from imrdesktop.logsetup import scrubbed_traceback

log = logging.getLogger(__name__)


def technical_details(exc: BaseException) -> str:
    """What support needs, with no client data: versions and the scrubbed traceback."""
    return "\n".join(
        [
            f"IMR Desktop {__version__}",
            f"Python {platform.python_version()} on {platform.system()} {platform.release()}",
            "",
            scrubbed_traceback(exc),
        ]
    )


class ApologyDialog(QDialog):
    def __init__(self, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("apologyDialog")
        self.setWindowTitle(_("IMR Desktop — unexpected problem"))
        layout = QVBoxLayout(self)
        text = QLabel(
            _(
                "Sorry — something went wrong that IMR Desktop did not expect. Your saved work "
                "is safe. You can keep working; if it happens again, copy the technical "
                "details below and send them to whoever supports IMR Desktop. They contain "
                "no client information."
            )
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        self.details = QPlainTextEdit(details)
        self.details.setObjectName("apologyDetails")
        self.details.setReadOnly(True)
        self.details.setAccessibleName(_("Technical details"))
        layout.addWidget(self.details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = buttons.addButton(
            _("Copy technical details"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.copy_button.setObjectName("copyDetailsButton")
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 360)

    def copy_details(self) -> None:
        # Not client data, so an ordinary copy is right here.
        QGuiApplication.clipboard().setText(self.details.toPlainText())


_showing = False


def handle_exception(exc_type, exc: BaseException, tb) -> None:
    global _showing
    if exc is None:
        exc = exc_type()
    if exc.__traceback__ is None:
        exc = exc.with_traceback(tb)
    if issubclass(exc_type, KeyboardInterrupt):
        QApplication.quit()
        return
    log.error("unexpected exception", exc_info=exc)
    if _showing or QApplication.instance() is None:
        return
    _showing = True
    try:
        parent = QApplication.activeWindow()
        dialogs.run_dialog(ApologyDialog(technical_details(exc), parent))
    finally:
        _showing = False


def install() -> None:
    sys.excepthook = handle_exception
