"""The criteria result page: verdict, dated deadlines, warnings, why, and what is missing.

It shows a :class:`~imrdesktop.services.criteria_result.ResultModel`; it decides nothing.
Papers on the missing list offer a button to the Documents section
(``show_section_requested("documents")``).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QEvent, QLocale, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from imrdesktop.gui.widgets.common import button, label
from imrdesktop.i18n import _, current_language, ngettext
from imrdesktop.services.criteria_result import DeadlineRow, ResultModel


def long_date(day: dt.date) -> str:
    """A date as people read it, e.g. "Thu 1 Oct 2026", in the interface language."""
    return QLocale(current_language()).toString(
        QDate(day.year, day.month, day.day), "ddd d MMM yyyy"
    )


def days_text(row: DeadlineRow) -> str:
    n = row.days_left
    if n == 0:
        return _("today")
    if n > 0:
        return ngettext("{n} day left", "{n} days left", n).format(n=n)
    if row.reached:
        return ngettext("reached {n} day ago", "reached {n} days ago", -n).format(n=-n)
    return ngettext("{n} day overdue", "{n} days overdue", -n).format(n=-n)


def scale_font(widget: QWidget, base: QFont, factor: float, *, bold: bool = True) -> None:
    font = QFont(base)
    if base.pointSizeF() > 0:
        font.setPointSizeF(base.pointSizeF() * factor)
    else:
        font.setPixelSize(round(base.pixelSize() * factor))
    font.setBold(bold)
    widget.setFont(font)


class ResultView(QWidget):
    """Everything the engine said about a case, in reading order."""

    show_section_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultView")
        self.model: ResultModel | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(8)
        self.verdict_label = label("", "verdict", name="verdictLabel")
        # Focusable, so a screen reader reads the verdict first and Enter reaches Finish.
        self.verdict_label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.explanation_label = label("", "", name="verdictExplanation")
        self.summary_label = label("", "hint", name="verdictSummary")
        self._layout.addWidget(self.verdict_label)
        self._layout.addWidget(self.explanation_label)
        self._layout.addWidget(self.summary_label)
        self._body = QVBoxLayout()
        self._body.setSpacing(6)
        self._layout.addLayout(self._body)
        self._headings: list[QLabel] = []
        self.deadline_labels: dict[str, QLabel] = {}
        self.warning_labels: dict[str, QLabel] = {}
        self.reason_labels: list[QLabel] = []
        self.missing_labels: list[QLabel] = []
        self.document_buttons: list = []
        self._apply_fonts()

    # --- fonts follow the app's text size ---------------------------------------------------
    def _apply_fonts(self) -> None:
        base = self.font()
        scale_font(self.verdict_label, base, 1.45)
        for heading in self._headings:
            scale_font(heading, base, 1.15)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._apply_fonts()
        super().changeEvent(event)

    # --- content ---------------------------------------------------------------------------
    def clear(self) -> None:
        self.model = None
        self.verdict_label.clear()
        self.explanation_label.clear()
        self.summary_label.clear()
        self._clear_body()

    def _clear_body(self) -> None:
        while self._body.count():
            item = self._body.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self._headings = []
        self.deadline_labels = {}
        self.warning_labels = {}
        self.reason_labels = []
        self.missing_labels = []
        self.document_buttons = []

    def _heading(self, text: str, name: str) -> None:
        heading = label(text, "heading", name=name)
        heading.setAccessibleName(text)
        self._headings.append(heading)
        self._body.addWidget(heading)

    def _card(self, name: str) -> QVBoxLayout:
        card = QFrame()
        card.setObjectName(name)
        card.setProperty("role", "card")
        box = QVBoxLayout(card)
        box.setContentsMargins(12, 10, 12, 10)
        box.setSpacing(6)
        self._body.addWidget(card)
        return box

    def show_result(self, model: ResultModel) -> None:
        self._clear_body()
        self.model = model
        self.verdict_label.setText(model.headline)
        self.verdict_label.setAccessibleName(model.headline)
        self.verdict_label.setProperty("outcome", model.outcome)
        self.explanation_label.setText(model.explanation)
        facts = [_("Route: {pathway}").format(pathway=model.pathway_label)]
        if model.decision_days:
            facts.append(
                ngettext(
                    "decision within {n} day of a complete application",
                    "decision within {n} days of a complete application",
                    model.decision_days,
                ).format(n=model.decision_days)
            )
        if model.eligible_on:
            facts.append(_("can file from {date}").format(date=long_date(model.eligible_on)))
        self.summary_label.setText(_(" · ").join(facts))

        self._heading(_("Deadlines"), "deadlinesHeading")
        box = self._card("deadlinesCard")
        if not model.deadlines:
            box.addWidget(label(_("No deadline applies to this result."), "hint"))
        for row in model.deadlines:
            text = _("{label}: {date} — {days}").format(
                label=row.label, date=long_date(row.date), days=days_text(row)
            )
            lab = label(text, "deadline", name=f"deadline_{row.key}")
            lab.setProperty("overdue", row.overdue)
            lab.setProperty("legal", row.legal_last_day)
            lab.setAccessibleName(text)
            box.addWidget(lab)
            self.deadline_labels[row.key] = lab

        if model.warnings:
            self._heading(_("Warnings"), "warningsHeading")
            box = self._card("warningsCard")
            for w in model.warnings:
                text = _("Verify with DMHC: {text}").format(text=w.text) if w.verify else w.text
                lab = label(text, "warning", name=f"warning_{w.id}")
                lab.setProperty("verify", w.verify)
                lab.setAccessibleName(text)
                box.addWidget(lab)
                self.warning_labels[w.id] = lab

        if model.reasons:
            self._heading(_("Why"), "reasonsHeading")
            box = self._card("reasonsCard")
            for r in model.reasons:
                text = _("{text} ({citation})").format(text=r.text, citation=r.citation)
                lab = label(text, "", name=f"reason_{r.rule}")
                lab.setAccessibleName(text)
                box.addWidget(lab)
                self.reason_labels.append(lab)

        self._heading(_("Missing from the file"), "missingHeading")
        box = self._card("missingCard")
        if not model.missing:
            box.addWidget(label(_("Nothing is missing, as far as these answers show."), "hint"))
        for i, m in enumerate(model.missing):
            item = m.text[:1].upper() + m.text[1:]
            if m.verify:
                text = _("☐ Check: {item}").format(item=item)
            else:
                text = _("☐ {item}").format(item=item)
            row = QHBoxLayout()
            lab = label(text, "missing", name=f"missing_{i}")
            lab.setAccessibleName(text)
            row.addWidget(lab, 1)
            self.missing_labels.append(lab)
            if m.section == "documents":
                go = button(_("Go to Documents"), f"missingDocuments_{i}")
                go.setAccessibleName(_("Go to Documents: {item}").format(item=item))
                go.clicked.connect(lambda _c=False: self.show_section_requested.emit("documents"))
                row.addWidget(go)
                self.document_buttons.append(go)
            box.addLayout(row)
        self._body.addWidget(
            label(
                _(
                    "This assessment applies the rules built into IMR Desktop to the answers "
                    "given. It is guidance for the advocate, not legal advice."
                ),
                "hint",
                name="resultDisclaimer",
            )
        )
        self._apply_fonts()
