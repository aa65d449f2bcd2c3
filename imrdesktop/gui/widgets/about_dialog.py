"""About IMR Desktop: what it is for, where data lives, and what it is not."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout

from imrdesktop import __version__
from imrdesktop.gui.widgets.common import label
from imrdesktop.i18n import _


class AboutDialog(QDialog):
    def __init__(self, data_dir: str, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(_("About IMR Desktop"))
        layout = QVBoxLayout(self)
        layout.addWidget(label(_("IMR Desktop {version}").format(version=__version__), "title"))
        layout.addWidget(
            label(
                _(
                    "Helps advocates and California health plan members prepare a request "
                    "for an Independent Medical Review (IMR) by the Department of Managed "
                    "Health Care (DMHC), offline, with every client's file encrypted."
                )
            )
        )
        layout.addWidget(
            label(
                _(
                    "This is not legal advice. Deadlines and eligibility shown by the app "
                    "should be checked with the DMHC Help Center (1-888-466-2219)."
                ),
                "hint",
            )
        )
        layout.addWidget(
            label(_("Your encrypted data is kept in: {path}").format(path=data_dir), "hint")
        )
        layout.addWidget(label(_("IMR Desktop never connects to the Internet."), "hint"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(540)
