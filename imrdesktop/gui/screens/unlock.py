"""Welcome / unlock screen: choose a profile, type the passphrase, or practise."""

from __future__ import annotations

import logging
import unicodedata

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QVBoxLayout,
    QWidget,
)

from imrdesktop.domain.errors import WrongPassphrase
from imrdesktop.gui.widgets.common import (
    button,
    label,
    primary_button,
    sensitive_line_edit,
)
from imrdesktop.i18n import _
from imrdesktop.services.messages import describe

log = logging.getLogger(__name__)

# After this many wrong passphrases, each further try waits longer (2, 4, 8 … 60 s).
FREE_ATTEMPTS = 3
MAX_DELAY_S = 60


def delay_after_failures(failures: int) -> int:
    if failures < FREE_ATTEMPTS:
        return 0
    return min(MAX_DELAY_S, 2 ** (failures - FREE_ATTEMPTS + 1))


class UnlockScreen(QWidget):
    """Emits what the advocate asked for; the main window does the work."""

    unlock_requested = Signal(str, str, bool)  # profile id, passphrase, remember
    new_profile_requested = Signal()
    recovery_requested = Signal(str)  # profile id
    training_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("unlockScreen")
        self._failures = 0
        self._wait_left = 0
        self._busy = False
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        column = QVBoxLayout()
        column.setSpacing(12)
        column.addWidget(label(_("IMR Desktop"), "title", name="unlockTitle"))
        column.addWidget(
            label(
                _(
                    "Help California health plan members ask for an Independent Medical "
                    "Review — with every client's file kept encrypted on this computer."
                ),
                "subtitle",
            )
        )

        self.card = QFrame()
        self.card.setProperty("role", "card")
        card = QVBoxLayout(self.card)
        card.setContentsMargins(20, 20, 20, 20)
        form = QFormLayout()
        self.profile_combo = QComboBox()
        self.profile_combo.setObjectName("profileCombo")
        self.profile_combo.setAccessibleName(_("Profile"))
        self.passphrase_edit = sensitive_line_edit("passphraseEdit", _("Passphrase"), password=True)
        self.passphrase_edit.setPlaceholderText(_("Your passphrase"))
        self.passphrase_edit.returnPressed.connect(self._submit)
        self.passphrase_edit.textChanged.connect(self._update_buttons)
        form.addRow(_("&Profile:"), self.profile_combo)
        form.addRow(_("Pass&phrase:"), self.passphrase_edit)
        card.addLayout(form)
        self.remember_check = QCheckBox(_("Remember on this computer for 12 hours"))
        self.remember_check.setToolTip(
            _(
                "Only on a computer that is yours alone: IMR Desktop opens without the "
                "passphrase when started again within 12 hours. Never after you lock it."
            )
        )
        self.remember_check.setObjectName("rememberCheck")
        card.addWidget(self.remember_check)
        self.message = label("", "fieldError", name="unlockMessage")
        self.message.setVisible(False)
        card.addWidget(self.message)
        buttons = QHBoxLayout()
        self.unlock_button = primary_button(_("&Unlock"), "unlockButton")
        self.unlock_button.clicked.connect(self._submit)
        self.recovery_button = button(_("Forgot the passphrase?"), "recoveryButton")
        self.recovery_button.clicked.connect(self._recovery)
        buttons.addWidget(self.recovery_button)
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        card.addLayout(buttons)
        column.addWidget(self.card)

        self.empty_hint = label(
            _(
                "Welcome! Create your profile to start. Your profile has its own passphrase "
                "and keeps your clients' files encrypted."
            ),
            "hint",
            name="emptyHint",
        )
        column.addWidget(self.empty_hint)
        more = QHBoxLayout()
        self.new_profile_button = button(_("&New profile…"), "newProfileButton")
        self.new_profile_button.clicked.connect(self.new_profile_requested)
        self.training_button = button(_("Practise with the &training vault"), "trainingButton")
        self.training_button.setToolTip(
            _("Opens a practice vault with fictional clients. It is deleted when you quit.")
        )
        self.training_button.clicked.connect(self.training_requested)
        more.addWidget(self.new_profile_button)
        more.addWidget(self.training_button)
        more.addStretch(1)
        column.addLayout(more)

        holder = QWidget()
        holder.setLayout(column)
        holder.setMaximumWidth(620)
        row.addWidget(holder, 3)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.setTabOrder(self.profile_combo, self.passphrase_edit)
        self.setTabOrder(self.passphrase_edit, self.remember_check)
        self.setTabOrder(self.remember_check, self.unlock_button)

    # --- state ----------------------------------------------------------------------
    def set_profiles(self, profiles, selected_id: str = "") -> None:
        self.profile_combo.clear()
        for p in profiles:
            self.profile_combo.addItem(p.label, p.profile_id)
        idx = self.profile_combo.findData(selected_id) if selected_id else 0
        self.profile_combo.setCurrentIndex(max(0, idx))
        has = bool(profiles)
        self.card.setVisible(has)
        self.empty_hint.setVisible(not has)
        self.new_profile_button.setProperty("primary", not has)
        self.new_profile_button.setText(_("&New profile…") if has else _("&Create my profile…"))
        self.new_profile_button.style().polish(self.new_profile_button)
        self._update_buttons()

    def set_remember_allowed(self, allowed: bool) -> None:
        self.remember_check.setVisible(allowed)
        if not allowed:
            self.remember_check.setChecked(False)

    def reset(self) -> None:
        self.passphrase_edit.setText("")
        self.set_busy(False)
        self.show_message("")

    def focus_passphrase(self) -> None:
        if self.card.isVisible():
            self.passphrase_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.new_profile_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.unlock_button.setText(_("Unlocking…") if busy else _("&Unlock"))
        self._update_buttons()

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _update_buttons(self) -> None:
        ready = (
            not self._busy
            and self._wait_left == 0
            and self.profile_combo.count() > 0
            and bool(self.passphrase_edit.text())
        )
        self.unlock_button.setEnabled(ready)
        self.passphrase_edit.setEnabled(not self._busy and self._wait_left == 0)
        # While a vault is being opened, nothing else may start another session.
        for other in (
            self.profile_combo,
            self.remember_check,
            self.recovery_button,
            self.new_profile_button,
            self.training_button,
        ):
            other.setEnabled(not self._busy)

    # --- results from the main window -------------------------------------------------
    def unlock_failed(self, error: BaseException) -> None:
        self.set_busy(False)
        if isinstance(error, WrongPassphrase):
            self._failures += 1
            delay = delay_after_failures(self._failures)
            self.passphrase_edit.selectAll()
            if delay:
                self._wait_left = delay
                self._countdown.start()
                self._show_wait()
            else:
                self.show_message(describe(error))
        else:
            self.show_message(describe(error))
        self._update_buttons()
        self.passphrase_edit.setFocus()

    def unlock_succeeded(self) -> None:
        self._failures = 0
        self.reset()

    def _show_wait(self) -> None:
        self.show_message(
            _(
                "That passphrase is not right. After several wrong tries, wait {seconds} "
                "seconds before trying again."
            ).format(seconds=self._wait_left)
        )

    def _tick(self) -> None:
        self._wait_left = max(0, self._wait_left - 1)
        if self._wait_left == 0:
            self._countdown.stop()
            self.show_message(_("You can try again now."))
            self._update_buttons()
            self.passphrase_edit.setFocus()
        else:
            self._show_wait()

    # --- actions ----------------------------------------------------------------------
    def _submit(self) -> None:
        if not self.unlock_button.isEnabled():
            return
        passphrase = unicodedata.normalize("NFKC", self.passphrase_edit.text())
        self.passphrase_edit.setText("")
        self.set_busy(True)
        self.show_message("")
        self.unlock_requested.emit(
            self.profile_combo.currentData() or "", passphrase, self.remember_check.isChecked()
        )

    def _recovery(self) -> None:
        self.recovery_requested.emit(self.profile_combo.currentData() or "")
