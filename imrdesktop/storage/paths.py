"""Where IMR Desktop keeps things on this computer (platformdirs; never the temp dir).

- data:     profiles (one vault folder each), logs, the session scratch folder
- config:   settings.json (preferences only — never client data)
- cache:    nothing client-related is ever cached; the folder exists for Qt's own use

Every folder is created 0700 and checked to stay private.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_DIR_NAME = "IMRDesktop"


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) and make it readable by this user only."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix":
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            path.chmod(0o700)
    return path


@dataclass(frozen=True)
class AppPaths:
    data: Path
    config: Path
    cache: Path

    @classmethod
    def default(cls) -> AppPaths:
        return cls(
            data=Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False)),
            config=Path(platformdirs.user_config_dir(APP_DIR_NAME, appauthor=False)),
            cache=Path(platformdirs.user_cache_dir(APP_DIR_NAME, appauthor=False)),
        )

    @property
    def profiles(self) -> Path:
        return self.data / "profiles"

    @property
    def logs(self) -> Path:
        return self.data / "logs"

    @property
    def session(self) -> Path:
        """Scratch space for the running session; wiped on lock and at every start."""
        return self.data / "session"

    @property
    def settings_file(self) -> Path:
        return self.config / "settings.json"

    @property
    def instance_lock(self) -> Path:
        return self.data / "instance.lock"

    def ensure(self) -> AppPaths:
        for p in (self.data, self.config, self.cache, self.profiles, self.logs):
            ensure_private_dir(p)
        return self
