"""Run slow core work (key derivation, file work) off the GUI thread.

``run_in_background(fn, on_done, on_failed)`` runs ``fn`` on the thread pool and calls
``on_done(result)`` or ``on_failed(exception)`` on the GUI thread. Widgets never touch the
core from the worker thread, and the worker never touches widgets.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class Task(QObject):
    finished = Signal(object)
    failed = Signal(object)


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[], Any], task: Task) -> None:
        super().__init__()
        self.fn: Callable[[], Any] | None = fn
        self.task = task
        self.setAutoDelete(False)

    def run(self) -> None:
        fn, self.fn = self.fn, None  # drop the closure (it may hold a passphrase) at once
        try:
            result = fn()  # type: ignore[misc]
        except BaseException as exc:  # handed to the GUI thread to explain
            self.task.failed.emit(exc)
        else:
            self.task.finished.emit(result)
        finally:
            del fn


# Python owns tasks and runnables: each is kept alive until its outcome has been delivered
# on the GUI thread, then dropped (with the closures it held).
_live: dict[Task, _Runnable] = {}


def run_in_background(
    fn: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_failed: Callable[[BaseException], None],
) -> Task:
    task = Task()
    runnable = _Runnable(fn, task)
    _live[task] = runnable

    def deliver(callback: Callable[[Any], None], payload: Any) -> None:
        _live.pop(task, None)
        runnable.task = None  # type: ignore[assignment]
        callback(payload)

    task.finished.connect(lambda result: deliver(on_done, result))
    task.failed.connect(lambda exc: deliver(on_failed, exc))
    QThreadPool.globalInstance().start(runnable)
    return task


def wait_for_all(timeout_ms: int = 30_000) -> bool:
    return QThreadPool.globalInstance().waitForDone(timeout_ms)
