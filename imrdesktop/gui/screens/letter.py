"""The Letter section of the case workspace: the letter in support (part 2 of the packet).

The text comes from ``PacketService.letter``: the advocate's edited letter, or a fresh draft
built from the case and the assessment. Edits are saved (encrypted, in the case) a moment
after typing stops, and when the advocate leaves the section or the case; "Start again from a
fresh draft…" replaces them after asking. ``saved`` is emitted after each save of edits and
``redrafted`` after a fresh draft, so the workspace can take the case as stored (other
sections save the whole record) and keep the edited letter as a step of undo.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from imrdesktop.domain.errors import ImrError
from imrdesktop.gui import dialogs
from imrdesktop.gui.widgets.common import button, label
from imrdesktop.i18n import _
from imrdesktop.services.messages import describe

log = logging.getLogger(__name__)

AUTOSAVE_MS = 1500
READABLE_CHARS = 86  # a comfortable line: the letter prints at about this width


def letter_state(letter: dict) -> str:
    """ "Draft — not edited yet" or "Edited on 2026-05-02"."""
    if not letter.get("edited"):
        drafted = letter.get("drafted") or ""
        if drafted:
            return _("Draft — not edited yet (drafted on {date})").format(date=drafted)
        return _("Draft — not edited yet")
    when = letter.get("edited_on") or letter.get("updated") or ""
    if when:
        return _("Edited on {date}").format(date=when)
    return _("Edited — your changes are kept in the case")


class LetterSection(QWidget):
    """Edits one case's letter in support; saves as the advocate goes."""

    saved = Signal()  # edits typed were saved (a run of typing is one step of undo)
    redrafted = Signal()  # a fresh draft replaced the letter (a step of undo of its own)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("section_letter")
        self._service = None
        self._case_id = ""
        self._letter: dict = {}
        self._saved_text = ""
        self._loading = False

        outer = QVBoxLayout(self)
        outer.addWidget(label(_("Letter in support"), "title", wrap=False))
        # One column at a readable width: the hint, the state, the editor.
        self.column = QWidget()
        self.column.setObjectName("letterColumn")
        col = QVBoxLayout(self.column)
        col.setContentsMargins(0, 0, 0, 0)
        self.hint = label(
            _(
                "The draft is built from the case and the assessment. Check each fact against "
                "the records and add what only you know — dates, what the treating doctor "
                "said, what the delay has done to the client: reviewers weigh facts, not "
                "opinions. The letter prints as part 2 of the packet, after the cover sheet."
            ),
            "hint",
            name="letterHint",
        )
        col.addWidget(self.hint)
        row = QHBoxLayout()
        self.state_label = label("", "letterState", name="letterState")
        row.addWidget(self.state_label, 1)
        self.redraft_button = button(_("&Start again from a fresh draft…"), "redraftLetterButton")
        self.redraft_button.setToolTip(
            _("Replace the letter with a new draft from the case and the assessment as they are")
        )
        self.redraft_button.clicked.connect(self.redraft)
        row.addWidget(self.redraft_button, 0, Qt.AlignmentFlag.AlignBottom)
        col.addLayout(row)
        caption = QLabel(_("&Letter:"))
        caption.setProperty("role", "heading")
        col.addWidget(caption)
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("letterText")
        self.editor.setAccessibleName(_("Letter in support"))
        self.editor.setAccessibleDescription(
            _("Saved automatically a moment after you stop typing.")
        )
        self.editor.setTabChangesFocus(True)
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.editor.setInputMethodHints(
            Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText
        )
        self.editor.textChanged.connect(self._text_changed)
        caption.setBuddy(self.editor)
        col.addWidget(self.editor, 1)
        self.status = label("", "hint", name="letterSaveStatus")
        col.addWidget(self.status)
        outer.addWidget(self.column, 1)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_MS)
        self._timer.timeout.connect(self.commit)
        QShortcut(
            QKeySequence.StandardKey.Save,
            self,
            self.commit,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        self._fit_width()
        self._update_state()

    # --- sizes ------------------------------------------------------------------------------
    def _fit_width(self) -> None:
        """A readable line length at any text size; the editor is as tall as there is room."""
        fm = self.editor.fontMetrics()
        margins = 2 * self.editor.frameWidth() + 2 * round(self.editor.document().documentMargin())
        bar = self.editor.verticalScrollBar().sizeHint().width()
        self.column.setMaximumWidth(fm.averageCharWidth() * READABLE_CHARS + margins + bar + 16)
        self.editor.setMinimumHeight(fm.lineSpacing() * 12)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit_width()

    # --- the case ---------------------------------------------------------------------------
    def load(self, case_id: str, service) -> None:
        """``service`` is the session's PacketService (None: the section stays empty). The
        letter is read when the section is shown (``refresh``)."""
        self.clear()
        self._service = service
        self._case_id = case_id

    def refresh(self) -> None:
        """Read the letter again (a draft follows the case) unless edits are waiting."""
        if self._service is None or self.dirty:
            return
        try:
            letter = self._service.letter(self._case_id)
        except ImrError as exc:
            self.status.setText(describe(exc))
            return
        self._show(letter)
        self.status.setText("")

    def _show(self, letter: dict) -> None:
        self._letter = dict(letter)
        text = str(letter.get("text", ""))
        self._saved_text = text
        if self.editor.toPlainText() != text:
            self._loading = True
            try:
                self.editor.setPlainText(text)
            finally:
                self._loading = False
        self._update_state()

    def clear(self) -> None:
        """Forget the letter (lock, or leaving the case). Call ``commit`` first to keep edits."""
        self._timer.stop()
        self._service = None
        self._case_id = ""
        self._letter = {}
        self._saved_text = ""
        self._loading = True
        try:
            self.editor.setPlainText("")  # also empties the undo history
        finally:
            self._loading = False
        self.status.setText("")
        self._update_state()

    @property
    def letter(self) -> dict:
        return dict(self._letter)

    @property
    def dirty(self) -> bool:
        return self._service is not None and self.editor.toPlainText() != self._saved_text

    def _update_state(self) -> None:
        has = self._service is not None and bool(self._letter)
        self.state_label.setText(letter_state(self._letter) if has else "")
        self.editor.setEnabled(self._service is not None)
        self.redraft_button.setEnabled(has and (bool(self._letter.get("edited")) or self.dirty))

    # --- saving -------------------------------------------------------------------------------
    def _text_changed(self) -> None:
        if self._loading or self._service is None:
            return
        self._timer.start()
        self.status.setText(self._editing_text())
        self._update_state()

    @staticmethod
    def _editing_text() -> str:
        return _("Editing — saved a moment after you stop typing.")

    def commit(self) -> bool:
        """Save edits still waiting (the timer, leaving the section, the case or locking)."""
        self._timer.stop()
        if not self.dirty:
            if self._service is not None and self.status.text() == self._editing_text():
                self.status.setText(_("All changes saved."))  # typed back to the saved text
            return True
        try:
            letter = self._service.save_letter(self._case_id, self.editor.toPlainText())
        except ImrError as exc:
            self.status.setText(describe(exc))
            return False
        self._letter = dict(letter)
        self._saved_text = self.editor.toPlainText()
        self._update_state()
        self.status.setText(_("All changes saved."))
        self.saved.emit()
        return True

    def redraft(self) -> None:
        if self._service is None:
            return
        if not dialogs.confirm(
            self,
            _("Start again from a fresh draft?"),
            _(
                "Your edits to the letter will be replaced by a new draft built from the case "
                "and the assessment as they are now. Edit ▸ Undo brings the edited text back "
                "until you leave the case."
            ),
            yes=_("Replace with a fresh draft"),
            no=_("Keep my letter"),
        ):
            return
        if self._service is None:  # locked while the question was open
            return
        self._timer.stop()
        try:
            letter = self._service.redraft_letter(self._case_id)
        except ImrError as exc:
            self.status.setText(describe(exc))
            return
        self._show(letter)
        self.status.setText(_("A fresh draft replaced the letter."))
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)
        self.redrafted.emit()
