"""The case list: every client in the vault, soonest deadline first, searchable as you type."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from imrdesktop.domain.case import status_label
from imrdesktop.gui.widgets.common import label, primary_button, sensitive_line_edit
from imrdesktop.i18n import _, ngettext

_Index = QModelIndex | QPersistentModelIndex


class CaseTableModel(QAbstractTableModel):
    COLUMNS = ("name", "case_id", "status", "deadline", "days")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list = []

    def set_rows(self, rows: list) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    def row_at(self, row: int):
        return self._rows[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return (
                _("Client"),
                _("Case number"),
                _("Status"),
                _("Next deadline"),
                _("Days left"),
            )[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        col = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if col == "name":
                return r.name
            if col == "case_id":
                return r.case_id
            if col == "status":
                return status_label(r.status)
            if col == "deadline":
                if r.next_deadline:
                    return _("{what} — {date}").format(
                        what=r.next_deadline.get("what", ""), date=r.next_deadline["date"]
                    )
                return _("Not assessed yet")
            if col == "days":
                return "" if r.days_left is None else str(r.days_left)
        if role == Qt.ItemDataRole.UserRole:
            # Text the search box matches: name, member id, case number.
            return f"{r.name}\n{r.member_id}\n{r.case_id}".casefold()
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self.data(index, Qt.ItemDataRole.DisplayRole)
        return None


class CaseFilter(QSortFilterProxyModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._needle = ""

    def set_needle(self, text: str) -> None:
        self.beginFilterChange()
        self._needle = " ".join(text.casefold().split())
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        if not self._needle:
            return True
        idx = self.sourceModel().index(source_row, 0, source_parent)
        hay = self.sourceModel().data(idx, Qt.ItemDataRole.UserRole) or ""
        return all(word in hay for word in self._needle.split())


class CaseListScreen(QWidget):
    open_case = Signal(str)
    new_case = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseListScreen")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        top = QHBoxLayout()
        top.addWidget(label(_("Cases"), "title", wrap=False))
        top.addStretch(1)
        self.search_edit = sensitive_line_edit("caseSearchEdit", _("Search cases"))
        self.search_edit.setPlaceholderText(_("Search by name, member id or case number"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(320)
        top.addWidget(self.search_edit)
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

        self.model = CaseTableModel(self)
        self.proxy = CaseFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setObjectName("caseTable")
        self.table.setAccessibleName(_("Case list"))
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3, 4):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
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

    def set_training(self, training: bool) -> None:
        self.training_banner.setVisible(training)

    def set_rows(self, rows: list) -> None:
        self.model.set_rows(rows)
        self._update_counts()
        if self.proxy.rowCount():
            self.table.selectRow(0)

    def clear(self) -> None:
        self.search_edit.setText("")  # unlike clear(), leaves nothing to undo
        self.model.clear()
        self._update_counts()

    def _update_counts(self) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        self.empty_label.setVisible(total == 0)
        self.table.setVisible(total > 0)
        if total and shown != total:
            self.count_label.setText(
                _("{shown} of {total} cases match the search").format(shown=shown, total=total)
            )
        else:
            self.count_label.setText(ngettext("{n} case", "{n} cases", total).format(n=total))

    def _search(self, text: str) -> None:
        self.proxy.set_needle(text)
        self._update_counts()
        if self.proxy.rowCount():
            self.table.selectRow(0)

    def _activated(self, index: QModelIndex) -> None:
        src = self.proxy.mapToSource(index)
        self.open_case.emit(self.model.row_at(src.row()).case_id)

    def _open_first(self) -> None:
        if self.proxy.rowCount():
            self._activated(self.proxy.index(0, 0))

    def focus(self) -> None:
        self.search_edit.setFocus()
