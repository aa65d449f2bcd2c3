"""The case workspace: one client's case, in sections chosen from the left."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from imrdesktop.domain.case import LANGUAGES
from imrdesktop.domain.errors import ImrError, InvalidField
from imrdesktop.gui.screens.criteria import CriteriaSection, CriteriaServices
from imrdesktop.gui.screens.documents import DocumentsSection
from imrdesktop.gui.screens.letter import LetterSection
from imrdesktop.gui.screens.packet import PacketSection
from imrdesktop.gui.widgets.common import button, label, sensitive_line_edit, set_field_error
from imrdesktop.i18n import N_, _
from imrdesktop.services.messages import describe, field_problem

log = logging.getLogger(__name__)

# (section id, title, what it will hold when it is ready — None when it is ready now)
SECTIONS: tuple[tuple[str, str, str | None], ...] = (
    ("client", N_("Client & plan"), None),
    (
        "denial",
        N_("Denial & grievance"),
        N_(
            "The dates of the plan's denial and of the grievance are asked in the Criteria "
            "interview. The letters themselves are kept here in a coming version."
        ),
    ),
    ("criteria", N_("Criteria"), None),
    ("documents", N_("Documents"), None),
    ("letter", N_("Letter"), None),
    ("packet", N_("Packet & mailing"), None),
    (
        "tracking",
        N_("Tracking"),
        N_("Tracking the review after mailing is not ready yet in this version."),
    ),
)

# Client & plan fields: (record section, key, label, multiline)
CLIENT_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("enrollee", "name", N_("Client's full name")),
    ("enrollee", "date_of_birth", N_("Date of birth (YYYY-MM-DD)")),
    ("enrollee", "phone", N_("Phone")),
    ("enrollee", "email", N_("Email")),
    ("enrollee", "address", N_("Address")),
    ("plan", "name", N_("Health plan")),
    ("plan", "member_id", N_("Member id")),
    ("plan", "medical_group", N_("Medical group / IPA")),
    ("physician", "name", N_("Treating physician")),
    ("", "service", N_("Service, treatment or drug at issue")),
)


class ClientSection(QWidget):
    """Edits the client & plan part of the record; saves as the advocate moves on."""

    def __init__(self, save: Callable[[dict], dict], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("clientSection")
        self._save = save
        self._record: dict = {}
        self._loading = False
        outer = QVBoxLayout(self)
        outer.addWidget(label(_("Client & plan"), "title", wrap=False))
        outer.addWidget(
            label(
                _("Changes are saved automatically, encrypted, as you move between fields."),
                "hint",
            )
        )
        form = QFormLayout()
        self.edits: dict[tuple[str, str], object] = {}
        self.errors: dict[tuple[str, str], object] = {}
        for section, key, text in CLIENT_FIELDS:
            edit = sensitive_line_edit(f"field_{section or 'case'}_{key}", _(text))
            edit.editingFinished.connect(self.commit)
            err = label("", "fieldError", name=f"error_{section or 'case'}_{key}")
            err.setVisible(False)
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(edit)
            box.addWidget(err)
            form.addRow(_(text) + ":", box)
            self.edits[(section, key)] = edit
            self.errors[(section, key)] = err
        self.language_combo = QComboBox()
        self.language_combo.setObjectName("field_enrollee_preferred_language")
        self.language_combo.setAccessibleName(_("Preferred language"))
        self.language_combo.addItem(_("Not recorded"), "")
        for code, name in LANGUAGES.items():
            self.language_combo.addItem(_(name), code)
        self.language_combo.currentIndexChanged.connect(lambda _i: self.commit())
        form.addRow(_("Preferred language:"), self.language_combo)
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setObjectName("field_case_notes")
        self.notes_edit.setAccessibleName(_("Notes"))
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setMinimumHeight(90)
        form.addRow(_("Notes:"), self.notes_edit)
        outer.addLayout(form)
        self.status = label("", "hint", name="saveStatus")
        outer.addWidget(self.status)
        outer.addStretch(1)

    def load(self, record: dict) -> None:
        self._loading = True
        try:
            self._record = copy.deepcopy(record)
            for (section, key), edit in self.edits.items():
                value = record.get(section, {}).get(key, "") if section else record.get(key, "")
                edit.setText(value)
                set_field_error(edit, self.errors[(section, key)], "")
            lang = record.get("enrollee", {}).get("preferred_language", "")
            idx = self.language_combo.findData(lang)
            self.language_combo.setCurrentIndex(idx if idx >= 0 else 0)
            self.notes_edit.setPlainText(record.get("notes", ""))
            self.status.setText("")
        finally:
            self._loading = False

    def current_record(self) -> dict:
        record = copy.deepcopy(self._record)
        for (section, key), edit in self.edits.items():
            value = edit.text().strip()
            target = record.setdefault(section, {}) if section else record
            if value:
                target[key] = value
            else:
                target.pop(key, None)
        lang = self.language_combo.currentData() or ""
        enrollee = record.setdefault("enrollee", {})
        if lang:
            enrollee["preferred_language"] = lang
        else:
            enrollee.pop("preferred_language", None)
        notes = self.notes_edit.toPlainText()
        if notes.strip():
            record["notes"] = notes
        else:
            record.pop("notes", None)
        return {k: v for k, v in record.items() if v != {}}

    def is_dirty(self) -> bool:
        return self.current_record() != self._record

    def saved_record(self) -> dict:
        """The record as last saved (without edits still being typed)."""
        return copy.deepcopy(self._record)

    def rebase(self, record: dict) -> None:
        """Another section saved ``record``: make it the base, keeping edits in progress."""
        self._record = copy.deepcopy(record)

    def commit(self) -> bool:
        """Save if anything changed. Returns False when a field needs correcting."""
        if self._loading or not self.is_dirty():
            return True
        for (section, key), edit in self.edits.items():
            set_field_error(edit, self.errors[(section, key)], "")
        try:
            self._record = self._save(self.current_record())
        except InvalidField as exc:
            field = str(exc.params.get("field", ""))
            section, _sep, key = field.partition(".")
            target = (section, key) if key else ("", section)
            if target in self.edits:
                set_field_error(self.edits[target], self.errors[target], field_problem(exc))
            else:
                self.status.setText(describe(exc))
            return False
        except ImrError as exc:
            self.status.setText(describe(exc))
            return False
        self.status.setText(_("All changes saved."))
        return True


class WorkspaceScreen(QWidget):
    back_to_list = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workspaceScreen")
        self.case_id = ""
        self._saver: Callable[[dict], dict] | None = None
        self._criteria_services: CriteriaServices | None = None
        self._reload: Callable[[], dict] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        top = QHBoxLayout()
        self.back_button = button(_("← All cases"), "backToCasesButton")
        self.back_button.clicked.connect(self._back)
        top.addWidget(self.back_button)
        self.heading = label("", "subtitle", wrap=False, name="workspaceHeading")
        top.addWidget(self.heading, 1)
        layout.addLayout(top)
        body = QHBoxLayout()
        self.nav = QListWidget()
        self.nav.setObjectName("workspaceNav")
        self.nav.setAccessibleName(_("Case sections"))
        self.stack = QStackedWidget()
        self.stack.setObjectName("workspaceStack")
        self.client = ClientSection(self._save)
        self.criteria = CriteriaSection()
        self.criteria.show_section_requested.connect(self.show_section)
        self.documents = DocumentsSection()
        self.documents.documents_changed.connect(self.criteria.documents_changed)
        self.letter = LetterSection()
        self.letter.saved.connect(self._record_changed)
        self.packet = PacketSection()
        self.packet.mailing_recorded.connect(self._mailing_recorded)
        ready: dict[str, QWidget] = {
            "client": self.client,
            "criteria": self.criteria,
            "documents": self.documents,
            "letter": self.letter,
            "packet": self.packet,
        }
        self.pages: dict[str, QWidget] = {}
        for section_id, title, not_ready in SECTIONS:
            item = QListWidgetItem(_(title))
            item.setData(Qt.ItemDataRole.UserRole, section_id)
            self.nav.addItem(item)
            if not_ready is None:
                page: QWidget = ready[section_id]
            else:
                page = QWidget()
                page.setObjectName(f"section_{section_id}")
                v = QVBoxLayout(page)
                v.addWidget(label(_(title), "title", wrap=False))
                v.addWidget(label(_(not_ready), "notReady", name=f"notReady_{section_id}"))
                v.addStretch(1)
            self.pages[section_id] = page
            if section_id == "criteria":
                # The criteria section scrolls inside itself, keeping the wizard's buttons
                # and "Run the interview again" in view.
                self.stack.addWidget(page)
                continue
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setWidget(page)
            scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            self.stack.addWidget(scroll)
        self.nav.currentRowChanged.connect(self._section_changed)
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        layout.addLayout(body, 1)

    def _fit_nav(self) -> None:
        """Wide enough for the longest section name at the current text size."""
        self.nav.doItemsLayout()
        width = self.nav.sizeHintForColumn(0) + 2 * self.nav.frameWidth() + 24
        self.nav.setFixedWidth(max(160, width))

    def showEvent(self, event) -> None:
        self._fit_nav()
        super().showEvent(event)

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit_nav()
        super().changeEvent(event)

    def _section_changed(self, row: int) -> None:
        if row < 0:
            return
        self.client.commit()
        self.letter.commit()
        self.stack.setCurrentIndex(row)
        section = self.nav.item(row).data(Qt.ItemDataRole.UserRole)
        if section == "letter":
            self.letter.refresh()
        elif section == "packet":
            self.packet.refresh()

    def show_section(self, section_id: str) -> None:
        for i in range(self.nav.count()):
            if self.nav.item(i).data(Qt.ItemDataRole.UserRole) == section_id:
                self.nav.setCurrentRow(i)
                return

    def load(
        self,
        case_id: str,
        record: dict,
        saver: Callable[[dict], dict],
        criteria: CriteriaServices | None = None,
        documents=None,
        packet=None,
        reload: Callable[[], dict] | None = None,
    ) -> None:
        """``documents`` and ``packet`` are the session's DocumentsService and PacketService
        (None: their sections stay empty); ``reload`` reads the case as stored, after the
        Letter or Packet section saved part of it."""
        self.case_id = case_id
        self._saver = saver
        self._criteria_services = criteria
        self._reload = reload
        self.client.load(record)
        self.criteria.load(record, criteria, self._commit_facts if criteria else None)
        self.documents.load(case_id, documents)
        self.letter.load(case_id, packet)
        self.packet.load(case_id, packet, criteria.today if criteria else None)
        self._set_heading(record)
        self.nav.setCurrentRow(0)

    def _commit_facts(self, facts: dict) -> dict:
        """Save the interview's facts into the case, then have the case assessed (which
        stores the assessment and the case list's next deadline). Returns the assessment."""
        if self._saver is None or self._criteria_services is None:
            raise RuntimeError("no case loaded")
        self.client.commit()  # best effort: a field still being corrected stays as typed
        record = self.client.saved_record()
        record["facts"] = facts
        self._save(record)
        saved, rendered = self._criteria_services.assess_case()
        self.client.rebase(saved)
        return rendered

    def _stored_record(self) -> dict | None:
        if self._reload is None:
            return None
        try:
            return self._reload()
        except ImrError as exc:
            log.warning("the case could not be read again: %s", type(exc).__name__)
            return None

    def _record_changed(self) -> None:
        """The letter was saved into the case: the other sections save the whole record,
        so they start from the case as stored (edits being typed are kept)."""
        record = self._stored_record()
        if record is not None:
            self.client.rebase(record)

    def _mailing_recorded(self) -> None:
        """Recording the mailing set the filing date in the facts and assessed the case
        again: the other sections start from the case as stored, Criteria shows the new
        assessment (the case list reads its next date when it is shown again)."""
        record = self._stored_record()
        if record is None:
            return
        self.client.rebase(record)
        services = self._criteria_services
        if services is not None and self.criteria.wizard is None:
            # (an interview in progress keeps its answers)
            self.criteria.load(record, services, self._commit_facts)

    def _set_heading(self, record: dict) -> None:
        name = record.get("enrollee", {}).get("name", "")
        self.heading.setText(_("{name} — case {case}").format(name=name, case=self.case_id))

    def _save(self, record: dict) -> dict:
        if self._saver is None:
            raise RuntimeError("no case loaded")
        saved = self._saver(record)
        self._set_heading(saved)
        return saved

    def commit(self) -> bool:
        if self._saver is None:
            return True
        client = self.client.commit()
        letter = self.letter.commit()
        return self.documents.commit() and client and letter

    def clear(self) -> None:
        """Drop everything shown about the client (on lock or when leaving the case)."""
        self.case_id = ""
        self._saver = None
        self._criteria_services = None
        self._reload = None
        self.criteria.clear()
        self.documents.clear()  # drops thumbnails and closes the documents service
        self.letter.clear()
        self.packet.clear()  # drops the built PDFs and their thumbnails
        self.client.load({})
        self.heading.clear()

    def _back(self) -> None:
        if self.commit():
            self.back_to_list.emit()
