"""Show a typed error to the user as the plain sentence of the one error table."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QWidget

from imrdesktop.domain.errors import ImrError
from imrdesktop.gui import dialogs
from imrdesktop.services.messages import describe

log = logging.getLogger(__name__)


def show_error(parent: QWidget | None, error: BaseException, title: str | None = None) -> None:
    if isinstance(error, ImrError):
        log.info("shown to user: %s", type(error).__name__)
    else:
        log.error("unexpected error shown to user", exc_info=error)
    dialogs.error(parent, describe(error), title)
