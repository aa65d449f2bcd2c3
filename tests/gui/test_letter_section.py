"""The Letter section: the draft shown, edits saved as the advocate goes (and kept when the
case is opened again, and by the other sections that save the whole record), a fresh draft
only after asking, and nothing left on screen after the lock."""

from __future__ import annotations

import pytest
from guihelpers import create_profile
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from test_app_shell import _unnamed_controls

from imrdesktop.gui.screens.letter import LetterSection

TYPED = "The client has waited eleven weeks."


@pytest.fixture
def section(qtbot, window, answers) -> LetterSection:
    create_profile(qtbot, window, answers)
    case_id = window.session.create_case(
        {"enrollee": {"name": "Fictional Client"}, "service": "Fictional infusion therapy"}
    )
    with qtbot.waitSignal(window.case_opened):
        window.open_case(case_id)
    window.workspace.show_section("letter")
    sec = window.workspace.letter
    assert sec.isVisible()
    return sec


def stored_letter(window) -> dict | None:
    return window.session.load_case(window.workspace.case_id).get("letter")


def type_at_end(qtbot, sec: LetterSection, text: str) -> None:
    sec.editor.setFocus()
    sec.editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClick(sec.editor, Qt.Key.Key_Return)
    qtbot.keyClicks(sec.editor, text)


def test_the_letter_starts_as_a_draft_from_the_case(qtbot, window, answers, section):
    sec = section
    assert sec.editor.toPlainText().strip()
    assert sec.state_label.text().startswith("Draft — not edited yet")
    assert not sec.letter["edited"]
    assert not sec.redraft_button.isEnabled()  # nothing to start again from
    assert stored_letter(window) is None  # a draft is not stored until it is edited
    assert "part 2 of the packet" in sec.hint.text()
    assert _unnamed_controls(window.workspace) == []
    assert answers.shown == []


def test_edits_are_saved_after_a_pause_and_kept_when_the_case_is_opened_again(
    qtbot, window, answers, section
):
    sec = section
    type_at_end(qtbot, sec, TYPED)
    assert sec.dirty
    assert "Editing" in sec.status.text()
    qtbot.waitUntil(lambda: sec.status.text() == "All changes saved.", timeout=5_000)
    letter = stored_letter(window)
    assert letter["edited"] is True
    assert letter["text"].endswith(TYPED)
    assert sec.state_label.text().startswith("Edited")
    assert sec.redraft_button.isEnabled()

    # Client & plan saves the whole record: it starts from the case with the letter in it.
    ws = window.workspace
    ws.show_section("client")
    phone = ws.client.edits[("enrollee", "phone")]
    phone.setText("415-555-0100")  # 10 digits: a US number (docs/caseload.md)
    assert ws.client.commit()
    assert stored_letter(window)["text"].endswith(TYPED)

    case_id = ws.case_id
    qtbot.mouseClick(ws.back_button, Qt.MouseButton.LeftButton)
    assert sec.editor.toPlainText() == ""  # nothing of the client left on the page
    with qtbot.waitSignal(window.case_opened):
        window.open_case(case_id)
    ws.show_section("letter")
    assert sec.editor.toPlainText().endswith(TYPED)
    assert sec.state_label.text().startswith("Edited")
    assert answers.shown == []


def test_ctrl_s_saves_at_once(qtbot, window, answers, section):
    sec = section
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    type_at_end(qtbot, sec, TYPED)
    qtbot.keyClick(sec.editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not sec.dirty
    assert sec.status.text() == "All changes saved."
    assert stored_letter(window)["text"].endswith(TYPED)


def test_leaving_the_section_saves_at_once(qtbot, window, answers, section):
    sec = section
    type_at_end(qtbot, sec, TYPED)
    window.workspace.show_section("documents")
    assert not sec.dirty
    assert stored_letter(window)["text"].endswith(TYPED)


def test_a_fresh_draft_replaces_the_edits_only_after_asking(qtbot, window, answers, section):
    sec = section
    draft = sec.editor.toPlainText()
    type_at_end(qtbot, sec, TYPED)
    assert sec.commit()

    answers.confirm = [False]
    qtbot.mouseClick(sec.redraft_button, Qt.MouseButton.LeftButton)
    assert "will be replaced" in answers.messages("confirm")[0]
    assert sec.editor.toPlainText().endswith(TYPED)
    assert stored_letter(window)["edited"] is True

    answers.confirm = [True]
    qtbot.mouseClick(sec.redraft_button, Qt.MouseButton.LeftButton)
    assert TYPED not in sec.editor.toPlainText()
    assert sec.editor.toPlainText().strip() == draft.strip()
    assert sec.state_label.text().startswith("Draft — not edited yet")
    assert stored_letter(window) is None  # a fresh draft follows the case again
    assert not sec.dirty


def test_the_lock_saves_the_edits_then_empties_the_editor(qtbot, window, answers, section):
    sec = section
    type_at_end(qtbot, sec, TYPED)
    session = window.session
    case_id = window.workspace.case_id
    assert window.lock(reason="user")
    assert sec.editor.toPlainText() == ""
    assert sec.editor.document().isUndoAvailable() is False
    assert session.locked
    # the edits reached the vault before it locked: open it again to check
    window.unlock_screen.passphrase_edit.setText("four unrelated words make a passphrase")
    window.unlock_screen.unlock_button.click()
    qtbot.waitUntil(lambda: window.session is not None, timeout=20_000)
    assert window.session.load_case(case_id)["letter"]["text"].endswith(TYPED)


def test_undo_after_a_fresh_draft_brings_the_edited_letter_back(qtbot, window, answers, section):
    """The confirm dialog promises Edit ▸ Undo brings the edits back: the fresh draft is a
    step of its own, never merged into the run of typing before it."""
    sec = section
    ws = window.workspace
    type_at_end(qtbot, sec, TYPED)
    assert sec.commit()
    type_at_end(qtbot, sec, "More.")  # a second save of the same run of typing
    assert sec.commit()
    assert len(ws._history) == 1  # back-to-back typing saves are one step
    answers.confirm = [True]
    qtbot.mouseClick(sec.redraft_button, Qt.MouseButton.LeftButton)
    assert stored_letter(window) is None
    assert len(ws._history) == 2
    ws.nav.setFocus()
    window.action_undo.trigger()
    letter = stored_letter(window)
    assert letter is not None and letter["text"].endswith(TYPED + "\nMore.")
    assert sec.editor.toPlainText().endswith(TYPED + "\nMore.")
    assert ws.undo_status.text() == "Undone: the letter."
    window.action_undo.trigger()  # then the typing itself
    assert stored_letter(window) is None
