"""GUI fixtures: our Application class, an isolated context, and answered dialogs."""

from __future__ import annotations

import pytest

from imrdesktop.gui import dialogs


@pytest.fixture(scope="session")
def qapp_cls():
    from imrdesktop.gui.application import Application

    return Application


@pytest.fixture
def ctx(sandbox):
    from imrdesktop.services.context import AppContext
    from imrdesktop.storage.paths import AppPaths
    from imrdesktop.storage.settings import Settings

    paths = AppPaths.default().ensure()
    return AppContext(paths=paths, settings=Settings(paths.settings_file))


class Answers:
    """Scripted answers for the dialogs seam. ``dialog_handlers`` drive our own dialogs:
    each is called with the dialog and returns True (accepted) or False."""

    def __init__(self) -> None:
        self.confirm: list[bool] = []
        self.save_paths: list = []
        self.open_paths: list = []
        self.dialog_handlers: list = []
        self.shown: list[tuple[str, str]] = []

    def _confirm(self, parent, title, text, yes=None, no=None):
        self.shown.append(("confirm", text))
        return self.confirm.pop(0) if self.confirm else False

    def _message(self, kind):
        def show(parent, *args):
            text = args[0] if kind == "error" else args[1]
            self.shown.append((kind, text))

        return show

    def _run_dialog(self, dialog):
        if not self.dialog_handlers:
            raise AssertionError(f"unexpected dialog {dialog.objectName()}")
        handler = self.dialog_handlers.pop(0)
        dialog.show()
        result = bool(handler(dialog))
        dialog.hide()
        return result

    def messages(self, kind: str | None = None) -> list[str]:
        return [t for k, t in self.shown if kind is None or k == kind]


@pytest.fixture
def answers(monkeypatch):
    a = Answers()
    monkeypatch.setattr(dialogs, "confirm", a._confirm)
    monkeypatch.setattr(dialogs, "inform", a._message("inform"))
    monkeypatch.setattr(dialogs, "warn", a._message("warn"))
    monkeypatch.setattr(dialogs, "error", a._message("error"))
    monkeypatch.setattr(dialogs, "run_dialog", a._run_dialog)
    monkeypatch.setattr(
        dialogs, "choose_save_path", lambda *a_, **k: a.save_paths.pop(0) if a.save_paths else None
    )
    monkeypatch.setattr(
        dialogs, "choose_open_file", lambda *a_, **k: a.open_paths.pop(0) if a.open_paths else None
    )
    return a


@pytest.fixture
def window(qtbot, ctx, answers):
    from imrdesktop.gui.main_window import MainWindow

    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    yield w
    if w.session is not None:
        w.session.lock()
    from imrdesktop.gui.workers import wait_for_all

    wait_for_all()
