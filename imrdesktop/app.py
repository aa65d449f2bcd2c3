"""The entry point and the one composition root.

Imports no Qt at module level: the command line is parsed first, and the GUI is imported
inside :func:`run_gui` only when it is wanted.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

from imrdesktop import __version__
from imrdesktop.hardening import harden_process

log = logging.getLogger(__name__)


def build_context(vault_dir: str | None = None, *, log_to_file: bool = True, debug: bool = False):
    """Paths, settings, logging and language: what both the GUI and the CLI need."""
    from imrdesktop.i18n import set_interface_language
    from imrdesktop.logsetup import configure_logging
    from imrdesktop.services.context import AppContext
    from imrdesktop.storage.paths import AppPaths
    from imrdesktop.storage.settings import Settings

    paths = AppPaths.default().ensure()
    configure_logging(paths.logs if log_to_file else None, "DEBUG" if debug else None)
    settings = Settings(paths.settings_file)
    set_interface_language(_language_from(settings.get("language")))
    return AppContext(paths=paths, settings=settings, vault_override=vault_dir)


def _language_from(setting: str) -> str:
    if setting:
        return setting
    import locale

    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var)
        if value:
            return "es" if value.lower().startswith("es") else "en"
    try:
        loc = locale.getlocale()[0] or ""
    except ValueError:
        loc = ""
    return "es" if loc.lower().startswith("es") else "en"


def run_gui(ctx, *, demo: bool = False, open_file: str | None = None) -> int:
    from imrdesktop.gui.run import run

    return run(ctx, demo=demo, open_file=open_file)


def _bundle_argument(args: list[str]) -> list[str]:
    """The file manager opens a case bundle as ``imrdesktop FILE.imrbundle``: the GUI."""
    if len(args) == 1 and args[0].lower().endswith(".imrbundle"):
        return ["gui", args[0]]
    return args


DOCUMENT_WORKER_FLAG = "--document-worker"  # hidden: how a frozen build starts its worker


def _run_document_worker() -> int:
    from imrdesktop.documents.worker import main as worker_main

    return worker_main()


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == [DOCUMENT_WORKER_FLAG]:
        return _run_document_worker()
    harden_process()
    from imrdesktop.cli import run_cli

    return run_cli(_bundle_argument(args))


def main_gui() -> int:
    """Entry point of the windowed launcher (no console): always the GUI."""
    if sys.argv[1:2] == [DOCUMENT_WORKER_FLAG]:
        return _run_document_worker()
    harden_process()
    from imrdesktop.cli import run_cli

    bundles = [a for a in sys.argv[1:] if a.lower().endswith(".imrbundle")][:1]
    args = [a for a in sys.argv[1:] if a in ("--demo", "--debug")]
    return run_cli(["gui", *args, *bundles] if "--demo" not in args else ["--demo"])


__all__ = ["__version__", "build_context", "main", "main_gui", "run_gui"]
