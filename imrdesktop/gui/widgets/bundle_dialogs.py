"""Ask for a case bundle's own passphrase (export: choose one; import: type it)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QVBoxLayout

from imrdesktop.gui.widgets.common import label, sensitive_line_edit
from imrdesktop.gui.widgets.profile_dialogs import PassphraseFields
from imrdesktop.i18n import _


class BundlePassphraseDialog(QDialog):
    def __init__(self, *, export: bool, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("bundlePassphraseDialog")
        self.export = export
        self.setWindowTitle(_("Bundle passphrase"))
        layout = QVBoxLayout(self)
        if export:
            layout.addWidget(
                label(
                    _(
                        "Choose a passphrase for this bundle. The recipient needs it to "
                        "import the case; tell it to them separately, never with the file."
                    ),
                    "hint",
                )
            )
            self.fields = PassphraseFields()
            layout.addWidget(self.fields)
            self.edit = self.fields.first
        else:
            layout.addWidget(
                label(_("Type the passphrase you were given for this bundle."), "hint")
            )
            form = QFormLayout()
            self.edit = sensitive_line_edit(
                "bundlePassphraseEdit", _("Bundle passphrase"), password=True
            )
            form.addRow(_("&Passphrase:"), self.edit)
            layout.addLayout(form)
            self.fields = None
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("bundleOkButton")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        watched = [self.edit] + ([self.fields.second] if self.fields else [])
        for w in watched:
            w.textChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        ok = self.fields.validate() if self.fields else bool(self.edit.text())
        self.ok_button.setEnabled(ok)

    def value(self) -> str:
        return self.edit.text()

    def clear(self) -> None:
        if self.fields:
            self.fields.clear()
        else:
            self.edit.clear()
