"""The Documents section of the case workspace: the exhibits of the packet.

Import: "Add documents…" or files dropped anywhere on the section. Files are taken one
after another in the background (read, converted in the document worker, attached in one
transaction each); a PDF password is asked for through the dialogs seam; a file that cannot
be taken gets its sentence in the results list and the others go on. Cancel stops after the
file in hand.

The exhibit list is the packet order (drag and drop, Alt+Up/Alt+Down, Move up/down); the
details of the selected document save as the advocate moves on, like Client & plan; its
pages are a thumbnail grid (``widgets.pages``) where pages are put in or left out of the
packet and turned, and a page viewer shows one page large.

``documents_changed`` is emitted after an attach, a removal, or a change of kind or of
"Include in the packet", so the workspace can have the Criteria checklist follow.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import shiboken6
from PySide6.QtCore import QEvent, QMimeData, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from imrdesktop.documents.names import clean_name
from imrdesktop.domain.documents import KIND_LABELS, KINDS, format_page_ranges, parse_page_ranges
from imrdesktop.domain.errors import (
    DocumentPasswordRequired,
    DocumentPasswordWrong,
    ImrError,
    InvalidField,
)
from imrdesktop.gui import dialogs
from imrdesktop.gui.widgets.common import (
    button,
    label,
    primary_button,
    refresh_style,
    sensitive_line_edit,
    set_field_error,
)
from imrdesktop.gui.widgets.pages import PageGrid, PageViewer
from imrdesktop.gui.workers import run_in_background
from imrdesktop.i18n import N_, _, ngettext
from imrdesktop.services.documents import Document, PageChoice, describe_note
from imrdesktop.services.messages import describe, field_problem

log = logging.getLogger(__name__)

MEDIA_LABELS = {
    "pdf": N_("PDF"),
    "jpeg": N_("JPEG photo"),
    "png": N_("PNG picture"),
    "tiff": N_("TIFF scan"),
    "heic": N_("HEIC photo"),
    "text": N_("Text file"),
}
PICTURES = "*.jpg *.jpeg *.png *.tif *.tiff *.heic *.heif"
PICTURES_UPPER = PICTURES.upper()


def file_filter() -> str:
    return ";;".join(
        (
            _("Documents (*.pdf {pictures} *.txt)").format(pictures=PICTURES),
            _("PDF files (*.pdf *.PDF)"),
            _("Pictures ({pictures} {upper})").format(pictures=PICTURES, upper=PICTURES_UPPER),
            _("Text files (*.txt *.TXT)"),
            _("All files (*)"),
        )
    )


def human_size(size: int) -> str:
    if size < 1000:
        return ngettext("{n} byte", "{n} bytes", size).format(n=size)
    if size < 1_000_000:
        return _("{n} KB").format(n=f"{size / 1000:.0f}")
    return _("{n} MB").format(n=f"{size / 1_000_000:.1f}")


def pages_text(doc: Document) -> str:
    """The page count of the packet: 300 pages, or 12 of 300 pages."""
    chosen = len(doc.chosen())
    if chosen == doc.pages:
        return ngettext("{n} page", "{n} pages", doc.pages).format(n=doc.pages)
    return ngettext("{chosen} of {n} page", "{chosen} of {n} pages", doc.pages).format(
        chosen=chosen, n=doc.pages
    )


def exhibit_line(doc: Document) -> str:
    """One exhibit: A — title — kind — 12 of 300 pages (left out: … — not in packet)."""
    title = doc.title or doc.file_name
    kind = _(KIND_LABELS.get(doc.kind, KIND_LABELS["other"]))
    if doc.include and doc.exhibit:
        return _("{letter} — {title} — {kind} — {pages}").format(
            letter=doc.exhibit, title=title, kind=kind, pages=pages_text(doc)
        )
    return _("{title} — {kind} — not in packet").format(title=title, kind=kind)


def choices_of(doc: Document) -> dict[int, int]:
    return {c.page: c.rotate for c in doc.chosen()}


def normalised(choices: Sequence[PageChoice], count: int) -> tuple[PageChoice, ...] | None:
    """Every page in order and unrotated is stored as "all pages" (None)."""
    if [(c.page, c.rotate) for c in choices] == [(p, 0) for p in range(1, count + 1)]:
        return None
    return tuple(choices)


def local_paths(mime: QMimeData | None) -> list[Path]:
    """The dropped files, if every URL is a local file (never a web address)."""
    if mime is None or not mime.hasUrls():
        return []
    urls = mime.urls()
    if not urls or not all(u.isLocalFile() and u.toLocalFile() for u in urls):
        return []
    return [Path(u.toLocalFile()) for u in urls]


@dataclass
class _Attempt:
    path: Path
    item: object | None = None  # the InputFile, once read (kept for a password retry)


@dataclass
class _ImportRun:
    paths: list[Path]
    generation: int
    index: int = 0
    cancelled: bool = False
    added: list[str] = field(default_factory=list)
    refused: int = 0


class ExhibitList(QListWidget):
    """The exhibits in packet order. Alt+Up/Alt+Down move the selected one; an internal
    drag moves it too; files dragged in from outside go to the section."""

    move_requested = Signal(int)  # -1 up, +1 down
    order_dropped = Signal()
    remove_requested = Signal()

    def __init__(self, section: DocumentsSection) -> None:
        super().__init__()
        self._section = section
        self.setObjectName("exhibitList")
        self.setAccessibleName(_("Exhibits, in packet order"))
        self.setAccessibleDescription(
            _("Alt+Up and Alt+Down move the selected document; Delete removes it.")
        )
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.model().rowsMoved.connect(lambda *_a: QTimer.singleShot(0, self.order_dropped.emit))

    def keyPressEvent(self, event) -> None:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if mods == Qt.KeyboardModifier.AltModifier and event.key() == Qt.Key.Key_Up:
            self.move_requested.emit(-1)
        elif mods == Qt.KeyboardModifier.AltModifier and event.key() == Qt.Key.Key_Down:
            self.move_requested.emit(1)
        elif not mods and event.key() == Qt.Key.Key_Delete:
            self.remove_requested.emit()
        else:
            super().keyPressEvent(event)

    # files from outside are the section's business, moves inside are ours
    def dragEnterEvent(self, event) -> None:
        if event.source() is self:
            super().dragEnterEvent(event)
        else:
            self._section.dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:
        if event.source() is self:
            super().dragMoveEvent(event)
        else:
            self._section.dragMoveEvent(event)

    def dragLeaveEvent(self, event) -> None:
        self._section.dragLeaveEvent(event)
        super().dragLeaveEvent(event)

    def dropEvent(self, event) -> None:
        if event.source() is self:
            super().dropEvent(event)
        else:
            self._section.dropEvent(event)


class DocumentsSection(QFrame):
    """Exhibits of one case: import, order, details, pages."""

    documents_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("section_documents")
        self.setAcceptDrops(True)
        self.setProperty("dropActive", False)
        self._service = None
        self._case_id = ""
        self._generation = 0  # bumped on load/clear: late background results are dropped
        self._docs: list[Document] = []
        self._shown_id = ""  # the document whose details are in the fields
        self._loading = False
        self._filling = False
        self._import: _ImportRun | None = None

        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(label(_("Documents"), "title", wrap=False))
        top.addStretch(1)
        self.status = label("", "hint", name="documentsSaveStatus")
        self.status.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        top.addWidget(self.status, 2)
        self.add_button = primary_button(_("&Add documents…"), "addDocumentsButton")
        self.add_button.setToolTip(_("Choose files to add (Ctrl+O), or drop them here"))
        self.add_button.clicked.connect(self.choose_files)
        top.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(top)
        self.hint = label(
            _(
                "The exhibits of the packet, in order. Add PDFs, photos or scans of the "
                "papers (or drop the files here); each is stored encrypted in the case."
            ),
            "hint",
            name="documentsHint",
        )
        outer.addWidget(self.hint)
        self.drop_banner = label(
            _("Drop the files to add them to this case."), "dropBanner", name="dropBanner"
        )
        self.drop_banner.setVisible(False)
        outer.addWidget(self.drop_banner)

        # import progress
        self.import_panel = QFrame()
        self.import_panel.setObjectName("importPanel")
        self.import_panel.setProperty("role", "card")
        ip = QHBoxLayout(self.import_panel)
        self.import_label = label("", "", name="importProgressLabel")
        self.import_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        ip.addWidget(self.import_label, 3)
        self.import_bar = QProgressBar()
        self.import_bar.setObjectName("importProgressBar")
        self.import_bar.setAccessibleName(_("Import progress"))
        ip.addWidget(self.import_bar, 2)
        self.cancel_button = button(_("&Cancel"), "cancelImportButton")
        self.cancel_button.setAccessibleName(_("Cancel the import"))
        self.cancel_button.setToolTip(_("Stop after the file being read now"))
        self.cancel_button.clicked.connect(self.cancel_import)
        ip.addWidget(self.cancel_button)
        self.import_panel.setVisible(False)
        outer.addWidget(self.import_panel)

        # import results
        self.results_panel = QWidget()
        self.results_panel.setObjectName("importResultsPanel")
        rp = QVBoxLayout(self.results_panel)
        rp.setContentsMargins(0, 0, 0, 0)
        rh = QHBoxLayout()
        rh.addWidget(label(_("Import results"), "heading", wrap=False))
        rh.addStretch(1)
        self.dismiss_button = button(_("Clear the results"), "dismissResultsButton")
        self.dismiss_button.clicked.connect(self.clear_results)
        rh.addWidget(self.dismiss_button)
        rp.addLayout(rh)
        self.results = QListWidget()
        self.results.setObjectName("importResults")
        self.results.setAccessibleName(_("Import results"))
        self.results.setWordWrap(True)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.results.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        rp.addWidget(self.results)
        self.results_panel.setVisible(False)
        outer.addWidget(self.results_panel)

        # [exhibits | details] above the pages of the selected document; side by side when
        # the window is wide enough, one above the other when not (large text)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("documentsSplitter")
        self.splitter.setChildrenCollapsible(False)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 6, 0)
        lv.addWidget(label(_("Exhibits, in packet order"), "heading", wrap=True))
        self.exhibits = ExhibitList(self)
        self.exhibits.currentRowChanged.connect(self._row_changed)
        self.exhibits.move_requested.connect(self.move_selected)
        self.exhibits.order_dropped.connect(self._order_from_list)
        self.exhibits.remove_requested.connect(self.remove_selected)
        self.exhibits.setMinimumHeight(self.fontMetrics().height() * 7)
        lv.addWidget(self.exhibits, 1)
        row = QHBoxLayout()
        self.up_button = button(_("Move &up"), "moveUpButton")
        self.up_button.setToolTip(_("Earlier in the packet (Alt+Up)"))
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button = button(_("Move &down"), "moveDownButton")
        self.down_button.setToolTip(_("Later in the packet (Alt+Down)"))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.remove_button = button(_("&Remove…"), "removeDocumentButton")
        self.remove_button.setToolTip(_("Delete the document from the case (Delete)"))
        self.remove_button.clicked.connect(self.remove_selected)
        for b in (self.up_button, self.down_button, self.remove_button):
            row.addWidget(b)
        row.addStretch(1)
        lv.addLayout(row)
        self.splitter.addWidget(left)

        self.right = QStackedWidget()
        self.right.setObjectName("documentsRight")
        self.empty_label = label(
            _(
                "No documents in this case yet. Add the plan's denial letter, the grievance "
                "and the plan's answer, the physician's letters and the medical records that "
                "support the request: choose Add documents… or drop the files here."
            ),
            "notReady",
            name="documentsEmpty",
        )
        empty = QWidget()
        ev = QVBoxLayout(empty)
        ev.setContentsMargins(6, 0, 0, 0)
        ev.addWidget(self.empty_label)
        ev.addStretch(1)
        self.right.addWidget(empty)
        self.right.addWidget(self._build_details())
        self.splitter.addWidget(self.right)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 5)
        outer.addWidget(self.splitter)

        self.grid = PageGrid()
        self.grid.include_requested.connect(self.include_pages)
        self.grid.rotate_requested.connect(self.rotate_pages)
        self.grid.open_requested.connect(self.open_viewer)
        outer.addWidget(self.grid, 1)
        self._watched: QWidget | None = None

        QShortcut(
            QKeySequence.StandardKey.Open,
            self,
            self.choose_files,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        self._update_buttons()

    def _build_details(self) -> QWidget:
        box = QWidget()
        box.setObjectName("documentDetails")
        v = QVBoxLayout(box)
        v.setContentsMargins(6, 0, 0, 0)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.errors: dict[str, QLabel] = {}

        def with_error(key: str, widget: QWidget, extra: QWidget | None = None) -> QVBoxLayout:
            err = label("", "fieldError", name=f"docError_{key}")
            err.setVisible(False)
            self.errors[key] = err
            col = QVBoxLayout()
            col.setSpacing(2)
            if extra is None:
                col.addWidget(widget)
            else:
                line = QHBoxLayout()
                line.addWidget(widget, 1)
                line.addWidget(extra)
                col.addLayout(line)
            col.addWidget(err)
            return col

        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("docKind")
        self.kind_combo.setAccessibleName(_("Kind of document"))
        for kind in KINDS:
            self.kind_combo.addItem(_(KIND_LABELS[kind]), kind)
        self.kind_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.kind_combo.setMinimumContentsLength(12)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        form.addRow(_("&Kind:"), with_error("kind", self.kind_combo))
        self.title_edit = sensitive_line_edit("docTitle", _("Title"))
        self.date_edit = sensitive_line_edit("docDate", _("Date of the document (YYYY-MM-DD)"))
        self.date_edit.setPlaceholderText(_("YYYY-MM-DD"))
        self.source_edit = sensitive_line_edit("docSource", _("Source: who gave it, where from"))
        self.source_edit.setPlaceholderText(_("e.g. the client, Dr. Ruiz's office, the plan"))
        wide = self.fontMetrics().averageCharWidth() * 18
        for edit in (self.kind_combo,):
            edit.setMinimumWidth(wide)
        for key, edit, text in (
            ("title", self.title_edit, _("&Title:")),
            ("date", self.date_edit, _("Dat&e:")),
            ("source", self.source_edit, _("&Source:")),
        ):
            edit.setAcceptDrops(False)  # dropped files go to the section, not into the text
            edit.setMinimumWidth(wide)
            edit.editingFinished.connect(lambda k=key: self._text_finished(k))
            form.addRow(text, with_error(key, edit))
        self.include_check = QCheckBox(_("I&nclude in the packet"))
        self.include_check.setObjectName("docInclude")
        self.include_check.setAccessibleName(_("Include in the packet"))
        self.include_check.toggled.connect(self._include_toggled)
        form.addRow("", self.include_check)
        self.pages_edit = sensitive_line_edit("docPages", _("Pages in the packet"))
        self.pages_edit.setPlaceholderText(_("All pages — or for example 1-5, 8"))
        self.pages_edit.setAcceptDrops(False)
        self.pages_edit.setMinimumWidth(wide // 2)
        self.pages_edit.textEdited.connect(self._pages_edited)
        self.pages_edit.editingFinished.connect(lambda: self._text_finished("pages"))
        self.pages_count = label("", "hint", wrap=False, name="docPagesCount")
        form.addRow(
            _("&Pages in the packet:"), with_error("pages", self.pages_edit, self.pages_count)
        )
        for row in range(form.rowCount()):
            item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            if item is not None and isinstance(item.widget(), QLabel):
                item.widget().setBuddy(self._buddy_for(row))
        v.addLayout(form)

        self.file_label = label("", "hint", name="docFileInfo")
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        v.addWidget(self.file_label)
        self.sha_label = label("", "hint", wrap=False, name="docSha256")
        self.sha_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        v.addWidget(self.sha_label)
        self.notes_label = label("", "hint", name="docNotes")
        self.notes_label.setVisible(False)
        v.addWidget(self.notes_label)
        v.addStretch(1)
        return box

    def _buddy_for(self, row: int) -> QWidget:
        return [
            self.kind_combo,
            self.title_edit,
            self.date_edit,
            self.source_edit,
            self.include_check,
            self.pages_edit,
        ][row]

    # --- the case ---------------------------------------------------------------------------
    def load(self, case_id: str, service) -> None:
        """Show a case's documents; ``service`` is the session's DocumentsService."""
        self.clear(close_service=False)
        self._service = service
        self._case_id = case_id
        if service is None:
            return
        self.grid.set_renderer(self._renderer())
        try:
            self._docs = service.list_documents(case_id)
        except ImrError as exc:
            self._docs = []
            self.status.setText(describe(exc))
        self._fill_list(self._docs[0].id if self._docs else None)

    def _renderer(self):
        service, case_id = self._service, self._case_id

        def render(doc_id: str, pages: Sequence[int], max_px: int) -> list[bytes]:
            return service.render_pages(case_id, doc_id, list(pages), max_px)

        return render

    def clear(self, close_service: bool = True) -> None:
        """Forget the case: thumbnails, pages shown, fields; close the service (lock, or
        leaving the case)."""
        self._generation += 1
        self._import = None
        self.import_panel.setVisible(False)
        self.clear_results()
        self.grid.clear()
        self.grid.set_renderer(None)
        self._docs = []
        self._shown_id = ""
        self._filling = True
        try:
            self.exhibits.clear()
        finally:
            self._filling = False
        self._load_details(None)
        self.status.setText("")
        self._set_drop_active(False)
        service, self._service = self._service, None
        self._case_id = ""
        if close_service and service is not None:
            try:
                service.close()
            except Exception:  # closing must never stop a lock
                log.warning("the documents service did not close cleanly")
        self._update_buttons()

    @property
    def documents(self) -> list[Document]:
        return list(self._docs)

    def current(self) -> Document | None:
        row = self.exhibits.currentRow()
        if 0 <= row < len(self._docs):
            return self._docs[row]
        return None

    # --- the list ----------------------------------------------------------------------------
    def _fill_list(self, select_id: str | None) -> None:
        self._filling = True
        try:
            self.exhibits.clear()
            row_to_select = -1
            for i, doc in enumerate(self._docs):
                item = QListWidgetItem(exhibit_line(doc))
                item.setData(Qt.ItemDataRole.UserRole, doc.id)
                item.setToolTip(exhibit_line(doc))
                if not doc.include:
                    item.setForeground(QColor("#5f6f7d"))
                self.exhibits.addItem(item)
                if doc.id == select_id:
                    row_to_select = i
            if row_to_select < 0 and self._docs:
                row_to_select = 0
            self.exhibits.setCurrentRow(row_to_select)
        finally:
            self._filling = False
        self._show_selected()

    def _refresh_lines(self) -> None:
        for i, doc in enumerate(self._docs):
            item = self.exhibits.item(i)
            if item is not None:
                item.setText(exhibit_line(doc))
                item.setToolTip(exhibit_line(doc))
                item.setForeground(QColor("#1f2d3a") if doc.include else QColor("#5f6f7d"))

    def _row_changed(self, _row: int) -> None:
        if not self._filling:
            self._show_selected()

    def _show_selected(self) -> None:
        doc = self.current()
        self.right.setCurrentIndex(1 if doc is not None else 0)
        self.grid.setVisible(doc is not None)
        self.layout().setStretchFactor(self.splitter, 0 if doc is not None else 1)
        if doc is None:
            self._load_details(None)
        elif doc.id != self._shown_id:
            self._load_details(doc)
        else:
            self._show_facts(doc)
        self._update_buttons()

    def _update_buttons(self) -> None:
        row = self.exhibits.currentRow()
        has = self.current() is not None and self._service is not None
        self.up_button.setEnabled(has and row > 0)
        self.down_button.setEnabled(has and row < len(self._docs) - 1)
        self.remove_button.setEnabled(has)
        self.add_button.setEnabled(self._service is not None)

    def move_selected(self, delta: int) -> None:
        doc = self.current()
        if doc is None:
            return
        row = self.exhibits.currentRow()
        new = row + delta
        if not 0 <= new < len(self._docs):
            return
        ids = [d.id for d in self._docs]
        ids.insert(new, ids.pop(row))
        self._apply_order(ids, doc.id)

    def _order_from_list(self) -> None:
        if self._service is None:
            return
        ids = [
            self.exhibits.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.exhibits.count())
        ]
        if ids == [d.id for d in self._docs]:
            return
        current = self.exhibits.currentItem()
        self._apply_order(ids, current.data(Qt.ItemDataRole.UserRole) if current else None)

    def _apply_order(self, ids: list[str], select_id: str | None) -> None:
        try:
            self._docs = self._service.reorder(self._case_id, ids)
        except ImrError as exc:
            self.status.setText(describe(exc))
        else:
            self.status.setText(_("All changes saved."))
        self._fill_list(select_id)
        self.exhibits.setFocus(Qt.FocusReason.OtherFocusReason)

    def remove_selected(self) -> None:
        doc = self.current()
        if doc is None or self._service is None:
            return
        title = doc.title or doc.file_name
        if not dialogs.confirm(
            self,
            _("Remove the document?"),
            _(
                "Remove “{title}” from the case? The original file stored in the case and "
                "its pages are deleted from the case; this cannot be undone. The file on "
                "this computer, if any, is not touched."
            ).format(title=title),
            yes=_("Remove"),
        ):
            return
        row = self.exhibits.currentRow()
        try:
            self._docs = self._service.remove(self._case_id, doc.id)
        except ImrError as exc:
            self.status.setText(describe(exc))
            return
        self.grid.forget(doc.id)
        self._shown_id = ""
        neighbour = self._docs[min(row, len(self._docs) - 1)].id if self._docs else None
        self._fill_list(neighbour)
        self.status.setText(_("“{title}” was removed from the case.").format(title=title))
        self.exhibits.setFocus(Qt.FocusReason.OtherFocusReason)
        self.documents_changed.emit()

    # --- details -----------------------------------------------------------------------------
    def _load_details(self, doc: Document | None) -> None:
        self._loading = True
        try:
            self._shown_id = doc.id if doc else ""
            for key, err in self.errors.items():
                set_field_error(self._field(key), err, "")
            if doc is None:
                # setText("") (not clear()) also empties the undo history
                for edit in (self.title_edit, self.date_edit, self.source_edit, self.pages_edit):
                    edit.setText("")
                self.kind_combo.setCurrentIndex(len(KINDS) - 1)
                self.include_check.setChecked(False)
                for lab in (self.file_label, self.sha_label, self.notes_label, self.pages_count):
                    lab.setText("")
                self.sha_label.setToolTip("")
                self.notes_label.setVisible(False)
                self.grid.set_document("", 0, {})
                return
            self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(doc.kind)))
            self.title_edit.setText(doc.title)
            self.date_edit.setText(doc.date)
            self.source_edit.setText(doc.source)
            self.include_check.setChecked(doc.include)
            self.pages_edit.setText(self._pages_value(doc))
            self._show_facts(doc)
            self.grid.set_document(doc.id, doc.pages, choices_of(doc))
        finally:
            self._loading = False

    @staticmethod
    def _pages_value(doc: Document) -> str:
        if doc.selection is None:
            return ""
        return format_page_ranges([c.page for c in doc.selection])

    def _show_facts(self, doc: Document) -> None:
        """The read-only parts, and what changes with the pages chosen."""
        media = _(MEDIA_LABELS.get(doc.media, doc.media))
        pages = ngettext("{n} page", "{n} pages", doc.pages).format(n=doc.pages)
        self.file_label.setText(
            _("Original file: {name} · {media} · {pages} · {size} · added {added}").format(
                name=doc.file_name,
                media=media,
                pages=pages,
                size=human_size(doc.size),
                added=doc.added,
            )
        )
        self.sha_label.setText(_("SHA-256: {short}…").format(short=doc.sha256[:16]))
        self.sha_label.setToolTip(_("SHA-256 of the original file: {sha}").format(sha=doc.sha256))
        self.sha_label.setAccessibleName(self.sha_label.toolTip())
        notes = [describe_note(n) for n in doc.notes if describe_note(n)]
        self.notes_label.setText(" ".join(notes))
        self.notes_label.setVisible(bool(notes))
        self.pages_count.setText(pages_text(doc))
        self.grid.set_choices(choices_of(doc))

    def _field(self, key: str) -> QWidget:
        return {
            "kind": self.kind_combo,
            "title": self.title_edit,
            "date": self.date_edit,
            "source": self.source_edit,
            "pages": self.pages_edit,
            "selection": self.pages_edit,
        }[key]

    def _save(self, **changes) -> bool:
        """Write ``changes`` to the selected document. False when a field needs correcting."""
        doc = self.current()
        if doc is None or self._service is None or self._loading:
            return True
        try:
            new = self._service.update(self._case_id, doc.id, **changes)
        except InvalidField as exc:
            key = str(exc.params.get("field", "")).rsplit(".", 1)[-1]
            if key == "selection":
                key = "pages"
            if key in self.errors:
                set_field_error(self._field(key), self.errors[key], field_problem(exc))
            else:
                self.status.setText(describe(exc))
            return False
        except ImrError as exc:
            self.status.setText(describe(exc))
            return False
        for key in changes:
            key = "pages" if key == "selection" else key
            if key in self.errors:
                set_field_error(self._field(key), self.errors[key], "")
        if "include" in changes:
            try:  # letters of the documents after it move too
                self._docs = self._service.list_documents(self._case_id)
            except ImrError as exc:
                self.status.setText(describe(exc))
                return False
        else:
            self._docs = [new if d.id == new.id else d for d in self._docs]
        self._refresh_lines()
        current = self.current()
        if current is not None:
            self._show_facts(current)
        self.status.setText(_("All changes saved."))
        return True

    def _text_finished(self, key: str) -> None:
        self._commit_field(key)

    def _commit_field(self, key: str) -> bool:
        doc = self.current()
        if doc is None or self._loading or doc.id != self._shown_id:
            return True
        if key == "pages":
            return self._commit_pages(doc)
        edit = self._field(key)
        value = edit.text().strip()
        if value == getattr(doc, key):
            set_field_error(edit, self.errors[key], "")
            return True
        return self._save(**{key: value})

    def _kind_changed(self, _index: int) -> None:
        if self._loading:
            return
        doc = self.current()
        kind = self.kind_combo.currentData()
        if doc is None or kind == doc.kind:
            return
        if self._save(kind=kind):
            self.documents_changed.emit()

    def _include_toggled(self, checked: bool) -> None:
        if self._loading:
            return
        doc = self.current()
        if doc is None or checked == doc.include:
            return
        if self._save(include=checked):
            self.documents_changed.emit()

    # --- pages -------------------------------------------------------------------------------
    def _pages_edited(self, text: str) -> None:
        """Checked as typed; the message stands beside the field."""
        doc = self.current()
        if doc is None:
            return
        try:
            parse_page_ranges(text, doc.pages)
        except InvalidField as exc:
            # "1-" or "1-5," is still being typed: no complaint until it is finished
            unfinished = text.rstrip() != text or text.rstrip()[-1:] in ("-", "–", ",", ";")
            message = "" if unfinished else field_problem(exc)
            set_field_error(self.pages_edit, self.errors["pages"], message)
        else:
            set_field_error(self.pages_edit, self.errors["pages"], "")

    def _commit_pages(self, doc: Document) -> bool:
        text = self.pages_edit.text()
        try:
            pages = parse_page_ranges(text, doc.pages)
        except InvalidField as exc:
            set_field_error(self.pages_edit, self.errors["pages"], field_problem(exc))
            return False
        turns = choices_of(doc)
        selection = normalised([PageChoice(p, turns.get(p, 0)) for p in pages], doc.pages)
        if not text.strip() and doc.selection is not None:
            # An empty field means every page, keeping the turns already chosen.
            selection = normalised(
                [PageChoice(p, turns.get(p, 0)) for p in range(1, doc.pages + 1)], doc.pages
            )
        if selection == doc.selection:
            set_field_error(self.pages_edit, self.errors["pages"], "")
            self._loading = True
            try:
                self.pages_edit.setText(self._pages_value(doc))
            finally:
                self._loading = False
            return True
        ok = self._save(selection=selection)
        if ok:
            self._sync_pages_field()
        return ok

    def _sync_pages_field(self) -> None:
        doc = self.current()
        if doc is None:
            return
        value = self._pages_value(doc)
        if self.pages_edit.text() != value:
            self.pages_edit.setText(value)

    def _write_selection(self, choices: list[PageChoice]) -> bool:
        doc = self.current()
        if doc is None:
            return False
        if not choices:
            self.status.setText(
                _(
                    "At least one page must stay in the packet. To leave the whole document "
                    "out, clear “Include in the packet”."
                )
            )
            return False
        ok = self._save(selection=normalised(choices, doc.pages))
        if ok:
            self._sync_pages_field()
            set_field_error(self.pages_edit, self.errors["pages"], "")
        return ok

    def include_pages(self, pages: list[int], include: bool) -> bool:
        """Put ``pages`` in the packet or leave them out (thumbnails, viewer)."""
        doc = self.current()
        if doc is None:
            return False
        chosen = list(doc.chosen())
        targets = set(pages)
        if include:
            have = {c.page for c in chosen}
            ascending = all(a.page < b.page for a, b in zip(chosen, chosen[1:], strict=False))
            new = chosen + [PageChoice(p, 0) for p in sorted(targets - have)]
            if ascending:
                new.sort(key=lambda c: c.page)
        else:
            new = [c for c in chosen if c.page not in targets]
        if [(c.page, c.rotate) for c in new] == [(c.page, c.rotate) for c in chosen]:
            return True
        return self._write_selection(new)

    def rotate_pages(self, pages: list[int], delta: int) -> bool:
        doc = self.current()
        if doc is None:
            return False
        targets = set(pages)
        chosen = list(doc.chosen())
        if not any(c.page in targets for c in chosen):
            self.status.setText(
                _("Only pages in the packet can be turned. Include the page first.")
            )
            return False
        new = [
            PageChoice(c.page, (c.rotate + delta) % 360) if c.page in targets else c for c in chosen
        ]
        return self._write_selection(new)

    def open_viewer(self, page: int) -> None:
        doc = self.current()
        if doc is None or self._service is None:
            return

        def set_included(p: int, include: bool) -> dict[int, int] | None:
            self.include_pages([p], include)
            now = self.current()
            return choices_of(now) if now is not None else None

        viewer = PageViewer(
            self._renderer(),
            doc.id,
            exhibit_line(doc),
            doc.pages,
            page,
            choices_of(doc),
            set_included,
            self,
        )
        generation = self._generation
        dialogs.run_dialog(viewer)
        if shiboken6.isValid(viewer):
            dialogs.dispose(viewer)
        if generation == self._generation and shiboken6.isValid(self.grid):
            self.grid.select_pages([viewer.page] if shiboken6.isValid(viewer) else [page])

    # --- import ------------------------------------------------------------------------------
    def choose_files(self) -> None:
        if self._service is None:
            return
        paths = dialogs.choose_files(self, _("Add documents to the case"), file_filter())
        if paths:
            self.import_paths(paths)

    def import_paths(self, paths: Sequence[Path]) -> None:
        """Import files one after another in the background (more can be queued)."""
        if self._service is None or not paths:
            return
        if self._import is not None:
            self._import.paths.extend(Path(p) for p in paths)
            self._show_progress()
            return
        self.clear_results()
        self._import = _ImportRun([Path(p) for p in paths], self._generation)
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText(_("&Cancel"))
        self.import_panel.setVisible(True)
        self._import_next()

    @property
    def importing(self) -> bool:
        return self._import is not None

    def cancel_import(self) -> None:
        if self._import is not None:
            self._import.cancelled = True
            self.cancel_button.setEnabled(False)
            self.cancel_button.setText(_("Stopping after this file…"))

    def _show_progress(self) -> None:
        run = self._import
        if run is None or run.index >= len(run.paths):
            return
        name = clean_name(run.paths[run.index].name)
        text = _("Importing {i} of {n}: {name}…").format(
            i=run.index + 1, n=len(run.paths), name=name
        )
        self.import_label.setText(text)
        self.import_label.setToolTip(text)
        self.import_bar.setRange(0, len(run.paths))
        self.import_bar.setValue(run.index)

    def _alive(self, run: _ImportRun) -> bool:
        return (
            shiboken6.isValid(self)
            and self._import is run
            and run.generation == self._generation
            and self._service is not None
        )

    def _import_next(self) -> None:
        run = self._import
        if run is None:
            return
        if run.cancelled or run.index >= len(run.paths):
            self._import_finished(run)
            return
        self._show_progress()
        self._attempt(run, _Attempt(run.paths[run.index]), None)

    def _attempt(self, run: _ImportRun, attempt: _Attempt, password: str | None) -> None:
        service, case_id = self._service, self._case_id

        def work() -> list[Document]:
            if attempt.item is None:
                attempt.item = service.read_input(attempt.path)
            converted = service.convert(attempt.item, password=password)
            return service.attach(case_id, [(attempt.item, converted)])

        run_in_background(
            work,
            lambda docs: self._file_done(run, attempt, docs),
            lambda exc: self._file_failed(run, attempt, exc),
        )

    def _display_name(self, attempt: _Attempt) -> str:
        name = getattr(attempt.item, "name", "") if attempt.item is not None else ""
        return name or clean_name(attempt.path.name)

    def _file_done(self, run: _ImportRun, attempt: _Attempt, docs: list[Document]) -> None:
        attempt.item = None  # the file's bytes are not kept
        if not self._alive(run):
            return
        for doc in docs:
            run.added.append(doc.id)
            notes = [describe_note(n) for n in doc.notes if describe_note(n)]
            line = _("{name}: added.").format(name=doc.file_name)
            self._add_result(" ".join([line, *notes]), ok=True)
        self._reload_docs()
        run.index += 1
        self._import_next()

    def _file_failed(self, run: _ImportRun, attempt: _Attempt, exc: BaseException) -> None:
        if not self._alive(run):
            attempt.item = None
            return
        name = self._display_name(attempt)
        if isinstance(exc, DocumentPasswordRequired | DocumentPasswordWrong):
            if isinstance(exc, DocumentPasswordWrong):
                text = (
                    describe(exc)
                    + "\n\n"
                    + _("Type the password again, or choose Cancel to skip this file.")
                )
            else:
                text = _(
                    "“{name}” is protected by a password. Type the password to open it, or "
                    "choose Cancel to skip this file."
                ).format(name=name)
            password = dialogs.ask_password(self, _("Password of the PDF"), text)
            if not self._alive(run):  # locked while the question was open
                attempt.item = None
                return
            if password is not None:
                self._attempt(run, attempt, password)
                return
            self._add_result(
                _("{name}: skipped — no password was given.").format(name=name), ok=False
            )
        else:
            if not isinstance(exc, ImrError):
                log.error("import failed unexpectedly", exc_info=exc)
            sentence = describe(exc)
            named = isinstance(exc, ImrError) and bool(exc.params.get("name"))
            if not named:  # the sentence does not say which file: the line does
                sentence = _("{name}: {sentence}").format(name=name, sentence=sentence)
            self._add_result(sentence, ok=False)
            run.refused += 1
        attempt.item = None
        run.index += 1
        self._import_next()

    def _reload_docs(self) -> None:
        current = self.current()
        try:
            self._docs = self._service.list_documents(self._case_id)
        except ImrError as exc:
            self.status.setText(describe(exc))
            return
        self._fill_list(current.id if current else None)

    def _import_finished(self, run: _ImportRun) -> None:
        self._import = None
        self.import_panel.setVisible(False)
        left = len(run.paths) - run.index
        if run.cancelled and left:
            self._add_result(
                ngettext(
                    "Import stopped: {n} file was not imported.",
                    "Import stopped: {n} files were not imported.",
                    left,
                ).format(n=left),
                ok=False,
            )
        if run.added:
            self._fill_list(run.added[0])
            self.status.setText(
                ngettext(
                    "{n} document added. Choose its kind next.",
                    "{n} documents added. Choose the kind of each next.",
                    len(run.added),
                ).format(n=len(run.added))
            )
            self.kind_combo.setFocus(Qt.FocusReason.OtherFocusReason)
            self.documents_changed.emit()

    def _add_result(self, text: str, ok: bool) -> None:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, text)
        if not ok:
            item.setForeground(QColor("#a61b1b"))
        self.results.addItem(item)
        self.results_panel.setVisible(True)
        self._fit_results()

    def _fit_results(self) -> None:
        rows = min(5, self.results.count())
        height = sum(self.results.sizeHintForRow(i) for i in range(rows))
        self.results.setFixedHeight(height + 2 * self.results.frameWidth() + 6)

    def result_lines(self) -> list[str]:
        return [self.results.item(i).text() for i in range(self.results.count())]

    def clear_results(self) -> None:
        self.results.clear()
        self.results_panel.setVisible(False)

    # --- drops -------------------------------------------------------------------------------
    def _set_drop_active(self, active: bool) -> None:
        if bool(self.property("dropActive")) != active:
            self.setProperty("dropActive", active)
            refresh_style(self)
        self.drop_banner.setVisible(active)

    def dragEnterEvent(self, event) -> None:
        if self._service is not None and local_paths(event.mimeData()):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            self._set_drop_active(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if self._service is not None and local_paths(event.mimeData()):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dragLeaveEvent(self, event) -> None:
        self._set_drop_active(False)
        event.accept()

    def dropEvent(self, event) -> None:
        self._set_drop_active(False)
        paths = local_paths(event.mimeData()) if self._service is not None else []
        if not paths:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.import_paths(paths)

    # --- fitting the window -------------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        viewport = self.parentWidget()  # the workspace's scroll area viewport
        if viewport is not None and viewport is not self._watched:
            if self._watched is not None:
                self._watched.removeEventFilter(self)
            viewport.installEventFilter(self)
            self._watched = viewport
        self._fit_layout()

    def eventFilter(self, watched, event) -> bool:
        if watched is self._watched and event.type() == QEvent.Type.Resize:
            self._fit_layout()
        return False

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.exhibits.setMinimumHeight(self.fontMetrics().height() * 7)
            self._fit_results()
            QTimer.singleShot(0, self._fit_layout)

    def _fit_layout(self) -> None:
        """Exhibits beside the details when they both fit the visible width, else above."""
        if not shiboken6.isValid(self):
            return
        available = self._watched.width() if self._watched is not None else self.width()
        margins = self.layout().contentsMargins()
        needed = (
            sum(self.splitter.widget(i).minimumSizeHint().width() for i in range(2))
            + self.splitter.handleWidth()
            + margins.left()
            + margins.right()
            + self.fontMetrics().averageCharWidth() * 12
        )
        orientation = Qt.Orientation.Horizontal if available >= needed else Qt.Orientation.Vertical
        if self.splitter.orientation() != orientation:
            self.splitter.setOrientation(orientation)

    # --- leaving ----------------------------------------------------------------------------
    def commit(self) -> bool:
        """Save fields still being typed (before lock or leaving). False: one needs fixing."""
        ok = True
        for key in ("title", "date", "source", "pages"):
            ok = self._commit_field(key) and ok
        return ok
