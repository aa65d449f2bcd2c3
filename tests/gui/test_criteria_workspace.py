"""The Criteria section in the case workspace: prefilled from the case, Finish saves the facts
and the assessment, the case list shows the next deadline, re-running updates it, papers link
to Documents, and a stale assessment offers an update."""

from __future__ import annotations

import datetime as dt

from criteria_helpers import answer, finish_button, go_next, walk
from PySide6.QtCore import Qt

from imrdesktop.gui.screens.criteria import CriteriaSection
from imrdesktop.gui.wizard.page_ids import PageId

URGENT_NAME = "Nguyễn Thị Lan"
EIT_NAME = "Armen Petrosyan"

URGENT_SCRIPT = {
    "regulator": "dmhc",
    "denial_reason": "med_necessity",
    "denial_also_cites_contract_exclusion": False,
    "plan_written_decision_date": None,  # replaced by the case's own date below
    "grievance_filed_date": None,
    "urgency": "imminent_serious_threat",
    "service_already_rendered": False,
    "urgency_certification_present": True,
    "provider_recommended": True,
    "authorized_assistant": True,
    "imr_filed_date": None,
}


def open_training_case(qtbot, window, name: str):
    with qtbot.waitSignal(window.unlocked, timeout=20_000):
        window.open_training_vault()
    case_id = next(r.case_id for r in window.session.list_cases() if r.name == name)
    with qtbot.waitSignal(window.case_opened):
        window.open_case(case_id)
    window.workspace.show_section("criteria")
    return case_id, window.workspace.criteria


def start(qtbot, crit: CriteriaSection):
    assert crit.start_button.isVisible() or crit.rerun_button.isVisible()
    target = crit.start_button if crit.start_button.isVisible() else crit.rerun_button
    qtbot.mouseClick(target, Qt.MouseButton.LeftButton)
    assert crit.wizard is not None and crit.wizard.isVisible()
    return crit.wizard


def finish(qtbot, crit: CriteriaSection):
    wizard = crit.wizard
    assert wizard.currentId() == PageId.RESULT
    with qtbot.waitSignal(crit.saved, timeout=10_000):
        qtbot.mouseClick(finish_button(wizard), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: crit.wizard is None, timeout=5000)


def shown_date(iso: str) -> str:
    """A deadline date as the case list shows it ("May 21, 2027")."""
    from imrdesktop.gui.screens.case_list import long_date

    return long_date(dt.date.fromisoformat(iso))


def deadline_cell(window, case_id: str) -> str:
    model = window.case_list.model
    for row in range(model.rowCount()):
        if model.row_at(row).case_id == case_id:
            col = model.COLUMNS.index("deadline")
            return model.data(model.index(row, col))
    raise AssertionError(case_id)


def test_finish_saves_the_facts_and_the_case_list_shows_the_next_deadline(qtbot, window, answers):
    case_id, crit = open_training_case(qtbot, window, URGENT_NAME)
    today = window.session.today()
    assert crit.stack.currentIndex() == CriteriaSection.INTRO
    assert "some facts recorded" in crit.intro_label.text()
    assert deadline_cell(window, case_id) == "Not assessed yet"
    wizard = start(qtbot, crit)
    # Prefilled from the case: the gate and the denial reason are already answered.
    assert wizard.currentPage().buttons[0].isChecked()
    go_next(qtbot, wizard)
    assert wizard.currentPage().choose("med_necessity").isChecked()
    go_next(qtbot, wizard)
    decided = (today - dt.timedelta(days=2)).isoformat()  # the sample case: 2 days ago
    script = dict(URGENT_SCRIPT, plan_written_decision_date=decided)
    asked = walk(qtbot, wizard, script, fresh=False)
    assert asked[0] == "denial_also_cites_contract_exclusion"
    assert wizard.result_page.view.model.outcome == "imr_urgent"
    finish(qtbot, crit)

    # The result page of the section shows the stored assessment, with "run again".
    assert crit.stack.currentIndex() == CriteriaSection.RESULT
    assert crit.rerun_button.isVisible()
    assert "urgent IMR" in crit.result_view.verdict_label.text()
    record = window.session.load_case(case_id)
    assert record["facts"]["urgency"] == "imminent_serious_threat"
    assert record["facts"]["authorized_assistant_form_on_file"] is True
    assert record["assessment"]["outcome"] == "imr_urgent"
    assert record["enrollee"]["name"] == URGENT_NAME  # the rest of the case is untouched
    file_by = record["assessment"]["deadlines"]["imr_file_by"]

    qtbot.mouseClick(window.workspace.back_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.case_list
    assert deadline_cell(window, case_id) == f"File the IMR — {shown_date(file_by)}"


def test_running_the_interview_again_updates_the_deadlines(qtbot, window, answers):
    case_id, crit = open_training_case(qtbot, window, URGENT_NAME)
    today = window.session.today()
    decided = (today - dt.timedelta(days=2)).isoformat()
    wizard = start(qtbot, crit)
    walk(qtbot, wizard, dict(URGENT_SCRIPT, plan_written_decision_date=decided), fresh=False)
    finish(qtbot, crit)
    first = window.session.load_case(case_id)["assessment"]["deadlines"]["imr_file_by"]

    # Reopening the case shows the stored result straight away.
    window.show_case_list()
    window.open_case(case_id)
    window.workspace.show_section("criteria")
    assert crit.stack.currentIndex() == CriteriaSection.RESULT
    assert not crit.stale_banner.isVisible()

    # The letter was in fact dated ten days earlier.
    earlier = (today - dt.timedelta(days=12)).isoformat()
    wizard = start(qtbot, crit)
    assert wizard.currentPage().buttons[0].isChecked()
    walk(qtbot, wizard, dict(URGENT_SCRIPT, plan_written_decision_date=earlier), fresh=False)
    finish(qtbot, crit)
    second = window.session.load_case(case_id)["assessment"]["deadlines"]["imr_file_by"]
    assert second < first
    window.show_case_list()
    assert deadline_cell(window, case_id) == f"File the IMR — {shown_date(second)}"


def test_missing_papers_link_to_the_documents_section(qtbot, window, answers):
    case_id, crit = open_training_case(qtbot, window, EIT_NAME)
    wizard = start(qtbot, crit)
    while wizard.currentId() != PageId.RESULT:
        page = wizard.currentPage()
        if page.question.id == "eit_evidence":  # only the certification is in hand
            answer(page, {"eit.physician_certification_present": True})
        elif not wizard.button(wizard.WizardButton.NextButton).isEnabled():
            # not asked before: the first answer ("Yes", "No, not yet"…)
            if page.none_radio is not None:
                answer(page, None)
            else:
                page.buttons[0].click()
        go_next(qtbot, wizard)
    assert wizard.result_page.view.model.outcome == "not_ready_eit_missing_evidence"
    finish(qtbot, crit)
    view = crit.result_view
    assert view.document_buttons, [lab.text() for lab in view.missing_labels]
    qtbot.mouseClick(view.document_buttons[0], Qt.MouseButton.LeftButton)
    ws = window.workspace
    assert ws.nav.currentItem().data(Qt.ItemDataRole.UserRole) == "documents"
    assert window.session.load_case(case_id)["facts"]["eit"]["two_med_sci_documents"] is False


def test_a_stale_assessment_offers_an_update(qtbot, window, answers):
    case_id, crit = open_training_case(qtbot, window, URGENT_NAME)
    today = window.session.today()
    decided = (today - dt.timedelta(days=2)).isoformat()
    wizard = start(qtbot, crit)
    walk(qtbot, wizard, dict(URGENT_SCRIPT, plan_written_decision_date=decided), fresh=False)
    finish(qtbot, crit)
    # Seven months later the six-month window has closed.
    later = today + dt.timedelta(days=215)
    window.session._today = lambda: later
    window.show_case_list()
    window.open_case(case_id)
    window.workspace.show_section("criteria")
    assert crit.stale_banner.isVisible()
    with qtbot.waitSignal(crit.saved):
        qtbot.mouseClick(crit.update_button, Qt.MouseButton.LeftButton)
    assert not crit.stale_banner.isVisible()
    stored = window.session.load_case(case_id)["assessment"]
    assert stored["outcome"] == "window_closed_ask_extension"
    assert crit.result_view.deadline_labels["imr_file_by"].property("overdue") is True


def test_lock_during_the_interview_drops_it(qtbot, window, answers):
    _case_id, crit = open_training_case(qtbot, window, URGENT_NAME)
    wizard = start(qtbot, crit)
    answer(wizard.currentPage(), "cdi")
    window.lock(reason="idle")
    assert window.session is None
    assert crit.wizard is None
    assert crit.result_view.model is None
