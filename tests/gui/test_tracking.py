"""The Tracking section: the timeline (add, edit, remove), the status it gives (here and in the
case list), the deadlines and the calendar export without the client's name."""

from __future__ import annotations

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
