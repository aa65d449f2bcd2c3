"""The main window: unlock → case list → case workspace, plus lock and menus.

The window title never names a client (it shows in the taskbar and screen sharing).
"""

from __future__ import annotations

import gc
import logging
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QPixmapCache
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget, QWidget

from imrdesktop import APP_NAME
from imrdesktop.domain.errors import ImrError, KeyringUnavailable, SharedPcRefusesKeyring
from imrdesktop.gui import dialogs, resources
from imrdesktop.gui.clipboard import SecureClipboard
from imrdesktop.gui.errors import show_error
from imrdesktop.gui.lock import InactivityTimer
from imrdesktop.gui.screens.case_list import CaseListScreen
from imrdesktop.gui.screens.criteria import CriteriaServices
from imrdesktop.gui.screens.unlock import UnlockScreen
from imrdesktop.gui.screens.workspace import WorkspaceScreen
from imrdesktop.gui.widgets.about_dialog import AboutDialog
from imrdesktop.gui.widgets.bundle_dialogs import BundlePassphraseDialog
from imrdesktop.gui.widgets.new_case_dialog import NewCaseDialog
from imrdesktop.gui.widgets.profile_dialogs import (
    NewProfileDialog,
    RecoverDialog,
    RecoveryKeyDialog,
)
from imrdesktop.gui.widgets.settings_dialog import SettingsDialog
from imrdesktop.gui.workers import run_in_background
from imrdesktop.i18n import _
from imrdesktop.services.demo import create_training_vault, remove_training_vaults
from imrdesktop.services.documents import DocumentsService
from imrdesktop.services.messages import describe
from imrdesktop.services.packet import PacketService
from imrdesktop.services.session import VaultSession

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    unlocked = Signal()
    locked = Signal()
    case_opened = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, ctx, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.ctx = ctx
        self.session: VaultSession | None = None
        self._pending_bundle: Path | None = None  # opened from the file manager
        self._documents: DocumentsService | None = None  # of ``session``; closed on lock
        self._documents_session: VaultSession | None = None
        self._packet: PacketService | None = None  # of ``session``, over ``_documents``
        self._packet_documents: DocumentsService | None = None
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(resources.icon("app"))
        self.clipboard = SecureClipboard(ctx.settings.get("clipboard_clear_seconds"), self)
        self.inactivity = InactivityTimer(self)
        self.inactivity.inactivity_detected.connect(lambda: self.lock(reason="idle"))

        self.stack = QStackedWidget()
        self.unlock_screen = UnlockScreen()
        self.case_list = CaseListScreen()
        self.workspace = WorkspaceScreen()
        for w in (self.unlock_screen, self.case_list, self.workspace):
            self.stack.addWidget(w)
        self.setCentralWidget(self.stack)

        self.unlock_screen.unlock_requested.connect(self._unlock)
        self.unlock_screen.new_profile_requested.connect(self.new_profile)
        self.unlock_screen.recovery_requested.connect(self.recover)
        self.unlock_screen.training_requested.connect(self.open_training_vault)
        self.case_list.open_case.connect(self.open_case)
        self.case_list.new_case.connect(self.new_case)
        self.case_list.statistics_requested.connect(self.show_statistics)
        self.workspace.back_to_list.connect(self.show_case_list)
        self._build_menus()
        self.statusBar().setObjectName("statusBar")
        self.show_unlock()
        self.resize(1100, 720)

    # --- menus ------------------------------------------------------------------------
    def _action(self, text: str, name: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(_("&File"))
        self.action_new_case = self._action(
            _("&New case…"), "actionNewCase", self.new_case, QKeySequence.StandardKey.New
        )
        self.action_import = self._action(
            _("&Import a case bundle…"), "actionImportCase", self.import_case
        )
        self.action_export = self._action(
            _("&Export this case as a bundle…"), "actionExportCase", self.export_case
        )
        self.action_lock = self._action(
            _("&Lock"), "actionLockVault", lambda: self.lock(reason="user"), "Ctrl+L"
        )
        self.action_lock.setIcon(resources.icon("lock"))
        self.action_quit = self._action(
            _("&Quit"), "actionQuit", self.close, QKeySequence.StandardKey.Quit
        )
        for a in (self.action_new_case, self.action_import, self.action_export):
            file_menu.addAction(a)
        file_menu.addSeparator()
        file_menu.addAction(self.action_lock)
        file_menu.addAction(self.action_quit)
        self._build_edit_menu(bar)
        tools = bar.addMenu(_("&Tools"))
        self.action_settings = self._action(
            _("&Settings…"),
            "actionSettings",
            self.open_settings,
            QKeySequence.StandardKey.Preferences,
        )
        tools.addAction(self.action_settings)
        self._build_caseload_actions(tools)
        help_menu = bar.addMenu(_("&Help"))
        self.action_about = self._action(_("&About IMR Desktop"), "actionAbout", self.about)
        help_menu.addAction(self.action_about)
        self._update_actions()

    def _update_actions(self) -> None:
        unlocked = self.session is not None
        in_case = unlocked and self.stack.currentWidget() is self.workspace
        self.action_new_case.setEnabled(unlocked)
        self.action_import.setEnabled(unlocked)
        self.action_export.setEnabled(in_case)
        self.action_lock.setEnabled(unlocked)
        self._update_undo_action()
        self.action_statistics.setEnabled(unlocked)

    # --- undo --------------------------------------------------------------------------
    def _build_edit_menu(self, bar) -> None:
        """Edit ▸ Undo last change. Ctrl+Z reaches it only outside text fields: a text
        field takes Ctrl+Z for its own undo first (Qt's shortcut override)."""
        edit_menu = bar.addMenu(_("&Edit"))
        self.action_undo = self._action(
            _("&Undo last change"),
            "actionUndoLastChange",
            self.undo_last_change,
            QKeySequence.StandardKey.Undo,
        )
        edit_menu.addAction(self.action_undo)
        self.workspace.undo_available.connect(lambda _available: self._update_undo_action())

    def _update_undo_action(self) -> None:
        in_case = self.session is not None and self.stack.currentWidget() is self.workspace
        self.action_undo.setEnabled(in_case and self.workspace.can_undo())

    def undo_last_change(self) -> None:
        """Put the open case back as it was before its last saved change."""
        if self.session is None or self.stack.currentWidget() is not self.workspace:
            return
        self.workspace.undo()
        self._update_undo_action()

    # --- screens -----------------------------------------------------------------------
    def show_unlock(self) -> None:
        profiles = self.ctx.profiles.list()
        self.unlock_screen.set_profiles(profiles, self.ctx.settings.get("last_profile"))
        self.unlock_screen.set_remember_allowed(not self.ctx.settings.get("shared_pc"))
        self.unlock_screen.reset()
        self.stack.setCurrentWidget(self.unlock_screen)
        self.setWindowTitle(APP_NAME)
        self.statusBar().clearMessage()
        self._update_actions()
        self.unlock_screen.focus_passphrase()

    def try_remembered_unlock(self) -> bool:
        """At start-up only: a token kept by "remember on this computer" unlocks directly."""
        if self.ctx.settings.get("shared_pc"):
            return False
        profile = self.ctx.profiles.get(self.ctx.settings.get("last_profile"))
        if profile is None:
            return False
        from imrdesktop.storage.vault import Vault

        try:
            vault = Vault.open_with_keyring(profile.vault_path)
        except ImrError:
            return False
        if vault is None:
            return False
        self._start_session(VaultSession(vault))
        return True

    def show_case_list(self, rows: list | None = None) -> None:
        if self.session is None:
            return
        if rows is None:
            try:
                rows = self.session.list_cases()
            except ImrError as exc:
                show_error(self, exc)
                rows = []
        self.workspace.clear()
        self.case_list.set_training(self.session.training)
        self.case_list.set_rows(rows)
        self.stack.setCurrentWidget(self.case_list)
        self._update_actions()
        self.case_list.focus()

    def open_case(self, case_id: str) -> None:
        if self.session is None:
            return
        session = self.session
        try:
            record = session.load_case(case_id)
        except ImrError as exc:
            show_error(self, exc)
            return
        self.workspace.load(
            case_id,
            record,
            lambda r: session.save_case(case_id, r),
            CriteriaServices.for_case(session, case_id, record),
            self._documents_service(session),
            self._packet_service(session),
            lambda: session.load_case(case_id),
        )
        self.stack.setCurrentWidget(self.workspace)
        self._update_actions()
        self.workspace.nav.setFocus()
        self.case_opened.emit(case_id)

    def _documents_service(self, session: VaultSession) -> DocumentsService:
        """One per session: leaving a case closes it (caches dropped, worker stopped) and
        it starts again on demand; the session's lock closes it too."""
        if self._documents is None or self._documents_session is not session:
            self._documents = DocumentsService(session)
            self._documents_session = session
        return self._documents

    def _packet_service(self, session: VaultSession) -> PacketService:
        """One per session, next to its DocumentsService (which draws the pages)."""
        documents = self._documents_service(session)
        if self._packet is None or self._packet_documents is not documents:
            self._packet = PacketService(session, documents)
            self._packet_documents = documents
        return self._packet

    # --- unlocking ----------------------------------------------------------------------
    def _set_busy(self, busy: bool) -> None:
        if busy:
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        else:
            QApplication.restoreOverrideCursor()
        self.busy_changed.emit(busy)

    def _background(self, fn, done, failed) -> None:
        self._set_busy(True)

        def finished(result) -> None:
            self._set_busy(False)
            done(result)

        def error(exc) -> None:
            self._set_busy(False)
            failed(exc)

        run_in_background(fn, finished, error)

    def _unlock(self, profile_id: str, passphrase: str, remember: bool) -> None:
        profile = self.ctx.profiles.get(profile_id)
        if profile is None:
            self.unlock_screen.unlock_failed(ImrError())
            return
        from imrdesktop.storage.vault import Vault

        path = profile.vault_path

        def done(vault) -> None:
            self.ctx.settings.set("last_profile", profile_id)
            self._start_session(VaultSession(vault))
            if remember:
                self._remember(vault)

        self._background(
            lambda: Vault.open(path, passphrase), done, self.unlock_screen.unlock_failed
        )

    def _remember(self, vault) -> None:
        try:
            vault.remember_on_this_computer(shared_pc=self.ctx.settings.get("shared_pc"))
        except (KeyringUnavailable, SharedPcRefusesKeyring) as exc:
            dialogs.inform(self, _("Passphrase not remembered"), describe(exc))
        except ImrError as exc:
            show_error(self, exc)

    def _start_session(self, session: VaultSession) -> None:
        if self.session is not None and self.session is not session:
            self.lock(reason="replaced")  # never two open vaults at once
        try:
            rows = session.list_cases()
        except Exception as exc:  # the vault opened but its case list did not
            log.error("case list failed after unlock", exc_info=exc)
            session.lock()
            self.unlock_screen.unlock_failed(exc)
            return
        self.session = session
        self.unlock_screen.unlock_succeeded()
        title = (
            APP_NAME if not session.training else _("{app} — training vault").format(app=APP_NAME)
        )
        self.setWindowTitle(title)
        if session.training:
            self.statusBar().showMessage(_("Training vault — fictional clients, practice only"))
        self._arm_inactivity()
        self.show_case_list(rows)
        self.case_list.show_due_soon(rows)  # what falls due within 14 days, if anything
        self.unlocked.emit()
        if getattr(session.vault, "header_repaired", False):
            from imrdesktop.services.messages import header_repaired_notice

            dialogs.warn(self, _("Vault repaired"), header_repaired_notice())
        if self._pending_bundle is not None and not session.training:
            path, self._pending_bundle = self._pending_bundle, None
            QTimer.singleShot(0, lambda: self.import_case(path))

    def _arm_inactivity(self) -> None:
        s = self.ctx.settings
        if s.get("auto_lock_enabled"):
            self.inactivity.set_interval(int(s.get("auto_lock_minutes")) * 60_000)
            self.inactivity.activate()
        else:
            self.inactivity.deactivate()

    def new_profile(self) -> None:
        dlg = NewProfileDialog(self)
        if not dialogs.run_dialog(dlg):
            dialogs.dispose(dlg)
            return
        label, passphrase = dlg.values()
        dialogs.dispose(dlg)
        from imrdesktop.storage.vault import Vault

        store = self.ctx.profiles

        def work():
            profile = store.new(label)
            vault, recovery = Vault.create(profile.vault_path, passphrase)
            return profile, vault, recovery

        def done(result) -> None:
            profile, vault, recovery = result
            self.ctx.settings.set("last_profile", profile.profile_id)
            key_dialog = RecoveryKeyDialog(recovery, vault.vault_id, self)
            dialogs.run_dialog(key_dialog)
            dialogs.dispose(key_dialog)
            self._start_session(VaultSession(vault))

        self._background(work, done, lambda exc: show_error(self, exc))

    def recover(self, profile_id: str) -> None:
        profile = self.ctx.profiles.get(profile_id)
        if profile is None:
            return
        dlg = RecoverDialog(self)
        if not dialogs.run_dialog(dlg):
            dialogs.dispose(dlg)
            return
        key, new_passphrase = dlg.values()
        dialogs.dispose(dlg)
        from imrdesktop.storage.vault import Vault

        path = profile.vault_path

        def work():
            vault = Vault.open_with_recovery_key(path, key)
            try:
                vault.change_passphrase(new_passphrase)
            except BaseException:
                vault.lock()
                raise
            return vault

        def done(vault) -> None:
            dialogs.inform(
                self,
                _("Passphrase reset"),
                _("The passphrase was changed. Use the new passphrase from now on."),
            )
            self.ctx.settings.set("last_profile", profile_id)
            self._start_session(VaultSession(vault))

        def failed(exc) -> None:
            dialogs.error(self, describe(exc), _("Passphrase not reset"))

        self._background(work, done, failed)

    def open_training_vault(self) -> None:
        session_dir = self.ctx.paths.session

        def done(vault) -> None:
            self._start_session(VaultSession(vault, training=True))

        self._background(
            lambda: create_training_vault(session_dir, VaultSession(None).today()),
            done,
            lambda exc: show_error(self, exc),
        )

    # --- cases --------------------------------------------------------------------------
    def new_case(self) -> None:
        if self.session is None:
            return
        dlg = NewCaseDialog(self)
        accepted = dialogs.run_dialog(dlg)
        record = dlg.record()
        dialogs.dispose(dlg)
        if not accepted:
            return
        try:
            case_id = self.session.create_case(record)
        except ImrError as exc:
            show_error(self, exc)
            return
        self.open_case(case_id)

    def export_case(self) -> None:
        if self.session is None or not self.workspace.case_id:
            return
        if not self.workspace.commit():
            return
        case_id = self.workspace.case_id
        path = dialogs.choose_save_path(
            self, _("Export the case"), f"{case_id}.imrbundle", _("Case bundles (*.imrbundle)")
        )
        if path is None:
            return
        passphrase = self._ask_bundle_passphrase(export=True)
        if passphrase is None:
            return
        session = self.session
        self._background(
            lambda: session.export_case(case_id, path, passphrase),
            lambda _r: dialogs.inform(
                self,
                _("Case exported"),
                _(
                    "The case was exported, encrypted with the bundle passphrase. Give that "
                    "passphrase to the recipient separately — not with the file."
                ),
            ),
            lambda exc: show_error(self, exc),
        )

    def _ask_bundle_passphrase(self, *, export: bool) -> str | None:
        dlg = BundlePassphraseDialog(export=export, parent=self)
        accepted = dialogs.run_dialog(dlg)
        passphrase = dlg.value() if accepted else None
        dialogs.dispose(dlg)
        return passphrase

    def open_bundle_when_unlocked(self, path: Path) -> None:
        """A case bundle opened from the file manager: imported once a vault is unlocked."""
        if self.session is not None:
            self.import_case(path)
        else:
            self._pending_bundle = Path(path)

    def import_case(self, path: Path | None = None) -> None:
        if self.session is None:
            return
        if path is None:
            path = dialogs.choose_open_file(
                self, _("Import a case bundle"), _("Case bundles (*.imrbundle)")
            )
        if path is None:
            return
        passphrase = self._ask_bundle_passphrase(export=False)
        if passphrase is None:
            return
        session = self.session
        self._background(
            lambda: session.import_case(Path(path), passphrase),
            lambda case_id: (self.show_case_list(), self.open_case(case_id)),
            lambda exc: show_error(self, exc),
        )

    # --- caseload: statistics -------------------------------------------------------------
    def _build_caseload_actions(self, tools) -> None:
        self.action_statistics = self._action(
            _("S&tatistics…"), "actionStatistics", self.show_statistics
        )
        tools.addAction(self.action_statistics)

    def show_statistics(self) -> None:
        """Counts over the caseload (no client data), with a CSV export for funders."""
        if self.session is None:
            return
        from imrdesktop.gui.screens.statistics import StatisticsDialog
        from imrdesktop.services.caseload import statistics

        if self.stack.currentWidget() is self.workspace:
            self.workspace.commit()  # the figures include the change just typed
        try:
            rows = self.session.list_cases()
        except ImrError as exc:
            show_error(self, exc)
            return
        dlg = StatisticsDialog(statistics(rows), self.session.today(), self)
        dialogs.run_dialog(dlg)
        dialogs.dispose(dlg)

    # --- settings & about ------------------------------------------------------------------
    def open_settings(self) -> None:
        dlg = SettingsDialog(self.ctx.settings, self)
        if not dialogs.run_dialog(dlg):
            return
        dlg.apply()
        app = QApplication.instance()
        if hasattr(app, "set_font_scale"):
            app.set_font_scale(self.ctx.settings.get("font_scale_percent"))
        self.clipboard.set_clear_after(self.ctx.settings.get("clipboard_clear_seconds"))
        if self.session is not None:
            self._arm_inactivity()
        self.unlock_screen.set_remember_allowed(not self.ctx.settings.get("shared_pc"))
        if self.ctx.settings.get("shared_pc"):
            self.forget_remembered_passphrases()

    def forget_remembered_passphrases(self) -> None:
        """A shared PC keeps no "remember me" token for any profile."""
        from imrdesktop.storage.probe import forget_tokens

        if self.session is not None:
            try:
                self.session.vault.forget_on_this_computer()
            except ImrError:
                log.info("could not drop the open vault's keyring slot")
        try:
            forget_tokens(p.vault_path for p in self.ctx.profiles.list())
        except ImrError:
            log.info("could not reach the keyring to forget tokens")

    def about(self) -> None:
        dialogs.run_dialog(AboutDialog(str(self.ctx.paths.data), self))

    # --- locking -------------------------------------------------------------------------
    def lock(self, reason: str = "user") -> bool:
        """Drop every decrypted object and key and show the unlock screen."""
        if self.session is None:
            return True
        saved = self.workspace.commit()
        if (
            not saved
            and reason == "user"
            and not dialogs.confirm(
                self,
                _("Lock now?"),
                _(
                    "A field still needs correcting, so that change cannot be saved. Lock "
                    "anyway and lose that one change?"
                ),
                yes=_("Lock"),
            )
        ):
            return False
        log.info("locking (%s)", reason)
        self.inactivity.deactivate()
        dialogs.dispose_all_dialogs()
        self.workspace.clear()
        self.case_list.clear()
        training = self.session.training
        try:
            self.session.lock()
        finally:
            self.session = None
            self._documents = None
            self._documents_session = None
            self._packet = None
            self._packet_documents = None
        self.clipboard.clear_if_ours()
        QPixmapCache.clear()
        gc.collect()
        if training:
            remove_training_vaults(self.ctx.paths.session)
        self.show_unlock()
        self.locked.emit()
        return True

    def changeEvent(self, event: QEvent) -> None:
        if (
            event.type() == QEvent.Type.WindowStateChange
            and self.isMinimized()
            and self.session is not None
            and self.ctx.settings.get("shared_pc")
        ):
            self.lock(reason="minimised")
        super().changeEvent(event)

    def closeEvent(self, event) -> None:
        if self.session is not None and not self.lock(reason="quit"):
            event.ignore()
            return
        self.clipboard.clear_if_ours()
        remove_training_vaults(self.ctx.paths.session)
        event.accept()
