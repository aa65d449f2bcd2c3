"""The Criteria section of the case workspace: the case's assessment, and the interview.

It shows the stored assessment (the result page) when the case has one, with "Run the
interview again"; otherwise an invitation to start the interview. The interview is prefilled
from the case's facts; Finish hands the new facts to the workspace, which saves them and has
the case assessed (so the case list's next deadline follows).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from imrdesktop.domain.answers import Answers
from imrdesktop.domain.errors import ImrError, InvalidField
from imrdesktop.gui.widgets.common import button, label, primary_button
from imrdesktop.gui.widgets.result_view import ResultView
from imrdesktop.gui.wizard.wizard import CriteriaWizard, WizardHooks
from imrdesktop.i18n import _
from imrdesktop.services.criteria_result import build_result, same_result
from imrdesktop.services.interview import Interview, load_interview
from imrdesktop.services.messages import describe

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CriteriaServices:
    """The engine and the case, as the Criteria section uses them (built by the window)."""

    today: Callable[[], dt.date]
    check: Callable[[dict], list[InvalidField]]  # every problem of a facts record
    preview: Callable[[dict], dict]  # facts -> rendered assessment, nothing saved
    assess_case: Callable[[], tuple[dict, dict]]  # assess the saved case: (record, rendered)
    refresh: Callable[[], None] = lambda: None  # re-read the case's documents after a change

    @classmethod
    def for_case(cls, session, case_id: str, record: dict) -> CriteriaServices:
        """``record`` is the case as just opened; it is refreshed after each assessment, so
        a preview never decrypts the case again."""
        from imrdesktop.domain.facts import facts_problems
        from imrdesktop.services.assessment import (
            assess_case,
            preview_case_assessment,
            with_documents,
        )

        latest = [with_documents(session, case_id, record)]

        def check(facts: dict) -> list[InvalidField]:
            return facts_problems(facts, session.today())[1]

        def preview(facts: dict) -> dict:
            return preview_case_assessment(facts, latest[0], session.today())

        def assess() -> tuple[dict, dict]:
            _assessment, rendered = assess_case(session, case_id, session.today())
            latest[0] = with_documents(session, case_id, session.load_case(case_id))
            return {k: v for k, v in latest[0].items() if k != "documents"}, rendered

        def refresh() -> None:
            """Re-read the case as saved (its timeline and documents changed)."""
            latest[0] = with_documents(session, case_id, session.load_case(case_id))

        return cls(
            today=session.today,
            check=check,
            preview=preview,
            assess_case=assess,
            refresh=refresh,
        )


class CriteriaSection(QWidget):
    """Result view + interview for one case."""

    show_section_requested = Signal(str)
    saved = Signal(dict)  # the rendered assessment, after the case was saved

    INTRO, RESULT, INTERVIEW = range(3)

    def __init__(self, interview: Interview | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("section_criteria")
        self._interview = interview
        self._services: CriteriaServices | None = None
        self._commit_facts: Callable[[dict], dict] | None = None
        self._facts: dict = {}
        self._stored: dict | None = None
        self._fresh: dict | None = None
        self.wizard: CriteriaWizard | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(label(_("Criteria"), "title", wrap=False))
        top.addStretch(1)
        self.rerun_button = button(_("&Run the interview again"), "rerunInterviewButton")
        self.rerun_button.clicked.connect(self.start_interview)
        top.addWidget(self.rerun_button)
        layout.addLayout(top)
        self.stack = QStackedWidget()
        self.stack.setObjectName("criteriaStack")
        layout.addWidget(self.stack, 1)

        # intro: no assessment yet
        intro = QWidget()
        intro.setObjectName("criteriaIntro")
        v = QVBoxLayout(intro)
        v.setContentsMargins(0, 0, 0, 0)
        self.intro_label = label("", "", name="criteriaIntroText")
        v.addWidget(self.intro_label)
        self.start_button = primary_button(_("&Start the interview"), "startInterviewButton")
        self.start_button.clicked.connect(self.start_interview)
        row = QHBoxLayout()
        row.addWidget(self.start_button)
        row.addStretch(1)
        v.addLayout(row)
        self.intro_problem = label("", "fieldError", name="criteriaIntroProblem")
        self.intro_problem.setVisible(False)
        v.addWidget(self.intro_problem)
        v.addStretch(1)
        self.stack.addWidget(intro)

        # result: the stored assessment
        result_page = QWidget()
        result_page.setObjectName("criteriaResult")
        rv = QVBoxLayout(result_page)
        rv.setContentsMargins(0, 0, 0, 0)
        self.stale_banner = QFrame()
        self.stale_banner.setObjectName("staleBanner")
        sb = QHBoxLayout(self.stale_banner)
        sb.setContentsMargins(0, 0, 0, 0)
        self.stale_label = label(
            _(
                "As of today this assessment has changed (dates move on). Update it to "
                "refresh the case's deadlines."
            ),
            "banner",
            name="staleLabel",
        )
        sb.addWidget(self.stale_label, 1)
        self.update_button = button(_("&Update the assessment"), "updateAssessmentButton")
        self.update_button.clicked.connect(self.update_assessment)
        sb.addWidget(self.update_button, 0, Qt.AlignmentFlag.AlignTop)
        self.stale_banner.setVisible(False)
        rv.addWidget(self.stale_banner)
        self.result_problem = label("", "fieldError", name="resultSaveProblem")
        self.result_problem.setVisible(False)
        rv.addWidget(self.result_problem)
        scroll = QScrollArea()
        scroll.setObjectName("resultScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        holder = QWidget()
        hv = QVBoxLayout(holder)
        hv.setContentsMargins(0, 0, 12, 0)
        self.result_view = ResultView()
        self.result_view.show_section_requested.connect(self.show_section_requested)
        hv.addWidget(self.result_view)
        hv.addStretch(1)
        scroll.setWidget(holder)
        rv.addWidget(scroll, 1)
        self.stack.addWidget(result_page)

        # interview: the wizard, created when started
        self.interview_host = QWidget()
        self.interview_host.setObjectName("criteriaInterviewHost")
        self._host_layout = QVBoxLayout(self.interview_host)
        self._host_layout.setContentsMargins(0, 0, 0, 0)
        self.stack.addWidget(self.interview_host)
        self._show(self.INTRO)

    # --- data ------------------------------------------------------------------------------
    @property
    def interview(self) -> Interview:
        if self._interview is None:
            self._interview = load_interview()
        return self._interview

    def load(
        self,
        record: dict,
        services: CriteriaServices | None,
        commit_facts: Callable[[dict], dict] | None,
    ) -> None:
        """Show a case: its stored assessment, or the invitation to start."""
        self._drop_wizard()
        self._services = services
        self._commit_facts = commit_facts
        self._facts = dict(record.get("facts") or {})
        stored = record.get("assessment")
        self._stored = stored if isinstance(stored, dict) else None
        self._fresh = None
        self.result_problem.setVisible(False)
        self.intro_problem.setVisible(False)
        if services is None:
            self.intro_label.setText(_("Open a case to assess it."))
            self._show(self.INTRO)
            return
        if self._stored is not None and self._show_stored():
            return
        if self._facts:
            text = _(
                "This case has some facts recorded but no assessment yet. The interview "
                "starts from what is already known; it takes a few minutes."
            )
        else:
            text = _(
                "Answer a few plain questions about the plan's decision to learn which "
                "review fits, whether the client can file now, every deadline, and what is "
                "still missing. It takes a few minutes."
            )
        self.intro_label.setText(text)
        self._show(self.INTRO)

    def _show_stored(self) -> bool:
        assert self._services is not None
        assert self._stored is not None
        today = self._services.today()
        try:
            model = build_result(self._stored, today)
        except (KeyError, TypeError, ValueError):
            log.warning("stored assessment could not be shown; offering the interview")
            return False
        self.result_view.show_result(model)
        try:
            self._fresh = self._services.preview(self._facts)
        except ImrError:
            self._fresh = None
        self.stale_banner.setVisible(
            self._fresh is not None and not same_result(self._fresh, self._stored)
        )
        self._show(self.RESULT)
        return True

    def _show(self, which: int) -> None:
        self.stack.setCurrentIndex(which)
        self.rerun_button.setVisible(which == self.RESULT)

    # --- actions ---------------------------------------------------------------------------
    def start_interview(self) -> None:
        if self._services is None or self._commit_facts is None:
            return
        self._drop_wizard()
        services = self._services
        hooks = WizardHooks(
            today=services.today,
            check=services.check,
            preview=services.preview,
            commit=self._commit,
        )
        self.wizard = CriteriaWizard(self.interview, Answers.from_facts(self._facts), hooks)
        self.wizard.cancelled.connect(self._interview_cancelled)
        self.wizard.accepted.connect(self._interview_finished)
        self._host_layout.addWidget(self.wizard)
        self._show(self.INTERVIEW)
        self.wizard.restart()
        self.wizard.show()
        page = self.wizard.currentPage()
        if hasattr(page, "focus_first"):
            page.focus_first()

    def _commit(self, facts: dict) -> dict:
        assert self._commit_facts is not None
        rendered = self._commit_facts(facts)
        self._facts = dict(facts)
        self._stored = rendered
        self.saved.emit(rendered)
        return rendered

    def update_assessment(self) -> None:
        """Store today's assessment of the same facts (the banner's button)."""
        if self._commit_facts is None:
            return
        try:
            self._commit(self._facts)
        except ImrError as exc:
            self.result_problem.setText(describe(exc))
            self.result_problem.setVisible(True)
            return
        self._show_stored()

    def documents_changed(self) -> None:
        """Documents were attached, removed or changed kind: the packet checklist of the
        stored assessment is out of date, so assess the same facts again."""
        if self._services is None:
            return
        try:
            self._services.refresh()
        except ImrError as exc:
            log.warning("documents could not be re-read: %s", type(exc).__name__)
            return
        if self._stored is not None and self.wizard is None:
            self.update_assessment()

    def _interview_finished(self) -> None:
        self._drop_wizard()
        if self._stored is None or not self._show_stored():
            self._show(self.INTRO)
        self.rerun_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _interview_cancelled(self) -> None:
        self._drop_wizard()
        if self._stored is None or not self._show_stored():
            self._show(self.INTRO)

    def _drop_wizard(self) -> None:
        if self.wizard is not None:
            wizard, self.wizard = self.wizard, None
            wizard.hide()
            self._host_layout.removeWidget(wizard)
            wizard.deleteLater()

    def clear(self) -> None:
        """Forget the case (lock, or leaving the case)."""
        self._drop_wizard()
        self.result_view.clear()
        self._services = None
        self._commit_facts = None
        self._facts = {}
        self._stored = None
        self._fresh = None
        self.stale_banner.setVisible(False)
        self.intro_label.setText("")
        self._show(self.INTRO)
