"""The case workspace: one client's case, in sections chosen from the left.

Every section saves the whole case record through the workspace (``_save``), which keeps the
case as stored (``_current``) and hands it to the other sections (``rebase``), so none saves
over another's change. A change to the facts or the timeline has a stored assessment follow
it (the Criteria section assesses the case again).

Undo (Edit ▸ Undo last change): before each saved change the case as it was is kept, in
memory, up to ``UNDO_STEPS`` per case; undo saves it back through the same path and the
sections show it again. The snapshots are dropped when the case is left or the vault locks.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from imrdesktop.domain.errors import ImrError
from imrdesktop.gui.screens.criteria import CriteriaSection, CriteriaServices
from imrdesktop.gui.screens.documents import DocumentsSection
from imrdesktop.gui.screens.letter import LetterSection
from imrdesktop.gui.screens.packet import PacketSection
from imrdesktop.gui.screens.record import ClientSection, DenialSection, get_path
from imrdesktop.gui.screens.tracking import TrackingSection
from imrdesktop.gui.widgets.common import button, label
from imrdesktop.i18n import N_, _

log = logging.getLogger(__name__)

# (section id, title, what it will hold when it is ready — None when it is ready now)
SECTIONS: tuple[tuple[str, str, str | None], ...] = (
    ("client", N_("Client & plan"), None),
    ("denial", N_("Denial & grievance"), None),
    ("criteria", N_("Criteria"), None),
    ("documents", N_("Documents"), None),
    ("letter", N_("Letter"), None),
    ("packet", N_("Packet & mailing"), None),
    ("tracking", N_("Tracking"), None),
)
UNDO_STEPS = 20  # snapshots kept per case, in memory only (dropped on lock or leaving)

# How a change is named in "Undone: …" (top-level keys without a field label of their own).
CHANGE_NAMES = {
    "timeline": N_("the timeline"),
    "letter": N_("the letter"),
    "mailing": N_("the mailing record"),
    "facts": N_("the Criteria answers"),
    "assessment": N_("the assessment"),
    "denial": N_("the denial"),
}


def _leaves(value, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], object]:
    if isinstance(value, dict):
        out: dict[tuple[str, ...], object] = {}
        for key, item in value.items():
            out.update(_leaves(item, (*prefix, str(key))))
        return out
    return {prefix: value}


class UndoHistory:
    """The case as it was before each saved change of this session (newest last)."""

    def __init__(self, limit: int = UNDO_STEPS) -> None:
        self._steps: deque[tuple[dict, str, str]] = deque(maxlen=limit)

    def __len__(self) -> int:
        return len(self._steps)

    def push(self, before: dict, what: str, kind: str = "") -> None:
        if kind == "letter" and self._steps and self._steps[-1][2] == "letter":
            # the letter saves as it is typed: one step for a run of typing (a fresh draft,
            # "letter_redraft", is a step of its own and ends the run)
            return
        self._steps.append((copy.deepcopy(before), what, kind))

    def pop(self) -> tuple[dict, str]:
        before, what, _kind = self._steps.pop()
        return before, what

    def put_back(self, before: dict, what: str) -> None:
        self._steps.append((before, what, ""))

    def clear(self) -> None:
        self._steps.clear()


class WorkspaceScreen(QWidget):
    back_to_list = Signal()
    undo_available = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workspaceScreen")
        self.case_id = ""
        self._saver: Callable[[dict], dict] | None = None
        self._criteria_services: CriteriaServices | None = None
        self._reload: Callable[[], dict] | None = None
        self._current: dict = {}  # the case as stored
        self._history = UndoHistory()
        self._step: list[str] | None = None  # an undo step in progress: [pushed?]
        self._restoring = False
        self._assessment_problem = ""  # why the stored assessment did not follow a save
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        top = QHBoxLayout()
        self.back_button = button(_("← All cases"), "backToCasesButton")
        self.back_button.clicked.connect(self._back)
        top.addWidget(self.back_button)
        self.heading = label("", "subtitle", wrap=False, name="workspaceHeading")
        top.addWidget(self.heading, 1)
        layout.addLayout(top)
        self.undo_status = label("", "undoStatus", name="undoStatus")
        self.undo_status.setVisible(False)
        layout.addWidget(self.undo_status)
        body = QHBoxLayout()
        self.nav = QListWidget()
        self.nav.setObjectName("workspaceNav")
        self.nav.setAccessibleName(_("Case sections"))
        self.stack = QStackedWidget()
        self.stack.setObjectName("workspaceStack")
        self.client = ClientSection(self._saver_for(_("Client & plan")))
        self.denial = DenialSection(self._saver_for(_("Denial & grievance")))
        self.tracking = TrackingSection(self._saver_for(_("Tracking")))
        for section in (self.client, self.denial, self.tracking):
            section.assessment_problem = lambda: self._assessment_problem
        self.criteria = CriteriaSection()
        self.criteria.show_section_requested.connect(self.show_section)
        self.documents = DocumentsSection()
        self.documents.documents_changed.connect(self.criteria.documents_changed)
        self.letter = LetterSection()
        self.letter.saved.connect(self._record_changed)
        self.letter.redrafted.connect(lambda: self._record_changed("letter_redraft"))
        self.packet = PacketSection()
        self.packet.mailing_recorded.connect(self._mailing_recorded)
        ready: dict[str, QWidget] = {
            "client": self.client,
            "denial": self.denial,
            "criteria": self.criteria,
            "documents": self.documents,
            "letter": self.letter,
            "packet": self.packet,
            "tracking": self.tracking,
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

    @property
    def record_sections(self) -> tuple:
        """The sections that show (and save) the case record itself."""
        return (self.client, self.denial, self.tracking)

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
        self.denial.commit()
        self.letter.commit()
        self.stack.setCurrentIndex(row)
        section = self.nav.item(row).data(Qt.ItemDataRole.UserRole)
        if section == "letter":
            self.letter.refresh()
        elif section == "packet":
            self.packet.refresh()

    def current_section(self) -> str:
        item = self.nav.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else ""

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
        self._current = copy.deepcopy(record)
        self._history.clear()
        self._set_undo_status("")
        today = criteria.today if criteria else dt.date.today
        for section in (self.client, self.denial):
            section.set_today(today)
            section.load(record)
        self.tracking.load(case_id, record, today=today)
        self.criteria.load(record, criteria, self._commit_facts if criteria else None)
        self.documents.load(case_id, documents)
        self.letter.load(case_id, packet)
        self.packet.load(case_id, packet, criteria.today if criteria else None)
        self._set_heading(record)
        self.nav.setCurrentRow(0)
        self.undo_available.emit(False)

    # --- saving ---------------------------------------------------------------------------
    def _saver_for(self, section: str) -> Callable[[dict], dict]:
        """The save of a record section: one undo step, the other sections follow, and a
        stored assessment follows new facts or timeline dates."""

        def save(record: dict) -> dict:
            self._assessment_problem = ""
            with self._undo_step():
                before = self._current
                self._save(record)
                self._facts_may_have_changed(before)
            return copy.deepcopy(self._current)

        return save

    @contextmanager
    def _undo_step(self) -> Iterator[None]:
        """Saves made inside are one step of undo (a save and the assessment it causes)."""
        if self._step is not None:
            yield
            return
        self._step = []
        try:
            yield
        finally:
            self._step = None

    def _remember(self, before: dict, after: dict, kind: str = "") -> None:
        if self._restoring or not before:
            return
        if self._step is not None and self._step:
            return  # this step already kept the case as it was
        strip = {k: v for k, v in before.items() if k != "assessment"}
        if strip == {k: v for k, v in after.items() if k != "assessment"}:
            return  # only the assessment changed (it follows the facts): nothing to undo
        self._history.push(before, self.change_name(before, after), kind)
        self._set_undo_status("")  # a new change: "Undone: …" no longer describes the case
        if self._step is not None:
            self._step.append("pushed")
        self.undo_available.emit(True)

    def _save(self, record: dict, *, kind: str = "") -> dict:
        if self._saver is None:
            raise RuntimeError("no case loaded")
        before = self._current
        saved = self._saver(record)
        self._stored(before, saved, kind)
        return saved

    def _stored(self, before: dict, saved: dict, kind: str = "") -> None:
        """``saved`` is now the case as stored: remember the step and show it everywhere."""
        self._remember(before, saved, kind)
        self._current = copy.deepcopy(saved)
        self._set_heading(saved)
        for section in self.record_sections:
            section.rebase(saved)

    def _facts_may_have_changed(self, before: dict) -> None:
        """New facts or timeline dates: the Criteria section shows them and a stored
        assessment is made again from them (as after documents change)."""
        from imrdesktop.domain.timeline import merged_facts

        after = self._current
        if merged_facts(before) == merged_facts(after) and before.get("facts") == after.get(
            "facts"
        ):
            return
        services = self._criteria_services
        if services is None or self.criteria.wizard is not None:
            return  # an interview in progress keeps its answers
        try:
            services.refresh()  # the preview reads the case's timeline as saved now
        except ImrError:
            log.warning("criteria services could not re-read the case")
        self.criteria.load(after, services, self._commit_facts)
        if isinstance(after.get("assessment"), dict):
            self.criteria.update_assessment()
            problem = self.criteria.result_problem
            if not problem.isHidden() and problem.text():
                self._assessment_problem = problem.text()

    def _commit_facts(self, facts: dict) -> dict:
        """Save the interview's facts into the case, then have the case assessed (which
        stores the assessment and the case list's next deadline). Returns the assessment."""
        if self._saver is None or self._criteria_services is None:
            raise RuntimeError("no case loaded")
        self.client.commit()  # best effort: a field still being corrected stays as typed
        with self._undo_step():
            record = copy.deepcopy(self._current)
            record["facts"] = facts
            self._save(record)
            saved, rendered = self._criteria_services.assess_case()
            self._stored(self._current, saved)
        return rendered

    def _stored_record(self) -> dict | None:
        if self._reload is None:
            return None
        try:
            return self._reload()
        except ImrError as exc:
            log.warning("the case could not be read again: %s", type(exc).__name__)
            return None

    def _record_changed(self, kind: str = "letter") -> None:
        """The letter was saved into the case (``kind`` "letter" as typed, "letter_redraft"
        for a fresh draft): the other sections save the whole record, so they start from
        the case as stored (edits being typed are kept)."""
        record = self._stored_record()
        if record is not None:
            self._stored(self._current, record, kind)

    def _mailing_recorded(self) -> None:
        """Recording the mailing set the filing date in the facts and assessed the case
        again: the other sections start from the case as stored, Criteria shows the new
        assessment (the case list reads its next date when it is shown again)."""
        record = self._stored_record()
        if record is None:
            return
        self._stored(self._current, record, "mailing")
        services = self._criteria_services
        if services is not None and self.criteria.wizard is None:
            # (an interview in progress keeps its answers)
            self.criteria.load(record, services, self._commit_facts)

    def _set_heading(self, record: dict) -> None:
        name = record.get("enrollee", {}).get("name", "")
        self.heading.setText(_("{name} — case {case}").format(name=name, case=self.case_id))

    # --- undo -----------------------------------------------------------------------------
    def change_name(self, before: dict, after: dict) -> str:
        """What changed between two records, in words ("Client's phone", "the timeline")."""
        names: list[str] = []
        by_path = {}
        for section in (self.client, self.denial):
            for path, field in section.fields.items():
                by_path[path] = field.widget.accessibleName()
        old, new = _leaves(before), _leaves(after)
        for path in sorted(set(old) | set(new)):
            if old.get(path) == new.get(path) or path[0] == "assessment":
                continue
            name = by_path.get(path) or (
                _(CHANGE_NAMES[path[0]]) if path[0] in CHANGE_NAMES else ""
            )
            if not name:
                continue
            if name not in names:
                names.append(name)
        for key in ("timeline",):
            if before.get(key) != after.get(key) and _(CHANGE_NAMES[key]) not in names:
                names.append(_(CHANGE_NAMES[key]))
        if not names:
            return _("the last change")
        if len(names) == 1:
            return names[0]
        if len(names) == 2:
            return _("{first} and {second}").format(first=names[0], second=names[1])
        return _("{first} and {n} other changes").format(first=names[0], n=len(names) - 1)

    def can_undo(self) -> bool:
        return self._saver is not None and len(self._history) > 0

    def undo(self) -> bool:
        """Put the case back as it was before the last saved change of this session."""
        if self._saver is None:
            return False
        if self.tracking.form_changed():
            # The event being typed is not a saved change: undo would close its form.
            from imrdesktop.gui import dialogs

            if not dialogs.confirm(
                self,
                _("Undo and lose the event being typed?"),
                _(
                    "The event being typed in Tracking is not saved yet. Undo puts back the "
                    "last saved change and closes the form: the event typed there is lost. "
                    "To keep it, choose “Keep the event” and save it first."
                ),
                yes=_("Undo and lose the event"),
                no=_("Keep the event"),
            ):
                self._set_undo_status(_("Nothing undone: the event being typed is kept."))
                return False
            self.tracking.close_form()
        self.commit()  # typing not yet saved is the last change
        if not self._history:
            self._set_undo_status(_("Nothing to undo in this case."))
            return False
        before, what = self._history.pop()
        self._restoring = True
        try:
            saved = self._save(before)
        except ImrError as exc:
            from imrdesktop.services.messages import describe

            self._history.put_back(before, what)
            self._set_undo_status(describe(exc))
            return False
        finally:
            self._restoring = False
        self._show_restored(saved)
        self._set_undo_status(_("Undone: {what}.").format(what=what))
        self.undo_available.emit(self.can_undo())
        return True

    def _show_restored(self, record: dict) -> None:
        for section in (self.client, self.denial):
            section.load(record)
        self.tracking.rebase(record)
        self.tracking.close_form()
        services = self._criteria_services
        if services is not None and self.criteria.wizard is None:
            self.criteria.load(record, services, self._commit_facts)
        section = self.current_section()
        if self.letter._service is not None:
            service = self.letter._service
            self.letter.load(self.case_id, service)
            if section == "letter":
                self.letter.refresh()
        if section == "packet":
            self.packet.refresh()

    def _set_undo_status(self, text: str) -> None:
        self.undo_status.setText(text)
        self.undo_status.setVisible(bool(text))

    # --- leaving --------------------------------------------------------------------------
    def commit(self) -> bool:
        if self._saver is None:
            return True
        client = self.client.commit()
        denial = self.denial.commit()
        letter = self.letter.commit()
        tracking = self.tracking.commit()  # an event in its form is saved when it is right
        return self.documents.commit() and client and denial and letter and tracking

    def clear(self) -> None:
        """Drop everything shown about the client (on lock or when leaving the case)."""
        self.case_id = ""
        self._saver = None
        self._criteria_services = None
        self._reload = None
        self._current = {}
        self._history.clear()
        self._set_undo_status("")
        self.criteria.clear()
        self.documents.clear()  # drops thumbnails and closes the documents service
        self.letter.clear()
        self.packet.clear()  # drops the built PDFs and their thumbnails
        self.client.load({})
        self.denial.load({})
        self.tracking.clear()
        self.heading.clear()
        self.undo_available.emit(False)

    def _back(self) -> None:
        if self.commit():
            self.back_to_list.emit()


__all__ = ["SECTIONS", "UNDO_STEPS", "UndoHistory", "WorkspaceScreen", "get_path"]
