"""Caseload statistics for funder reporting: cases by pathway and by status, IMR outcomes and
the care-approved rate beside the statewide figure, and a CSV export that holds counts only.

It shows a :class:`~imrdesktop.services.caseload.Stats`; it counts nothing itself. Run it
through ``dialogs.run_dialog`` and ``dialogs.dispose``.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from imrdesktop.domain.errors import ImrError
from imrdesktop.domain.timeline import STATUS_LABELS
from imrdesktop.gui import dialogs
from imrdesktop.gui.widgets.common import button, label
from imrdesktop.i18n import _, ngettext
from imrdesktop.services.caseload import NOT_ASSESSED, Stats, export_text, stats_csv

# Below this many decided cases the rate is not shown: one case would swing it too far.
MIN_DECIDED_FOR_RATE = 5


def pathway_text(key: str) -> str:
    if key == NOT_ASSESSED:
        return _("Not assessed yet")
    from imrdesktop.domain.wording import pathway_label
    from imrdesktop.services.assessment import wording

    return pathway_label(key, wording())


def percent(rate: float) -> str:
    return _("{pct}%").format(pct=round(rate * 100))


def rate_text(stats: Stats) -> tuple[str, str]:
    """(the rate as shown, the sentence under it)."""
    if stats.rate is None or stats.decided < MIN_DECIDED_FOR_RATE:
        return "—", ngettext(
            "Shown once {min} cases have an IMR decision (so far {n}): with fewer, a single "
            "case moves the rate too much to mean anything.",
            "Shown once {min} cases have an IMR decision (so far {n}): with fewer, a single "
            "case moves the rate too much to mean anything.",
            stats.decided,
        ).format(min=MIN_DECIDED_FOR_RATE, n=stats.decided)
    return percent(stats.rate), ngettext(
        "Care approved in {approved} of {n} decided case.",
        "Care approved in {approved} of {n} decided cases.",
        stats.decided,
    ).format(approved=stats.care_approved, n=stats.decided)


class StatisticsDialog(QDialog):
    """The figures and "Export CSV…" (confirm → save path → write)."""

    def __init__(self, stats: Stats, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statisticsDialog")
        self.setWindowTitle(_("Caseload statistics"))
        self.stats = stats
        self.today = today
        self.values: dict[str, str] = {}  # figure key -> the text shown (for tests)

        outer = QVBoxLayout(self)
        scroll = QScrollArea()
        scroll.setObjectName("statisticsScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = self._body = QWidget()
        body.setObjectName("statisticsBody")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(12)
        layout.addWidget(label(_("Caseload statistics"), "title", name="statisticsTitle"))
        layout.addWidget(
            label(
                ngettext(
                    "{n} case in this vault, as of {date}.",
                    "{n} cases in this vault, as of {date}.",
                    stats.total,
                ).format(n=stats.total, date=_long(today)),
                "subtitle",
                name="statisticsTotal",
            )
        )
        self.values["total"] = str(stats.total)

        counts = QHBoxLayout()
        counts.setSpacing(12)
        counts.addWidget(
            self._card(
                "pathwayCard",
                _("Cases by pathway"),
                [(f"pathway.{k}", pathway_text(k), n) for k, n in stats.by_pathway.items()],
            ),
            1,
        )
        counts.addWidget(
            self._card(
                "statusCard",
                _("Cases by status"),
                [
                    (f"status.{k}", _(STATUS_LABELS.get(k, k)), n)
                    for k, n in stats.by_status.items()
                ],
            ),
            1,
        )
        layout.addLayout(counts)

        rate, why = rate_text(stats)
        outcomes = self._card(
            "outcomesCard",
            _("IMR outcomes"),
            [
                ("decided", _("IMR decided"), stats.decided),
                (
                    "care_approved",
                    _("Care approved (overturned or plan reversed)"),
                    stats.care_approved,
                ),
                ("rate", _("Care-approved rate"), rate),
            ],
        )
        grid: QGridLayout = outcomes.layout()
        row = grid.rowCount()
        self.rate_note = label(why, "hint", name="rateNote")
        grid.addWidget(self.rate_note, row, 0, 1, 2)
        self.statewide_label = label(stats.statewide_note, "statewide", name="statewideNote")
        outcome_row = QHBoxLayout()
        outcome_row.setSpacing(12)
        outcome_row.addWidget(outcomes, 3)
        outcome_row.addWidget(self.statewide_label, 2, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(outcome_row)
        layout.addWidget(
            label(
                _(
                    "Counts come from the case list: the pathway of each case's last "
                    "assessment and the outcome recorded on its timeline."
                ),
                "hint",
            )
        )
        layout.addStretch(1)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        bottom = QHBoxLayout()
        self.export_button = button(_("&Export CSV…"), "exportStatisticsButton")
        self.export_button.setAccessibleDescription(
            _("Save these counts as a CSV file for funder reporting (no client data)")
        )
        self.export_button.clicked.connect(self.export_csv)
        bottom.addWidget(self.export_button)
        self.export_status = label("", "hint", name="exportStatus")
        bottom.addWidget(self.export_status, 1)
        self.close_button = button(_("Close"), "closeStatisticsButton")
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.accept)
        bottom.addWidget(self.close_button)
        outer.addLayout(bottom)
        self.setMinimumWidth(560)
        self._fit()

    def _card(self, name: str, title: str, rows: list[tuple[str, str, object]]) -> QFrame:
        card = QFrame()
        card.setObjectName(name)
        card.setProperty("role", "card")
        grid = QGridLayout(card)
        grid.setContentsMargins(12, 10, 12, 10)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(4)
        grid.addWidget(label(title, "heading"), 0, 0, 1, 2)
        if not rows:
            grid.addWidget(label(_("No cases yet."), "hint"), 1, 0, 1, 2)
        for n, (key, text, value) in enumerate(rows, start=1):
            shown = str(value)
            name_label = label(text, name=f"statName_{key}")
            name_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            value_label = label(shown, "figure", wrap=False, name=f"statValue_{key}")
            value_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            value_label.setAccessibleName(_("{what}: {value}").format(what=text, value=shown))
            grid.addWidget(name_label, n, 0)
            grid.addWidget(value_label, n, 1)
            self.values[key] = shown
        grid.setColumnStretch(0, 1)
        return card

    def _fit(self) -> None:
        """As wide as the figures need (within the screen), tall enough to show them all."""
        screen = self.screen().availableGeometry() if self.screen() else None
        body = self._body.sizeHint()
        width = max(body.width() + 48, 760)
        # The wrapped labels' height at that width, plus the buttons' row and the margins.
        body_height = self._body.layout().totalHeightForWidth(width - 48)
        height = max(body_height, body.height()) + self.export_button.sizeHint().height() + 64
        if screen is not None:
            width = min(width, int(screen.width() * 0.9))
            height = min(height, int(screen.height() * 0.9))
        self.resize(width, height)

    # --- export -----------------------------------------------------------------------------
    def export_csv(self) -> None:
        if not dialogs.confirm(
            self,
            _("Export the statistics?"),
            _(
                "The CSV file holds counts only — no client names, member ids, case numbers "
                "or dates. It is not encrypted, so it can be sent to a funder as it is."
            ),
            yes=_("Export"),
        ):
            return
        path = dialogs.choose_save_path(
            self,
            _("Export the statistics"),
            f"imr-caseload-statistics-{self.today.isoformat()}.csv",
            _("CSV files (*.csv)"),
            default_suffix="csv",
        )
        if path is None:
            return
        try:
            export_text(path, stats_csv(self.stats))
        except (ImrError, OSError) as exc:
            from imrdesktop.gui.errors import show_error

            self.export_status.setText("")
            show_error(self, exc, _("Statistics not exported"))
            return
        self.export_status.setText(_("Saved as {name}.").format(name=path.name))


def _long(day: dt.date) -> str:
    from imrdesktop.gui.screens.case_list import long_date

    return long_date(day)
