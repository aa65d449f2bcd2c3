"""Preferences, injectable and resettable. Never client data: only the keys in DEFAULTS.

Settings live in one small JSON file written atomically. Each key is marked machine-local
(belongs to this PC, e.g. "this PC is shared") or portable (belongs to the advocate).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imrdesktop.storage.atomic import write_atomic

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Setting:
    default: Any
    kind: type
    scope: str  # "machine" or "portable"
    minimum: int | None = None
    maximum: int | None = None


DEFAULTS: dict[str, Setting] = {
    # Interface language: "" follows the system locale; otherwise "en" or "es".
    "language": Setting("", str, "portable"),
    # Lock after this many idle minutes (on by default; on a shared PC 1..15 and never off).
    "auto_lock_enabled": Setting(True, bool, "portable"),
    "auto_lock_minutes": Setting(5, int, "portable", 1, 120),
    # A PC used by several people: no "remember me", lock on minimise, idle lock forced on.
    "shared_pc": Setting(False, bool, "machine"),
    # Seconds before text we copied is cleared from the clipboard.
    "clipboard_clear_seconds": Setting(30, int, "portable", 5, 300),
    # The profile chosen last on the unlock screen (a random id, not a name).
    "last_profile": Setting("", str, "machine"),
    # Extra interface scaling for readability (100 = system default).
    "font_scale_percent": Setting(100, int, "portable", 80, 250),
}

SHARED_PC_MAX_LOCK_MINUTES = 15


class Settings:
    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._values: dict[str, Any] = {}
        if path is not None:
            self._load()

    @classmethod
    def in_memory(cls) -> Settings:
        return cls(None)

    def _load(self) -> None:
        assert self._path is not None
        try:
            raw = json.loads(self._path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError):
            log.warning("settings file unreadable; using defaults")
            return
        if isinstance(raw, dict):
            for key, value in raw.items():
                if key in DEFAULTS and self._valid(key, value):
                    self._values[key] = value

    @staticmethod
    def _valid(key: str, value: Any) -> bool:
        spec = DEFAULTS[key]
        if spec.kind is int and isinstance(value, bool):
            return False
        if not isinstance(value, spec.kind):
            return False
        if spec.minimum is not None and value < spec.minimum:
            return False
        return not (spec.maximum is not None and value > spec.maximum)

    def get(self, key: str) -> Any:
        value = self._values.get(key, DEFAULTS[key].default)
        if self.shared_pc_enforced(key):
            value = self._enforce_shared(key, value)
        return value

    def shared_pc_enforced(self, key: str) -> bool:
        return key in ("auto_lock_enabled", "auto_lock_minutes") and bool(
            self._values.get("shared_pc", False)
        )

    @staticmethod
    def _enforce_shared(key: str, value: Any) -> Any:
        if key == "auto_lock_enabled":
            return True
        return min(int(value), SHARED_PC_MAX_LOCK_MINUTES)

    def set(self, key: str, value: Any) -> None:
        if key not in DEFAULTS:
            raise KeyError(key)
        if not self._valid(key, value):
            raise ValueError(f"invalid value for setting {key}")
        self._values[key] = value
        self._save()

    def reset(self) -> None:
        self._values.clear()
        self._save()

    def _save(self) -> None:
        if self._path is None:
            return
        self._path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        data = json.dumps(self._values, indent=2, sort_keys=True).encode("utf-8")
        write_atomic(self._path, data)  # DiskFull / StoragePermissionDenied / WriteFailed
