"""The criteria interview wizard (STYLE.md §2.13).

Pages are built from the interview data, one per question, plus the result page. All pages
share one :class:`Answers`; branching happens only in ``nextId`` through the data's
``show_if``. The wizard is embedded in the Criteria section (not a separate window), so a
lock simply drops it with the rest of the workspace.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QWidget, QWizard

from imrdesktop.domain.answers import Answers
from imrdesktop.domain.errors import ImrError, InvalidField
from imrdesktop.gui import dialogs
from imrdesktop.gui.wizard.inputs import mnemonic_letters
from imrdesktop.gui.wizard.page_ids import PageId, question_page_id
from imrdesktop.gui.wizard.pages import QuestionPage, ResultPage
from imrdesktop.i18n import _
from imrdesktop.services.criteria_result import ResultModel, build_result
from imrdesktop.services.interview import Interview, Question
from imrdesktop.services.messages import describe, field_problem


@dataclass(frozen=True)
class WizardHooks:
    """What the wizard needs from the rest of the app (all of it outside the widgets)."""

    today: Callable[[], dt.date]
    check: Callable[[dict], list[InvalidField]]  # every problem of a facts record
    preview: Callable[[dict], dict]  # facts -> rendered assessment, nothing saved
    commit: Callable[[dict], dict]  # facts -> rendered assessment, saved with the case


class CriteriaWizard(QWizard):
    """Back / Next / Finish through the interview; Finish saves the answers."""

    committed = Signal(dict)  # the rendered assessment, once the case was saved
    cancelled = Signal()

    def __init__(
        self,
        interview: Interview,
        answers: Answers,
        hooks: WizardHooks,
        parent: QWidget | None = None,
        *,
        embedded: bool = True,
    ) -> None:
        super().__init__(parent)
        if embedded:
            self.setWindowFlags(Qt.WindowType.Widget)
        self.setObjectName("criteriaWizard")
        self.setWindowTitle(_("Criteria interview"))
        self.setAccessibleName(_("Criteria interview"))
        self.interview = interview
        self.answers = answers
        self.hooks = hooks
        self._initial = answers.copy()
        self.last_result: dict | None = None
        self._closing = False
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, False)
        texts = {
            QWizard.WizardButton.BackButton: (_("< &Back"), "wizardBackButton"),
            QWizard.WizardButton.NextButton: (_("&Next >"), "wizardNextButton"),
            QWizard.WizardButton.FinishButton: (_("&Finish and save"), "wizardFinishButton"),
            QWizard.WizardButton.CancelButton: (_("Cancel"), "wizardCancelButton"),
        }
        for which, (text, name) in texts.items():
            self.setButtonText(which, text)
            b = self.button(which)
            b.setObjectName(name)
            b.setAccessibleName(text.replace("&", ""))
        reserved = mnemonic_letters(t for t, _n in texts.values())
        self.question_pages: dict[str, QuestionPage] = {}
        for index, question in enumerate(interview.questions):
            page = QuestionPage(question, reserved)
            self.setPage(question_page_id(index), page)
            self.question_pages[question.id] = page
        self.result_page = ResultPage()
        self.setPage(PageId.RESULT, self.result_page)
        self.currentIdChanged.connect(self._focus_page)
        first = interview.first(answers)
        self.setStartId(question_page_id(interview.index(first.id)) if first else PageId.RESULT)

    def _focus_page(self, _page_id: int) -> None:
        page = self.currentPage()
        if isinstance(page, QuestionPage):
            page.focus_first()
        elif isinstance(page, ResultPage):
            page.view.verdict_label.setFocus(Qt.FocusReason.TabFocusReason)

    # --- branching (read by the pages' nextId) -----------------------------------------------
    def page_after(self, question: Question) -> int:
        nxt = self.interview.next_after(question.id, self.answers)
        if nxt is None:
            return int(PageId.RESULT)
        return question_page_id(self.interview.index(nxt.id))

    def current_question(self) -> Question | None:
        page = self.currentPage()
        return page.question if isinstance(page, QuestionPage) else None

    # --- services ---------------------------------------------------------------------------
    def today(self) -> dt.date:
        return self.hooks.today()

    def date_problem(self, question: Question, value: str) -> str:
        """The engine's objection to ``value`` for this date, given the answers before it
        (later answers may still change), or ""."""
        candidate = Answers()
        index = self.interview.index(question.id)
        for earlier in self.interview.questions[:index]:
            for key in earlier.keys:
                if self.answers.has(key):
                    candidate.set(key, self.answers.get(key))
        candidate.set(question.key, value)
        for problem in self.hooks.check(candidate.facts):
            fields = str(problem.params.get("field", "")).split(" and ")
            if question.key in fields:
                return field_problem(problem)
        return ""

    def final_facts(self) -> dict:
        """The answers as a facts record, without answers to questions no longer asked."""
        pruned = self.answers.copy()
        self.interview.prune(pruned)
        return pruned.to_facts()

    def preview(self) -> tuple[ResultModel | None, str]:
        try:
            rendered = self.hooks.preview(self.final_facts())
        except InvalidField as exc:
            return None, _(
                "These answers cannot be assessed yet. Go back and correct them: {problem}"
            ).format(problem=describe(exc))
        except ImrError as exc:
            return None, describe(exc)
        return build_result(rendered, self.today()), ""

    def commit(self) -> str:
        """Save the answers to the case (Finish). Returns a problem to show, or ""."""
        facts = self.final_facts()
        try:
            rendered = self.hooks.commit(facts)
        except ImrError as exc:
            return describe(exc)
        self.answers = Answers.from_facts(facts)
        self._initial = self.answers.copy()
        self.last_result = rendered
        self.committed.emit(rendered)
        return ""

    def take_answers(self) -> Answers:
        return self.answers

    def is_dirty(self) -> bool:
        page = self.currentPage()
        if isinstance(page, QuestionPage) and page.isComplete():
            probe = self.answers.copy()
            saved, self.answers = self.answers, probe
            try:
                page.write()
            finally:
                self.answers = saved
            return probe.facts != self._initial.facts
        return self.answers.facts != self._initial.facts

    def closeEvent(self, event) -> None:
        # Closing the window (or the app tearing it down) never asks: only Cancel and Escape do.
        self._closing = True
        try:
            super().closeEvent(event)
        finally:
            self._closing = False

    def reject(self) -> None:
        if (
            not self._closing
            and self.is_dirty()
            and not dialogs.confirm(
                self,
                _("Leave the interview?"),
                _("The answers given in this interview have not been saved. Leave without saving?"),
                yes=_("Leave without saving"),
                no=_("Stay"),
            )
        ):
            return
        self.cancelled.emit()
        super().reject()
