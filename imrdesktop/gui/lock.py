"""Idle detection for auto-lock (KeePassXC's InactivityTimer, in Qt for Python)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.KeyRelease,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseButtonRelease,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.HoverMove,
    QEvent.Type.TouchBegin,
}


class InactivityTimer(QObject):
    """Emits ``inactivity_detected`` after ``interval_ms`` with no key, mouse or wheel event."""

    inactivity_detected = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._timeout)
        self._active = False
        self._installed = False

    def set_interval(self, ms: int) -> None:
        self._timer.setInterval(max(1, ms))

    def interval(self) -> int:
        return self._timer.interval()

    def activate(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True
        self._active = True
        self._timer.start()

    def deactivate(self) -> None:
        self._active = False
        self._timer.stop()
        app = QApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False

    def is_active(self) -> bool:
        return self._active

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._active and event.type() in _ACTIVITY:
            self._timer.start()
        return False

    def _timeout(self) -> None:
        if self._active:
            self._active = False
            self.inactivity_detected.emit()
