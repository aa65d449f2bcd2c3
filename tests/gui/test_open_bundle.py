"""A case bundle opened from the file manager is imported once a vault is unlocked."""

from __future__ import annotations

from pathlib import Path

from guihelpers import create_profile, unlock

from imrdesktop.app import _bundle_argument


def test_the_command_line_sends_a_bundle_to_the_gui():
    assert _bundle_argument(["/home/ana/Case.IMRBUNDLE"]) == ["gui", "/home/ana/Case.IMRBUNDLE"]
    assert _bundle_argument(["case", "list"]) == ["case", "list"]
    from imrdesktop.cli import build_parser

    args = build_parser().parse_args(["gui", "x.imrbundle"])
    assert args.file == "x.imrbundle"


def test_a_bundle_waits_for_the_unlock_then_is_imported(qtbot, window, answers, monkeypatch):
    create_profile(qtbot, window, answers)
    window.lock(reason="user")
    seen: list[Path] = []
    monkeypatch.setattr(window, "import_case", lambda path=None: seen.append(path))
    window.open_bundle_when_unlocked(Path("/tmp/from-a-colleague.imrbundle"))
    assert seen == []  # nothing happens before a vault is open
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: seen == [Path("/tmp/from-a-colleague.imrbundle")], timeout=10_000)
    window.open_bundle_when_unlocked(Path("/tmp/second.imrbundle"))  # unlocked: at once
    assert seen[-1] == Path("/tmp/second.imrbundle")
