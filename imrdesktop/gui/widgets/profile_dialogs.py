"""Create a profile (a vault with its passphrase), show its recovery key, and reset a
forgotten passphrase with the recovery key."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from imrdesktop.domain.errors import ImrError, WeakPassphrase
from imrdesktop.gui import dialogs
from imrdesktop.gui.widgets.common import button, label, sensitive_line_edit, set_field_error
from imrdesktop.i18n import _
from imrdesktop.services.messages import describe


class PassphraseFields(QWidget):
    """Passphrase + repeat, with the rule (length, not composition) checked as you type."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from imrdesktop.storage.passphrase import MIN_CHARS as MIN_LENGTH

        self.min_length = MIN_LENGTH
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        self.first = sensitive_line_edit("newPassphraseEdit", _("New passphrase"), password=True)
        self.second = sensitive_line_edit(
            "repeatPassphraseEdit", _("Repeat the passphrase"), password=True
        )
        self.show_check = QCheckBox(_("Show the passphrase"))
        self.show_check.setObjectName("showPassphraseCheck")
        self.show_check.toggled.connect(self._toggle_echo)
        self.suggest = button(_("Suggest one"), "suggestPassphraseButton")
        self.suggest.clicked.connect(self._suggest)
        row = QHBoxLayout()
        row.addWidget(self.show_check)
        row.addStretch(1)
        row.addWidget(self.suggest)
        self.rule = label(
            _(
                "At least {n} characters. Several ordinary words in a row work well — for "
                "example four unrelated words. No special characters are required."
            ).format(n=MIN_LENGTH),
            "hint",
        )
        self.error = label("", "fieldError", name="passphraseError")
        self.error.setVisible(False)
        form.addRow(_("&Passphrase:"), self.first)
        form.addRow(_("&Repeat:"), self.second)
        outer.addLayout(form)
        outer.addLayout(row)
        outer.addWidget(self.rule)
        outer.addWidget(self.error)
        self.first.textChanged.connect(self.validate)
        self.second.textChanged.connect(self.validate)

    def _toggle_echo(self, shown: bool) -> None:
        from PySide6.QtWidgets import QLineEdit

        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.first.setEchoMode(mode)
        self.second.setEchoMode(mode)

    def _suggest(self) -> None:
        from imrdesktop.storage.passphrase import suggest_passphrase

        text = suggest_passphrase()
        self.show_check.setChecked(True)
        self.first.setText(text)
        self.second.setText(text)

    def value(self) -> str:
        return self.first.text()

    def validate(self) -> bool:
        from imrdesktop.storage.passphrase import check_passphrase

        text = self.first.text()
        message = ""
        ok = False
        if text:
            try:
                check_passphrase(text)
            except WeakPassphrase as exc:
                message = describe(exc)
            else:
                if self.second.text() and self.second.text() != text:
                    message = describe(WeakPassphrase(reason="mismatch"))
                else:
                    ok = self.second.text() == text
        set_field_error(self.first, self.error, message)
        return ok

    def clear(self) -> None:
        self.first.clear()
        self.second.clear()


class NewProfileDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("newProfileDialog")
        self.setWindowTitle(_("New profile"))
        layout = QVBoxLayout(self)
        layout.addWidget(
            label(
                _(
                    "A profile is your own vault on this computer. Choose a name you will "
                    "recognise (your own name or your role — not a client's) and a passphrase."
                ),
                "hint",
            )
        )
        form = QFormLayout()
        self.name_edit = sensitive_line_edit("profileNameEdit", _("Profile name"))
        self.name_edit.setMaxLength(80)
        form.addRow(_("Profile &name:"), self.name_edit)
        layout.addLayout(form)
        self.passphrase = PassphraseFields()
        layout.addWidget(self.passphrase)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("Create profile"))
        self.ok_button.setObjectName("createProfileButton")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.name_edit.textChanged.connect(self._update)
        self.passphrase.first.textChanged.connect(self._update)
        self.passphrase.second.textChanged.connect(self._update)
        self._update()
        self.setMinimumWidth(540)

    def _update(self) -> None:
        self.ok_button.setEnabled(
            bool(self.name_edit.text().strip()) and self.passphrase.validate()
        )

    def values(self) -> tuple[str, str]:
        return self.name_edit.text().strip(), self.passphrase.value()


class RecoveryKeyDialog(QDialog):
    """Shows the recovery key once, offers the printable sheet, and asks for confirmation."""

    def __init__(self, recovery_key: str, vault_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recoveryKeyDialog")
        self.setWindowTitle(_("Your recovery key"))
        self._key = recovery_key
        self._vault_id = vault_id
        layout = QVBoxLayout(self)
        layout.addWidget(
            label(
                _(
                    "If the passphrase is ever forgotten, this recovery key is the only way "
                    "back into this profile. Save the recovery sheet and print it, then keep "
                    "it somewhere safe and locked (for example with your supervisor). It is "
                    "shown only now."
                ),
                "hint",
            )
        )
        self.key_view = QPlainTextEdit(recovery_key)
        self.key_view.setObjectName("recoveryKeyView")
        self.key_view.setReadOnly(True)
        self.key_view.setAccessibleName(_("Recovery key"))
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setWeight(QFont.Weight.DemiBold)
        self.key_view.setFont(font)
        self.key_view.setMaximumHeight(110)
        layout.addWidget(self.key_view)
        self.save_button = button(_("&Save the recovery sheet (PDF)…"), "saveRecoverySheetButton")
        self.save_button.clicked.connect(self.save_sheet)
        layout.addWidget(self.save_button)
        self.confirm_check = QCheckBox(
            _("I have saved or written down the recovery key and will keep it safe")
        )
        self.confirm_check.setObjectName("recoveryConfirmCheck")
        layout.addWidget(self.confirm_check)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("Continue"))
        self.ok_button.setEnabled(False)
        self.confirm_check.toggled.connect(self.ok_button.setEnabled)
        self.buttons.accepted.connect(self.accept)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(580)

    def reject(self) -> None:  # the key must be acknowledged; Escape does not skip it
        if self.confirm_check.isChecked():
            super().reject()

    def save_sheet(self) -> Path | None:
        path = dialogs.choose_save_path(
            self, _("Save the recovery sheet"), "imr-desktop-recovery-sheet.pdf", "PDF (*.pdf)"
        )
        if path is None:
            return None
        from imrdesktop.packet.recovery_sheet import write_recovery_sheet

        try:
            write_recovery_sheet(path, self._key, self._vault_id)
        except (ImrError, OSError) as exc:
            dialogs.error(self, describe(exc))
            return None
        dialogs.inform(
            self,
            _("Recovery sheet saved"),
            _(
                "The recovery sheet was saved. Print it, then delete the file: anyone with "
                "the sheet can open this profile."
            ),
        )
        return path


class RecoverDialog(QDialog):
    """Reset a forgotten passphrase with the recovery key."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recoverDialog")
        self.setWindowTitle(_("Reset the passphrase with the recovery key"))
        layout = QVBoxLayout(self)
        layout.addWidget(
            label(
                _(
                    "Type the recovery key from the printed recovery sheet (spaces and dashes "
                    "do not matter), then choose a new passphrase."
                ),
                "hint",
            )
        )
        form = QFormLayout()
        self.key_edit = sensitive_line_edit("recoveryKeyEdit", _("Recovery key"), password=False)
        form.addRow(_("Recovery &key:"), self.key_edit)
        layout.addLayout(form)
        self.passphrase = PassphraseFields()
        layout.addWidget(self.passphrase)
        self.message = label("", "fieldError", name="recoverMessage")
        self.message.setVisible(False)
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("Reset passphrase"))
        self.ok_button.setObjectName("resetPassphraseButton")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        for w in (self.key_edit, self.passphrase.first, self.passphrase.second):
            w.textChanged.connect(self._update)
        self._update()
        self.setMinimumWidth(560)

    def _update(self) -> None:
        self.ok_button.setEnabled(bool(self.key_edit.text().strip()) and self.passphrase.validate())

    def values(self) -> tuple[str, str]:
        return self.key_edit.text().strip(), self.passphrase.value()

    def show_error(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
