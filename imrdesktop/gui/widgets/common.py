"""Small helpers shared by screens: labelled fields, styled labels, property refresh."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget


def refresh_style(widget: QWidget) -> None:
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def label(text: str, role: str = "", *, wrap: bool = True, name: str = "") -> QLabel:
    lab = QLabel(text)
    if role:
        lab.setProperty("role", role)
    lab.setWordWrap(wrap)
    lab.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    if name:
        lab.setObjectName(name)
    return lab


def primary_button(text: str, name: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setProperty("primary", True)
    button.setAccessibleName(text.replace("&", ""))
    return button


def button(text: str, name: str) -> QPushButton:
    b = QPushButton(text)
    b.setObjectName(name)
    b.setAccessibleName(text.replace("&", ""))
    return b


def sensitive_line_edit(name: str, accessible: str, *, password: bool = False) -> QLineEdit:
    """A field that may hold client data or a secret: no IME learning or prediction."""
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setAccessibleName(accessible)
    edit.setInputMethodHints(
        Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText
    )
    if password:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setInputMethodHints(edit.inputMethodHints() | Qt.InputMethodHint.ImhHiddenText)
    return edit


def set_field_error(edit: QWidget, message_label: QLabel, message: str) -> None:
    edit.setProperty("invalid", bool(message))
    refresh_style(edit)
    message_label.setText(message)
    message_label.setVisible(bool(message))
