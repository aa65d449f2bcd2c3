"""The criteria interview wizard: required answers, every branch to its result page, dates
checked beside the field, prefill, Back, Cancel and a keyboard-only walk."""

from __future__ import annotations

import datetime as dt

import pytest
from criteria_helpers import (
    MEDI_CAL_PLAN,
    answer,
    deadline_text,
    finish_button,
    go_next,
    make_wizard,
    next_button,
    result_model,
    walk,
)
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from imrdesktop.gui.widgets.result_view import long_date
from imrdesktop.gui.wizard.page_ids import PageId

D = dt.date.fromisoformat

STANDARD = {
    "regulator": "dmhc",
    "denial_reason": "med_necessity",
    "denial_also_cites_contract_exclusion": False,
    "plan_written_decision_date": "2026-03-02",
    "grievance_filed_date": "2026-03-05",
    "grievance_expedited": False,
    "grievance_outcome": "upheld",
    "grievance_decision_date": "2026-04-10",
    "urgency": "none",
    "provider_recommended": True,
    "authorized_assistant": True,
    "imr_filed_date": None,
}


def days_left(day: str, today: dt.date) -> str:
    n = (D(day) - today).days
    return f"{n} days left"


def test_next_is_disabled_until_the_required_answer_is_given(qtbot):
    w = make_wizard(qtbot, D("2026-05-01"))
    assert w.currentPage().question.id == "regulator"
    assert not next_button(w).isEnabled()
    assert w.currentPage().why_label.isVisible() and w.currentPage().why_label.text()
    with qtbot.waitSignal(w.currentPage().completeChanged):
        w.currentPage().choose("dmhc").click()
    assert next_button(w).isEnabled()
    go_next(qtbot, w)
    assert w.currentPage().question.id == "denial_reason"
    assert not next_button(w).isEnabled()
    # The Medi-Cal Rx option is only offered to Medi-Cal members.
    rx = w.currentPage().choose("medi_cal_rx_pharmacy")
    assert rx.parentWidget().isHidden()


def test_standard_imr_after_an_upheld_grievance(qtbot):
    today = D("2026-05-01")
    commits = []
    w = make_wizard(qtbot, today, commits=commits)
    asked = walk(qtbot, w, STANDARD)
    assert asked == list(STANDARD)
    model = result_model(w)
    assert model.outcome == "imr_standard"
    view = w.result_page.view
    assert "standard IMR now" in view.verdict_label.text()
    # RULES.md T3: file by Sat 10 Oct; legal last day Mon 12 Oct; safe target 7 Oct.
    file_by = deadline_text(w, "imr_file_by")
    assert file_by.startswith("File the IMR by (recommended): Sat 10 Oct 2026 — ")
    assert days_left("2026-10-10", today) in file_by
    assert "Mon 12 Oct 2026" in deadline_text(w, "imr_legal_last_day")
    assert view.deadline_labels["imr_legal_last_day"].property("legal") is True
    assert "Wed 7 Oct 2026" in deadline_text(w, "imr_safe_target")
    assert "R09" in view.reason_labels[0].objectName()
    assert "1374.30" in view.reason_labels[0].text()
    assert view.missing_labels == []  # provider and form answered yes
    # Finish hands the pruned facts over.
    assert finish_button(w).isVisible() and finish_button(w).isEnabled()
    with qtbot.waitSignal(w.committed):
        qtbot.mouseClick(finish_button(w), Qt.MouseButton.LeftButton)
    assert commits[-1]["grievance"] == {
        "filed_date": "2026-03-05",
        "expedited": False,
        "outcome": "upheld",
        "decision_date": "2026-04-10",
    }
    assert commits[-1]["medi_cal"] == {"member": False}


def test_urgent_imr(qtbot):
    today = D("2026-06-02")
    w = make_wizard(qtbot, today)
    asked = walk(
        qtbot,
        w,
        {
            "regulator": "dmhc",
            "denial_reason": "med_necessity",
            "denial_also_cites_contract_exclusion": None,
            "plan_written_decision_date": "2026-06-01",
            "grievance_filed_date": None,
            "urgency": "imminent_serious_threat",
            "service_already_rendered": False,
            "urgency_certification_present": True,
            "provider_recommended": True,
            "authorized_assistant": False,
            "imr_filed_date": None,
        },
    )
    assert "grievance_outcome" not in asked
    view = w.result_page.view
    assert result_model(w).outcome == "imr_urgent"
    assert view.verdict_label.text().startswith("The client can ask now for an urgent IMR")
    assert "Tue 1 Dec 2026" in deadline_text(w, "imr_file_by")
    assert {"W05", "W10"} <= set(view.warning_labels)
    assert "fax" in view.warning_labels["W05"].text()
    assert view.summary_label.text().endswith(long_date(today))


def test_eit_expedited(qtbot):
    today = D("2026-02-01")
    w = make_wizard(qtbot, today)
    asked = walk(
        qtbot,
        w,
        {
            "regulator": "dmhc",
            "denial_reason": "experimental_investigational",
            "denial_also_cites_contract_exclusion": False,
            "plan_written_decision_date": "2026-01-15",
            "grievance_filed_date": None,
            "urgency": "eit_less_effective_if_delayed",
            "eit_condition": True,
            "eit_plan_physician": True,
            "eit_evidence": {"eit.physician_certification_present": True},
            "eit_notice_date": None,
            "provider_recommended": True,
            "authorized_assistant": True,
            "imr_filed_date": None,
        },
    )
    assert asked.index("eit_condition") > asked.index("urgency")
    view = w.result_page.view
    assert result_model(w).outcome == "imr_eit_expedited"
    assert "expedited IMR of the experimental" in view.verdict_label.text()
    assert "Wed 15 Jul 2026" in deadline_text(w, "imr_file_by")  # RULES.md T5
    notice = view.deadline_labels["eit_notice_due"]
    assert "Fri 23 Jan 2026 — 9 days overdue" in notice.text()  # Jan 19 (MLK) skipped
    assert notice.property("overdue") is True
    # W06 rests on an UNCONFIRMED item: shown as "verify with DMHC".
    w06 = view.warning_labels["W06"]
    assert w06.text().startswith("Verify with DMHC: ") and w06.property("verify") is True


def test_eit_missing_evidence_links_to_documents(qtbot):
    today = D("2026-02-01")
    w = make_wizard(qtbot, today)
    walk(
        qtbot,
        w,
        {
            "regulator": "dmhc",
            "denial_reason": "experimental_investigational",
            "denial_also_cites_contract_exclusion": False,
            "plan_written_decision_date": "2026-01-20",
            "grievance_filed_date": None,
            "urgency": "none",
            "eit_condition": True,
            "eit_plan_physician": False,
            "eit_evidence": {"eit.physician_certification_present": True},  # one document
            "eit_notice_date": "2026-01-22",
            "provider_recommended": True,
            "authorized_assistant": True,
            "imr_filed_date": None,
        },
    )
    view = w.result_page.view
    assert result_model(w).outcome == "not_ready_eit_missing_evidence"  # RULES.md T6
    assert view.verdict_label.text().startswith("Not ready yet")
    texts = [lab.text() for lab in view.missing_labels]
    assert any("two documents" in t.lower() for t in texts), texts
    assert len(view.document_buttons) == 1
    with qtbot.waitSignal(view.show_section_requested) as sig:
        qtbot.mouseClick(view.document_buttons[0], Qt.MouseButton.LeftButton)
    assert sig.args == ["documents"]


def test_medi_cal_with_a_notice_of_appeal_resolution(qtbot):
    today = D("2026-05-20")
    w = make_wizard(qtbot, today)
    script = {
        "regulator": MEDI_CAL_PLAN,
        "denial_reason": "med_necessity",
        "denial_also_cites_contract_exclusion": False,
        "plan_written_decision_date": "2026-04-01",
        "grievance_filed_date": "2026-04-10",
        "grievance_expedited": False,
        "grievance_outcome": "upheld",
        "grievance_decision_date": "2026-05-15",
        "urgency": "none",
        "noa_date": None,
        "nar_date": "2026-05-15",
        "fair_hearing_status": "none",
        "provider_recommended": True,
        "authorized_assistant": True,
        "imr_filed_date": None,
    }
    asked = walk(qtbot, w, script)
    assert "medi_cal_member" not in asked  # the gate already said Medi-Cal
    view = w.result_page.view
    assert result_model(w).outcome == "imr_standard"
    # RULES.md T7.
    assert "Sun 15 Nov 2026" in deadline_text(w, "imr_file_by")
    assert "Mon 16 Nov 2026" in deadline_text(w, "imr_legal_last_day")
    assert "Sat 12 Sep 2026" in deadline_text(w, "sfh_file_by")
    assert "Mon 25 May 2026 — 5 days left" in deadline_text(w, "aid_paid_pending_by")
    assert {"W01", "W02"} <= set(view.warning_labels)


def test_state_hearing_pending_ends_the_interview(qtbot):
    today = D("2026-05-20")
    w = make_wizard(qtbot, today)
    asked = walk(
        qtbot,
        w,
        {
            "regulator": MEDI_CAL_PLAN,
            "denial_reason": "med_necessity",
            "denial_also_cites_contract_exclusion": False,
            "plan_written_decision_date": "2026-04-01",
            "grievance_filed_date": "2026-04-10",
            "grievance_expedited": False,
            "grievance_outcome": "upheld",
            "grievance_decision_date": "2026-05-15",
            "urgency": "none",
            "noa_date": None,
            "nar_date": "2026-05-15",
            "fair_hearing_status": "requested",
        },
    )
    assert asked[-1] == "fair_hearing_status"
    view = w.result_page.view
    assert result_model(w).outcome == "imr_not_available_hearing_pending"  # RULES.md T8
    assert view.verdict_label.text().startswith("IMR is not available while the State Hearing")
    assert view.warning_labels["W14"].text().startswith("Verify with DMHC: ")


def test_cdi_insurance_is_routed_elsewhere_after_one_question(qtbot):
    w = make_wizard(qtbot, D("2026-05-01"))
    assert walk(qtbot, w, {"regulator": "cdi"}) == ["regulator"]
    view = w.result_page.view
    assert result_model(w).outcome == "route_elsewhere"
    assert "not overseen by the DMHC" in view.verdict_label.text()
    assert "Department of Insurance" in view.reason_labels[0].text()
    assert view.deadline_labels == {}


def test_cancellation_is_a_consumer_complaint(qtbot):
    w = make_wizard(qtbot, D("2026-05-01"))
    asked = walk(
        qtbot,
        w,
        {
            "regulator": "dmhc",
            "denial_reason": "cancellation_rescission_nonrenewal",
            "plan_written_decision_date": "2026-04-01",
            "grievance_filed_date": None,
            "urgency": "none",
            "authorized_assistant": False,
            "imr_filed_date": None,
        },
    )
    assert "provider_recommended" not in asked  # not a medical-necessity question
    view = w.result_page.view
    assert result_model(w).outcome == "consumer_complaint"  # RULES.md T9
    assert "Consumer Complaint" in view.verdict_label.text()
    assert "W17" in view.warning_labels


def test_no_grievance_yet_means_file_one_first(qtbot):
    w = make_wizard(qtbot, D("2026-05-01"))
    walk(
        qtbot,
        w,
        {
            "regulator": "dmhc",
            "denial_reason": "med_necessity",
            "denial_also_cites_contract_exclusion": False,
            "plan_written_decision_date": "2026-04-20",
            "grievance_filed_date": None,
            "urgency": "none",
            "provider_recommended": True,
            "authorized_assistant": True,
            "imr_filed_date": None,
        },
    )
    assert result_model(w).outcome == "file_grievance_first"
    assert w.result_page.view.verdict_label.text().startswith("File a grievance")


# --- dates ------------------------------------------------------------------------------------
PREFILLED = {
    "regulator": "dmhc",
    "medi_cal": {"member": False},
    "denial_reason": "med_necessity",
    "denial_also_cites_contract_exclusion": False,
    "plan_written_decision_date": "2026-03-02",
    "grievance": {"filed_date": "2026-03-05", "expedited": False, "outcome": "upheld"},
}


def _advance_to(qtbot, w, question_id: str):
    while w.currentPage().question.id != question_id:
        assert next_button(w).isEnabled(), w.currentPage().question.id
        go_next(qtbot, w)
    return w.currentPage()


def test_invalid_dates_are_explained_beside_the_field_and_block_next(qtbot):
    w = make_wizard(qtbot, D("2026-05-01"), PREFILLED)
    page = _advance_to(qtbot, w, "grievance_decision_date")
    assert page.date_edit.text() == "" and not next_button(w).isEnabled()
    error = page.error_label

    qtbot.keyClicks(page.date_edit, "2026-0")  # still typing: no message yet
    assert not error.isVisible() and not next_button(w).isEnabled()
    page.date_edit.clear()

    answer(page, "2026-03-01")  # before the grievance was filed (the engine says so)
    assert error.isVisible() and "before the grievance's filed date" in error.text()
    assert page.date_edit.property("invalid") is True
    assert not next_button(w).isEnabled()
    w.next()
    assert w.currentPage() is page

    answer(page, "31/03/2026")
    assert "YYYY-MM-DD" in error.text() and not next_button(w).isEnabled()
    answer(page, "2026-02-30")
    assert "not a real date" in error.text()
    answer(page, "2026-06-01")
    assert "later than today" in error.text()
    assert page.date_edit.accessibleDescription() == error.text()

    answer(page, "2026-04-10")
    assert not error.isVisible() and page.date_edit.property("invalid") is False
    assert next_button(w).isEnabled()
    go_next(qtbot, w)
    assert w.answers.get("grievance.decision_date") == "2026-04-10"


def test_a_partly_typed_date_is_explained_when_leaving_the_field(qtbot):
    w = make_wizard(qtbot, D("2026-05-01"), PREFILLED)
    page = _advance_to(qtbot, w, "grievance_decision_date")
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)
    page.date_edit.setFocus()
    qtbot.keyClicks(page.date_edit, "2026-4")
    assert not page.error_label.isVisible()
    qtbot.keyClick(page.date_edit, Qt.Key.Key_Return)  # Next is disabled; editing is done
    assert w.currentPage() is page
    assert page.error_label.isVisible() and "YYYY-MM-DD" in page.error_label.text()


# --- prefill, Back, pruning, Cancel -------------------------------------------------------------
def test_prefilled_from_the_case_facts(qtbot):
    facts = {
        "regulator": "dmhc",
        "denial_reason": "med_necessity",
        "urgency": "imminent_serious_threat",
        "service_already_rendered": False,
        "plan_written_decision_date": "2026-04-29",
        "urgency_certification_present": True,
        "provider_recommended_or_in_plan_visit": True,
    }
    w = make_wizard(qtbot, D("2026-05-01"), facts)
    gate = w.currentPage()
    assert gate.buttons[0].isChecked() and next_button(w).isEnabled()
    go_next(qtbot, w)
    assert w.currentPage().choose("med_necessity").isChecked()
    go_next(qtbot, w)
    assert w.currentPage().question.id == "denial_also_cites_contract_exclusion"
    assert not next_button(w).isEnabled()  # never asked before
    answer(w.currentPage(), False)
    go_next(qtbot, w)
    page = w.currentPage()
    assert page.date_edit.text() == "2026-04-29" and page.date_radio.isChecked()
    assert next_button(w).isEnabled()
    go_next(qtbot, w)
    answer(w.currentPage(), None)  # no grievance
    go_next(qtbot, w)
    assert w.currentPage().choose("imminent_serious_threat").isChecked()


def test_back_keeps_answers_and_a_changed_answer_drops_its_follow_ups(qtbot):
    w = make_wizard(qtbot, D("2026-05-01"), PREFILLED)
    page = _advance_to(qtbot, w, "grievance_decision_date")
    answer(page, "2026-04-10")
    with qtbot.waitSignal(w.currentIdChanged):
        w.back()
    with qtbot.waitSignal(w.currentIdChanged):
        w.next()
    assert w.currentPage().date_edit.text() == "2026-04-10"
    # Back to the grievance question: now no grievance was filed after all.
    while w.currentPage().question.id != "grievance_filed_date":
        with qtbot.waitSignal(w.currentIdChanged):
            w.back()
    answer(w.currentPage(), None)
    go_next(qtbot, w)
    assert w.currentPage().question.id == "urgency"
    assert w.final_facts()["grievance"] == {"filed_date": None}


def test_cancel_asks_before_dropping_answers(qtbot, answers):
    w = make_wizard(qtbot, D("2026-05-01"))
    answer(w.currentPage(), "cdi")
    answers.confirm.append(False)
    w.reject()
    assert answers.messages("confirm") and w.isVisible()
    answers.confirm.append(True)
    with qtbot.waitSignal(w.cancelled):
        w.reject()


def test_a_failed_save_keeps_the_result_page_with_the_reason(qtbot):
    from imrdesktop.domain.errors import DiskFull

    w = make_wizard(qtbot, D("2026-05-01"))
    walk(qtbot, w, {"regulator": "medicare"})

    def fail(_facts):
        raise DiskFull()

    w.hooks = type(w.hooks)(w.hooks.today, w.hooks.check, w.hooks.preview, fail)
    qtbot.mouseClick(finish_button(w), Qt.MouseButton.LeftButton)
    assert w.currentId() == PageId.RESULT and w.isVisible()
    assert w.result_page.problem_label.isVisible()


# --- keyboard only ------------------------------------------------------------------------------
def _key(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    widget = QApplication.focusWidget()
    assert widget is not None
    qtbot.keyClick(widget, key, modifier)


def test_keyboard_only_walk_to_the_result(qtbot):
    """Tab, arrows, space and Return only: the no-grievance branch, then Finish."""
    commits = []
    w = make_wizard(qtbot, D("2026-05-01"), commits=commits)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)
    space, down, tab, enter = (
        Qt.Key.Key_Space,
        Qt.Key.Key_Down,
        Qt.Key.Key_Tab,
        Qt.Key.Key_Return,
    )

    def step(expected_question, keys, text=None):
        assert w.currentPage().question.id == expected_question
        for key in keys:
            _key(qtbot, key)
        if text is not None:
            qtbot.keyClicks(QApplication.focusWidget(), text)
        with qtbot.waitSignal(w.currentIdChanged, timeout=3000):
            _key(qtbot, enter)

    step("regulator", [space])  # the first answer has the focus
    step("denial_reason", [space])
    step("denial_also_cites_contract_exclusion", [down, space])  # "No"
    step("plan_written_decision_date", [tab], text="2026-04-20")  # Tab into the date field
    step("grievance_filed_date", [down, space])  # "No, not yet"
    step("urgency", [down, space])  # the hidden EIT option is skipped: "No, it is not urgent"
    step("provider_recommended", [space])
    step("authorized_assistant", [down, space])
    step("imr_filed_date", [down, space])
    assert w.currentId() == PageId.RESULT
    assert result_model(w).outcome == "file_grievance_first"
    assert QApplication.focusWidget() is w.result_page.view.verdict_label
    with qtbot.waitSignal(w.committed):
        _key(qtbot, enter)  # Enter = Finish
    facts = commits[-1]
    assert facts["denial_also_cites_contract_exclusion"] is False
    assert facts["urgency"] == "none"
    assert facts["authorized_assistant_form_on_file"] is False


def test_mnemonics_choose_an_answer(qtbot):
    w = make_wizard(qtbot, D("2026-05-01"))
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)
    page = w.currentPage()
    row = page.rows[3]  # Medicare
    text = row.text_label.text()
    letter = text[text.index("&") + 1]
    assert letter.casefold() not in "bnfc"  # Back, Next, Finish, Cancel keep theirs
    qtbot.keyClick(QApplication.focusWidget(), letter.casefold(), Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: page.buttons[3].isChecked(), timeout=2000)


@pytest.mark.parametrize("qid", ["regulator", "plan_written_decision_date", "eit_evidence"])
def test_every_control_has_an_accessible_name(qtbot, qid):
    from PySide6.QtWidgets import QAbstractButton, QLineEdit

    w = make_wizard(qtbot, D("2026-05-01"))
    page = w.question_pages[qid]
    for control in page.findChildren(QAbstractButton) + page.findChildren(QLineEdit):
        assert control.accessibleName().strip(), control.objectName()
    for which in (next_button(w), finish_button(w)):
        assert which.accessibleName()
