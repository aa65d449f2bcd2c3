"""Our QApplication: identity, style, readable fonts, Qt's own translations."""

from __future__ import annotations

import logging

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from imrdesktop import APP_ID, APP_NAME, ORG_DOMAIN, __version__
from imrdesktop.gui import resources
from imrdesktop.resources_path import resource_path

log = logging.getLogger(__name__)


class Application(QApplication):
    def __init__(self, argv: list[str] | None = None) -> None:
        super().__init__(argv or ["imrdesktop"])
        self.setApplicationName(APP_NAME)
        self.setApplicationDisplayName(APP_NAME)
        self.setApplicationVersion(__version__)
        self.setOrganizationName("IMRDesktop")
        self.setOrganizationDomain(ORG_DOMAIN)
        self.setDesktopFileName(APP_ID)
        self.setWindowIcon(resources.icon("app"))
        self._add_bundled_fonts()
        self.setStyle("Fusion")
        self.setStyleSheet(resources.stylesheet())
        self._base_point_size = self.font().pointSizeF() or 10.0
        self._qt_translator: QTranslator | None = None

    @staticmethod
    def _add_bundled_fonts() -> None:
        """Fonts we ship (Latin incl. Vietnamese, Cyrillic, Armenian, Arabic; Chinese and
        Korean), so any client's name shows even on a PC without those system fonts."""
        for path in sorted(resource_path("fonts").iterdir()):
            is_font = path.suffix.lower() in (".ttf", ".ttc", ".otf")
            if is_font and QFontDatabase.addApplicationFont(str(path)) < 0:
                log.warning("could not load bundled font %s", path.name)

    def set_font_scale(self, percent: int) -> None:
        font = QFont(self.font())
        font.setPointSizeF(max(6.0, self._base_point_size * percent / 100.0))
        self.setFont(font)
        self.setStyleSheet(resources.stylesheet(scale_percent=percent))  # titles grow too

    def set_qt_language(self, lang: str) -> None:
        """Install Qt's own catalog (standard buttons, dialogs) for ``lang``."""
        if self._qt_translator is not None:
            self.removeTranslator(self._qt_translator)
            self._qt_translator = None
        if lang == "en":
            return
        translator = QTranslator(self)
        path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if translator.load(QLocale(lang), "qtbase", "_", path):
            self.installTranslator(translator)
            self._qt_translator = translator
        else:
            log.info("no Qt catalog for %s", lang)
