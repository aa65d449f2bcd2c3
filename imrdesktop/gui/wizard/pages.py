"""The wizard's pages: one generic page per interview question, and the result page.

A question page loads its answer from the wizard's shared :class:`Answers` in
``initializePage`` and writes it back in ``validatePage`` (and when the advocate goes back,
so nothing typed is lost). Its ``nextId`` asks the interview data which question comes next.
It never decides eligibility: dates are checked by the engine's facts parser.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QFrame,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from imrdesktop.gui.widgets.common import label, sensitive_line_edit, set_field_error
from imrdesktop.gui.widgets.result_view import ResultView, scale_font
from imrdesktop.gui.wizard.inputs import OptionRow, with_mnemonic
from imrdesktop.gui.wizard.page_ids import PageId
from imrdesktop.i18n import _
from imrdesktop.services.interview import Question

if TYPE_CHECKING:
    from imrdesktop.gui.wizard.wizard import CriteriaWizard

_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TYPING = re.compile(r"[0-9]{0,4}(-([0-9]{0,2}(-[0-9]{0,2})?)?)?")


def _scrolling(page: QWizardPage, name: str) -> QVBoxLayout:
    """Put the page's content in a scroll area (nothing is clipped at large text sizes)."""
    outer = QVBoxLayout(page)
    outer.setContentsMargins(0, 0, 0, 0)
    scroll = QScrollArea()
    scroll.setObjectName(f"{name}Scroll")
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # focus goes to the answers, not the frame
    content = QWidget()
    content.setObjectName(f"{name}Content")
    scroll.setWidget(content)
    outer.addWidget(scroll)
    layout = QVBoxLayout(content)
    layout.setContentsMargins(4, 4, 12, 4)
    return layout


class QuestionPage(QWizardPage):
    """One question of the interview, whatever its type."""

    def __init__(self, question: Question, reserved_mnemonics: set[str]) -> None:
        super().__init__()
        self.question = question
        q = question
        self.setObjectName(f"page_{q.id}")
        self._loading = False
        self._date_value: str | None = None
        self._date_final = False
        layout = _scrolling(self, f"page_{q.id}")
        self.progress_label = label("", "hint", name="progressLabel")
        self.question_label = label(_(q.text), "question", name="questionText")
        layout.addWidget(self.progress_label)
        layout.addWidget(self.question_label)
        layout.addSpacing(6)

        used = set(reserved_mnemonics)
        self.buttons: list[QAbstractButton] = []  # aligned with q.options
        self.rows: list[OptionRow] = []
        self.checks: list[QCheckBox] = []  # aligned with q.items
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.date_edit = None
        self.date_radio: QAbstractButton | None = None
        self.none_radio: QAbstractButton | None = None
        self.error_label: QLabel | None = None

        if q.type in ("choice", "yes_no_unknown"):
            for i, option in enumerate(q.options):
                row = OptionRow(
                    _(option.label),
                    help_text=_(option.help) if option.help else "",
                    name=f"option_{q.id}_{i}",
                    used_mnemonics=used,
                )
                self.group.addButton(row.button, i)
                self.buttons.append(row.button)
                self.rows.append(row)
                layout.addWidget(row)
            self.group.idToggled.connect(self._changed)
        elif q.type == "multi_check":
            for i, item in enumerate(q.items):
                row = OptionRow(
                    _(item.label),
                    help_text=_(item.help) if item.help else "",
                    check=True,
                    name=f"check_{q.id}_{i}",
                    used_mnemonics=used,
                )
                assert isinstance(row.button, QCheckBox)
                self.checks.append(row.button)
                self.rows.append(row)
                layout.addWidget(row)
        else:
            self._build_date(layout, used)

        layout.addSpacing(10)
        self.why_heading = label(_("Why we ask"), "whyHeading", name="whyHeading")
        self.why_label = label(_(q.why), "hint", name="whyText")
        layout.addWidget(self.why_heading)
        layout.addWidget(self.why_label)
        layout.addStretch(1)
        self._apply_fonts()

    def _build_date(self, layout: QVBoxLayout, used: set[str]) -> None:
        q = self.question
        accessible = _(q.date_label) if q.date_label else _(q.text)
        self.date_edit = sensitive_line_edit(f"date_{q.id}", accessible)
        self.date_edit.setAccessibleDescription(_("A date written YYYY-MM-DD"))
        self.date_edit.setPlaceholderText(_("YYYY-MM-DD"))
        self.date_edit.setMaxLength(10)
        fm = self.date_edit.fontMetrics()
        self.date_edit.setMinimumWidth(fm.horizontalAdvance("0000-00-00 ") + 24)
        self.date_edit.setMaximumWidth(fm.horizontalAdvance("0000-00-00 ") * 2 + 24)
        self.error_label = label("", "fieldError", name=f"dateError_{q.id}")
        self.error_label.setVisible(False)
        if q.none_label:
            date_row = OptionRow(
                _(q.date_label) if q.date_label else _("On this date:"),
                name=f"dateChoice_{q.id}",
                used_mnemonics=used,
            )
            none_row = OptionRow(_(q.none_label), name=f"noneChoice_{q.id}", used_mnemonics=used)
            self.date_radio, self.none_radio = date_row.button, none_row.button
            self.group.addButton(self.date_radio, 0)
            self.group.addButton(self.none_radio, 1)
            self.rows += [date_row, none_row]
            layout.addWidget(date_row)
            indent = QVBoxLayout()
            indent.setContentsMargins(28, 0, 0, 4)
            indent.addWidget(self.date_edit)
            indent.addWidget(self.error_label)
            layout.addLayout(indent)
            layout.addWidget(none_row)
            self.group.idToggled.connect(self._date_choice_changed)
            self.setTabOrder(self.date_radio, self.date_edit)
            self.setTabOrder(self.date_edit, self.none_radio)
        else:
            caption = QLabel(with_mnemonic(_("Date (YYYY-MM-DD):"), used))
            caption.setObjectName("dateCaption")
            caption.setBuddy(self.date_edit)
            caption.setWordWrap(True)
            layout.addWidget(caption)
            layout.addWidget(self.date_edit)
            layout.addWidget(self.error_label)
        self.date_edit.textChanged.connect(self._date_typed)
        self.date_edit.textChanged.connect(lambda _t: self._validate_date())
        self.date_edit.editingFinished.connect(self._date_done)

    # --- fonts -----------------------------------------------------------------------------
    def _apply_fonts(self) -> None:
        scale_font(self.question_label, self.font(), 1.25)
        scale_font(self.why_heading, self.font(), 1.0)

    def changeEvent(self, event) -> None:
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.FontChange:
            self._apply_fonts()
        super().changeEvent(event)

    # --- the wizard's side ---------------------------------------------------------------
    def _wizard(self) -> CriteriaWizard:
        return self.wizard()  # type: ignore[return-value]

    def initializePage(self) -> None:
        wiz = self._wizard()
        answers = wiz.answers
        iv = wiz.interview
        q = self.question
        self._loading = True
        try:
            shown = iv.shown_questions(answers)
            ids = [s.id for s in shown]
            n = ids.index(q.id) + 1 if q.id in ids else len(ids)
            self.progress_label.setText(
                _("Question {n} · {section}").format(n=n, section=_(q.section_title))
            )
            if q.type in ("choice", "yes_no_unknown"):
                visible = iv.visible_options(q, answers)
                chosen = iv.chosen_option(q, answers)
                self.group.setExclusive(False)
                for option, row, btn in zip(q.options, self.rows, self.buttons, strict=True):
                    row.setVisible(option in visible)
                    btn.setChecked(option is chosen)
                self.group.setExclusive(True)
            elif q.type == "multi_check":
                for item, box in zip(q.items, self.checks, strict=True):
                    box.setChecked(answers.get(item.key) is True)
            else:
                self._load_date()
        finally:
            self._loading = False
        self.completeChanged.emit()
        self.focus_first()

    def _load_date(self) -> None:
        assert self.date_edit is not None
        q = self.question
        answers = self._wizard().answers
        self._date_final = False
        if self.none_radio is not None:
            self.group.setExclusive(False)
            for b in self.group.buttons():
                b.setChecked(False)
            self.group.setExclusive(True)
        value = answers.get(q.key) if answers.has(q.key) else None
        self.date_edit.setText(value if isinstance(value, str) else "")
        if answers.has(q.key) and self.none_radio is not None and self.date_radio is not None:
            (self.date_radio if value is not None else self.none_radio).setChecked(True)
        self._date_final = bool(self.date_edit.text())
        self._validate_date()

    def focus_first(self) -> None:
        """Keyboard users start on the chosen answer (or the first one, or the date)."""
        target: QWidget | None = None
        if self.buttons or self.date_radio is not None:
            checked = self.group.checkedButton()
            if checked is self.date_radio and self.date_edit is not None:
                target = self.date_edit
            elif checked is not None:
                target = checked
            else:
                visible = [row.button for row in self.rows if not row.isHidden()]
                target = visible[0] if visible else None
        elif self.checks:
            target = self.checks[0]
        elif self.date_edit is not None:
            target = self.date_edit
        if target is not None:
            target.setFocus(Qt.FocusReason.TabFocusReason)

    def isComplete(self) -> bool:
        q = self.question
        if q.type in ("choice", "yes_no_unknown"):
            checked = self.group.checkedId()
            return checked >= 0 and not self.rows[checked].isHidden()
        if q.type == "multi_check":
            return True
        if self.none_radio is not None and self.none_radio.isChecked():
            return True
        return self._date_value is not None

    def validatePage(self) -> bool:
        if self.question.type == "date" and not (
            self.none_radio is not None and self.none_radio.isChecked()
        ):
            self._date_final = True
            self._validate_date()
            if self._date_value is None:
                return False
        self.write()
        return True

    def cleanupPage(self) -> None:
        """Going back keeps what was answered here (the default would forget it)."""
        if self.isComplete():
            self.write()

    def nextId(self) -> int:
        wiz = self.wizard()
        if wiz is None:
            return -1
        return self._wizard().page_after(self.question)

    def write(self) -> None:
        """Write this page's answer into the shared answers."""
        answers = self._wizard().answers
        q = self.question
        if q.type in ("choice", "yes_no_unknown"):
            checked = self.group.checkedId()
            if checked >= 0:
                for key, value in q.options[checked].sets:
                    answers.set(key, value)
        elif q.type == "multi_check":
            for item, box in zip(q.items, self.checks, strict=True):
                answers.set(item.key, box.isChecked())
        elif self.none_radio is not None and self.none_radio.isChecked():
            answers.set(q.key, None)
        elif self._date_value is not None:
            answers.set(q.key, self._date_value)

    # --- reactions -------------------------------------------------------------------------
    def _changed(self, _id: int, checked: bool) -> None:
        if checked and not self._loading:
            self.completeChanged.emit()

    def _date_choice_changed(self, _id: int, checked: bool) -> None:
        if self._loading or not checked:
            return
        self._validate_date()

    def _date_typed(self, text: str) -> None:
        if self._loading:
            return
        if self.date_radio is not None and text.strip() and not self.date_radio.isChecked():
            self.date_radio.setChecked(True)

    def _date_done(self) -> None:
        if self.date_edit is not None and self.date_edit.text().strip():
            self._date_final = True
            self._validate_date()

    def _validate_date(self) -> None:
        """Check the date as it is typed; the problem is shown beside the field."""
        assert self.date_edit is not None
        assert self.error_label is not None
        text = self.date_edit.text().strip()
        self._date_value = None
        message = ""
        ignored = self.none_radio is not None and self.none_radio.isChecked()
        if ignored or not text:
            message = ""
        elif not _ISO.fullmatch(text):
            if self._date_final or len(text) >= 10 or not _TYPING.fullmatch(text):
                today = self._wizard().today()
                message = _("Write the date as YYYY-MM-DD, for example {example}.").format(
                    example=today.isoformat()
                )
        else:
            message = self._wizard().date_problem(self.question, text)
            if not message:
                self._date_value = text
        set_field_error(self.date_edit, self.error_label, message)
        self.date_edit.setAccessibleDescription(message or _("A date written YYYY-MM-DD"))
        if not self._loading:
            self.completeChanged.emit()

    # --- for tests and keyboard helpers ----------------------------------------------------
    def choose(self, value) -> QAbstractButton:
        """The button of the option whose main value is ``value`` (a test helper)."""
        for option, btn in zip(self.question.options, self.buttons, strict=True):
            main_key, main_value = option.sets[0]
            if type(main_value) is type(value) and main_value == value:
                return btn
        raise KeyError(value)


class ResultPage(QWizardPage):
    """The end of the interview: what the engine says about these answers. Finish saves
    the answers to the case and stores this result."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("page_result")
        layout = _scrolling(self, "page_result")
        self.intro = label(
            _("Here is what these answers mean. Finish saves them to the case."),
            "hint",
            name="resultIntro",
        )
        self.problem_label = label("", "fieldError", name="resultProblem")
        self.problem_label.setVisible(False)
        self.view = ResultView()
        layout.addWidget(self.intro)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.view)
        layout.addStretch(1)
        self._ok = False

    def _wizard(self) -> CriteriaWizard:
        return self.wizard()  # type: ignore[return-value]

    def initializePage(self) -> None:
        model, problem = self._wizard().preview()
        self._ok = model is not None
        self.problem_label.setText(problem)
        self.problem_label.setVisible(bool(problem))
        if model is not None:
            self.view.show_result(model)
            self.view.setVisible(True)
        else:
            self.view.clear()
            self.view.setVisible(False)
        self.completeChanged.emit()
        self.view.verdict_label.setFocus(Qt.FocusReason.TabFocusReason)

    def isComplete(self) -> bool:
        return self._ok

    def nextId(self) -> int:
        return -1

    def validatePage(self) -> bool:
        problem = self._wizard().commit()
        self.problem_label.setText(problem)
        self.problem_label.setVisible(bool(problem))
        return not problem


__all__ = ["PageId", "QuestionPage", "ResultPage"]
