"""Answer controls that stay readable at any text size.

Qt's radio buttons and check boxes do not wrap their text, so a long answer would be clipped
or force a horizontal scroll at 200 % text size. An :class:`OptionRow` pairs a text-less
button with a word-wrapped label: the label carries the mnemonic (Alt+letter clicks the
button, as a QLabel buddy does), a click on the label clicks the button, and the button
carries the accessible name and description.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from imrdesktop.gui.widgets.common import label


def with_mnemonic(text: str, used: set[str]) -> str:
    """``text`` with an ``&`` before its first letter or digit not in ``used`` (which is
    updated). Existing ampersands are escaped. Without a free letter, no mnemonic."""
    escaped = text.replace("&", "&&")
    for i, ch in enumerate(escaped):
        if ch.isalnum() and ch.casefold() not in used and (i == 0 or escaped[i - 1] != "&"):
            used.add(ch.casefold())
            return escaped[:i] + "&" + escaped[i:]
    return escaped


def mnemonic_letters(texts: Iterable[str]) -> set[str]:
    """The mnemonic letters already taken by ``texts`` (e.g. the wizard's buttons)."""
    taken = set()
    for text in texts:
        i = text.find("&")
        while i != -1 and i + 1 < len(text):
            if text[i + 1] != "&":
                taken.add(text[i + 1].casefold())
                break
            i = text.find("&", i + 2)
    return taken


class _ClickLabel(QLabel):
    """A wrapped label whose click (and mnemonic) clicks its buddy button."""

    def mouseReleaseEvent(self, event) -> None:
        buddy = self.buddy()
        if (
            event.button() == Qt.MouseButton.LeftButton
            and isinstance(buddy, QAbstractButton)
            and buddy.isEnabled()
            and self.rect().contains(event.position().toPoint())
        ):
            buddy.setFocus(Qt.FocusReason.MouseFocusReason)
            buddy.click()
            event.accept()
            return
        super().mouseReleaseEvent(event)


class OptionRow(QWidget):
    """One answer: a radio button or check box with wrapped text and optional help."""

    def __init__(
        self,
        text: str,
        *,
        help_text: str = "",
        check: bool = False,
        name: str = "",
        used_mnemonics: set[str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.button: QAbstractButton = QCheckBox() if check else QRadioButton()
        if name:
            self.setObjectName(f"{name}Row")
            self.button.setObjectName(name)
        self.button.setAccessibleName(text)
        if help_text:
            self.button.setAccessibleDescription(help_text)
        shown = with_mnemonic(text, used_mnemonics) if used_mnemonics is not None else text
        self.text_label = _ClickLabel(shown)
        self.text_label.setWordWrap(True)
        self.text_label.setBuddy(self.button)
        self.text_label.setProperty("role", "option")
        self.text_label.setTextFormat(Qt.TextFormat.PlainText)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 2, 0, 2)
        row.addWidget(self.button, 0, Qt.AlignmentFlag.AlignTop)
        texts = QVBoxLayout()
        texts.setSpacing(1)
        texts.addWidget(self.text_label)
        self.help_label: QLabel | None = None
        if help_text:
            self.help_label = label(help_text, "hint")
            texts.addWidget(self.help_label)
        row.addLayout(texts, 1)

    def text(self) -> str:
        return self.button.accessibleName()
