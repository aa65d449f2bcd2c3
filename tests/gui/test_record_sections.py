"""The case record screens: Client & plan (every field, checked as typed, saved as the advocate
moves on), Denial & grievance (the same facts the Criteria interview uses), and undo."""

from __future__ import annotations

import datetime as dt

from guihelpers import create_profile
from PySide6.QtCore import Qt
from test_app_shell import _unnamed_controls

NAME = "Rosa Delgado"


def open_new_case(qtbot, window, answers, record: dict | None = None):
    create_profile(qtbot, window, answers)
    case_id = window.session.create_case(record or {"enrollee": {"name": NAME}})
    with qtbot.waitSignal(window.case_opened):
        window.open_case(case_id)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)  # focus changes reach the fields
    return case_id, window.workspace


def type_into(qtbot, edit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    edit.editingFinished.emit()  # as when the advocate tabs on


def choose(combo, data) -> None:
    combo.setCurrentIndex(combo.findData(data))
    combo.activated.emit(combo.currentIndex())  # as when picked from the list


VALUES = {
    ("enrollee", "date_of_birth"): "1961-04-09",
    ("enrollee", "address"): "1420 Fruitvale Ave, Oakland, CA 94601",
    ("enrollee", "phone"): "(510) 555-0142",
    ("enrollee", "email"): "rosa.d@example.org",
    ("plan", "name"): "Golden Valley Health",
    ("plan", "member_id"): "GVH-448812093",
    ("plan", "medical_group"): "East Bay IPA",
    ("physician", "name"): "Dr. Amara Okafor",
    ("physician", "phone"): "+1 510 555 0199",
    ("physician", "address"): "350 Hawthorne Ave, Oakland, CA 94609-3108",
    ("advocate", "name"): "Jordan Lee",
    ("advocate", "organization"): "Health Consumer Center",
    ("advocate", "address"): "1 Kaiser Plaza, Oakland, CA 94612",
    ("advocate", "phone"): "510.555.0100",
    ("advocate", "email"): "jlee@hcc.example.org",
    ("assistant", "name"): "Luis Delgado",
    ("assistant", "relationship"): "Son",
    ("assistant", "organization"): "",
    ("assistant", "address"): "88 Elm St, Hayward, CA 94541",
    ("assistant", "phone"): "510-555-0177",
    ("assistant", "email"): "luis@example.org",
    ("", "service"): "Lumbar spinal fusion",
}


def test_a_whole_record_is_entered_saved_and_shown_again(qtbot, window, answers):
    case_id, ws = open_new_case(qtbot, window, answers)
    client = ws.client
    for key, value in VALUES.items():
        if value:
            type_into(qtbot, client.edits[key], value)
    choose(client.language_combo, "es")
    choose(client.contact_combo, "text")
    client.notes_edit.setFocus()
    qtbot.keyClicks(client.notes_edit, "Prefers afternoons.")
    ws.nav.setFocus()  # leaving the notes saves them
    assert client.status.text() == "All changes saved."
    assert all(not e.isVisible() for e in client.errors.values())

    stored = window.session.load_case(case_id)
    for (section, key), value in VALUES.items():
        if not value:
            continue
        held = stored[section][key] if section else stored[key]
        assert held == value, (section, key)
    assert stored["enrollee"]["preferred_language"] == "es"
    assert stored["enrollee"]["contact_preference"] == "text"
    assert stored["notes"] == "Prefers afternoons."
    assert stored["enrollee"]["name"] == NAME

    window.show_case_list()
    assert client.edits[("plan", "member_id")].text() == ""  # nothing left on screen
    window.open_case(case_id)
    for key, value in VALUES.items():
        assert client.edits[key].text() == value, key
    assert client.language_combo.currentData() == "es"
    assert client.contact_combo.currentData() == "text"
    assert client.notes_edit.toPlainText() == "Prefers afternoons."


BAD = [
    (("enrollee", "phone"), "555-0142", "10 digits"),
    (("advocate", "email"), "jlee@hcc", "name@example.org"),
    (("enrollee", "date_of_birth"), "1961-02-30", "YYYY-MM-DD"),
    (("plan", "member_id"), "GVH#4488", "letters, digits"),
    (("physician", "address"), "350 Hawthorne Ave, Oakland, CA 9460", "ZIP"),
]


def test_wrong_values_are_explained_beside_the_field_and_never_saved(qtbot, window, answers):
    case_id, ws = open_new_case(
        qtbot,
        window,
        answers,
        {"enrollee": {"name": NAME, "phone": "510-555-0142"}, "plan": {"member_id": "GVH-1"}},
    )
    client = ws.client
    for key, text, words in BAD:
        edit, error = client.edits[key], client.errors[key]
        type_into(qtbot, edit, text)
        assert error.isVisible(), key
        assert words in error.text(), (key, error.text())
        assert edit.property("invalid") is True
        assert edit.accessibleDescription() == error.text()
        assert edit.text() == text  # what was typed stays, to be corrected
    assert client.commit() is False
    stored = window.session.load_case(case_id)
    assert stored["enrollee"]["phone"] == "510-555-0142"  # the last good value
    assert stored["plan"]["member_id"] == "GVH-1"
    assert "date_of_birth" not in stored["enrollee"]
    assert "advocate" not in stored and "physician" not in stored
    assert answers.shown == []  # never a pop-up

    # A right field beside a wrong one is still saved.
    type_into(qtbot, client.edits[("plan", "name")], "Golden Valley Health")
    assert window.session.load_case(case_id)["plan"]["name"] == "Golden Valley Health"

    # Correcting as typed: the message goes as soon as the value is right.
    phone, error = client.edits[("enrollee", "phone")], client.errors[("enrollee", "phone")]
    phone.setFocus()
    qtbot.keyClicks(phone, "9")  # 555-01429: still not a US number
    assert not error.isVisible()  # being changed: the message steps aside…
    qtbot.waitUntil(error.isVisible, timeout=3000)  # …and comes back when typing pauses
    phone.selectAll()
    qtbot.keyClicks(phone, "(415) 555-0142")
    assert not error.isVisible()
    # … and a wrong value typed shows its message when typing pauses, before leaving.
    email = client.edits[("enrollee", "email")]
    email.setFocus()
    qtbot.keyClicks(email, "rosa at example")
    qtbot.waitUntil(lambda: client.errors[("enrollee", "email")].isVisible(), timeout=3000)
    assert "no spaces" in client.errors[("enrollee", "email")].text()


def facts_case(today: dt.date) -> dict:
    return {
        "enrollee": {"name": NAME},
        "facts": {
            "regulator": "dmhc",
            "denial_reason": "med_necessity",
            "plan_written_decision_date": (today - dt.timedelta(days=40)).isoformat(),
            "urgency": "none",
        },
    }


def test_denial_and_grievance_edit_the_facts_the_criteria_section_uses(qtbot, window, answers):
    create_profile(qtbot, window, answers)
    today = window.session.today()
    case_id = window.session.create_case(facts_case(today))
    window.open_case(case_id)
    ws = window.workspace
    crit = ws.criteria
    # The case is assessed once: no grievance yet, so one must be filed first.
    crit.update_assessment()
    assert window.session.load_case(case_id)["assessment"]["outcome"] == "file_grievance_first"

    ws.show_section("denial")
    den = ws.denial
    assert den.reason_combo.currentData() == "med_necessity"  # the interview's facts
    assert den.decision_date.text() == (today - dt.timedelta(days=40)).isoformat()
    choose(den.action_combo, "denied")
    den.stated_reason.setFocus()
    qtbot.keyClicks(den.stated_reason, "Not medically necessary per InterQual.")
    filed = (today - dt.timedelta(days=35)).isoformat()
    answered = (today - dt.timedelta(days=3)).isoformat()
    type_into(qtbot, den.filed_date, filed)
    # An answer without its date is explained and not saved until the date is there.
    choose(den.outcome_combo, "upheld")
    problem = den.fields[("facts", "grievance", "outcome")].error
    assert problem.isVisible() and "both its outcome and its date" in problem.text()
    stored = window.session.load_case(case_id)
    assert stored["facts"]["grievance"]["filed_date"] == filed
    assert stored["facts"]["grievance"].get("outcome") is None
    assert stored["denial"] == {
        "action": "denied",
        "stated_reason": "Not medically necessary per InterQual.",
    }
    type_into(qtbot, den.answer_date, answered)
    assert not problem.isVisible()
    stored = window.session.load_case(case_id)
    assert stored["facts"]["grievance"] == {
        "filed_date": filed,
        "decision_date": answered,
        "outcome": "upheld",
    }
    assert stored["facts"]["denial_reason"] == "med_necessity"  # untouched facts kept
    # The stored assessment followed: the plan kept its denial, the IMR can be filed now.
    assert stored["assessment"]["outcome"] == "imr_standard"
    assert crit._facts["grievance"]["outcome"] == "upheld"

    # The Criteria section shows it, and its interview starts from the new facts.
    ws.show_section("criteria")
    assert "IMR" in crit.result_view.verdict_label.text()
    assert not crit.stale_banner.isVisible()
    qtbot.mouseClick(crit.rerun_button, Qt.MouseButton.LeftButton)
    assert crit.wizard is not None
    assert crit.wizard.answers.get("grievance.decision_date") == answered

    # Urgency and its certification, and Medi-Cal.
    crit._interview_cancelled()
    ws.show_section("denial")
    assert not den.certification_combo.isEnabled()
    choose(den.urgency_combo, "imminent_serious_threat")
    assert den.certification_combo.isEnabled()
    choose(den.certification_combo, True)
    choose(den.medi_cal_combo, False)
    facts = window.session.load_case(case_id)["facts"]
    assert facts["urgency"] == "imminent_serious_threat"
    assert facts["urgency_certification_present"] is True
    assert facts["medi_cal"]["member"] is False
    assert window.session.load_case(case_id)["assessment"]["outcome"] == "imr_urgent"

    # A Medi-Cal Rx reason needs a Medi-Cal member: said beside both, not saved.
    choose(den.reason_combo, "medi_cal_rx_pharmacy")
    assert den.fields[("facts", "denial_reason")].error.isVisible()
    assert den.fields[("facts", "medi_cal", "member")].error.isVisible()
    assert window.session.load_case(case_id)["facts"]["denial_reason"] == "med_necessity"
    assert den.commit() is False
    choose(den.medi_cal_combo, True)
    assert not den.fields[("facts", "denial_reason")].error.isVisible()
    assert window.session.load_case(case_id)["facts"]["denial_reason"] == "medi_cal_rx_pharmacy"
    assert answers.shown == []
    assert _unnamed_controls(ws) == []


def test_a_new_interview_answer_shows_in_denial_and_grievance(qtbot, window, answers):
    create_profile(qtbot, window, answers)
    today = window.session.today()
    case_id = window.session.create_case(facts_case(today))
    window.open_case(case_id)
    ws = window.workspace
    facts = dict(facts_case(today)["facts"], denial_reason="experimental_investigational")
    ws._commit_facts(facts)  # what Finish in the interview does
    ws.show_section("denial")
    assert ws.denial.reason_combo.currentData() == "experimental_investigational"


def test_undo_puts_back_the_last_saved_changes_one_by_one(qtbot, window, answers):
    case_id, ws = open_new_case(
        qtbot, window, answers, {"enrollee": {"name": NAME, "phone": "510-555-0142"}}
    )
    client = ws.client
    assert not window.action_undo.isEnabled()
    type_into(qtbot, client.edits[("enrollee", "phone")], "415-555-0100")
    type_into(qtbot, client.edits[("plan", "member_id")], "GVH-2")
    assert window.action_undo.isEnabled()

    window.action_undo.trigger()  # Edit ▸ Undo last change
    stored = window.session.load_case(case_id)
    assert "plan" not in stored
    assert stored["enrollee"]["phone"] == "415-555-0100"
    assert client.edits[("plan", "member_id")].text() == ""
    assert ws.undo_status.isVisible()
    assert ws.undo_status.text() == "Undone: Member ID."

    # Ctrl+Z in a text field is the field's own undo; elsewhere it undoes the last change.
    phone = client.edits[("enrollee", "phone")]
    phone.setFocus()
    qtbot.keyClicks(phone, "9")
    qtbot.keyClick(phone, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert phone.text() == "415-555-0100"
    assert window.session.load_case(case_id)["enrollee"]["phone"] == "415-555-0100"
    ws.nav.setFocus()
    qtbot.keyClick(ws.nav, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.session.load_case(case_id)["enrollee"]["phone"] == "510-555-0142"
    assert phone.text() == "510-555-0142"
    assert ws.undo_status.text() == "Undone: Client's phone."
    assert not window.action_undo.isEnabled()

    # The snapshots are dropped on leaving the case.
    type_into(qtbot, phone, "415-555-0100")
    assert ws.can_undo()
    window.show_case_list()
    window.open_case(case_id)
    assert not ws.can_undo() and not window.action_undo.isEnabled()


def test_undo_keeps_at_most_twenty_steps(qtbot, window, answers):
    case_id, ws = open_new_case(qtbot, window, answers)
    edit = ws.client.edits[("plan", "medical_group")]
    for n in range(25):
        type_into(qtbot, edit, f"Group {n}")
    steps = 0
    while ws.can_undo():
        assert ws.undo()
        steps += 1
    assert steps == 20
    assert window.session.load_case(case_id)["plan"]["medical_group"] == "Group 4"


def test_a_denial_date_that_breaks_the_timeline_is_explained_and_not_saved(qtbot, window, answers):
    create_profile(qtbot, window, answers)
    today = window.session.today()
    record = facts_case(today)
    answered = (today - dt.timedelta(days=10)).isoformat()
    record["timeline"] = [{"event": "plan_answered", "date": answered, "outcome": "upheld"}]
    case_id = window.session.create_case(record)
    window.open_case(case_id)
    ws = window.workspace
    ws.criteria.update_assessment()
    assessment = window.session.load_case(case_id)["assessment"]
    ws.show_section("denial")
    den = ws.denial
    # Filed after the plan answered (the timeline's answer counts): said beside Filed on.
    type_into(qtbot, den.filed_date, (today - dt.timedelta(days=5)).isoformat())
    error = den.fields[("facts", "grievance", "filed_date")].error
    assert error.isVisible()
    assert "Plan answered the grievance" in error.text() and answered in error.text()
    assert "All changes saved" not in den.status.text()
    stored = window.session.load_case(case_id)
    assert stored["facts"].get("grievance", {}).get("filed_date") is None
    assert stored["assessment"] == assessment
    assert not ws.criteria.result_problem.text()
    # A date that fits is saved.
    filed = (today - dt.timedelta(days=30)).isoformat()
    type_into(qtbot, den.filed_date, filed)
    assert not error.isVisible()
    assert window.session.load_case(case_id)["facts"]["grievance"]["filed_date"] == filed
