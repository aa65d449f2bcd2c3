"""The shell as an advocate uses it: first run, unlock, cases, workspace, lock."""

from __future__ import annotations

import sys

from guihelpers import create_profile, unlock
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

CANARY = "CANARY-Zyxwvut Qqq"


def all_visible_text(widget) -> str:
    from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QPlainTextEdit

    parts = [widget.windowTitle()]
    for w in widget.findChildren(QLabel):
        parts.append(w.text())
    for w in widget.findChildren(QLineEdit):
        parts.append(w.text())
    for w in widget.findChildren(QPlainTextEdit):
        parts.append(w.toPlainText())
    for w in widget.findChildren(QAbstractButton):
        parts.append(w.text())
    model = window_model(widget)
    if model is not None:
        for r in range(model.rowCount()):
            for c in range(model.columnCount()):
                parts.append(str(model.index(r, c).data()))
    return "\n".join(parts)


def window_model(widget):
    return getattr(getattr(widget, "case_list", None), "model", None)


def test_first_run_profile_lock_and_unlock(qtbot, window, answers):
    assert window.unlock_screen.empty_hint.isVisible()
    key = create_profile(qtbot, window, answers)
    assert len(key.replace(" ", "").replace("-", "")) >= 20
    assert window.stack.currentWidget() is window.case_list
    assert window.case_list.empty_label.isVisible()

    # Ctrl+L locks from anywhere in the (active) window.
    assert window.action_lock.shortcut().toString() == "Ctrl+L"
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    with qtbot.waitSignal(window.locked, timeout=5000):
        qtbot.keyClick(
            window.case_list.search_edit, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier
        )
    assert window.session is None
    assert window.stack.currentWidget() is window.unlock_screen
    assert window.unlock_screen.profile_combo.currentText() == "Training desk"

    # A wrong passphrase says so; the right one unlocks.
    with qtbot.waitSignal(window.unlock_screen.unlock_requested):
        unlock(qtbot, window, "this is certainly not it, sorry")
    qtbot.waitUntil(lambda: window.unlock_screen.message.isVisible(), timeout=10_000)
    assert "not right" in window.unlock_screen.message.text()
    assert window.unlock_screen.passphrase_edit.text() == ""
    with qtbot.waitSignal(window.unlocked, timeout=10_000):
        unlock(qtbot, window)
    assert window.stack.currentWidget() is window.case_list


def test_repeated_wrong_passphrases_slow_down_further_tries(qtbot, window, answers):
    from imrdesktop.gui.screens.unlock import delay_after_failures

    assert [delay_after_failures(n) for n in range(1, 7)] == [0, 0, 2, 4, 8, 16]
    create_profile(qtbot, window, answers)
    window.lock()
    screen = window.unlock_screen
    for _ in range(3):
        with qtbot.waitSignal(screen.unlock_requested):
            unlock(qtbot, window, "wrong wrong wrong wrong wrong")
        qtbot.waitUntil(
            lambda: (
                screen.message.isVisible()
                and screen.passphrase_edit.isEnabled()
                or "wait" in screen.message.text()
            ),
            timeout=10_000,
        )
    assert "wait" in screen.message.text()
    assert not screen.passphrase_edit.isEnabled()


def test_training_vault_search_open_edit_and_back(qtbot, window, answers):
    with qtbot.waitSignal(window.unlocked, timeout=20_000):
        qtbot.mouseClick(window.unlock_screen.training_button, Qt.MouseButton.LeftButton)
    assert window.session.training
    assert window.case_list.training_banner.isVisible()
    assert "training" in window.windowTitle()
    model = window.case_list.proxy
    assert model.rowCount() == 5

    qtbot.keyClicks(window.case_list.search_edit, "ortiz")
    assert model.rowCount() == 1
    window.case_list.search_edit.clear()
    qtbot.keyClicks(window.case_list.search_edit, "GVH-448812093")  # member id
    assert model.rowCount() == 1
    window.case_list.search_edit.clear()
    window.case_list.search_edit.setText("陈伟")  # QTest cannot type non-Latin keys
    assert model.rowCount() == 1

    with qtbot.waitSignal(window.case_opened):
        qtbot.keyClick(window.case_list.search_edit, Qt.Key.Key_Return)
    ws = window.workspace
    assert window.stack.currentWidget() is ws
    assert "陈伟" in ws.heading.text()
    assert "陈伟" not in window.windowTitle()

    # Every section is reachable and ready (none says "not ready" any more).
    for i in range(ws.nav.count()):
        ws.nav.setCurrentRow(i)
    assert ws.findChildren(type(ws.heading), "notReady_tracking") == []
    assert ws.tracking.status_text().startswith("Status: ")

    ws.show_section("client")
    plan = ws.client.edits[("plan", "member_id")]
    plan.setFocus()
    plan.selectAll()
    qtbot.keyClicks(plan, "GVH-999")
    ws.client.commit()
    assert ws.client.status.text() == "All changes saved."
    case_id = ws.case_id
    assert window.session.load_case(case_id)["plan"]["member_id"] == "GVH-999"

    # A wrong date is explained beside the field and nothing is saved.
    dob = ws.client.edits[("enrollee", "date_of_birth")]
    dob.setText("31/01/1949")
    assert ws.client.commit() is False
    err = ws.client.errors[("enrollee", "date_of_birth")]
    assert err.isVisible() and "YYYY-MM-DD" in err.text()
    assert answers.messages("error") == []
    dob.setText("1949-01-31")
    assert ws.client.commit()

    qtbot.mouseClick(ws.back_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.case_list


def test_new_case_then_lock_forgets_everything(qtbot, window, answers):
    create_profile(qtbot, window, answers)

    def fill(dialog):
        assert not dialog.ok_button.isEnabled()
        qtbot.keyClicks(dialog.name_edit, CANARY)
        qtbot.keyClicks(dialog.member_edit, "M-CANARY-1")
        return True

    answers.dialog_handlers.append(fill)
    with qtbot.waitSignal(window.case_opened):
        qtbot.mouseClick(window.case_list.new_button, Qt.MouseButton.LeftButton)
    assert CANARY in window.workspace.heading.text()
    window.workspace.client.notes_edit.setPlainText("secret note " + CANARY)
    window.lock(reason="idle")
    assert window.session is None
    for top in QApplication.topLevelWidgets():
        assert CANARY not in all_visible_text(top)
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: window.session is not None, timeout=10_000)
    rows = window.session.list_cases()
    assert [r.name for r in rows] == [CANARY]
    # The note typed just before the idle lock was saved, not lost.
    assert CANARY in window.session.load_case(rows[0].case_id)["notes"]


def test_idle_lock_fires_from_the_settings(qtbot, window, answers):
    window.ctx.settings.set("auto_lock_minutes", 1)
    create_profile(qtbot, window, answers)
    assert window.inactivity.is_active()
    assert window.inactivity.interval() == 60_000
    window.inactivity.set_interval(200)
    window.inactivity.activate()
    with qtbot.waitSignal(window.locked, timeout=5000):
        pass
    assert window.session is None


def test_minimise_locks_on_a_shared_pc(qtbot, window, answers):
    window.ctx.settings.set("shared_pc", True)
    create_profile(qtbot, window, answers)
    window.showMinimized()
    qtbot.waitUntil(lambda: window.session is None, timeout=5000)
    assert not window.unlock_screen.remember_check.isVisible()


def test_quit_locks_and_removes_the_training_vault(qtbot, window, answers):
    with qtbot.waitSignal(window.unlocked, timeout=20_000):
        window.open_training_vault()
    session_dir = window.ctx.paths.session
    assert any(session_dir.glob("training-*"))
    window.close()
    assert window.session is None
    assert not any(session_dir.glob("training-*"))


def test_settings_dialog_applies_text_size_and_shared_pc(qtbot, window, answers):
    def change(dialog):
        dialog.scale_combo.setCurrentIndex(dialog.scale_combo.findData(200))
        dialog.shared_check.setChecked(True)
        assert not dialog.lock_check.isEnabled()
        return True

    answers.dialog_handlers.append(change)
    before = QApplication.font().pointSizeF()
    window.open_settings()
    assert window.ctx.settings.get("shared_pc") is True
    assert QApplication.font().pointSizeF() > before * 1.5
    QApplication.instance().set_font_scale(100)


def test_about_and_no_network_modules(qtbot, window, answers):
    answers.dialog_handlers.append(lambda d: "IMR Desktop" in d.windowTitle())
    window.about()
    forbidden = {"PySide6.QtNetwork", "http.client", "urllib3", "requests"}
    assert not forbidden & set(sys.modules)


def test_lock_drops_the_vault_and_its_keys(qtbot, window, answers):
    """T-KEY-7 (best effort): after lock, no reference to the vault or a case record lives."""
    import gc
    import weakref

    create_profile(qtbot, window, answers)
    vault = window.session.vault
    vault_ref = weakref.ref(vault)
    keys = [v for v in vars(vault).values() if isinstance(v, bytearray)]
    assert keys, "the vault should hold its keys in bytearrays"
    del vault
    window.lock()
    from PySide6.QtCore import QCoreApplication, QEvent

    QApplication.processEvents()  # queued clean-up of finished background tasks
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    assert vault_ref() is None
    assert all(not any(k) for k in keys), "keys were not zeroed"


def test_nothing_else_can_start_while_a_vault_is_opening(qtbot, window, answers):
    create_profile(qtbot, window, answers)
    window.lock()
    screen = window.unlock_screen
    screen.set_busy(True)
    for b in (screen.training_button, screen.new_profile_button, screen.recovery_button):
        assert not b.isEnabled()
    screen.set_busy(False)
    assert screen.training_button.isEnabled()


def test_lock_leaves_nothing_to_undo_in_the_search_box(qtbot, window, answers):
    create_profile(qtbot, window, answers)
    qtbot.keyClicks(window.case_list.search_edit, "CANARY search")
    window.lock()
    window.case_list.search_edit.undo()
    assert window.case_list.search_edit.text() == ""


def test_a_case_list_that_fails_after_unlock_leaves_the_vault_locked(
    qtbot, window, answers, monkeypatch
):
    from imrdesktop.services.session import VaultSession

    create_profile(qtbot, window, answers)
    window.lock()

    def broken(self):
        raise TypeError("bad summary")

    monkeypatch.setattr(VaultSession, "list_cases", broken)
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: window.unlock_screen.message.isVisible(), timeout=10_000)
    assert window.session is None
    assert window.stack.currentWidget() is window.unlock_screen


def test_a_repaired_vault_header_is_told_to_the_advocate(qtbot, window, answers):
    create_profile(qtbot, window, answers)
    window.lock()
    profile = window.ctx.profiles.list()[0]
    header = profile.vault_path / "vault.imrv"
    data = bytearray(header.read_bytes())
    data[10] ^= 0x40
    header.write_bytes(bytes(data))
    with qtbot.waitSignal(window.unlocked, timeout=10_000):
        unlock(qtbot, window)
    assert any("spare copy" in m for m in answers.messages("warn"))


def test_export_and_import_a_case_from_the_menu(qtbot, window, answers, tmp_path):
    create_profile(qtbot, window, answers)
    case_id = window.session.create_case({"enrollee": {"name": "Bundle Person"}})
    window.open_case(case_id)
    bundle = tmp_path / "handoff.imrbundle"
    secret = "a separate bundle passphrase here"

    def choose(dialog):
        dialog.fields.first.setText(secret)
        dialog.fields.second.setText(secret)
        return dialog.ok_button.isEnabled()

    answers.save_paths.append(bundle)
    answers.dialog_handlers.append(choose)
    window.export_case()
    qtbot.waitUntil(lambda: bool(answers.messages("inform")), timeout=20_000)
    assert bundle.stat().st_size > 0

    def type_it(dialog):
        dialog.edit.setText(secret)
        return True

    answers.open_paths.append(bundle)
    answers.dialog_handlers.append(type_it)
    with qtbot.waitSignal(window.case_opened, timeout=20_000):
        window.import_case()
    assert window.workspace.case_id != case_id
    assert [r.name for r in window.session.list_cases()] == ["Bundle Person", "Bundle Person"]


def test_section_names_fit_at_200_percent_text(qtbot, window, answers):
    create_profile(qtbot, window, answers)
    case_id = window.session.create_case({"enrollee": {"name": "Wide Text"}})
    app = QApplication.instance()
    try:
        app.set_font_scale(200)
        window.open_case(case_id)
        nav = window.workspace.nav
        qtbot.waitUntil(lambda: nav.width() >= nav.sizeHintForColumn(0), timeout=5000)
        assert not nav.horizontalScrollBar().isVisible()
    finally:
        app.set_font_scale(100)
