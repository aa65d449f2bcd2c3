"""What the app knows about this computer: its folders, its settings, its profiles."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from imrdesktop.services.profiles import ProfileStore
from imrdesktop.storage.paths import AppPaths
from imrdesktop.storage.settings import Settings


@dataclass
class AppContext:
    paths: AppPaths
    settings: Settings
    vault_override: str | None = None
    profiles: ProfileStore = field(init=False)

    def __post_init__(self) -> None:
        self.profiles = ProfileStore(self.paths.profiles)

    def default_vault_path(self) -> Path:
        if self.vault_override:
            return Path(self.vault_override).expanduser()
        return self.profiles.default_vault_path(self.settings.get("last_profile"))
