"""Run slow core work (key derivation, file work) off the GUI thread.

``run_in_background(fn)`` returns a :class:`Task` whose ``finished(object)`` or
``failed(object)`` signal fires on the GUI thread. Widgets never touch the core from the
worker thread, and the worker never touches widgets.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal

log = logging.getLogger(__name__)


class Task(QObject):
    finished = Signal(object)
    failed = Signal(object)


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[], Any], task: Task) -> None:
        super().__init__()
        self.fn = fn
        self.task = task

    def run(self) -> None:
        try:
            result = self.fn()
        except BaseException as exc:
            self.task.failed.emit(exc)
        else:
            self.task.finished.emit(result)


_live: set[Task] = set()
# Python owns the runnables: keep each alive until it has run, or the wrapper may be
# collected before the pool gets to it.
_running: set[_Runnable] = set()


def run_in_background(fn: Callable[[], Any], parent: QObject | None = None) -> Task:
    task = Task(parent)
    _live.add(task)

    def release(_payload: object) -> None:
        # Receivers connected before this one have run; free the task and its closures.
        _live.discard(task)
        task.deleteLater()

    task.finished.connect(release, Qt.ConnectionType.QueuedConnection)
    task.failed.connect(release, Qt.ConnectionType.QueuedConnection)
    runnable = _Runnable(fn, task)
    runnable.setAutoDelete(False)
    _running.add(runnable)
    QThreadPool.globalInstance().start(runnable)
    return task


def wait_for_all(timeout_ms: int = 30_000) -> bool:
    return QThreadPool.globalInstance().waitForDone(timeout_ms)
