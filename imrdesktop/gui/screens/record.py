"""The case record screens of the workspace: Client & plan, and Denial & grievance.

Both edit the one case record (domain/case.py, docs/caseload.md) — the Denial & grievance
screen edits the very ``facts`` keys the Criteria interview asks about, never a copy. Each
field is checked as it is typed (the domain's ``check_*`` sentences, shown beside the field,
never a pop-up) and the record is saved as the advocate moves on (editingFinished, a choice
made, leaving a text box). A field that is not right is never saved: the record keeps its
last good value until it is corrected.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from imrdesktop.domain.case import (
    LANGUAGES,
    check_date,
    check_email,
    check_member_id,
    check_phone,
    check_zip_in_address,
)
from imrdesktop.domain.errors import ImrError, InvalidField
from imrdesktop.gui.widgets.common import label, sensitive_line_edit, set_field_error
from imrdesktop.i18n import N_, _
from imrdesktop.services.messages import describe, field_problem

CHECK_DELAY_MS = 700  # a message appears once typing pauses; it goes as soon as it is right
READABLE_CHARS = 100  # the column of fields stays readable on a wide window
MAX_STATED_REASON = 2000

Path = tuple[str, ...]
Checker = Callable[[str], "str | None"]


# --- the record as nested dicts ------------------------------------------------------------
def get_path(record: Any, path: Path) -> Any:
    node = record
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def put_path(record: dict, path: Path, value: Any, *, keep_null: bool = False) -> None:
    """Set ``path`` to ``value``; None or "" removes the key (or, with ``keep_null``, sets
    null where the key is present: the facts record says "unknown" that way too)."""
    node = record
    for key in path[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            if value in (None, ""):
                return
            child = {}
            node[key] = child
        node = child
    last = path[-1]
    if value in (None, ""):
        if keep_null and last in node:
            node[last] = None
        else:
            node.pop(last, None)
    else:
        node[last] = value


def normal(value: Any) -> Any:
    """Missing, null and blank are one "not recorded"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value


# --- a form that holds at any text size ---------------------------------------------------------
CAPTION_CHARS = 20  # captions wrap beyond this width, so fields keep their room at 200 %


class FieldGrid(QGridLayout):
    """Caption | field (with its message and notes below it), one row each.

    A grid rather than a QFormLayout: QFormLayout under-reports its height for width when a
    field's message appears, and the scroll area then squeezes the fields."""

    def __init__(self) -> None:
        super().__init__()
        self.setColumnStretch(1, 1)
        self.setHorizontalSpacing(12)
        self.setVerticalSpacing(8)
        self.captions: list[QLabel] = []
        self._rows = 0

    def add_row(self, text: str, widget: QWidget, *below: QWidget) -> QLabel:
        caption = QLabel(text)
        caption.setBuddy(widget)
        caption.setWordWrap(True)
        caption.setObjectName(f"caption_{widget.objectName()}")
        self.captions.append(caption)
        self.fit_captions()
        box = QVBoxLayout()
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        for item in below:
            box.addWidget(item)
        self.addWidget(caption, self._rows, 0, Qt.AlignmentFlag.AlignTop)
        self.addLayout(box, self._rows, 1)
        self._rows += 1
        return caption

    def fit_captions(self, others: list[QLabel] | tuple = ()) -> None:
        """One width for the captions (with ``others``: the section's other grids): the
        longest one's, up to ``CAPTION_CHARS`` (longer ones wrap). A fixed width keeps each
        row's height right for its wrapped caption."""
        captions = [*self.captions, *others]
        if not captions:
            return
        fm = captions[0].fontMetrics()
        natural = max(fm.horizontalAdvance(c.text()) for c in captions) + 4
        width = min(natural, fm.averageCharWidth() * CAPTION_CHARS)
        for caption in captions:
            caption.setFixedWidth(width)


def readable_row(column: QWidget) -> QHBoxLayout:
    """``column`` (with a maximum width) on the left of a row. In a row, not straight in the
    section's column: a vertical box asks a child's height for the box's whole width, not
    for the child's narrower maximum, and wrapped text would then be squeezed."""
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(column, 1)
    row.addStretch(0)
    return row


# --- the merged facts (the timeline's dates counting) -----------------------------------------
# How a facts key is named in a sentence about a date that does not fit (docs/caseload.md).
FACT_WORDS = {
    "plan_written_decision_date": N_("the date on the plan's written decision"),
    "grievance.filed_date": N_("the date the grievance was filed"),
    "grievance.decision_date": N_("the date of the plan's answer to the grievance"),
    "grievance.received_date": N_("the date the plan received the grievance"),
    "grievance.outcome": N_("the plan's answer to the grievance"),
    "imr_filed_date": N_("the date the IMR was filed"),
    "imr_decision_received_date": N_("the date the IMR decision arrived"),
    "imr_decision_outcome": N_("the IMR decision"),
}


def _problem_key(problem: InvalidField) -> tuple[str, str]:
    return str(problem.params.get("field", "")), str(problem.params.get("problem", ""))


def new_merged_problems(before: dict, after: dict, today: dt.date) -> list[InvalidField]:
    """The facts.md problems of ``after``'s merged facts (the timeline's dates counting,
    domain.timeline.merged_facts) that ``before`` does not already have: what a change
    from ``before`` to ``after`` would break (the assessment could not be made)."""
    from imrdesktop.domain.facts import facts_problems
    from imrdesktop.domain.timeline import merged_facts

    old = {_problem_key(p) for p in facts_problems(merged_facts(before), today)[1]}
    return [p for p in facts_problems(merged_facts(after), today)[1] if _problem_key(p) not in old]


def problem_parts(problem: InvalidField) -> list[str]:
    """The facts keys a problem names ("grievance.outcome and grievance.decision_date")."""
    return [part for part in str(problem.params.get("field", "")).split(" and ") if part]


def conflict_sentence(record: dict, part: str, problem: InvalidField) -> str:
    """A problem whose date was entered elsewhere, in words: "That does not fit the
    timeline: “Plan answered the grievance” on 2026-05-01 is before the grievance's filed
    date." """
    from imrdesktop.domain.timeline import event_label, source_field

    what = str(problem.params.get("problem") or "")
    where = source_field(record, part)
    match = re.fullmatch(r"timeline\[(\d+)\]\.\w+", where)
    items = record.get("timeline")
    if match and isinstance(items, list) and int(match.group(1)) < len(items):
        event = items[int(match.group(1))]
        return _("That does not fit the timeline: “{event}” on {date} {problem}.").format(
            event=event_label(str(event.get("event", ""))), date=event.get("date", ""), problem=what
        )
    if where == "mailing.date" and isinstance(record.get("mailing"), dict):
        return _("That does not fit the timeline: “{event}” on {date} {problem}.").format(
            event=event_label("imr_mailed"), date=record["mailing"].get("date", ""), problem=what
        )
    from imrdesktop.domain.timeline import merged_facts

    value = get_path(merged_facts(record), tuple(part.split(".")))
    name = _(FACT_WORDS[part]) if part in FACT_WORDS else part
    if value is None:
        return _("That does not fit the case: {what} {problem}.").format(what=name, problem=what)
    return _("That does not fit the case: {what}, {value}, {problem}.").format(
        what=name, value=value, problem=what
    )


# --- one field ------------------------------------------------------------------------------
class Field(QObject):
    """One control bound to one key of the record, with its message label."""

    def __init__(
        self,
        path: Path,
        widget: QWidget,
        error: QLabel,
        check: Checker | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.path = path
        self.widget = widget
        self.error = error
        self.check = check
        self.problem = ""  # a message from saving (the storage layer's check)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(CHECK_DELAY_MS)

    # value ------------------------------------------------------------------------------
    def value(self) -> Any:
        w = self.widget
        if isinstance(w, QLineEdit):
            return w.text().strip() or None
        if isinstance(w, QPlainTextEdit):
            text = w.toPlainText()
            return text if text.strip() else None
        if isinstance(w, QComboBox):
            return w.currentData()
        raise TypeError(type(w).__name__)

    def set_value(self, value: Any) -> None:
        w = self.widget
        if isinstance(w, QLineEdit):
            w.setText("" if value is None else str(value))
            w.setCursorPosition(0)
        elif isinstance(w, QPlainTextEdit):
            w.setPlainText("" if value is None else str(value))
        elif isinstance(w, QComboBox):
            idx = w.findData(value)
            if idx < 0 and value is not None:
                # a value this version does not list: shown as it is, kept as it is
                w.addItem(str(value), value)
                idx = w.count() - 1
            w.setCurrentIndex(max(idx, 0))

    def text_problem(self) -> str:
        """The check's sentence for what is typed now ("" when it is right)."""
        if self.check is None:
            return ""
        value = self.value()
        if value is None or not isinstance(value, str):
            return ""
        return self.check(value) or ""

    def valid(self) -> bool:
        return not self.text_problem()

    def show(self, message: str) -> None:
        set_field_error(self.widget, self.error, message)
        base = self.widget.property("baseDescription") or ""
        self.widget.setAccessibleDescription(message or base)


# --- a form of fields saved into the record --------------------------------------------------
class RecordForm(QWidget):
    """Fields bound to the record; subclasses lay them out. ``save(record) -> saved``."""

    def __init__(
        self,
        save: Callable[[dict], dict],
        today: Callable[[], dt.date] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._save = save
        self._today = today or dt.date.today
        self._record: dict = {}
        self._loading = False
        self.fields: dict[Path, Field] = {}
        self.grids: list[FieldGrid] = []
        self.status = label("", "hint")
        # The sentence of a stored assessment that could not follow the last save ("" when
        # it did): the workspace sets it, so the save never reads as a clean success.
        self.assessment_problem: Callable[[], str] = lambda: ""

    def set_today(self, today: Callable[[], dt.date] | None) -> None:
        self._today = today or dt.date.today

    def today(self) -> dt.date:
        return self._today()

    # building -----------------------------------------------------------------------------
    @staticmethod
    def name_of(path: Path) -> str:
        if len(path) == 1:
            return f"case_{path[0]}"
        return "_".join(path)

    def _field(self, path: Path, widget: QWidget, check: Checker | None = None) -> Field:
        err = label("", "fieldError", name=f"error_{self.name_of(path)}")
        err.setVisible(False)
        field = Field(path, widget, err, check, self)
        self.fields[path] = field
        if isinstance(widget, QLineEdit):
            widget.textChanged.connect(lambda _t, f=field: self._typed(f))
            widget.editingFinished.connect(lambda f=field: self._finished(f))
            field.timer.timeout.connect(lambda f=field: self._show_check(f))
        elif isinstance(widget, QPlainTextEdit):
            widget.textChanged.connect(lambda f=field: self._typed(f))
            field.timer.timeout.connect(lambda f=field: self._show_check(f))
            widget.installEventFilter(self)
        elif isinstance(widget, QComboBox):
            widget.activated.connect(lambda _i, f=field: self._chosen(f))
        return field

    def line(self, path: Path, accessible: str, check: Checker | None = None) -> QLineEdit:
        edit = sensitive_line_edit(f"field_{self.name_of(path)}", accessible)
        self._field(path, edit, check)
        return edit

    def date_line(self, path: Path, accessible: str) -> QLineEdit:
        edit = self.line(path, accessible, lambda text: check_date(text, self.today()))
        edit.setPlaceholderText(_("YYYY-MM-DD"))
        edit.setProperty("baseDescription", _("A date written YYYY-MM-DD"))
        edit.setAccessibleDescription(_("A date written YYYY-MM-DD"))
        return edit

    def combo(self, path: Path, accessible: str, items: list[tuple[str, Any]]) -> QComboBox:
        box = QComboBox()
        box.setObjectName(f"field_{self.name_of(path)}")
        box.setAccessibleName(accessible)
        for text, data in items:
            box.addItem(text, data)
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        box.setMinimumContentsLength(16)
        # a long choice cut off at a large text size is read whole in the tooltip
        box.currentTextChanged.connect(box.setToolTip)
        self._field(path, box)
        return box

    def text_box(self, path: Path, accessible: str, max_chars: int, lines: int = 4):
        edit = QPlainTextEdit()
        edit.setObjectName(f"field_{self.name_of(path)}")
        edit.setAccessibleName(accessible)
        edit.setTabChangesFocus(True)
        edit.setInputMethodHints(
            Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText
        )
        edit.setProperty("lines", lines)
        self._fit_text_box(edit)

        def too_long(text: str) -> str | None:
            if len(text) > max_chars:
                return _("This is too long: at most {n} characters").format(n=max_chars)
            return None

        self._field(path, edit, too_long)
        return edit

    def _fit_text_box(self, edit: QPlainTextEdit) -> None:
        """``lines`` lines tall at the current text size (longer text scrolls inside)."""
        lines = int(edit.property("lines") or 4)
        margins = 2 * edit.frameWidth() + 2 * round(edit.document().documentMargin()) + 8
        edit.setFixedHeight(edit.fontMetrics().lineSpacing() * lines + margins)

    def group(self, title: str, name: str, hint: str = "") -> tuple[QGroupBox, FieldGrid]:
        box = QGroupBox(title)
        box.setObjectName(name)
        box.setAccessibleName(title)
        outer = QVBoxLayout(box)
        if hint:
            outer.addWidget(label(hint, "hint", name=f"{name}Hint"))
        grid = FieldGrid()
        self.grids.append(grid)
        outer.addLayout(grid)
        return box, grid

    def add_row(self, grid: FieldGrid, text: str, widget: QWidget, note: QLabel | None = None):
        """``text`` labels ``widget`` (its buddy: Alt+letter and screen readers); the
        field's message shows under it."""
        field = next((f for f in self.fields.values() if f.widget is widget), None)
        below = [w for w in (field.error if field else None, note) if w is not None]
        grid.add_row(text, widget, *below)
        self.fit_captions()

    def fit_captions(self) -> None:
        """The captions of every group share one width, so the fields line up."""
        if self.grids:
            self.grids[0].fit_captions([c for g in self.grids[1:] for c in g.captions])

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.FocusOut and isinstance(obj, QPlainTextEdit):
            field = next((f for f in self.fields.values() if f.widget is obj), None)
            if field is not None:
                self._finished(field)
        return super().eventFilter(obj, event)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            for field in self.fields.values():
                if isinstance(field.widget, QPlainTextEdit):
                    self._fit_text_box(field.widget)
            self.fit_captions()

    # checking as typed --------------------------------------------------------------------
    def _typed(self, field: Field) -> None:
        if self._loading:
            return
        field.problem = ""
        field.show("")  # gone as soon as it is right, or while it is being changed
        if field.valid():
            field.timer.stop()
        else:
            field.timer.start()  # still wrong when typing pauses: said again

    def _show_check(self, field: Field) -> None:
        field.show(field.text_problem() or field.problem)

    def _finished(self, field: Field) -> None:
        if self._loading:
            return
        field.timer.stop()
        self._show_check(field)
        self.commit()

    def _chosen(self, field: Field) -> None:
        if self._loading:
            return
        field.problem = ""
        field.show("")
        self.commit()

    def check_all(self) -> bool:
        """Show every field's message now; True when all are right."""
        ok = True
        for field in self.fields.values():
            field.timer.stop()
            problem = field.text_problem()
            if problem:
                ok = False
                field.show(problem)
        return ok

    # the record ---------------------------------------------------------------------------
    def keep_null(self, path: Path) -> bool:
        return False

    def load(self, record: dict) -> None:
        self._loading = True
        try:
            self._record = copy.deepcopy(record)
            for field in self.fields.values():
                field.timer.stop()
                field.problem = ""
                field.set_value(normal(get_path(record, field.path)))
                field.show("")
            self.status.setText("")
            self.loaded()
        finally:
            self._loading = False

    def loaded(self) -> None:
        """After load or rebase (subclasses update what depends on the values)."""

    def rebase(self, record: dict) -> None:
        """Another save made ``record`` the case as stored: take it as the base. A field the
        advocate is editing keeps what is typed; the others show the stored value."""
        old = self._record
        self._record = copy.deepcopy(record)
        self._loading = True
        try:
            for field in self.fields.values():
                before = normal(get_path(old, field.path))
                after = normal(get_path(record, field.path))
                if before != after and field.valid() and normal(field.value()) == before:
                    field.set_value(after)
                    field.show("")
            self.loaded()
        finally:
            self._loading = False

    def saved_record(self) -> dict:
        """The record as last saved (without edits still being typed)."""
        return copy.deepcopy(self._record)

    def current_record(self, skip: set[Path] | frozenset = frozenset()) -> dict:
        """The base record with every field that is right (and not in ``skip``)."""
        record = copy.deepcopy(self._record)
        for path, field in self.fields.items():
            if path in skip or not field.valid():
                continue
            value = field.value()
            if normal(value) == normal(get_path(record, path)):
                continue  # unchanged: the stored form (null or absent) is kept
            put_path(record, path, value, keep_null=self.keep_null(path))
        return self.pruned(record)

    def pruned(self, record: dict) -> dict:
        return {k: v for k, v in record.items() if v != {}}

    def is_dirty(self) -> bool:
        return self.current_record() != self._record

    def record_problems(self, record: dict) -> list[tuple[list[Path], str]]:
        """Problems across fields (subclasses): ([paths], sentence)."""
        return []

    def commit(self) -> bool:
        """Save what is right. Returns False when a field needs correcting (its message is
        shown beside it and its last good value stays in the case)."""
        if self._loading:
            return True
        ok = self.check_all()
        skip: set[Path] = set()
        record = self.current_record()
        for _attempt in range(3):
            problems = self.record_problems(record)
            if not problems:
                break
            ok = False
            for paths, sentence in problems:
                for path in paths:
                    if path in self.fields:
                        self.fields[path].problem = sentence
                        self.fields[path].show(sentence)
                        skip.add(path)
            record = self.current_record(skip)
        for path, field in self.fields.items():
            if path not in skip and field.problem and field.valid():
                field.problem = ""
                field.show("")
        if record == self._record:
            return ok
        try:
            saved = self._save(record)
        except InvalidField as exc:
            path = self.path_of(str(exc.params.get("field", "")))
            if path in self.fields:
                self.fields[path].problem = field_problem(exc)
                self.fields[path].show(field_problem(exc))
            else:
                self.status.setText(describe(exc))
            return False
        except ImrError as exc:
            self.status.setText(describe(exc))
            return False
        self._record = copy.deepcopy(saved)
        problem = self.assessment_problem()
        if problem:
            self.status.setText(
                _("Saved, but the assessment could not be updated: {problem}").format(
                    problem=problem
                )
            )
        else:
            self.status.setText(_("All changes saved."))
        return ok

    @staticmethod
    def path_of(field: str) -> Path:
        return tuple(field.split("."))


# --- Client & plan ----------------------------------------------------------------------------
CONTACT_LABELS = {
    "phone": N_("Phone call"),
    "email": N_("Email"),
    "mail": N_("Mail"),
    "text": N_("Text message"),
}

# (path, visible label, accessible name, checker kind)
Row = tuple[Path, str, str, str]
CLIENT_GROUPS: tuple[tuple[str, str, str, tuple[Row, ...]], ...] = (
    (
        "clientGroup",
        N_("Client"),
        "",
        (
            (("enrollee", "name"), N_("Full name"), N_("Client's full name"), ""),
            (
                ("enrollee", "date_of_birth"),
                N_("Date of birth"),
                N_("Client's date of birth"),
                "date",
            ),
            (
                ("enrollee", "address"),
                N_("Address, ending with the ZIP code"),
                N_("Client's address"),
                "address",
            ),
            (("enrollee", "phone"), N_("Phone"), N_("Client's phone"), "phone"),
            (("enrollee", "email"), N_("Email"), N_("Client's email"), "email"),
        ),
    ),
    (
        "planGroup",
        N_("Health plan"),
        "",
        (
            (("plan", "name"), N_("Health plan"), N_("Health plan"), ""),
            (("plan", "member_id"), N_("Member ID"), N_("Member ID"), "member_id"),
            (("plan", "medical_group"), N_("Medical group / IPA"), N_("Medical group / IPA"), ""),
        ),
    ),
    (
        "physicianGroup",
        N_("Treating physician"),
        "",
        (
            (("physician", "name"), N_("Name"), N_("Treating physician's name"), ""),
            (("physician", "phone"), N_("Phone"), N_("Physician's phone"), "phone"),
            (
                ("physician", "address"),
                N_("Address, ending with the ZIP code"),
                N_("Physician's address"),
                "address",
            ),
        ),
    ),
    (
        "advocateGroup",
        N_("Advocate"),
        N_("Who is helping the client with this case (printed on the application)."),
        (
            (("advocate", "name"), N_("Name"), N_("Advocate's name"), ""),
            (("advocate", "organization"), N_("Organization"), N_("Advocate's organization"), ""),
            (
                ("advocate", "address"),
                N_("Address, ending with the ZIP code"),
                N_("Advocate's address"),
                "address",
            ),
            (("advocate", "phone"), N_("Phone"), N_("Advocate's phone"), "phone"),
            (("advocate", "email"), N_("Email"), N_("Advocate's email"), "email"),
        ),
    ),
    (
        "assistantGroup",
        N_("Authorized assistant"),
        N_(
            "The person named on DMHC's Authorized Assistant form, who may speak for the "
            "client. Leave it empty when there is none."
        ),
        (
            (("assistant", "name"), N_("Name"), N_("Authorized assistant's name"), ""),
            (
                ("assistant", "relationship"),
                N_("Relationship to the client"),
                N_("Assistant's relationship to the client"),
                "",
            ),
            (
                ("assistant", "organization"),
                N_("Organization"),
                N_("Assistant's organization"),
                "",
            ),
            (
                ("assistant", "address"),
                N_("Address, ending with the ZIP code"),
                N_("Assistant's address"),
                "address",
            ),
            (("assistant", "phone"), N_("Phone"), N_("Assistant's phone"), "phone"),
            (("assistant", "email"), N_("Email"), N_("Assistant's email"), "email"),
        ),
    ),
)
CHECKERS: dict[str, Checker] = {
    "phone": check_phone,
    "email": check_email,
    "address": check_zip_in_address,
    "member_id": check_member_id,
}


class ClientSection(RecordForm):
    """Edits the client & plan part of the record; saves as the advocate moves on."""

    def __init__(
        self,
        save: Callable[[dict], dict],
        parent: QWidget | None = None,
        today: Callable[[], dt.date] | None = None,
    ) -> None:
        super().__init__(save, today, parent)
        self.setObjectName("clientSection")
        self.status.setObjectName("saveStatus")
        # (section, key) -> control and message, "" as the section of a top-level key
        self.edits: dict[tuple[str, str], QWidget] = {}
        self.errors: dict[tuple[str, str], QLabel] = {}
        outer = QVBoxLayout(self)
        outer.addWidget(label(_("Client & plan"), "title", wrap=False))
        self.column = QWidget()
        self.column.setObjectName("clientColumn")
        col = QVBoxLayout(self.column)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(
            label(
                _(
                    "Changes are saved automatically, encrypted, as you move between fields. "
                    "A field that is not right is not saved until it is corrected."
                ),
                "hint",
            )
        )
        for name, title, hint, rows in CLIENT_GROUPS:
            box, form = self.group(_(title), name, _(hint) if hint else "")
            for path, text, accessible, kind in rows:
                if kind == "date":
                    edit = self.date_line(path, _(accessible))
                else:
                    edit = self.line(path, _(accessible), CHECKERS.get(kind))
                if path == ("enrollee", "phone"):
                    edit.setPlaceholderText(_("(415) 555-0123"))
                self.add_row(form, _(text) + ":", edit)
                self._remember(path)
            if name == "clientGroup":
                self.language_combo = self.combo(
                    ("enrollee", "preferred_language"),
                    _("Preferred language"),
                    [(_("Not recorded"), None)]
                    + [(_(lang), code) for code, lang in LANGUAGES.items()],
                )
                self.add_row(form, _("Preferred language:"), self.language_combo)
                self._remember(("enrollee", "preferred_language"))
                self.contact_combo = self.combo(
                    ("enrollee", "contact_preference"),
                    _("How the client prefers to be contacted"),
                    [(_("Not recorded"), None)]
                    + [(_(text), code) for code, text in CONTACT_LABELS.items()],
                )
                self.add_row(form, _("Prefers to be contacted by:"), self.contact_combo)
                self._remember(("enrollee", "contact_preference"))
            col.addWidget(box)
        box, form = self.group(_("The dispute"), "disputeGroup")
        service = self.line(("service",), _("Service, treatment or drug at issue"))
        self.add_row(form, _("Service, treatment or drug at issue:"), service)
        self._remember(("service",))
        self.notes_edit = self.text_box(("notes",), _("Notes"), 20_000, lines=6)
        self.add_row(form, _("Notes:"), self.notes_edit)
        self._remember(("notes",))
        col.addWidget(box)
        col.addWidget(self.status)
        outer.addLayout(readable_row(self.column))
        outer.addStretch(1)
        self._fit_width()

    def _remember(self, path: Path) -> None:
        key = (path[0], path[1]) if len(path) == 2 else ("", path[0])
        self.edits[key] = self.fields[path].widget
        self.errors[key] = self.fields[path].error

    def _fit_width(self) -> None:
        self.column.setMaximumWidth(self.fontMetrics().averageCharWidth() * READABLE_CHARS)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit_width()

    def pruned(self, record: dict) -> dict:
        return {k: v for k, v in record.items() if v != {}}


# --- Denial & grievance ------------------------------------------------------------------------
DENIAL_ACTION_LABELS = {
    "denied": N_("Denied the service"),
    "delayed": N_("Delayed it"),
    "modified": N_("Changed or cut it back (modified)"),
}
# facts.denial_reason, in plain words (shared/domain/facts.md)
DENIAL_REASON_LABELS = {
    "med_necessity": N_("Not medically necessary"),
    "experimental_investigational": N_("Experimental or investigational"),
    "emergency_payment_med_nec": N_("Will not pay for emergency care: says it was not needed"),
    "coverage_exclusion": N_("Not covered by the plan contract (an exclusion)"),
    "claim_or_billing": N_("A bill, claim, copay or balance-billing problem"),
    "cancellation_rescission_nonrenewal": N_("Coverage cancelled, rescinded or not renewed"),
    "access_timeliness": N_("Delays or no in-network provider"),
    "quality_other": N_("Quality of care or another problem"),
    "medi_cal_rx_pharmacy": N_("A Medi-Cal Rx pharmacy benefit"),
}
GRIEVANCE_OUTCOME_LABELS = {
    "upheld": N_("The plan kept its denial"),
    "partial": N_("The plan approved part of it"),
    "overturned": N_("The plan approved it"),
}
URGENCY_LABELS = {
    "none": N_("Not urgent"),
    "imminent_serious_threat": N_("Yes: waiting would seriously threaten health"),
    "eit_less_effective_if_delayed": N_("Experimental treatment: works much less well if delayed"),
}
# The timeline event whose date takes precedence over a facts date (domain.timeline).
TIMELINE_OVERRIDES: dict[Path, str] = {
    ("facts", "plan_written_decision_date"): "denial",
    ("facts", "grievance", "filed_date"): "grievance_filed",
    ("facts", "grievance", "decision_date"): "plan_answered",
    ("facts", "grievance", "outcome"): "plan_answered",
}


def yes_no_unknown() -> list[tuple[str, Any]]:
    return [(_("Not known"), None), (_("Yes"), True), (_("No"), False)]


class DenialSection(RecordForm):
    """What the plan did and the grievance: the facts the Criteria interview uses."""

    def __init__(
        self,
        save: Callable[[dict], dict],
        parent: QWidget | None = None,
        today: Callable[[], dt.date] | None = None,
    ) -> None:
        super().__init__(save, today, parent)
        self.setObjectName("section_denial")
        self.status.setObjectName("denialSaveStatus")
        self.notes: dict[Path, QLabel] = {}
        outer = QVBoxLayout(self)
        outer.addWidget(label(_("Denial & grievance"), "title", wrap=False))
        self.column = QWidget()
        self.column.setObjectName("denialColumn")
        col = QVBoxLayout(self.column)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(
            label(
                _(
                    "These are the facts the Criteria interview asks about: a change here "
                    "is a change there, and a stored assessment is updated to follow it. "
                    "Changes are saved as you move between fields."
                ),
                "hint",
                name="denialHint",
            )
        )

        box, form = self.group(_("The plan's decision"), "decisionGroup")
        self.action_combo = self.combo(
            ("denial", "action"),
            _("What the plan did"),
            [(_("Not recorded"), None)]
            + [(_(text), key) for key, text in DENIAL_ACTION_LABELS.items()],
        )
        self.add_row(form, _("What the plan did:"), self.action_combo)
        self.decision_date = self.date_line(
            ("facts", "plan_written_decision_date"), _("Date of the plan's written decision")
        )
        self._row_with_note(form, _("Date on the written decision:"), self.decision_date)
        self.reason_combo = self.combo(
            ("facts", "denial_reason"),
            _("The kind of reason the plan gave"),
            [(_("Not recorded"), None)]
            + [(_(text), key) for key, text in DENIAL_REASON_LABELS.items()],
        )
        self.add_row(form, _("The kind of reason:"), self.reason_combo)
        self.stated_reason = self.text_box(
            ("denial", "stated_reason"),
            _("The reason the plan's letter gives"),
            MAX_STATED_REASON,
            lines=3,
        )
        self.stated_reason.setPlaceholderText(_("In the letter's own words"))
        self.add_row(form, _("The reason the letter gives:"), self.stated_reason)
        col.addWidget(box)

        box, form = self.group(
            _("Grievance (appeal to the plan)"),
            "grievanceGroup",
            _("Leave the plan's answer empty while the grievance is waiting for one."),
        )
        self.filed_date = self.date_line(
            ("facts", "grievance", "filed_date"), _("Date the grievance was filed")
        )
        self._row_with_note(form, _("Filed on:"), self.filed_date)
        self.answer_date = self.date_line(
            ("facts", "grievance", "decision_date"), _("Date of the plan's answer")
        )
        self._row_with_note(form, _("The plan answered on:"), self.answer_date)
        self.outcome_combo = self.combo(
            ("facts", "grievance", "outcome"),
            _("The plan's answer to the grievance"),
            [(_("No answer yet"), None)]
            + [(_(text), key) for key, text in GRIEVANCE_OUTCOME_LABELS.items()],
        )
        self._row_with_note(form, _("The plan's answer:"), self.outcome_combo)
        col.addWidget(box)

        box, form = self.group(_("Urgency"), "urgencyGroup")
        self.urgency_combo = self.combo(
            ("facts", "urgency"),
            _("Urgency"),
            [(_("Not recorded"), None)] + [(_(text), key) for key, text in URGENCY_LABELS.items()],
        )
        self.add_row(form, _("Is it urgent?"), self.urgency_combo)
        self.certification_combo = self.combo(
            ("facts", "urgency_certification_present"),
            _("The physician has certified the urgency in writing"),
            yes_no_unknown(),
        )
        self.add_row(form, _("The physician certified it in writing:"), self.certification_combo)
        col.addWidget(box)

        box, form = self.group(_("Medi-Cal"), "mediCalGroup")
        self.medi_cal_combo = self.combo(
            ("facts", "medi_cal", "member"),
            _("Medi-Cal managed care"),
            yes_no_unknown(),
        )
        self.add_row(form, _("Coverage through a Medi-Cal managed care plan:"), self.medi_cal_combo)
        col.addWidget(box)
        col.addWidget(self.status)
        outer.addLayout(readable_row(self.column))
        outer.addStretch(1)
        self._fit_width()

    def _row_with_note(self, form: FieldGrid, text: str, widget: QWidget) -> None:
        field = next(f for f in self.fields.values() if f.widget is widget)
        note = label("", "hint", name=f"timelineNote_{self.name_of(field.path)}")
        note.setVisible(False)
        self.notes[field.path] = note
        self.add_row(form, text, widget, note)

    def _fit_width(self) -> None:
        self.column.setMaximumWidth(self.fontMetrics().averageCharWidth() * READABLE_CHARS)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit_width()

    def keep_null(self, path: Path) -> bool:
        return path[0] == "facts"

    def pruned(self, record: dict) -> dict:
        return {k: v for k, v in record.items() if v != {} or k == "facts"}

    def loaded(self) -> None:
        self._update_enabled()
        self._show_timeline_notes()

    def _chosen(self, field: Field) -> None:
        self._update_enabled()
        super()._chosen(field)

    def _update_enabled(self) -> None:
        urgent = self.urgency_combo.currentData() == "imminent_serious_threat"
        has_value = self.certification_combo.currentData() is not None
        self.certification_combo.setEnabled(urgent or has_value)

    def _show_timeline_notes(self) -> None:
        """A date the timeline also records: the timeline's counts (docs/caseload.md)."""
        from imrdesktop.domain.timeline import event_label, latest_events

        latest = latest_events(self._record)
        for path, note in self.notes.items():
            event = latest.get(TIMELINE_OVERRIDES.get(path, ""))
            if event is None:
                note.setVisible(False)
                continue
            if path[-1] == "outcome":
                outcome = event.get("outcome")
                if not outcome:
                    note.setVisible(False)
                    continue
                from imrdesktop.domain.timeline import outcome_label

                text = _("The timeline records “{event}” ({outcome}), which counts.").format(
                    event=event_label(event["event"]),
                    outcome=outcome_label(event["event"], outcome),
                )
            else:
                text = _("The timeline records “{event}” on {date}, which counts.").format(
                    event=event_label(event["event"]), date=event["date"]
                )
            note.setText(text)
            note.setVisible(True)

    def record_problems(self, record: dict) -> list[tuple[list[Path], str]]:
        """The facts checks that span fields (order of dates, outcome with its date, the
        Medi-Cal Rx reason for members only), on the facts as they would be saved."""
        from imrdesktop.domain.facts import facts_problems

        facts = record.get("facts")
        if not isinstance(facts, dict):
            return []
        _parsed, problems = facts_problems(facts, self.today())
        out = []
        for problem in problems:
            named = str(problem.params.get("field", ""))
            paths = [("facts", *part.split(".")) for part in named.split(" and ")]
            paths = [p for p in paths if p in self.fields]
            if not paths:
                continue  # a fact this screen does not edit: the interview shows it
            out.append((paths, field_problem(problem)))
        out.extend(self._merged_problems(record))
        return out

    def _merged_problems(self, record: dict) -> list[tuple[list[Path], str]]:
        """What the change would break once the timeline's dates count (the merged facts
        the assessment reads): shown beside the changed date, which is not saved."""
        from imrdesktop.domain.timeline import source_field

        changed = [
            path
            for path in self.fields
            if path[0] == "facts"
            and normal(get_path(record, path)) != normal(get_path(self._record, path))
        ]
        out: list[tuple[list[Path], str]] = []
        for problem in new_merged_problems(self._record, record, self.today()):
            parts = problem_parts(problem)
            here = [
                self.path_of(where)
                for where in (source_field(record, part) for part in parts)
                if self.path_of(where) in changed
            ]
            if here:
                out.append((here, field_problem(problem)))
            elif changed:
                out.append((changed, conflict_sentence(record, parts[0], problem)))
        return out
