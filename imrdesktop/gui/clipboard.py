"""Copying client data: marked secret for clipboard managers and cleared after a while.

Cleared only if the clipboard still holds our text (something the advocate copied
elsewhere is left alone), on the timer, on lock and when the app quits.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QMimeData, QObject, QTimer
from PySide6.QtGui import QClipboard, QGuiApplication

_SECRET_HINTS = {
    "x-kde-passwordManagerHint": b"secret",
    "ExcludeClipboardContentFromMonitorProcessing": b"1",
    "CanIncludeInClipboardHistory": b"\x00\x00\x00\x00",
    "CanUploadToCloudClipboard": b"\x00\x00\x00\x00",
    "application/x-nspasteboard-concealed-type": b"secret",
}


class SecureClipboard(QObject):
    def __init__(self, clear_after_seconds: int = 30, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ours: str | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear_if_ours)
        self.set_clear_after(clear_after_seconds)

    def set_clear_after(self, seconds: int) -> None:
        self._timer.setInterval(max(1, seconds) * 1000)

    def set_text(self, text: str) -> None:
        mime = QMimeData()
        mime.setText(text)
        for fmt, value in _SECRET_HINTS.items():
            mime.setData(fmt, QByteArray(value))
        QGuiApplication.clipboard().setMimeData(mime, QClipboard.Mode.Clipboard)
        self._ours = text
        self._timer.start()

    def holds_ours(self) -> bool:
        return self._ours is not None and QGuiApplication.clipboard().text() == self._ours

    def clear_if_ours(self) -> None:
        cb = QGuiApplication.clipboard()
        if self._ours is not None:
            modes = [QClipboard.Mode.Clipboard]
            if cb.supportsSelection():
                modes.append(QClipboard.Mode.Selection)
            for mode in modes:
                if cb.text(mode) == self._ours:
                    cb.clear(mode)
        self._ours = None
        self._timer.stop()
