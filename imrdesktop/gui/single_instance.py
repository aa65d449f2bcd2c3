"""One running copy per user: a second start says so and exits (no network socket used)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLockFile


class SingleInstance:
    def __init__(self, lock_path: Path) -> None:
        self._lock = QLockFile(str(lock_path))
        self._lock.setStaleLockTime(0)

    def acquire(self) -> bool:
        if self._lock.tryLock(100):
            return True
        # A lock left by a crashed copy is stale: Qt checks the pid and removes it.
        if self._lock.removeStaleLockFile():
            return self._lock.tryLock(100)
        return False

    def release(self) -> None:
        self._lock.unlock()
