"""The Tracking section: the timeline (add, edit, remove), the status it gives (here and in the
case list), the deadlines and the calendar export without the client's name."""

from __future__ import annotations

import dataclasses
import datetime as dt

from guihelpers import create_profile
from PySide6.QtCore import Qt
from test_app_shell import _unnamed_controls

NAME = "Marisol Quintanilla-Reyes"


def open_tracking(qtbot, window, answers, record: dict | None = None):
    create_profile(qtbot, window, answers)
    today = window.session.today()
    base = {
        "enrollee": {"name": NAME},
        "plan": {"member_id": "BSC-55120"},
        "service": "Continuous glucose monitor",
        "facts": {
            "regulator": "dmhc",
            "denial_reason": "med_necessity",
            "plan_written_decision_date": (today - dt.timedelta(days=50)).isoformat(),
            "urgency": "none",
        },
    }
    case_id = window.session.create_case(record or base)
    with qtbot.waitSignal(window.case_opened):
        window.open_case(case_id)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)  # keys reach the focused widget
    ws = window.workspace
    ws.show_section("tracking")
    return case_id, ws, ws.tracking, today


def case_row(window, case_id):
    return next(r for r in window.session.list_cases() if r.case_id == case_id)


def add(qtbot, sec, event: str, date: str, outcome=None, notes: str = "") -> None:
    qtbot.mouseClick(sec.add_button, Qt.MouseButton.LeftButton)
    form = sec.form
    assert form.isVisible()
    form.event_combo.setCurrentIndex(form.event_combo.findData(event))
    form.date_edit.selectAll()
    qtbot.keyClicks(form.date_edit, date)
    if outcome is not None:
        assert form.outcome_combo.isVisibleTo(form)
        form.outcome_combo.setCurrentIndex(form.outcome_combo.findData(outcome))
    if notes:
        form.notes_edit.setPlainText(notes)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)


def test_the_timeline_moves_the_status_here_and_in_the_case_list(qtbot, window, answers):
    case_id, ws, sec, today = open_tracking(qtbot, window, answers)
    assert sec.status_text() == "Status: Open"
    assert sec.timeline_rows() == []
    assert sec.empty_label.isVisible()
    assert not sec.edit_button.isEnabled() and not sec.remove_button.isEnabled()

    filed = (today - dt.timedelta(days=40)).isoformat()
    add(qtbot, sec, "grievance_filed", filed, notes="Faxed to the plan's grievance unit.")
    assert not sec.form.isVisible()
    assert sec.status_text() == "Status: Grievance pending"
    notes = "Faxed to the plan's grievance unit."
    assert sec.timeline_rows() == [f"{filed} — Grievance filed\n{notes}"]
    assert "Event added" in sec.status.text()
    stored = window.session.load_case(case_id)
    assert stored["timeline"] == [
        {
            "event": "grievance_filed",
            "date": filed,
            "notes": "Faxed to the plan's grievance unit.",
            "outcome": None,
        }
    ]
    assert case_row(window, case_id).status == "grievance_pending"

    # The plan's answer: the form offers its outcomes; the case can go to the DMHC.
    answered = (today - dt.timedelta(days=5)).isoformat()
    qtbot.mouseClick(sec.add_button, Qt.MouseButton.LeftButton)
    assert sec.form.event_combo.currentData() == "plan_answered"  # the usual next step
    sec.form.cancel_button.click()
    add(qtbot, sec, "plan_answered", answered, outcome="upheld")
    assert sec.status_text() == "Status: Ready to file"
    assert sec.timeline_rows()[1] == f"{answered} — Plan answered the grievance — Denial upheld"
    row = case_row(window, case_id)
    assert row.status == "ready_to_file"
    assert row.status_label == "Ready to file"
    # The Denial & grievance screen says the timeline's dates count.
    note = ws.denial.notes[("facts", "grievance", "decision_date")]
    assert note.isVisibleTo(ws.denial) and answered in note.text()

    # Edit: the answer was in fact a partial approval.
    sec.select_row(1)
    qtbot.mouseClick(sec.edit_button, Qt.MouseButton.LeftButton)
    assert sec.form.date_edit.text() == answered
    sec.form.outcome_combo.setCurrentIndex(sec.form.outcome_combo.findData("partial"))
    qtbot.mouseClick(sec.form.save_button, Qt.MouseButton.LeftButton)
    assert window.session.load_case(case_id)["timeline"][1]["outcome"] == "partial"
    assert len(window.session.load_case(case_id)["timeline"]) == 2

    # Through the decision to the plan complying.
    add(qtbot, sec, "imr_mailed", (today - dt.timedelta(days=4)).isoformat())
    assert sec.status_text() == "Status: Mailed"
    add(qtbot, sec, "decision", today.isoformat(), outcome="overturned")
    assert sec.status_text() == "Status: Overturned"
    assert case_row(window, case_id).status == "overturned"
    assert answers.shown == []
    qtbot.mouseClick(sec.add_button, Qt.MouseButton.LeftButton)
    assert _unnamed_controls(ws) == []


def test_removing_an_event_asks_first_and_the_status_follows(qtbot, window, answers):
    case_id, ws, sec, today = open_tracking(qtbot, window, answers)
    add(qtbot, sec, "grievance_filed", (today - dt.timedelta(days=9)).isoformat())
    assert sec.status_text() == "Status: Grievance pending"
    sec.select_row(0)
    answers.confirm.append(False)
    qtbot.mouseClick(sec.remove_button, Qt.MouseButton.LeftButton)
    assert "Remove" in answers.messages("confirm")[-1]
    assert len(window.session.load_case(case_id)["timeline"]) == 1
    answers.confirm.append(True)
    sec.timeline_list.setFocus()
    qtbot.keyClick(sec.timeline_list, Qt.Key.Key_Delete)  # the keyboard way
    assert "timeline" not in window.session.load_case(case_id)
    assert sec.status_text() == "Status: Open"
    assert "Event removed" in sec.status.text()
    assert case_row(window, case_id).status == "open"


def test_the_event_form_explains_what_is_wrong_and_saves_nothing(qtbot, window, answers):
    case_id, ws, sec, today = open_tracking(qtbot, window, answers)
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    add(qtbot, sec, "grievance_filed", tomorrow)
    assert sec.form.isVisible()
    assert sec.form.date_error.isVisible() and "future" in sec.form.date_error.text()
    sec.form.date_edit.selectAll()
    qtbot.keyClicks(sec.form.date_edit, "2026-02-30")
    assert not sec.form.date_error.isVisible()  # being changed: the old message went
    qtbot.waitUntil(sec.form.date_error.isVisible, timeout=3000)  # said again on a pause
    assert "YYYY-MM-DD" in sec.form.date_error.text()
    sec.form.event_combo.setCurrentIndex(sec.form.event_combo.findData("decision"))
    sec.form.date_edit.selectAll()
    qtbot.keyClicks(sec.form.date_edit, today.isoformat())
    assert not sec.form.date_error.isVisible()  # right again: the message goes at once
    qtbot.mouseClick(sec.form.save_button, Qt.MouseButton.LeftButton)
    assert sec.form.outcome_error.isVisible()  # a decision needs its outcome
    assert "timeline" not in window.session.load_case(case_id)
    qtbot.keyClick(sec.form.notes_edit, Qt.Key.Key_Escape)
    assert not sec.form.isVisible()
    assert answers.shown == []


def test_deadlines_are_listed_and_exported_without_the_clients_name(
    qtbot, window, answers, tmp_path
):
    case_id, ws, sec, today = open_tracking(qtbot, window, answers)
    assert not sec.export_button.isEnabled()  # nothing assessed yet
    assert sec.no_deadlines.isVisible()
    ws.criteria.update_assessment()  # the case is assessed (as Finish in the interview does)
    ws.show_section("tracking")
    rows = sec.deadline_rows()
    assert rows and all(r[:4].isdigit() for r in rows)
    assert sec.export_button.isEnabled()

    # Declining the warning writes nothing.
    answers.confirm.append(False)
    qtbot.mouseClick(sec.export_button, Qt.MouseButton.LeftButton)
    warning = answers.messages("confirm")[-1]
    assert "not encrypted" in warning and "no name" in warning
    out = tmp_path / f"{case_id}-deadlines.ics"
    assert not out.exists()

    answers.confirm.append(True)
    answers.save_paths.append(out)
    qtbot.mouseClick(sec.export_button, Qt.MouseButton.LeftButton)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("BEGIN:VCALENDAR")
    assert text.count("BEGIN:VEVENT") == len(rows)
    assert case_id in text
    for private in ("Marisol", "Quintanilla", "BSC-55120", "glucose"):
        assert private not in text
    assert "not encrypted" in sec.export_status.text()
    assert answers.messages("error") == []


def test_undo_brings_back_a_removed_event(qtbot, window, answers):
    case_id, ws, sec, today = open_tracking(qtbot, window, answers)
    day = (today - dt.timedelta(days=2)).isoformat()
    add(qtbot, sec, "grievance_filed", day)
    answers.confirm.append(True)
    sec.select_row(0)
    sec.remove_event()
    assert sec.status_text() == "Status: Open"
    window.undo_last_change()
    assert window.session.load_case(case_id)["timeline"][0]["date"] == day
    assert sec.status_text() == "Status: Grievance pending"
    assert ws.undo_status.text() == "Undone: the timeline."
    assert case_row(window, case_id).status == "grievance_pending"


def fill(qtbot, sec, event: str, date: str, notes: str = "") -> None:
    """Add an event without saving it (the form stays open)."""
    qtbot.mouseClick(sec.add_button, Qt.MouseButton.LeftButton)
    form = sec.form
    form.event_combo.setCurrentIndex(form.event_combo.findData(event))
    form.date_edit.selectAll()
    qtbot.keyClicks(form.date_edit, date)
    if notes:
        form.notes_edit.setPlainText(notes)
    assert sec.form_open()


def test_an_event_that_breaks_the_merged_facts_is_explained_and_not_saved(qtbot, window, answers):
    case_id, ws, sec, today = open_tracking(qtbot, window, answers)
    ws.criteria.update_assessment()
    ws.show_section("tracking")
    filed = (today - dt.timedelta(days=5)).isoformat()
    add(qtbot, sec, "grievance_filed", filed)
    stored = window.session.load_case(case_id)
    assessment = stored["assessment"]
    # The plan's answer dated before the grievance was filed: said beside the date.
    add(qtbot, sec, "plan_answered", (today - dt.timedelta(days=20)).isoformat(), "upheld")
    assert sec.form_open()
    assert sec.form.date_error.isVisible()
    assert "before the grievance's filed date" in sec.form.date_error.text()
    assert "Event added" not in sec.status.text()
    stored = window.session.load_case(case_id)
    assert len(stored["timeline"]) == 1 and stored["assessment"] == assessment
    assert not ws.criteria.result_problem.text()
    # A grievance filed after the plan already answered: the answer is named.
    sec.close_form()
    answered = (today - dt.timedelta(days=3)).isoformat()
    add(qtbot, sec, "plan_answered", answered, "upheld")
    assert not sec.form_open()
    add(qtbot, sec, "grievance_filed", (today - dt.timedelta(days=1)).isoformat())
    assert sec.form_open()
    text = sec.form.date_error.text()
    assert "Plan answered the grievance" in text and answered in text
    assert len(window.session.load_case(case_id)["timeline"]) == 2
    sec.close_form()


def test_an_assessment_that_cannot_follow_is_never_a_clean_success(qtbot, window, answers):
    from imrdesktop.domain.errors import InvalidField

    case_id, ws, sec, today = open_tracking(qtbot, window, answers)
    ws.criteria.update_assessment()
    ws.show_section("tracking")

    def fails():
        raise InvalidField(field="timeline[0].date", problem="is not right")

    ws._criteria_services = dataclasses.replace(ws._criteria_services, assess_case=fails)
    add(qtbot, sec, "grievance_filed", (today - dt.timedelta(days=5)).isoformat())
    assert not sec.form_open()  # the event is saved…
    assert "could not be updated" in sec.status.text()  # …but not as a clean success
    assert sec.problem.isVisible()
    assert ws.criteria.result_problem.text() in sec.problem.text()


def test_an_event_being_typed_is_saved_when_leaving_the_case(qtbot, window, answers):
    case_id, ws, sec, today = open_tracking(qtbot, window, answers)
    day = (today - dt.timedelta(days=10)).isoformat()
    fill(qtbot, sec, "grievance_filed", day, notes="Faxed to plan, confirmation 12345")
    qtbot.mouseClick(ws.back_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.case_list
    timeline = window.session.load_case(case_id)["timeline"]
    assert timeline[0]["date"] == day and "12345" in timeline[0]["notes"]


def test_an_event_that_cannot_be_saved_keeps_the_advocate_on_the_page(qtbot, window, answers):
    case_id, ws, sec, today = open_tracking(qtbot, window, answers)
    fill(qtbot, sec, "grievance_filed", "2026-13-40", notes="Faxed")
    qtbot.mouseClick(ws.back_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is ws
    assert sec.form_open() and sec.form.date_error.isVisible()
    assert window.session.load_case(case_id).get("timeline") is None
    # Locking asks before the event is lost.
    answers.confirm = [False]
    assert window.lock(reason="user") is False
    assert "lose that one change" in answers.messages("confirm")[0]
    assert sec.form_open() and sec.form.notes_edit.toPlainText() == "Faxed"


def test_an_event_form_opened_without_typing_closes_quietly(qtbot, window, answers):
    case_id, ws, sec, today = open_tracking(qtbot, window, answers)
    qtbot.mouseClick(sec.add_button, Qt.MouseButton.LeftButton)
    assert window.lock(reason="user")
    assert answers.shown == []


def test_undo_with_an_event_being_typed_asks_first(qtbot, window, answers):
    case_id, ws, sec, today = open_tracking(qtbot, window, answers)
    day = (today - dt.timedelta(days=10)).isoformat()
    add(qtbot, sec, "grievance_filed", day)
    fill(qtbot, sec, "plan_answered", (today - dt.timedelta(days=2)).isoformat(), notes="Kim")
    answers.confirm = [False]
    window.undo_last_change()
    assert "not saved yet" in answers.messages("confirm")[0]
    assert sec.form_open() and sec.form.notes_edit.toPlainText() == "Kim"
    assert len(window.session.load_case(case_id)["timeline"]) == 1
    answers.confirm = [True]
    window.undo_last_change()
    assert not sec.form_open()
    assert window.session.load_case(case_id).get("timeline") is None
