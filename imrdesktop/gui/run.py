"""Start the GUI: the application object, guards, and the main window."""

from __future__ import annotations

import logging
import shutil
import sys

from imrdesktop.i18n import _

log = logging.getLogger(__name__)


def create_main_window(ctx, *, demo: bool = False):
    """Build the main window for ``ctx`` (used by ``run`` and by tests)."""
    from imrdesktop.gui.main_window import MainWindow

    window = MainWindow(ctx)
    if demo:
        window.open_training_vault()
    return window


def run(ctx, *, demo: bool = False, open_file: str | None = None) -> int:
    from imrdesktop.gui import excepthook
    from imrdesktop.gui.application import Application
    from imrdesktop.gui.single_instance import SingleInstance
    from imrdesktop.i18n import current_language
    from imrdesktop.services.demo import remove_training_vaults

    app = Application(sys.argv[:1])
    app.set_qt_language(current_language())
    app.set_font_scale(ctx.settings.get("font_scale_percent"))
    excepthook.install()

    guard = SingleInstance(ctx.paths.instance_lock)
    if not guard.acquire():
        from imrdesktop.domain.errors import AlreadyRunning
        from imrdesktop.gui import dialogs
        from imrdesktop.services.messages import describe

        dialogs.inform(None, _("IMR Desktop"), describe(AlreadyRunning()))
        return 1
    # Scratch space from a previous run (e.g. a training vault after a crash) is wiped.
    shutil.rmtree(ctx.paths.session, ignore_errors=True)
    try:
        window = create_main_window(ctx, demo=demo)
        if open_file and not demo:
            from pathlib import Path

            window.open_bundle_when_unlocked(Path(open_file))  # imported after unlock
        if not demo:
            window.try_remembered_unlock()
        window.show()
        log.info("started")
        code = app.exec()
    finally:
        remove_training_vaults(ctx.paths.session)
        shutil.rmtree(ctx.paths.session, ignore_errors=True)
        guard.release()
    return int(code)
