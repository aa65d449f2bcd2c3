"""T-LEAK-1/2/4: after a session with canary data, nothing readable is left anywhere."""

from __future__ import annotations

import logging

from guihelpers import create_profile, unlock
from leakscan import scan_for

CANARY_NAME = "CANARY-Name-7f3a9q2k Ñandú"
CANARY_NOTE = "CANARY-Note-diagnosis-5b81"
CANARY_MEMBER = "CANARY-MEMBER-99120"


def test_a_whole_session_leaves_no_client_data_outside_the_vault(
    qtbot, window, answers, sandbox, tmp_path
):
    logging.getLogger().setLevel(logging.DEBUG)
    from imrdesktop.logsetup import configure_logging

    configure_logging(window.ctx.paths.logs, "DEBUG")
    create_profile(qtbot, window, answers)

    def fill(dialog):
        dialog.name_edit.setText(CANARY_NAME)  # QTest cannot type non-Latin keys
        qtbot.keyClicks(dialog.member_edit, CANARY_MEMBER)
        return True

    answers.dialog_handlers.append(fill)
    with qtbot.waitSignal(window.case_opened):
        window.new_case()
    client = window.workspace.client
    client.notes_edit.setPlainText(CANARY_NOTE)
    assert client.commit()
    # Copy a member id through the secure clipboard, then lock: the clipboard is cleared.
    window.clipboard.set_text(CANARY_MEMBER)
    window.lock(reason="user")
    from PySide6.QtGui import QGuiApplication

    assert CANARY_MEMBER not in QGuiApplication.clipboard().text()
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: window.session is not None, timeout=10_000)
    window.close()
    for handler in logging.getLogger().handlers:
        handler.flush()
    configure_logging(None)

    hits = scan_for(sandbox, [CANARY_NAME, CANARY_NOTE, CANARY_MEMBER])
    assert hits == [], hits
    # The scan really looked: the profile's own label (not client data) is found in plain.
    assert scan_for(sandbox, ["Training desk"])
    log_file = window.ctx.paths.logs / "imrdesktop.log"
    assert log_file.read_text(), "the log should have been written"
    # Qt's file-dialog history holds nothing.
    from PySide6.QtCore import QSettings

    qt = QSettings("QtProject")
    qt.beginGroup("FileDialog")
    assert not qt.value("history")
    assert qt.value("lastVisited") in (None, "")
