"""Preferences: language, auto-lock, shared PC, text size. Never client data."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QSpinBox,
    QVBoxLayout,
)

from imrdesktop.gui.widgets.common import label
from imrdesktop.i18n import _
from imrdesktop.storage.settings import SHARED_PC_MAX_LOCK_MINUTES, Settings

FONT_SCALES = (100, 125, 150, 175, 200)


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle(_("Settings"))
        self.settings = settings
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.language_combo = QComboBox()
        self.language_combo.setObjectName("languageCombo")
        self.language_combo.setAccessibleName(_("Interface language"))
        self.language_combo.addItem(_("Same as this computer"), "")
        self.language_combo.addItem("English", "en")
        # Español joins this list when the Spanish catalog ships (the Spanish issue).
        self.language_combo.setCurrentIndex(
            max(0, self.language_combo.findData(settings.get("language")))
        )
        form.addRow(_("Interface &language:"), self.language_combo)

        self.shared_check = QCheckBox(_("Several people use this computer (shared PC)"))
        self.shared_check.setObjectName("sharedPcCheck")
        self.shared_check.setChecked(settings.get("shared_pc"))
        form.addRow("", self.shared_check)
        form.addRow(
            "",
            label(
                _(
                    "On a shared PC, IMR Desktop never remembers a passphrase, locks when "
                    "minimised, and always locks after at most {n} idle minutes."
                ).format(n=SHARED_PC_MAX_LOCK_MINUTES),
                "hint",
            ),
        )
        self.lock_check = QCheckBox(_("Lock automatically when idle"))
        self.lock_check.setObjectName("autoLockCheck")
        self.lock_check.setChecked(settings.get("auto_lock_enabled"))
        form.addRow("", self.lock_check)
        self.minutes_spin = QSpinBox()
        self.minutes_spin.setObjectName("autoLockMinutesSpin")
        self.minutes_spin.setAccessibleName(_("Minutes before locking"))
        self.minutes_spin.setRange(1, 120)
        self.minutes_spin.setSuffix(_(" minutes"))
        self.minutes_spin.setValue(settings.get("auto_lock_minutes"))
        form.addRow(_("Lock after &idle:"), self.minutes_spin)

        self.scale_combo = QComboBox()
        self.scale_combo.setObjectName("fontScaleCombo")
        self.scale_combo.setAccessibleName(_("Text size"))
        for pct in FONT_SCALES:
            self.scale_combo.addItem(_("{pct}%").format(pct=pct), pct)
        self.scale_combo.setCurrentIndex(
            max(0, self.scale_combo.findData(settings.get("font_scale_percent")))
        )
        form.addRow(_("&Text size:"), self.scale_combo)
        layout.addLayout(form)
        self.shared_check.toggled.connect(self._shared_changed)
        self._shared_changed(self.shared_check.isChecked())
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _shared_changed(self, shared: bool) -> None:
        if shared:
            self.lock_check.setChecked(True)
            self.minutes_spin.setValue(min(self.minutes_spin.value(), SHARED_PC_MAX_LOCK_MINUTES))
        self.lock_check.setEnabled(not shared)
        self.minutes_spin.setMaximum(SHARED_PC_MAX_LOCK_MINUTES if shared else 120)

    def apply(self) -> None:
        s = self.settings
        s.set("shared_pc", self.shared_check.isChecked())
        s.set("language", self.language_combo.currentData())
        s.set("auto_lock_enabled", self.lock_check.isChecked())
        s.set("auto_lock_minutes", self.minutes_spin.value())
        s.set("font_scale_percent", self.scale_combo.currentData())
