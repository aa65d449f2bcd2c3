"""The Tracking section of the case workspace: the case's timeline and where it stands.

- The status, in words, derived from the timeline (domain.timeline.derive_status): never
  typed in.
- The timeline (docs/caseload.md): what happened when — the denial, the grievance, the
  plan's answer, the IMR mailed, DMHC's acknowledgement, the decision, the plan complying —
  with add / edit / remove through an inline form checked as it is typed. The mailing
  record (Packet & mailing) shows as the "IMR mailed" event it counts as.
- The deadlines of the stored assessment and the expected dates after mailing (read only),
  and "Export deadlines to calendar (.ics)…" after a warning that the file is not
  encrypted (it holds only the case number and the dates).

Every change is saved through the workspace (``save(record) -> saved``), which also has a
stored assessment follow the new dates and refreshes the other sections.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from imrdesktop.domain.case import check_date
from imrdesktop.domain.errors import ImrError, InvalidField
from imrdesktop.domain.timeline import (
    EVENTS,
    MAX_EVENTS,
    MAX_NOTES,
    OUTCOME_REQUIRED,
    OUTCOMES,
    derive_status,
    event_label,
    outcome_label,
    status_label,
)
from imrdesktop.gui import dialogs
from imrdesktop.gui.screens.record import (
    FieldGrid,
    conflict_sentence,
    new_merged_problems,
    problem_parts,
    readable_row,
)
from imrdesktop.gui.widgets.common import (
    button,
    label,
    primary_button,
    sensitive_line_edit,
    set_field_error,
)
from imrdesktop.i18n import _, ngettext
from imrdesktop.services.messages import describe, field_problem

log = logging.getLogger(__name__)

CHECK_DELAY_MS = 700
MAILING_ROW = -1  # the list row standing for the mailing record (not a timeline event)
READABLE_CHARS = 100


def days_phrase(days: int) -> str:
    if days == 0:
        return _("today")
    if days > 0:
        return ngettext("in {n} day", "in {n} days", days).format(n=days)
    return ngettext("{n} day ago", "{n} days ago", -days).format(n=-days)


def event_line(event: dict) -> str:
    """ "2026-06-03 — Plan answered the grievance — Denial upheld" and the notes below."""
    parts = [str(event.get("date", "")), event_label(str(event.get("event", "")))]
    if event.get("outcome"):
        parts.append(outcome_label(str(event["event"]), str(event["outcome"])))
    text = " — ".join(parts)
    notes = " ".join(str(event.get("notes") or "").split())
    if notes:
        if len(notes) > 240:
            notes = notes[:239] + "…"
        text += "\n" + notes
    return text


def deadline_lines(record: dict, today: dt.date) -> list[str]:
    """The dates the calendar export holds (services.caseload.calendar_items: the stored
    assessment's deadlines that still apply and, once mailed, the review's expected
    milestones), one line each: "2026-07-03 — File the IMR (in 30 days)"."""
    from imrdesktop.domain.case import SHORT_MILESTONES
    from imrdesktop.services.caseload import calendar_items

    lines = []
    for key, day, what in calendar_items(record, record.get("assessment"), today):
        what = what[:1].upper() + what[1:]
        days = days_phrase((day - today).days)
        if key in SHORT_MILESTONES:
            text = _("{date} — {what} (expected, {days})")
        else:
            text = _("{date} — {what} ({days})")
        lines.append(text.format(date=day.isoformat(), what=what, days=days))
    return lines


class EventForm(QFrame):
    """The inline form for one timeline event: kind, date, outcome (when it has one),
    notes. Checked as typed; ``save_requested`` when the advocate saves it."""

    save_requested = Signal()
    cancelled = Signal()

    def __init__(self, today: Callable[[], dt.date], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("eventForm")
        self.setProperty("role", "card")
        self._today = today
        self.index: int | None = None  # the timeline index edited, None for a new event
        self.initial: dict = {}  # the values the form started with (nothing typed yet)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 14)
        self.heading = label("", "heading", name="eventFormHeading")
        layout.addWidget(self.heading)
        form = FieldGrid()
        self._grid = form

        self.event_combo = QComboBox()
        self.event_combo.setObjectName("eventKind")
        self.event_combo.setAccessibleName(_("What happened"))
        for event in EVENTS:
            self.event_combo.addItem(event_label(event), event)
        self.event_combo.currentIndexChanged.connect(self._event_changed)
        self._row(form, _("What happened:"), self.event_combo)

        self.date_edit = sensitive_line_edit("eventDate", _("Date of the event"))
        self.date_edit.setPlaceholderText(_("YYYY-MM-DD"))
        self.date_edit.setAccessibleDescription(_("A date written YYYY-MM-DD"))
        self.date_error = label("", "fieldError", name="eventDateError")
        self.date_error.setVisible(False)
        self._date_timer = QTimer(self)
        self._date_timer.setSingleShot(True)
        self._date_timer.setInterval(CHECK_DELAY_MS)
        self._date_timer.timeout.connect(self.show_date_check)
        self.date_edit.textChanged.connect(self._date_typed)
        self.date_edit.editingFinished.connect(self.show_date_check)
        self.date_edit.returnPressed.connect(self.save_requested)
        self._row(form, _("Date:"), self.date_edit, self.date_error)

        self.outcome_combo = QComboBox()
        self.outcome_combo.setObjectName("eventOutcome")
        self.outcome_combo.setAccessibleName(_("Outcome"))
        self.outcome_combo.activated.connect(lambda _i: self._show(self.outcome_combo, ""))
        self.outcome_error = label("", "fieldError", name="eventOutcomeError")
        self.outcome_error.setVisible(False)
        self.outcome_caption = self._row(
            form, _("Outcome:"), self.outcome_combo, self.outcome_error
        )

        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setObjectName("eventNotes")
        self.notes_edit.setAccessibleName(_("Notes about the event"))
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setInputMethodHints(
            Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText
        )
        self.notes_edit.textChanged.connect(self._notes_typed)
        self.notes_error = label("", "fieldError", name="eventNotesError")
        self.notes_error.setVisible(False)
        self._row(form, _("Notes:"), self.notes_edit, self.notes_error)
        layout.addLayout(form)

        buttons = QHBoxLayout()
        self.save_button = primary_button(_("&Save the event"), "saveEventButton")
        self.save_button.clicked.connect(self.save_requested)
        self.cancel_button = button(_("Cancel"), "cancelEventButton")
        self.cancel_button.clicked.connect(self.cancelled)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        QShortcut(
            QKeySequence(Qt.Key.Key_Escape),
            self,
            self.cancelled.emit,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        self._fit()

    def _row(self, form: FieldGrid, text: str, widget: QWidget, error: QLabel | None = None):
        return form.add_row(text, widget, *([error] if error is not None else []))

    def _fit(self) -> None:
        edit = self.notes_edit
        margins = 2 * edit.frameWidth() + 2 * round(edit.document().documentMargin()) + 8
        edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 4 + margins)
        self._grid.fit_captions()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit()

    # values ---------------------------------------------------------------------------------
    def start(self, event: dict | None, index: int | None) -> None:
        """Fill the form: ``event`` to edit (at timeline ``index``), or None for a new one
        (dated today)."""
        self.index = index
        data = event or {"event": self._suggested_kind(), "date": self._today().isoformat()}
        self.heading.setText(_("Edit the event") if index is not None else _("Add an event"))
        self.event_combo.setCurrentIndex(max(0, self.event_combo.findData(data.get("event"))))
        self._event_changed()
        idx = self.outcome_combo.findData(data.get("outcome"))
        self.outcome_combo.setCurrentIndex(max(0, idx))
        self.date_edit.setText(str(data.get("date") or ""))
        self.notes_edit.setPlainText(str(data.get("notes") or ""))
        for widget, error in self._errors():
            set_field_error(widget, error, "")
        self.save_button.setText(_("&Save the event"))
        self.save_button.setAccessibleName(self.save_button.text().replace("&", ""))
        self.initial = self.values()

    def changed(self) -> bool:
        """Something was typed or chosen since the form was filled."""
        return self.values() != self.initial

    def _suggested_kind(self) -> str:
        return self.property("suggested") or EVENTS[0]

    def values(self) -> dict:
        kind = self.event_combo.currentData()
        outcome = self.outcome_combo.currentData() if kind in OUTCOMES else None
        return {
            "event": kind,
            "date": self.date_edit.text().strip(),
            "notes": self.notes_edit.toPlainText().strip(),
            "outcome": outcome,
        }

    def _event_changed(self, *_args) -> None:
        kind = self.event_combo.currentData()
        previous = self.outcome_combo.currentData()
        self.outcome_combo.clear()
        outcomes = OUTCOMES.get(kind, ())
        if outcomes:
            first = _("Choose the outcome") if kind in OUTCOME_REQUIRED else _("Not recorded")
            self.outcome_combo.addItem(first, None)
            for outcome in outcomes:
                self.outcome_combo.addItem(outcome_label(kind, outcome), outcome)
            idx = self.outcome_combo.findData(previous)
            self.outcome_combo.setCurrentIndex(max(0, idx))
        for widget in (self.outcome_caption, self.outcome_combo):
            widget.setVisible(bool(outcomes))
        self._show(self.outcome_combo, "")

    # checks ---------------------------------------------------------------------------------
    def _errors(self):
        return (
            (self.date_edit, self.date_error),
            (self.outcome_combo, self.outcome_error),
            (self.notes_edit, self.notes_error),
        )

    def _show(self, widget: QWidget, message: str) -> None:
        error = dict((w, e) for w, e in self._errors())[widget]
        set_field_error(widget, error, message)
        base = _("A date written YYYY-MM-DD") if widget is self.date_edit else ""
        widget.setAccessibleDescription(message or base)

    def date_problem(self) -> str:
        text = self.date_edit.text().strip()
        if not text:
            return _("Enter the date it happened, YYYY-MM-DD")
        return check_date(text, self._today()) or ""

    def _date_typed(self, _text: str) -> None:
        """A message goes as soon as the date is right, or while it is being changed; a
        date still wrong when typing pauses gets its message again."""
        self._show(self.date_edit, "")
        if self.date_problem():
            self._date_timer.start()
        else:
            self._date_timer.stop()

    def show_date_check(self) -> None:
        self._date_timer.stop()
        self._show(self.date_edit, self.date_problem())

    def notes_problem(self) -> str:
        if len(self.notes_edit.toPlainText().strip()) > MAX_NOTES:
            return _("The notes are too long: at most {n} characters").format(n=MAX_NOTES)
        return ""

    def _notes_typed(self) -> None:
        self._show(self.notes_edit, self.notes_problem())

    def outcome_problem(self) -> str:
        kind = self.event_combo.currentData()
        if kind in OUTCOME_REQUIRED and self.outcome_combo.currentData() is None:
            return _("Choose the outcome of the decision")
        return ""

    def check(self) -> bool:
        """Show every message now; True when the event can be saved."""
        self.show_date_check()
        self._show(self.outcome_combo, self.outcome_problem())
        self._show(self.notes_edit, self.notes_problem())
        for widget, error in self._errors():
            if error.text():
                widget.setFocus(Qt.FocusReason.OtherFocusReason)
                return False
        return True

    def show_saving_problem(self, exc: InvalidField) -> None:
        where = str(exc.params.get("field", ""))
        target = self.date_edit
        if where.endswith(".outcome"):
            target = self.outcome_combo
        elif where.endswith(".notes"):
            target = self.notes_edit
        self._show(target, field_problem(exc))


class TrackingSection(QWidget):
    """The timeline, the status it gives, the deadlines, and the calendar export."""

    def __init__(self, save: Callable[[dict], dict] | None = None, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("section_tracking")
        self._save = save
        self._record: dict = {}
        self._case_id = ""
        self._today: Callable[[], dt.date] = dt.date.today
        # The sentence of a stored assessment that could not follow the last save ("" when
        # it did): set by the workspace, so a save never reads as a clean success.
        self.assessment_problem: Callable[[], str] = lambda: ""

        outer = QVBoxLayout(self)
        outer.addWidget(label(_("Tracking"), "title", wrap=False))
        self.column = QWidget()
        self.column.setObjectName("trackingColumn")
        col = QVBoxLayout(self.column)
        col.setContentsMargins(0, 0, 0, 0)

        status_card = QFrame()
        status_card.setObjectName("statusCard")
        status_card.setProperty("role", "card")
        sc = QVBoxLayout(status_card)
        sc.setContentsMargins(14, 10, 14, 12)
        self.status_value = label("", "caseStatus", name="caseStatus")
        self.status_value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.status_value.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        sc.addWidget(self.status_value)
        sc.addWidget(
            label(
                _(
                    "The status follows the timeline below (and the mailing record): add "
                    "what happened, when, and it moves on by itself."
                ),
                "hint",
                name="statusHint",
            )
        )
        col.addWidget(status_card)

        caption = QLabel(_("Time&line:"))
        caption.setProperty("role", "heading")
        col.addWidget(caption)
        self.timeline_list = QListWidget()
        self.timeline_list.setObjectName("timelineList")
        self.timeline_list.setAccessibleName(_("Timeline of the case"))
        self.timeline_list.setWordWrap(True)
        self.timeline_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.timeline_list.currentRowChanged.connect(lambda _r: self._update_enabled())
        self.timeline_list.itemActivated.connect(lambda _i: self.edit_event())
        caption.setBuddy(self.timeline_list)
        col.addWidget(self.timeline_list)
        self.empty_label = label(
            _("Nothing recorded yet. Add the plan's denial first, then each step as it comes."),
            "hint",
            name="timelineEmpty",
        )
        col.addWidget(self.empty_label)
        row = QHBoxLayout()
        self.add_button = button(_("&Add event…"), "addEventButton")
        self.add_button.clicked.connect(self.add_event)
        self.edit_button = button(_("Ed&it…"), "editEventButton")
        self.edit_button.setAccessibleName(_("Edit the selected event"))
        self.edit_button.clicked.connect(self.edit_event)
        self.remove_button = button(_("&Remove…"), "removeEventButton")
        self.remove_button.setAccessibleName(_("Remove the selected event"))
        self.remove_button.clicked.connect(self.remove_event)
        for b in (self.add_button, self.edit_button, self.remove_button):
            row.addWidget(b)
        row.addStretch(1)
        col.addLayout(row)
        QShortcut(
            QKeySequence(QKeySequence.StandardKey.Delete),
            self.timeline_list,
            self.remove_event,
            context=Qt.ShortcutContext.WidgetShortcut,
        )

        self.form = EventForm(lambda: self._today())
        self.form.save_requested.connect(self.save_event)
        self.form.cancelled.connect(self.close_form)
        self.form.setVisible(False)
        col.addWidget(self.form)
        self.problem = label("", "fieldError", name="trackingProblem")
        self.problem.setVisible(False)
        col.addWidget(self.problem)
        self.status = label("", "hint", name="trackingSaveStatus")
        col.addWidget(self.status)

        col.addSpacing(8)
        heading = QLabel(_("&Deadlines and expected dates:"))
        heading.setProperty("role", "heading")
        col.addWidget(heading)
        col.addWidget(
            label(
                _(
                    "From the last assessment (Criteria) and the mailing record (Packet & "
                    "mailing); they follow the timeline when the case is assessed again."
                ),
                "hint",
                name="deadlinesHint",
            )
        )
        self.deadline_list = QListWidget()
        self.deadline_list.setObjectName("deadlineList")
        self.deadline_list.setAccessibleName(_("Deadlines and expected dates"))
        self.deadline_list.setWordWrap(True)
        self.deadline_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.deadline_list.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        heading.setBuddy(self.deadline_list)
        col.addWidget(self.deadline_list)
        self.no_deadlines = label(
            _("No deadlines yet: run the Criteria interview to have the case assessed."),
            "hint",
            name="noDeadlines",
        )
        col.addWidget(self.no_deadlines)
        row = QHBoxLayout()
        self.export_button = button(_("E&xport deadlines to calendar (.ics)…"), "exportIcsButton")
        self.export_button.clicked.connect(self.export_ics)
        row.addWidget(self.export_button)
        row.addStretch(1)
        col.addLayout(row)
        self.export_status = label("", "hint", name="exportIcsStatus")
        col.addWidget(self.export_status)
        outer.addLayout(readable_row(self.column))
        outer.addStretch(1)
        self._fit()
        self._show()

    # --- sizes ---------------------------------------------------------------------------------
    def _fit(self) -> None:
        self.column.setMaximumWidth(self.fontMetrics().averageCharWidth() * READABLE_CHARS)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit()
            QTimer.singleShot(0, self._fit_lists)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, self._fit_lists)

    def _fit_lists(self) -> None:
        from imrdesktop.gui.screens.packet import fit_list

        for view, rows in ((self.timeline_list, 12), (self.deadline_list, 14)):
            if view.count():
                fit_list(view, rows)

    # --- the case ------------------------------------------------------------------------------
    def load(
        self,
        case_id: str,
        record: dict,
        save: Callable[[dict], dict] | None = None,
        today: Callable[[], dt.date] | None = None,
    ) -> None:
        self._case_id = case_id
        if save is not None:
            self._save = save
        self._today = today or dt.date.today
        self._record = copy.deepcopy(record)
        self.close_form()
        self.status.clear()
        self.export_status.clear()
        self.problem.setVisible(False)
        self._show()

    def rebase(self, record: dict) -> None:
        """The case was saved elsewhere: show it (an event being typed stays in the form)."""
        self._record = copy.deepcopy(record)
        self._show()

    def clear(self) -> None:
        self._case_id = ""
        self._record = {}
        self.close_form()
        self.status.clear()
        self.export_status.clear()
        self.problem.setVisible(False)
        self._show()

    def saved_record(self) -> dict:
        return copy.deepcopy(self._record)

    def timeline(self) -> list[dict]:
        items = self._record.get("timeline")
        return [dict(e) for e in items] if isinstance(items, list) else []

    def status_text(self) -> str:
        return self.status_value.text()

    def _show(self) -> None:
        today = self._today()
        status = derive_status(self._record, today=today) if self._record else "open"
        self.status_value.setText(_("Status: {status}").format(status=status_label(status)))
        self.status_value.setAccessibleName(self.status_value.text())
        current = self.timeline_list.currentRow()
        self.timeline_list.clear()
        rows: list[tuple[str, int, str]] = []
        for index, event in enumerate(self.timeline()):
            rows.append((str(event.get("date", "")), index, event_line(event)))
        mailing = self._record.get("mailing")
        if isinstance(mailing, dict) and mailing.get("date"):
            rows.append(
                (
                    str(mailing["date"]),
                    MAILING_ROW,
                    _("{date} — {event} (the mailing record, in Packet & mailing)").format(
                        date=mailing["date"], event=event_label("imr_mailed")
                    ),
                )
            )
        rows.sort(key=lambda r: r[0])
        for _day, index, text in rows:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, index)
            self.timeline_list.addItem(item)
        if self.timeline_list.count():
            self.timeline_list.setCurrentRow(min(max(current, 0), self.timeline_list.count() - 1))
        self.timeline_list.setVisible(self.timeline_list.count() > 0)
        self.empty_label.setVisible(self.timeline_list.count() == 0)

        self.deadline_list.clear()
        for text in deadline_lines(self._record, today) if self._record else []:
            self.deadline_list.addItem(QListWidgetItem(text))
        has = self.deadline_list.count() > 0
        self.deadline_list.setVisible(has)
        self.no_deadlines.setVisible(not has)
        self._update_enabled()
        self._fit_lists()
        QTimer.singleShot(0, self._fit_lists)

    def timeline_rows(self) -> list[str]:
        return [self.timeline_list.item(i).text() for i in range(self.timeline_list.count())]

    def deadline_rows(self) -> list[str]:
        return [self.deadline_list.item(i).text() for i in range(self.deadline_list.count())]

    def _selected_index(self) -> int | None:
        item = self.timeline_list.currentItem()
        if item is None:
            return None
        return item.data(Qt.ItemDataRole.UserRole)

    def select_row(self, row: int) -> None:
        self.timeline_list.setCurrentRow(row)

    def _update_enabled(self) -> None:
        loaded = bool(self._case_id) and self._save is not None
        index = self._selected_index()
        editable = loaded and index is not None and index != MAILING_ROW
        self.add_button.setEnabled(loaded and len(self.timeline()) < MAX_EVENTS)
        self.edit_button.setEnabled(editable)
        self.remove_button.setEnabled(editable)
        self.export_button.setEnabled(loaded and self.deadline_list.count() > 0)

    # --- the form ------------------------------------------------------------------------------
    def _next_kind(self) -> str:
        """The step that usually comes next, to start the form with."""
        done = {e.get("event") for e in self.timeline()}
        if isinstance(self._record.get("mailing"), dict):
            done.add("imr_mailed")
        reached = [EVENTS.index(kind) for kind in done if kind in EVENTS]
        if not reached:
            return EVENTS[0]
        return EVENTS[min(max(reached) + 1, len(EVENTS) - 1)]

    def add_event(self) -> None:
        if not self.add_button.isEnabled():
            return
        self.form.setProperty("suggested", self._next_kind())
        self.form.start(None, None)
        self._open_form()

    def edit_event(self) -> None:
        index = self._selected_index()
        if index is None or index == MAILING_ROW or not self.edit_button.isEnabled():
            return
        self.form.start(self.timeline()[index], index)
        self._open_form()

    def _open_form(self) -> None:
        self.problem.setVisible(False)
        self.status.clear()
        self.form.setVisible(True)
        self.form.event_combo.setFocus(Qt.FocusReason.OtherFocusReason)
        scroll = self._scroll_area()
        if scroll is not None:
            QTimer.singleShot(0, lambda: scroll.ensureWidgetVisible(self.form, 0, 20))

    def _scroll_area(self):
        from PySide6.QtWidgets import QScrollArea

        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        return parent

    def close_form(self) -> None:
        had_focus = self.form.isVisible() and self.form.isAncestorOf(self.focusWidget() or self)
        self.form.setVisible(False)
        self.form.index = None
        if had_focus:
            self.timeline_list.setFocus(Qt.FocusReason.OtherFocusReason)

    def form_open(self) -> bool:
        return self.form.isVisible()

    def form_changed(self) -> bool:
        """The form is open with something typed that is not saved yet."""
        return self.form_open() and self.form.changed()

    def commit(self) -> bool:
        """Save an event still in the form (leaving the case, locking, undo). A form with
        nothing typed just closes. False when the event cannot be saved: its message shows
        beside the field and the form stays open."""
        if not self.form_open():
            return True
        if not self.form.changed():
            self.close_form()
            return True
        self.save_event()
        return not self.form_open()

    def save_event(self) -> None:
        if not self.form.isVisible() or not self.form.check():
            return
        event = self.form.values()
        events = self.timeline()
        editing = self.form.index
        if editing is not None and 0 <= editing < len(events):
            events[editing] = event
        else:
            events.append(event)
            editing = None
        record = copy.deepcopy(self._record)
        record["timeline"] = events
        position = editing if editing is not None else len(events) - 1
        if self._show_merged_problem(record, position):
            return
        if not self._store(record, on_form=True):
            return
        self.close_form()
        if self.problem.isHidden():
            text = _("Event saved. {status}") if editing is not None else _("Event added. {status}")
        elif editing is not None:
            text = _("Event saved, but the assessment could not be updated (see above). {status}")
        else:
            text = _("Event added, but the assessment could not be updated (see above). {status}")
        self.status.setText(text.format(status=self.status_value.text()))
        self._select_event(event)
        self.timeline_list.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_merged_problem(self, record: dict, position: int) -> bool:
        """The event would make the case's facts wrong once its date counts (the grievance
        answered before it was filed…): say so beside the form's field and save nothing."""
        from imrdesktop.domain.timeline import source_field

        problems = new_merged_problems(self._record, record, self._today())
        if not problems:
            return False
        problem = problems[0]
        parts = problem_parts(problem) or [""]
        target = self.form.date_edit
        sentence = ""
        for part in parts:
            where = source_field(record, part)
            if where == f"timeline[{position}].date":
                sentence = field_problem(problem)
                break
            if where == f"timeline[{position}].outcome":
                target, sentence = self.form.outcome_combo, field_problem(problem)
                break
        if not sentence:
            sentence = conflict_sentence(record, parts[0], problem)
        self.form._show(target, sentence)
        target.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def _select_event(self, event: dict) -> None:
        for row in range(self.timeline_list.count()):
            index = self.timeline_list.item(row).data(Qt.ItemDataRole.UserRole)
            if index == MAILING_ROW:
                continue
            stored = self.timeline()[index]
            if all(stored.get(k) == event.get(k) for k in ("event", "date", "outcome")):
                self.timeline_list.setCurrentRow(row)
                return

    def remove_event(self) -> None:
        index = self._selected_index()
        if index is None or index == MAILING_ROW or not self.remove_button.isEnabled():
            return
        events = self.timeline()
        event = events[index]
        summary = " — ".join(
            p
            for p in (
                str(event.get("date", "")),
                event_label(str(event.get("event", ""))),
            )
            if p
        )
        if not dialogs.confirm(
            self,
            _("Remove the event?"),
            _(
                "Remove “{event}” from the timeline? The status and the dates that count "
                "from it follow the timeline. Edit ▸ Undo brings it back."
            ).format(event=summary),
            yes=_("Remove"),
        ):
            return
        row = self.timeline_list.currentRow()
        del events[index]
        record = copy.deepcopy(self._record)
        if events:
            record["timeline"] = events
        else:
            record.pop("timeline", None)
        if not self._store(record):
            return
        if self.form.index is not None:
            self.close_form()
        self.status.setText(_("Event removed. {status}").format(status=self.status_value.text()))
        if self.timeline_list.count():
            self.timeline_list.setCurrentRow(min(row, self.timeline_list.count() - 1))
        self.timeline_list.setFocus(Qt.FocusReason.OtherFocusReason)

    def _store(self, record: dict, *, on_form: bool = False) -> bool:
        if self._save is None:
            return False
        self.problem.setVisible(False)
        try:
            saved = self._save(record)
        except InvalidField as exc:
            if on_form and str(exc.params.get("field", "")).startswith("timeline"):
                self.form.show_saving_problem(exc)
            else:
                self.problem.setText(describe(exc))
                self.problem.setVisible(True)
            return False
        except ImrError as exc:
            self.problem.setText(describe(exc))
            self.problem.setVisible(True)
            return False
        self._record = copy.deepcopy(saved)
        self._show()
        problem = self.assessment_problem()
        if problem:
            self.problem.setText(
                _("Saved, but the assessment could not be updated: {problem}").format(
                    problem=problem
                )
            )
            self.problem.setVisible(True)
        return True

    # --- calendar export -------------------------------------------------------------------------
    def export_ics(self) -> None:
        if not self.export_button.isEnabled():
            return
        if not dialogs.confirm(
            self,
            _("Export the deadlines?"),
            _(
                "The calendar file is not encrypted: anyone who can open it can read it. It "
                "holds only the case number and the dates — no name and no medical details. "
                "Keep it on this computer or in your own calendar."
            ),
            yes=_("Choose where to save…"),
        ):
            return
        path = dialogs.choose_save_path(
            self,
            _("Export deadlines to calendar"),
            f"{self._case_id}-deadlines.ics",
            _("Calendar files (*.ics)"),
            default_suffix="ics",
        )
        if path is None:
            return
        from imrdesktop.services import caseload

        try:
            text = caseload.deadlines_ics(
                self._case_id, self._record, self._record.get("assessment"), self._today()
            )
            caseload.export_text(path, text)
        except (ImrError, OSError) as exc:
            self.export_status.setText(describe(exc))
            return
        self.export_status.setText(
            _("Deadlines exported to {file} (not encrypted).").format(file=path.name)
        )
