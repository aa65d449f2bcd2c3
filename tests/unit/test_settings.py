from __future__ import annotations

import json

import pytest

from imrdesktop.storage.settings import DEFAULTS, SHARED_PC_MAX_LOCK_MINUTES, Settings


def test_defaults_and_persistence(tmp_path):
    path = tmp_path / "settings.json"
    s = Settings(path)
    assert s.get("auto_lock_enabled") is True
    assert s.get("auto_lock_minutes") == 5
    s.set("auto_lock_minutes", 10)
    assert Settings(path).get("auto_lock_minutes") == 10
    assert json.loads(path.read_text()) == {"auto_lock_minutes": 10}


def test_unknown_keys_and_bad_values_are_refused(tmp_path):
    s = Settings(tmp_path / "s.json")
    with pytest.raises(KeyError):
        s.set("client_name", "x")
    with pytest.raises(ValueError):
        s.set("auto_lock_minutes", 0)
    with pytest.raises(ValueError):
        s.set("shared_pc", "yes")


def test_a_hand_edited_file_cannot_smuggle_keys_or_values(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"client": "Jane", "auto_lock_minutes": 9999, "language": "es"}))
    s = Settings(path)
    assert s.get("auto_lock_minutes") == DEFAULTS["auto_lock_minutes"].default
    assert s.get("language") == "es"
    path.write_text("{broken")
    assert Settings(path).get("language") == ""


def test_shared_pc_forces_idle_lock(tmp_path):
    s = Settings(tmp_path / "s.json")
    s.set("auto_lock_enabled", False)
    s.set("auto_lock_minutes", 60)
    assert s.get("auto_lock_enabled") is False
    s.set("shared_pc", True)
    assert s.get("auto_lock_enabled") is True
    assert s.get("auto_lock_minutes") == SHARED_PC_MAX_LOCK_MINUTES


def test_each_test_gets_its_own_settings(sandbox):
    from imrdesktop.storage.paths import AppPaths

    paths = AppPaths.default()
    assert str(paths.config).startswith(str(sandbox))
