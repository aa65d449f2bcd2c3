"""The caseload: every client in the vault, most urgent first, searchable as you type.

Built for a vault of 1,000 cases: every text a row shows or is searched by is computed once
when the rows arrive (no per-row widgets, nothing decrypted per row), the search filter only
tests precomputed lowercase text, and column widths come from font metrics, never from
measuring every row. Risk is shown by a coloured marker with its word beside the days left
("Overdue", "Due within 7 days", …): colour is never the only sign.

On unlock a short "Due soon" panel lists what falls due within 14 days; each line opens its
case, and Dismiss hides it until the next unlock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QEvent,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from imrdesktop.domain.timeline import DECIDED, STATUS_LABELS, STATUSES
from imrdesktop.gui.widgets.common import button, label, primary_button, sensitive_line_edit
from imrdesktop.i18n import _, current_language, ngettext
from imrdesktop.services.session import RISK_LABELS

_Index = QModelIndex | QPersistentModelIndex

DUE_SOON_DAYS = 14
DUE_SOON_LINES = 5
# Filter choices besides the statuses themselves.
ALL_CASES = ""
OPEN_CASES = "__open__"
CLOSED_STATUSES = frozenset({"complied"})

# Roles the view and the tests read besides Display/Accessible text.
RISK_ROLE = Qt.ItemDataRole.UserRole + 1  # "overdue" | "week" | "month" | "later" | "none"
RISK_WORD_ROLE = Qt.ItemDataRole.UserRole + 2  # the marker's word, "" without a marker
AFTER_MARKER_ROLE = Qt.ItemDataRole.UserRole + 3  # the days text drawn after the marker

# Marker colours (fill, text) by risk; the word is drawn inside the marker.
RISK_COLOURS = {
    "overdue": ("#a61b1b", "#ffffff"),  # red
    "week": ("#e8a317", "#2b1d00"),  # amber
    "month": ("#f7e35c", "#3a3300"),  # yellow
}
# Whole-row tints, lighter, so a row's risk shows at a glance (with the marker's word).
RISK_TINTS = {"overdue": "#fbe4e4", "week": "#fdf0d5", "month": "#fdf9d8"}


def _qlocale() -> QLocale:
    return QLocale(current_language())


def long_date(day: dt.date) -> str:
    """ "Nov 30, 2026" (the order follows the translation of the format)."""
    # Translators: a Qt date format (MMM = short month name, d = day, yyyy = year).
    return _qlocale().toString(QDate(day.year, day.month, day.day), _("MMM d, yyyy"))


def short_date(day: dt.date) -> str:
    """ "Nov 30": the due-soon lines, where the year is plain."""
    # Translators: a Qt date format (MMM = short month name, d = day).
    return _qlocale().toString(QDate(day.year, day.month, day.day), _("MMM d"))


def days_left_text(days: int | None) -> str:
    """ "3 days left", "due today", "overdue by 2 days", or "—" without a deadline."""
    if days is None:
        return "—"
    if days == 0:
        return _("due today")
    if days > 0:
        return ngettext("{n} day left", "{n} days left", days).format(n=days)
    return ngettext("overdue by {n} day", "overdue by {n} days", -days).format(n=-days)


def after_marker_text(days: int | None) -> str:
    """The days text beside an "Overdue" marker says "by 2 days", not "overdue" twice."""
    if days is not None and days < 0:
        return ngettext("by {n} day", "by {n} days", -days).format(n=-days)
    return days_left_text(days)


def risk_word(risk: str) -> str:
    """The marker's word; "" for risks that get no marker (later, none)."""
    return _(RISK_LABELS[risk]) if risk in RISK_COLOURS else ""


def status_choices() -> list[tuple[str, str]]:
    """(label, filter value) for the status filter, in the order a case goes through."""
    return [
        (_("All cases"), ALL_CASES),
        (_("Open cases (not closed)"), OPEN_CASES),
        *((_(STATUS_LABELS[s]), s) for s in STATUSES),
    ]


def deadline_what(row) -> str:
    what = row.next_deadline.get("what", "") if row.next_deadline else ""
    return _(what) if what else ""


@dataclass(frozen=True, slots=True)
class _Shown:
    """One row as the table shows and searches it, computed once."""

    row: object  # services.session.CaseRow
    name: str
    status: str
    deadline: str
    days: str
    risk: str
    risk_word: str
    after_marker: str
    hay: str  # casefolded "name member id case number"
    urgency: int  # position in the default order


class CaseTableModel(QAbstractTableModel):
    # Days left sits beside the name: the list is sorted by it, and it stays in view when
    # large text makes the table scroll sideways.
    COLUMNS = ("name", "days", "deadline", "status")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._shown: list[_Shown] = []
        self._tints = {k: QBrush(QColor(v)) for k, v in RISK_TINTS.items()}

    # --- rows --------------------------------------------------------------------
    def set_rows(self, rows: list) -> None:
        """Show ``rows`` (CaseRow) most urgent first: overdue, then the soonest deadline,
        cases without a deadline last, then by name."""
        ordered = sorted(
            rows, key=lambda r: (r.days_left is None, r.days_left or 0, r.name.casefold())
        )
        dates: dict[str, str] = {}
        statuses: dict[str, str] = {}
        shown = []
        for n, r in enumerate(ordered):
            if r.next_deadline:
                iso = r.next_deadline["date"]
                when = dates.get(iso)
                if when is None:
                    when = dates[iso] = long_date(dt.date.fromisoformat(iso))
                deadline = _("{what} — {date}").format(what=deadline_what(r), date=when)
            elif r.status in DECIDED:
                deadline = _("Nothing due")
            else:
                deadline = _("Not assessed yet")
            status = r.status_label or statuses.get(r.status)
            if not status:
                status = statuses[r.status] = _(STATUS_LABELS.get(r.status, r.status))
            shown.append(
                _Shown(
                    row=r,
                    name=r.name,
                    status=status,
                    deadline=deadline,
                    days=days_left_text(r.days_left),
                    risk=r.risk,
                    risk_word=risk_word(r.risk),
                    after_marker=after_marker_text(r.days_left),
                    hay=f"{r.name}\n{r.member_id}\n{r.case_id}".casefold(),
                    urgency=n,
                )
            )
        self.beginResetModel()
        self._shown = shown
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    def row_at(self, row: int):
        return self._shown[row].row

    def shown_at(self, row: int) -> _Shown:
        return self._shown[row]

    def all_shown(self) -> list[_Shown]:
        return self._shown

    # --- Qt model ----------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return (_("Client"), _("Days left"), _("Next deadline"), _("Status"))[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        s = self._shown[index.row()]
        col = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (s.name, s.days, s.deadline, s.status)[index.column()]
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if col == "days" and s.risk_word:
                return _("{risk}: {days}").format(risk=s.risk_word, days=s.days)
            return (s.name, s.days, s.deadline, s.status)[index.column()]
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._tints.get(s.risk)
        if role == Qt.ItemDataRole.ToolTipRole and col == "days" and s.risk_word:
            return s.risk_word
        if role == RISK_ROLE:
            return s.risk
        if role == RISK_WORD_ROLE:
            return s.risk_word
        if role == AFTER_MARKER_ROLE:
            return s.after_marker
        if role == Qt.ItemDataRole.UserRole:
            return s.hay  # what the search box matches: name, member id, case number
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Sort the rows themselves (a Python list sort on precomputed keys), so the
        proxy never compares rows through ``data()``."""
        if not self._shown or not 0 <= column < len(self.COLUMNS):
            return
        col = self.COLUMNS[column]
        if col == "name":
            key = lambda s: (s.name.casefold(), s.urgency)  # noqa: E731
        elif col == "status":
            rank = {code: n for n, code in enumerate(STATUSES)}
            key = lambda s: (rank.get(s.row.status, len(rank)), s.urgency)  # noqa: E731
        else:  # the deadline and days left both sort by urgency
            key = lambda s: s.urgency  # noqa: E731
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_rows = [(ix.row(), ix.column()) for ix in old]
        before = {id(s): n for n, s in enumerate(self._shown)}
        self._shown.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        moved = {before[id(s)]: n for n, s in enumerate(self._shown)}
        self.changePersistentIndexList(old, [self.index(moved[r], c) for r, c in old_rows])
        self.layoutChanged.emit()


class CaseFilter(QSortFilterProxyModel):
    """Search words (all must appear) and a status choice. The order is the source model's:
    sorting is forwarded to it (see :meth:`CaseTableModel.sort`)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._needle: list[str] = []
        self._status = ALL_CASES
        self._source: CaseTableModel | None = None

    def setSourceModel(self, model) -> None:
        self._source = model
        super().setSourceModel(model)

    def set_needle(self, text: str) -> None:
        self.beginFilterChange()
        self._needle = text.casefold().split()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_status(self, status: str) -> None:
        self.beginFilterChange()
        self._status = status
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filtering(self) -> bool:
        return bool(self._needle) or self._status != ALL_CASES

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        shown = self._source.shown_at(source_row)
        status = self._status
        if status:
            code = shown.row.status
            if status == OPEN_CASES:
                if code in CLOSED_STATUSES:
                    return False
            elif code != status:
                return False
        hay = shown.hay
        return all(word in hay for word in self._needle)

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self.sourceModel().sort(column, order)


class RiskDelegate(QStyledItemDelegate):
    """The Days left cell: a coloured marker holding the risk's word, then the days text."""

    PAD = 6  # horizontal padding inside the marker, and the gap after it

    def _marker(self, option, word: str) -> tuple[QFontMetrics, int]:
        fm = QFontMetrics(option.font)
        return fm, fm.horizontalAdvance(word) + 2 * self.PAD

    def paint(self, painter: QPainter, option, index) -> None:
        word = index.data(RISK_WORD_ROLE) or ""
        risk = index.data(RISK_ROLE)
        if not word or risk not in RISK_COLOURS:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = index.data(AFTER_MARKER_ROLE) or opt.text
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        fm, width = self._marker(opt, word)
        r = opt.rect.adjusted(4, 3, -4, -3)
        pill = QRect(r.left(), r.top(), min(width, r.width()), r.height())
        fill, ink = RISK_COLOURS[risk]
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(fill).darker(125), 1))
        painter.setBrush(QColor(fill))
        radius = min(pill.height() / 2, 8)
        painter.drawRoundedRect(pill, radius, radius)
        painter.setPen(QColor(ink))
        painter.setFont(opt.font)
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, word)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        group = QPalette.ColorGroup.Normal
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(opt.palette.color(group, role))
        rest = QRect(
            pill.right() + self.PAD, r.top(), r.right() - pill.right() - self.PAD, r.height()
        )
        painter.drawText(
            rest,
            int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
            fm.elidedText(text, Qt.TextElideMode.ElideRight, max(0, rest.width())),
        )
        painter.restore()

    def sizeHint(self, option, index) -> QSize:
        size = super().sizeHint(option, index)
        word = index.data(RISK_WORD_ROLE) or ""
        if word:
            _fm, width = self._marker(option, word)
            size.setWidth(size.width() + width + self.PAD + 8)
        return size


class DueSoonPanel(QFrame):
    """What falls due within 14 days (overdue first), up to five lines, each opening its
    case. Shown on unlock, not a pop-up; Dismiss hides it until the next unlock."""

    open_case = Signal(str)
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dueSoonPanel")
        self.setProperty("role", "dueSoon")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(2)
        top = QHBoxLayout()
        self.heading = label("", "dueSoonHeading", name="dueSoonHeading")
        top.addWidget(self.heading, 1)
        self.dismiss_button = button(_("&Dismiss"), "dueSoonDismissButton")
        self.dismiss_button.setAccessibleDescription(_("Hide the list of cases due soon"))
        self.dismiss_button.clicked.connect(self._dismiss)
        top.addWidget(self.dismiss_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        self._lines_box = QVBoxLayout()
        self._lines_box.setSpacing(0)
        layout.addLayout(self._lines_box)
        self.more_label = label("", "hint", name="dueSoonMore")
        layout.addWidget(self.more_label)
        self.lines: list[QPushButton] = []
        self.setVisible(False)

    def set_rows(self, rows: list) -> None:
        """Show ``rows`` (already due soon, soonest first); hidden when there are none."""
        self._wipe()
        if not rows:
            self.setVisible(False)
            return
        self.heading.setText(
            ngettext("Due soon: {n} case", "Due soon: {n} cases", len(rows)).format(n=len(rows))
        )
        for n, r in enumerate(rows[:DUE_SOON_LINES]):
            when = dt.date.fromisoformat(r.next_deadline["date"]) if r.next_deadline else None
            text = _("{name} — {what} — {date} ({days})").format(
                name=r.name or _("(no name)"),
                what=deadline_what(r),
                date=short_date(when) if when else "—",
                days=days_left_text(r.days_left),
            )
            line = QPushButton(text)
            line.setObjectName(f"dueSoonLine{n}")
            line.setProperty("role", "link")
            line.setProperty("risk", r.risk)
            line.setFlat(True)
            line.setCursor(Qt.CursorShape.PointingHandCursor)
            line.setAccessibleName(text)
            line.setAccessibleDescription(_("Open this case"))
            line.clicked.connect(lambda _c=False, cid=r.case_id: self.open_case.emit(cid))
            self._lines_box.addWidget(line, 0, Qt.AlignmentFlag.AlignLeft)
            self.lines.append(line)
        chain = [self.dismiss_button, *self.lines]
        for before, after in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(before, after)
        extra = len(rows) - DUE_SOON_LINES
        self.more_label.setText(
            ngettext(
                "and {n} more — the list below is sorted by urgency",
                "and {n} more — the list below is sorted by urgency",
                extra,
            ).format(n=extra)
            if extra > 0
            else ""
        )
        self.more_label.setVisible(extra > 0)
        self.setVisible(True)

    def _wipe(self) -> None:
        """Remove the lines now (their text names clients), not at the next event loop."""
        for line in self.lines:
            line.setText("")
            line.setAccessibleName("")
            line.hide()
            line.setParent(None)
            line.deleteLater()
        self.lines = []
        self.heading.setText("")
        self.more_label.setText("")

    def clear(self) -> None:
        self._wipe()
        self.setVisible(False)

    def _dismiss(self) -> None:
        self.clear()
        self.dismissed.emit()


class CaseListScreen(QWidget):
    open_case = Signal(str)
    new_case = Signal()
    statistics_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseListScreen")
        self._due_soon_active = False  # between unlock and Dismiss
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        top = QHBoxLayout()
        top.addWidget(label(_("Cases"), "title", wrap=False))
        top.addStretch(1)
        self.stats_button = button(_("Stat&istics…"), "statisticsButton")
        self.stats_button.setAccessibleDescription(
            _("Counts and outcome rates of the caseload, with a CSV export for funders")
        )
        self.stats_button.clicked.connect(self.statistics_requested)
        top.addWidget(self.stats_button)
        self.new_button = primary_button(_("&New case…"), "newCaseButton")
        self.new_button.clicked.connect(self.new_case)
        top.addWidget(self.new_button)
        layout.addLayout(top)
        self.training_banner = label(
            _(
                "Training vault: the clients here are fictional. Practise freely — everything "
                "is deleted when you quit, and anything printed is marked SAMPLE."
            ),
            "banner",
            name="trainingBanner",
        )
        self.training_banner.setVisible(False)
        layout.addWidget(self.training_banner)

        self.due_soon = DueSoonPanel()
        self.due_soon.open_case.connect(self.open_case)
        self.due_soon.dismissed.connect(self._due_soon_dismissed)
        layout.addWidget(self.due_soon)

        filters = QHBoxLayout()
        self.search_edit = sensitive_line_edit("caseSearchEdit", _("Search cases"))
        self.search_edit.setPlaceholderText(_("Search by name, member id or case number"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(240)
        filters.addWidget(self.search_edit, 3)
        show_label = label(_("&Show:"), wrap=False)
        filters.addWidget(show_label)
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("statusFilterCombo")
        self.status_combo.setAccessibleName(_("Show cases with this status"))
        for text, value in status_choices():
            self.status_combo.addItem(text, value)
        self.status_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        show_label.setBuddy(self.status_combo)
        filters.addWidget(self.status_combo, 1)
        layout.addLayout(filters)

        self.model = CaseTableModel(self)
        self.proxy = CaseFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setObjectName("caseTable")
        self.table.setAccessibleName(_("Case list"))
        self.table.setAccessibleDescription(_("Most urgent first. Enter opens the selected case."))
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table, arrows move in it
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self._risk_delegate = RiskDelegate(self.table)
        self.table.setItemDelegateForColumn(
            CaseTableModel.COLUMNS.index("days"), self._risk_delegate
        )
        header = self.table.horizontalHeader()
        header.setAccessibleName(_("Columns (choose one to sort by it)"))
        self.table.verticalHeader().setAccessibleName(_("Rows"))
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # Sorted by urgency (the Days left column) until a column title is clicked.
        header.setSortIndicator(CaseTableModel.COLUMNS.index("days"), Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.activated.connect(self._activated)
        layout.addWidget(self.table, 1)
        self.count_label = label("", "hint", name="caseCountLabel")
        layout.addWidget(self.count_label)
        self.empty_label = label(
            _("No cases yet. Choose “New case…” to add your first client."),
            "hint",
            name="emptyCasesLabel",
        )
        layout.addWidget(self.empty_label)
        self.search_edit.textChanged.connect(self._search)
        self.search_edit.returnPressed.connect(self._open_first)
        self.search_edit.installEventFilter(self)
        self.status_combo.currentIndexChanged.connect(self._status_chosen)
        self.setTabOrder(self.search_edit, self.status_combo)
        self.setTabOrder(self.status_combo, self.table)
        self._measure = self._distinct_texts()
        self._fit_rows()

    # --- rows ------------------------------------------------------------------------
    def set_training(self, training: bool) -> None:
        self.training_banner.setVisible(training)

    def set_rows(self, rows: list) -> None:
        header = self.table.horizontalHeader()
        self.model.set_rows(rows)
        if header.sortIndicatorSection() != CaseTableModel.COLUMNS.index("days") or (
            header.sortIndicatorOrder() != Qt.SortOrder.AscendingOrder
        ):
            self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self._measure = self._distinct_texts()
        self._fit_columns()
        self._update_counts()
        self._select_first()
        if self._due_soon_active:  # back from a case: what was handled leaves the list
            self._show_due_soon(rows)

    def clear(self) -> None:
        self.search_edit.setText("")  # unlike clear(), leaves nothing to undo
        self.status_combo.setCurrentIndex(0)
        self._due_soon_active = False
        self.due_soon.clear()
        self.model.clear()
        self._update_counts()

    # --- due soon ------------------------------------------------------------------------
    def show_due_soon(self, rows: list) -> None:
        """On unlock: list what falls due within 14 days (nothing when nothing is)."""
        self._due_soon_active = True
        self._show_due_soon(rows)

    def _show_due_soon(self, rows: list) -> None:
        from imrdesktop.services.caseload import reminders

        due = reminders(rows, DUE_SOON_DAYS)
        self.due_soon.set_rows(due)
        if self.due_soon.lines:  # Tab: Dismiss, the lines, then the search box
            QWidget.setTabOrder(self.due_soon.lines[-1], self.search_edit)
        if not due:
            self._due_soon_active = False

    def _due_soon_dismissed(self) -> None:
        self._due_soon_active = False
        self.search_edit.setFocus()

    # --- search and filter ------------------------------------------------------------------
    def _update_counts(self) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        self.empty_label.setVisible(total == 0)
        self.table.setVisible(total > 0)
        if total and self.proxy.filtering():
            self.count_label.setText(
                ngettext(
                    "{shown} of {total} case shown", "{shown} of {total} cases shown", total
                ).format(shown=shown, total=total)
            )
        else:
            self.count_label.setText(ngettext("{n} case", "{n} cases", total).format(n=total))

    def _search(self, text: str) -> None:
        self.proxy.set_needle(text)
        self._update_counts()
        self._select_first()

    def _status_chosen(self, _index: int) -> None:
        self.proxy.set_status(self.status_combo.currentData() or ALL_CASES)
        self._update_counts()
        self._select_first()

    def set_status_filter(self, value: str) -> None:
        self.status_combo.setCurrentIndex(max(0, self.status_combo.findData(value)))

    def _select_first(self) -> None:
        if self.proxy.rowCount():
            self.table.setCurrentIndex(self.proxy.index(0, 0))
            self.table.selectRow(0)

    def _activated(self, index: QModelIndex) -> None:
        src = self.proxy.mapToSource(index)
        self.open_case.emit(self.model.row_at(src.row()).case_id)

    def _open_first(self) -> None:
        if self.proxy.rowCount():
            current = self.table.currentIndex()
            self._activated(current if current.isValid() else self.proxy.index(0, 0))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Down arrow in the search box goes to the list, so the keyboard never has to Tab.
        if (
            watched is self.search_edit
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Down
            and self.proxy.rowCount()
        ):
            self.table.setFocus()
            if not self.table.currentIndex().isValid():
                self._select_first()
            return True
        return super().eventFilter(watched, event)

    def focus(self) -> None:
        self.search_edit.setFocus()

    # --- sizes (font metrics, never every row) --------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit_rows()
            self._fit_columns()

    def _fit_rows(self) -> None:
        fm = self.table.fontMetrics()
        self.table.verticalHeader().setDefaultSectionSize(fm.height() + 14)

    def _fit_columns(self) -> None:
        """Column widths from the distinct texts (a few dozen even for 1,000 cases; names:
        the longest few). When everything fits, the Client column takes the rest; when not
        (large text, a narrow window), each column keeps its full width and the table
        scrolls sideways rather than cutting a date or a name short."""
        names, statuses, deadlines, days = self._measure
        fm = self.table.fontMetrics()
        header_fm = self.table.horizontalHeader().fontMetrics()
        pad = fm.averageCharWidth() * 3
        cols = CaseTableModel.COLUMNS
        marker = RiskDelegate.PAD

        def width(col: str, texts) -> int:
            title = self.model.headerData(cols.index(col), Qt.Orientation.Horizontal)
            widest = max((fm.horizontalAdvance(t) for t in texts), default=0)
            return max(widest, header_fm.horizontalAdvance(title) + pad) + pad

        wanted = {
            "status": width("status", statuses),
            "deadline": width("deadline", deadlines),
            "days": max(
                max(
                    (
                        fm.horizontalAdvance(d) + (fm.horizontalAdvance(w) + 4 * marker if w else 0)
                        for d, w in days
                    ),
                    default=0,
                )
                + pad,
                # never narrower than its own title (all "—" made it a sliver)
                width("days", ()),
            ),
        }
        avail = self.table.viewport().width() or 1000
        name_min = min(width("name", names), max(avail // 4, fm.averageCharWidth() * 20))
        header = self.table.horizontalHeader()
        for col, w in wanted.items():
            self.table.setColumnWidth(cols.index(col), w)
        if name_min + sum(wanted.values()) <= avail:
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        else:
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(0, name_min)

    def _distinct_texts(self) -> tuple[list, set, set, set]:
        shown = self.model.all_shown()
        longest = sorted((s.name for s in shown), key=len, reverse=True)[:20]
        return (
            longest or [_("Client")],
            {s.status for s in shown} or {_("Open")},
            {s.deadline for s in shown} or {_("Not assessed yet")},
            {(s.days, s.risk_word) for s in shown} or {("—", "")},
        )

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_columns()
