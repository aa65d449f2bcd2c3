"""Advocate profiles: several advocates on one PC, each with a vault of their own.

A profile is a folder ``<data>/profiles/<id>/`` holding ``profile.json`` (the label shown
on the unlock screen — the advocate's chosen name for it, never client data) and the
vault folder ``vault/``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from imrdesktop.domain.errors import InvalidField
from imrdesktop.i18n import _
from imrdesktop.storage.atomic import write_atomic
from imrdesktop.storage.paths import ensure_private_dir

log = logging.getLogger(__name__)

_ID_RE = re.compile(r"[a-z0-9]{6,32}")


@dataclass(frozen=True)
class Profile:
    profile_id: str
    label: str
    folder: Path

    @property
    def vault_path(self) -> Path:
        return self.folder / "vault"


class ProfileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def list(self) -> list[Profile]:
        if not self.root.is_dir():
            return []
        found = []
        for child in sorted(self.root.iterdir()):
            if not (child.is_dir() and _ID_RE.fullmatch(child.name)):
                continue
            label = child.name
            try:
                data = json.loads((child / "profile.json").read_text(encoding="utf-8"))
                if isinstance(data, dict) and isinstance(data.get("label"), str):
                    label = data["label"]
            except (OSError, ValueError):
                log.warning("profile %s has no readable label", child.name)
            found.append(Profile(child.name, label, child))
        return sorted(found, key=lambda p: p.label.casefold())

    def get(self, profile_id: str) -> Profile | None:
        return next((p for p in self.list() if p.profile_id == profile_id), None)

    def new(self, label: str) -> Profile:
        label = label.strip()
        if not label:
            raise InvalidField(field=_("Profile name"), problem=_("a name is required"))
        if len(label) > 80:
            raise InvalidField(field=_("Profile name"), problem=_("use at most 80 characters"))
        if any(p.label.casefold() == label.casefold() for p in self.list()):
            raise InvalidField(
                field=_("Profile name"), problem=_("another profile already has this name")
            )
        ensure_private_dir(self.root)
        profile_id = secrets.token_hex(6)
        folder = ensure_private_dir(self.root / profile_id)
        try:
            write_atomic(folder / "profile.json", json.dumps({"label": label}).encode("utf-8"))
        except BaseException:
            with contextlib.suppress(OSError):
                folder.rmdir()  # empty: no half-made profile is left to list
            raise
        return Profile(profile_id, label, folder)

    def default_vault_path(self, preferred_id: str = "") -> Path:
        """The vault the CLI uses without --vault: the only profile, the last one used, or a
        new 'default' profile folder when there is none."""
        profiles = self.list()
        if preferred_id:
            for p in profiles:
                if p.profile_id == preferred_id:
                    return p.vault_path
        if len(profiles) >= 1:
            return profiles[0].vault_path
        return self.root / "default00" / "vault"
