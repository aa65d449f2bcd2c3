"""Start a new case: just enough to find the client again; the rest is filled in later."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QVBoxLayout

from imrdesktop.domain.case import LANGUAGES
from imrdesktop.gui.widgets.common import label, sensitive_line_edit
from imrdesktop.i18n import _


class NewCaseDialog(QDialog):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("newCaseDialog")
        self.setWindowTitle(_("New case"))
        layout = QVBoxLayout(self)
        layout.addWidget(
            label(_("Start with the client's name; everything else can be added later."), "hint")
        )
        form = QFormLayout()
        self.name_edit = sensitive_line_edit("newCaseNameEdit", _("Client's full name"))
        self.plan_edit = sensitive_line_edit("newCasePlanEdit", _("Health plan"))
        self.member_edit = sensitive_line_edit("newCaseMemberEdit", _("Member id"))
        self.service_edit = sensitive_line_edit("newCaseServiceEdit", _("Service at issue"))
        self.language_combo = QComboBox()
        self.language_combo.setObjectName("newCaseLanguageCombo")
        self.language_combo.setAccessibleName(_("Preferred language"))
        self.language_combo.addItem(_("Not recorded"), "")
        for code, name in LANGUAGES.items():
            self.language_combo.addItem(_(name), code)
        form.addRow(_("Client's full &name:"), self.name_edit)
        form.addRow(_("&Preferred language:"), self.language_combo)
        form.addRow(_("Health &plan:"), self.plan_edit)
        form.addRow(_("&Member id:"), self.member_edit)
        form.addRow(_("&Service at issue:"), self.service_edit)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("Create case"))
        self.ok_button.setObjectName("createCaseButton")
        self.ok_button.setEnabled(False)
        self.name_edit.textChanged.connect(lambda t: self.ok_button.setEnabled(bool(t.strip())))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(500)

    def record(self) -> dict:
        record: dict = {"enrollee": {"name": self.name_edit.text().strip()}}
        if self.language_combo.currentData():
            record["enrollee"]["preferred_language"] = self.language_combo.currentData()
        plan = {}
        if self.plan_edit.text().strip():
            plan["name"] = self.plan_edit.text().strip()
        if self.member_edit.text().strip():
            plan["member_id"] = self.member_edit.text().strip()
        if plan:
            record["plan"] = plan
        if self.service_edit.text().strip():
            record["service"] = self.service_edit.text().strip()
        return record
