"""The pages of one document: a thumbnail grid and a page viewer (Documents section).

``PageGrid`` shows every page of a document's clean PDF as a thumbnail. Only the thumbnails
in view are asked for (after scrolling or resizing settles), rendered by the document worker
in the background in small batches, and kept in memory only (``PixmapLru``, dropped on lock);
a blank page stands in until a thumbnail is ready. Each page shows whether it goes in the
packet (its check mark; pages left out are dimmed) and its extra rotation. The grid is a
QListWidget, not a Python model and delegate: Qt paints it without calling into Python.

``PageViewer`` shows one page large (previous/next, zoom, fit width). It is a dialog run
through the dialogs seam rather than a pane beside the grid: a readable page needs most of
the screen, a modal dialog can be maximised without squeezing the list and the details,
Esc closes it, and the lock flow already closes and wipes every dialog.

Neither talks to the services: they are given a ``render(doc_id, pages, max_px)`` callable
that returns PNG bytes per page (run on a worker thread) and report what the advocate asks
for through signals.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence

import shiboken6
from PySide6.QtCore import QEvent, QItemSelectionModel, QPoint, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QKeySequence, QPainter, QPen, QPixmap, QTransform
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from imrdesktop.gui.widgets.common import button, label
from imrdesktop.gui.workers import run_in_background
from imrdesktop.i18n import _
from imrdesktop.services.messages import describe

log = logging.getLogger(__name__)

Render = Callable[[str, Sequence[int], int], list[bytes]]  # doc id, pages, max px -> PNGs
BATCH = 8  # pages per request to the worker
THUMB_BUDGET = 96 * 1024 * 1024  # bytes of thumbnails kept in memory
LETTER_RATIO = 11 / 8.5


def rotation_text(degrees: int) -> str:
    if degrees == 90:
        return _("turned right")
    if degrees == 180:
        return _("upside down")
    if degrees == 270:
        return _("turned left")
    return ""


def page_status(page: int, count: int, choices: dict[int, int]) -> str:
    """Page 5 of 300 — in the packet, turned right (viewer, tooltips, screen readers)."""
    where = _("in the packet") if page in choices else _("left out of the packet")
    turn = rotation_text(choices.get(page, 0))
    text = _("Page {page} of {count} — {where}").format(page=page, count=count, where=where)
    return _("{status}, {turn}").format(status=text, turn=turn) if turn else text


def png_to_image(data: bytes) -> QImage:
    """Decode a rendered page (safe off the GUI thread: QImage, not QPixmap)."""
    image = QImage()
    image.loadFromData(data, "PNG")
    return image


def rotated(pixmap: QPixmap, degrees: int) -> QPixmap:
    if not degrees or pixmap.isNull():
        return pixmap
    out = pixmap.transformed(
        QTransform().rotate(degrees), Qt.TransformationMode.SmoothTransformation
    )
    out.setDevicePixelRatio(pixmap.devicePixelRatio())
    return out


class PixmapLru:
    """Thumbnails in memory only, least recently used dropped past a byte budget."""

    def __init__(self, budget: int = THUMB_BUDGET) -> None:
        self._budget = budget
        self._items: OrderedDict[tuple, QPixmap] = OrderedDict()
        self._bytes = 0

    @staticmethod
    def _cost(pixmap: QPixmap) -> int:
        return pixmap.width() * pixmap.height() * 4

    def get(self, key: tuple) -> QPixmap | None:
        pixmap = self._items.get(key)
        if pixmap is not None:
            self._items.move_to_end(key)
        return pixmap

    def __contains__(self, key: tuple) -> bool:
        return key in self._items

    def put(self, key: tuple, pixmap: QPixmap) -> list[tuple]:
        """Keep ``pixmap``; returns the keys dropped to stay within the budget."""
        old = self._items.pop(key, None)
        if old is not None:
            self._bytes -= self._cost(old)
        self._items[key] = pixmap
        self._bytes += self._cost(pixmap)
        evicted = []
        while self._bytes > self._budget and len(self._items) > 1:
            gone, dropped = self._items.popitem(last=False)
            self._bytes -= self._cost(dropped)
            evicted.append(gone)
        return evicted

    def drop(self, which: Callable[[tuple], bool]) -> None:
        for key in [k for k in self._items if which(k)]:
            self._bytes -= self._cost(self._items.pop(key))

    def clear(self) -> None:
        self._items.clear()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)


def placeholder(side: int, dpr: float) -> QPixmap:
    """A blank Letter page with a thin border, shown until the thumbnail is ready."""
    height = side
    width = round(side / LETTER_RATIO)
    pixmap = QPixmap(round(width * dpr), round(height * dpr))
    pixmap.setDevicePixelRatio(dpr)
    pixmap.fill(QColor("#f1f4f7"))
    painter = QPainter(pixmap)
    painter.setPen(QPen(QColor("#c3cfd9"), 1))
    painter.drawRect(QRect(0, 0, width - 1, height - 1))
    painter.setPen(QPen(QColor("#dde4ea"), max(2, side // 40)))
    for i in range(5):  # a few grey "lines of text"
        y = height // 5 + i * height // 9
        painter.drawLine(width // 6, y, width - width // 6 - (i % 2) * width // 5, y)
    painter.end()
    return pixmap


def boxed(pixmap: QPixmap, px: int) -> QPixmap:
    """The page centred on a transparent square, so portrait and landscape pages (and
    turned ones) take the same room in the grid and line up."""
    dpr = pixmap.devicePixelRatio()
    out = QPixmap(px, px)
    out.setDevicePixelRatio(dpr)
    out.fill(Qt.GlobalColor.transparent)
    painter = QPainter(out)
    scaled = pixmap
    if pixmap.width() > px or pixmap.height() > px:
        scaled = pixmap.scaled(
            px,
            px,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        scaled.setDevicePixelRatio(dpr)
    x = (px - scaled.width()) / 2 / dpr
    y = (px - scaled.height()) / 2 / dpr
    painter.drawPixmap(QPoint(round(x), round(y)), scaled)
    painter.end()
    return out


def faded(pixmap: QPixmap) -> QPixmap:
    """A page left out of the packet: the same picture behind a white veil."""
    out = QPixmap(pixmap)
    painter = QPainter(out)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceAtop)
    painter.fillRect(QRect(0, 0, out.width(), out.height()), QColor(255, 255, 255, 165))
    painter.end()
    return out


class PageGridView(QListWidget):
    """The grid itself, with keys for the page actions.

    A QListWidget on purpose: no Python model or delegate runs while Qt paints (the
    thumbnails of a long record are painted very often)."""

    include_keys = Signal(bool)  # + / - (Delete)
    toggle_key = Signal()  # Space
    rotate_keys = Signal(int)  # R / L
    open_key = Signal()  # Enter

    def keyPressEvent(self, event) -> None:
        key, mods = event.key(), event.modifiers()
        plain = not (
            mods
            & (
                Qt.KeyboardModifier.ControlModifier
                | Qt.KeyboardModifier.AltModifier
                | Qt.KeyboardModifier.MetaModifier
            )
        )
        if plain and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_key.emit()
        elif plain and key in (Qt.Key.Key_Space, Qt.Key.Key_Select):
            self.toggle_key.emit()
        elif plain and key in (Qt.Key.Key_Plus, Qt.Key.Key_Insert):
            self.include_keys.emit(True)
        elif plain and key in (Qt.Key.Key_Minus, Qt.Key.Key_Delete):
            self.include_keys.emit(False)
        elif plain and key == Qt.Key.Key_R:
            shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
            self.rotate_keys.emit(-90 if shift else 90)
        elif plain and key == Qt.Key.Key_L:
            self.rotate_keys.emit(-90)
        else:
            super().keyPressEvent(event)


class PageGrid(QWidget):
    """Thumbnails of one document's pages, with Include / Leave out / Rotate / View."""

    include_requested = Signal(list, bool)  # pages, include
    rotate_requested = Signal(list, int)  # pages, +90 (right) / -90 (left)
    open_requested = Signal(int)  # page

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pageGrid")
        self._render: Render | None = None
        self._generation = 0
        self._busy = False
        self._failed: set[tuple] = set()
        self._syncing = False
        self.cache = PixmapLru()
        self.doc_id = ""
        self.count = 0
        self.choices: dict[int, int] = {}  # page in the packet -> extra rotation
        self.px = 0  # rendered size in device pixels (part of the cache key)
        self.dpr = 1.0
        self._placeholders: tuple[QIcon, QIcon] = (QIcon(), QIcon())
        self._shown: dict[int, tuple] = {}  # page -> (included, turn, thumbnail ready) shown

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.include_button = button(_("&Include"), "includePagesButton")
        self.include_button.setAccessibleName(_("Put the selected pages in the packet"))
        self.include_button.setToolTip(_("Put the selected pages in the packet (+)"))
        self.exclude_button = button(_("&Leave out"), "excludePagesButton")
        self.exclude_button.setAccessibleName(_("Leave the selected pages out of the packet"))
        self.exclude_button.setToolTip(_("Leave the selected pages out of the packet (−)"))
        self.rotate_left_button = button(_("Turn le&ft"), "rotateLeftButton")
        self.rotate_left_button.setAccessibleName(_("Turn the selected pages left"))
        self.rotate_left_button.setToolTip(_("Turn the selected pages a quarter left (L)"))
        self.rotate_right_button = button(_("Turn ri&ght"), "rotateRightButton")
        self.rotate_right_button.setAccessibleName(_("Turn the selected pages right"))
        self.rotate_right_button.setToolTip(_("Turn the selected pages a quarter right (R)"))
        self.view_button = button(_("&View…"), "viewPageButton")
        self.view_button.setAccessibleName(_("View the page large"))
        self.view_button.setToolTip(_("Show the page large (Enter or double-click)"))
        self.buttons = (
            self.include_button,
            self.exclude_button,
            self.rotate_left_button,
            self.rotate_right_button,
            self.view_button,
        )
        bar.addWidget(label(_("Pages:"), "heading", wrap=False))
        for b in self.buttons:
            bar.addWidget(b)
        bar.addStretch(1)
        layout.addLayout(bar)
        loading = QHBoxLayout()
        self.loading_label = label(_("Loading page previews…"), "hint", wrap=False)
        self.loading_label.setObjectName("pagesLoadingLabel")
        self.loading_bar = QProgressBar()
        self.loading_bar.setObjectName("pagesLoadingBar")
        self.loading_bar.setAccessibleName(_("Loading page previews"))
        self.loading_bar.setRange(0, 0)
        self.loading_bar.setTextVisible(False)
        self.loading_bar.setMaximumWidth(160)
        loading.addWidget(self.loading_label)
        loading.addWidget(self.loading_bar)
        loading.addStretch(1)
        layout.addLayout(loading)
        self.problem = label("", "fieldError", name="pagesProblem")
        self.problem.setVisible(False)
        layout.addWidget(self.problem)

        self.view = PageGridView()
        self.view.setObjectName("pageThumbnails")
        self.view.setAccessibleName(_("Pages of the document"))
        self.view.setAccessibleDescription(
            _(
                "Space puts the selected pages in or out of the packet; R and L turn them; "
                "Enter shows a page large."
            )
        )
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setWrapping(True)
        self.view.setUniformItemSizes(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setSelectionRectVisible(True)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setAcceptDrops(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        layout.addWidget(self.view, 1)

        self.view.include_keys.connect(self._ask_include)
        self.view.toggle_key.connect(self._toggle)
        self.view.rotate_keys.connect(self._ask_rotate)
        self.view.open_key.connect(self._open_current)
        self.view.itemDoubleClicked.connect(lambda item: self.open_requested.emit(self._page(item)))
        self.view.itemChanged.connect(self._item_changed)
        self.include_button.clicked.connect(lambda: self._ask_include(True))
        self.exclude_button.clicked.connect(lambda: self._ask_include(False))
        self.rotate_left_button.clicked.connect(lambda: self._ask_rotate(-90))
        self.rotate_right_button.clicked.connect(lambda: self._ask_rotate(90))
        self.view_button.clicked.connect(self._open_current)
        self.view.itemSelectionChanged.connect(self._update_buttons)
        self.view.verticalScrollBar().valueChanged.connect(lambda _v: self._schedule())

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(80)
        self._debounce.timeout.connect(self._request_visible)
        self._show_loading = QTimer(self)  # no flicker for a quick batch
        self._show_loading.setSingleShot(True)
        self._show_loading.setInterval(250)
        self._show_loading.timeout.connect(lambda: self._set_loading_visible(self._busy))
        self._set_loading_visible(False)
        self._apply_size()
        self._update_buttons()

    # --- sizes ------------------------------------------------------------------------------
    def thumbnail_side(self) -> int:
        """About 180 px at the standard text size; grows with the text size."""
        return max(96, round(self.fontMetrics().height() * 10.5))

    def _apply_size(self) -> None:
        side = self.thumbnail_side()
        dpr = self.devicePixelRatioF() or 1.0
        self.px = max(32, round(side * dpr))
        self.dpr = dpr
        blank = boxed(placeholder(side, dpr), self.px)
        self._placeholders = (QIcon(blank), QIcon(faded(blank)))
        self.view.setIconSize(QSize(side, side))
        text_h = self.fontMetrics().height()
        self.view.setGridSize(QSize(side + 48, side + text_h + 22))
        self.view.setMinimumHeight(side + text_h + 40)
        self._dress_all()
        self._schedule()

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._apply_size()
        super().changeEvent(event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._schedule()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if abs((self.devicePixelRatioF() or 1.0) - self.dpr) > 0.01:
            self._apply_size()
        self._schedule()

    # --- the document -----------------------------------------------------------------------
    def set_renderer(self, render: Render | None) -> None:
        self._render = render

    def key(self, page: int) -> tuple:
        return (self.doc_id, page, self.px)

    def has_thumbnail(self, page: int) -> bool:
        return self.key(page) in self.cache

    def item(self, page: int) -> QListWidgetItem | None:
        return self.view.item(page - 1) if 1 <= page <= self.count else None

    def _page(self, item: QListWidgetItem) -> int:
        return self.view.row(item) + 1

    def set_document(self, doc_id: str, count: int, choices: dict[int, int]) -> None:
        """Show a document's pages (or keep the same one, with new choices)."""
        if doc_id == self.doc_id and count == self.count:
            self.set_choices(choices)
            return
        self.doc_id, self.count, self.choices = doc_id, count, dict(choices)
        self._shown: dict[int, tuple] = {}
        self._syncing = True
        self.view.setUpdatesEnabled(False)
        try:
            self.view.clear()
            for page in range(1, count + 1):
                # The constructor adds the item; few calls per page keep a 2,000-page
                # record quick to show.
                self._dress(QListWidgetItem(self.view), page)
        finally:
            self.view.setUpdatesEnabled(True)
            self._syncing = False
        self.problem.setVisible(False)
        self.view.scrollToTop()
        self._update_buttons()
        self._schedule()

    def set_choices(self, choices: dict[int, int]) -> None:
        old, self.choices = self.choices, dict(choices)
        changed = {p for p in set(old) | set(choices) if old.get(p, -1) != choices.get(p, -1)}
        for page in sorted(changed):
            item = self.item(page)
            if item is not None:
                self._dress(item, page)
        self._update_buttons()

    def _dress_all(self) -> None:
        self._shown = {}
        for page in range(1, self.count + 1):
            self._dress(self.view.item(page - 1), page)

    def _dress(self, item: QListWidgetItem, page: int) -> None:
        """Text, check mark, icon and description of one page (only what changed)."""
        included = page in self.choices
        turn = self.choices.get(page, 0)
        ready = self.has_thumbnail(page)
        before = self._shown.get(page)
        now = (included, turn, ready)
        if before == now:
            return
        self._shown[page] = now
        self._syncing, was = True, self._syncing
        try:
            if before is None or before[:2] != now[:2]:
                mark = {90: " ↻", 180: " ↻↻", 270: " ↺"}.get(turn, "")
                item.setText(_("Page {page}").format(page=page) + mark)
                item.setCheckState(Qt.CheckState.Checked if included else Qt.CheckState.Unchecked)
                item.setToolTip(page_status(page, self.count, self.choices))
            item.setIcon(self._icon(page, included, turn))
        finally:
            self._syncing = was

    def _icon(self, page: int, included: bool, turn: int) -> QIcon:
        pixmap = self.cache.get(self.key(page))
        if pixmap is None:
            return self._placeholders[0 if included else 1]
        shown = boxed(rotated(pixmap, turn), self.px)
        return QIcon(shown if included else faded(shown))

    def _item_changed(self, item: QListWidgetItem) -> None:
        """A check mark clicked: ask for the change; the item follows once it is saved."""
        if self._syncing:
            return
        page = self._page(item)
        checked = item.checkState() == Qt.CheckState.Checked
        if checked == (page in self.choices):
            return
        self._shown.pop(page, None)
        self._dress(item, page)  # back as stored until the owner saves the change
        self.include_requested.emit([page], checked)

    def selected_pages(self) -> list[int]:
        return sorted(self._page(i) for i in self.view.selectedItems())

    def select_pages(self, pages: Sequence[int]) -> None:
        self.view.clearSelection()
        for page in pages:
            item = self.item(page)
            if item is not None:
                item.setSelected(True)
        first = self.item(pages[0]) if pages else None
        if first is not None:
            self.view.setCurrentItem(first, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.view.scrollToItem(first)

    def clear(self) -> None:
        """Forget the document and every thumbnail (lock, leaving the case)."""
        self._generation += 1
        self._busy = False
        self._failed.clear()
        self._debounce.stop()
        self.set_document("", 0, {})
        self.cache.clear()
        self.problem.setVisible(False)
        self._set_loading_visible(False)
        self._update_buttons()

    def forget(self, doc_id: str) -> None:
        """A removed document's thumbnails are no longer needed."""
        self.cache.drop(lambda key: key[0] == doc_id)

    # --- actions ----------------------------------------------------------------------------
    def _update_buttons(self) -> None:
        has = bool(self.view.selectedItems()) and self.count > 0
        for b in self.buttons[:4]:
            b.setEnabled(has)
        self.view_button.setEnabled(self.count > 0)

    def _targets(self) -> list[int]:
        pages = self.selected_pages()
        current = self.view.currentItem()
        if not pages and current is not None:
            pages = [self._page(current)]
        return pages

    def _ask_include(self, include: bool) -> None:
        pages = self._targets()
        if pages:
            self.include_requested.emit(pages, include)

    def _toggle(self) -> None:
        pages = self._targets()
        if pages:
            include = any(p not in self.choices for p in pages)
            self.include_requested.emit(pages, include)

    def _ask_rotate(self, delta: int) -> None:
        pages = self._targets()
        if pages:
            self.rotate_requested.emit(pages, delta)

    def _open_current(self) -> None:
        item = self.view.currentItem()
        if item is None and self.count:
            item = self.view.item(0)
        if item is not None:
            self.open_requested.emit(self._page(item))

    # --- loading thumbnails -------------------------------------------------------------------
    def _schedule(self) -> None:
        if self.count and self._render is not None:
            self._debounce.start()

    def visible_pages(self) -> list[int]:
        """Pages whose thumbnail is (at least partly) in view, top to bottom."""
        if not self.count or not self.view.isVisible():
            return []
        area = self.view.viewport().rect()
        grid = self.view.gridSize()
        first = self.count
        for x in range(1, max(2, area.width()), max(8, grid.width() // 2)):
            for y in (1, grid.height() // 2):
                item = self.view.itemAt(QPoint(x, y))
                if item is not None:
                    first = min(first, self._page(item))
        if first == self.count:
            first = 1
        per_row = max(1, area.width() // max(1, grid.width()))
        pages: list[int] = []
        for page in range(max(1, first - per_row), self.count + 1):
            rect = self.view.visualItemRect(self.view.item(page - 1))
            if rect.intersects(area):
                pages.append(page)
            elif rect.top() > area.bottom():
                break
        return pages

    def _request_visible(self) -> None:
        if self._render is None or not self.count:
            return
        if self._busy:
            return  # asked again when the batch in hand is done
        wanted = [
            p
            for p in self.visible_pages()
            if not self.has_thumbnail(p) and self.key(p) not in self._failed
        ]
        if not wanted:
            self._set_loading_visible(False)
            return
        batch = wanted[:BATCH]
        render, doc_id, px, dpr = self._render, self.doc_id, self.px, self.dpr
        generation = self._generation
        self._busy = True
        self._show_loading.start()

        def work() -> list[QImage]:
            return [png_to_image(data) for data in render(doc_id, batch, px)]

        def done(images: list[QImage]) -> None:
            if not shiboken6.isValid(self) or generation != self._generation:
                return
            self._busy = False
            for page, image in zip(batch, images, strict=False):
                if image.isNull():
                    self._failed.add((doc_id, page, px))
                    continue
                pixmap = QPixmap.fromImage(image)
                pixmap.setDevicePixelRatio(dpr)
                evicted = self.cache.put((doc_id, page, px), pixmap)
                if doc_id == self.doc_id and px == self.px:
                    item = self.item(page)
                    if item is not None:
                        self._dress(item, page)
                    for key in evicted:  # the items let go of evicted pictures too
                        if key[0] == self.doc_id and key[2] == self.px:
                            gone = self.item(key[1])
                            if gone is not None:
                                self._shown.pop(key[1], None)
                                self._dress(gone, key[1])
            self._request_visible()

        def failed(exc: BaseException) -> None:
            if not shiboken6.isValid(self) or generation != self._generation:
                return
            self._busy = False
            log.info("page previews failed: %s", type(exc).__name__)
            self._failed.update((doc_id, p, px) for p in batch)
            self.problem.setText(describe(exc))
            self.problem.setVisible(True)
            self._request_visible()

        run_in_background(work, done, failed)

    def _set_loading_visible(self, visible: bool) -> None:
        if not visible:
            self._show_loading.stop()
        self.loading_label.setVisible(visible)
        self.loading_bar.setVisible(visible)

    @property
    def loading(self) -> bool:
        return self._busy or self._debounce.isActive()


class PageViewer(QDialog):
    """One page at reading size: previous/next, zoom in/out, fit width; run through
    ``dialogs.run_dialog`` and wiped with ``dialogs.dispose``."""

    MAX_PX = 1400

    def __init__(
        self,
        render: Render,
        doc_id: str,
        title: str,
        count: int,
        page: int,
        choices: dict[int, int],
        set_included: Callable[[int, bool], dict[int, int] | None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pageViewer")
        self.setWindowTitle(_("Page viewer"))
        self._render = render
        self._doc_id = doc_id
        self._count = count
        self._choices = dict(choices)
        self._set_included = set_included
        self._images: dict[int, QPixmap] = {}  # this dialog's pages, dropped with it
        self._pending: set[int] = set()
        self._zoom: float | None = None  # None: fit the width
        self._alive = True
        self.page = max(1, min(page, count))

        layout = QVBoxLayout(self)
        self.title_label = label(title, "subtitle", name="viewerTitle")
        layout.addWidget(self.title_label)
        bar = QHBoxLayout()
        self.prev_button = button(_("◀ &Previous"), "viewerPrevious")
        self.prev_button.setAccessibleName(_("Previous page"))
        self.prev_button.setToolTip(_("Previous page (Page Up)"))
        self.next_button = button(_("&Next ▶"), "viewerNext")
        self.next_button.setAccessibleName(_("Next page"))
        self.next_button.setToolTip(_("Next page (Page Down)"))
        self.status_label = label("", "", wrap=False, name="viewerStatus")
        self.include_check = QCheckBox(_("&In the packet"))
        self.include_check.setObjectName("viewerInclude")
        self.include_check.setAccessibleName(_("This page is in the packet"))
        self.include_check.setEnabled(set_included is not None)
        self.zoom_out_button = button(_("Zoom &out"), "viewerZoomOut")
        self.zoom_out_button.setToolTip(_("Smaller (Ctrl+−)"))
        self.zoom_in_button = button(_("&Zoom in"), "viewerZoomIn")
        self.zoom_in_button.setToolTip(_("Larger (Ctrl++)"))
        self.fit_button = button(_("Fit &width"), "viewerFitWidth")
        self.fit_button.setToolTip(_("As wide as the window (Ctrl+0)"))
        self.fit_button.setCheckable(True)
        self.fit_button.setChecked(True)
        for w in (self.prev_button, self.next_button, self.status_label):
            bar.addWidget(w)
        bar.addStretch(1)
        for w in (self.include_check, self.zoom_out_button, self.zoom_in_button, self.fit_button):
            bar.addWidget(w)
        layout.addLayout(bar)
        self.picture = QLabel()
        self.picture.setObjectName("viewerPage")
        self.picture.setAccessibleName(_("Page"))
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setProperty("role", "pagePicture")
        self.scroll = QScrollArea()
        self.scroll.setObjectName("viewerScroll")
        self.scroll.setAccessibleName(_("Page"))
        self.scroll.setWidget(self.picture)
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll.setWidgetResizable(False)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.scroll, 1)
        self.problem = label("", "fieldError", name="viewerProblem")
        self.problem.setVisible(False)
        layout.addWidget(self.problem)
        close = QPushButton(_("Close"))
        close.setObjectName("viewerClose")
        close.setAccessibleName(_("Close"))
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)

        self.prev_button.clicked.connect(lambda: self.show_page(self.page - 1))
        self.next_button.clicked.connect(lambda: self.show_page(self.page + 1))
        self.zoom_in_button.clicked.connect(lambda: self._zoom_by(1.25))
        self.zoom_out_button.clicked.connect(lambda: self._zoom_by(0.8))
        self.fit_button.clicked.connect(self._fit)
        self.include_check.clicked.connect(self._include_clicked)
        for keys, slot in (
            (QKeySequence(Qt.Key.Key_PageUp), lambda: self.show_page(self.page - 1)),
            (QKeySequence(Qt.Key.Key_PageDown), lambda: self.show_page(self.page + 1)),
            (QKeySequence(Qt.Key.Key_Home), lambda: self.show_page(1)),
            (QKeySequence(Qt.Key.Key_End), lambda: self.show_page(self._count)),
            (QKeySequence.StandardKey.ZoomIn, lambda: self._zoom_by(1.25)),
            (QKeySequence("Ctrl+="), lambda: self._zoom_by(1.25)),
            (QKeySequence.StandardKey.ZoomOut, lambda: self._zoom_by(0.8)),
            (QKeySequence("Ctrl+0"), self._fit),
        ):
            self._shortcut(keys, slot)
        self._fit_to_screen()
        self.show_page(self.page)

    def _fit_to_screen(self) -> None:
        """Most of the screen: a page is read at a useful size."""
        fm = self.fontMetrics().height()
        width, height = fm * 60, fm * 52
        screen = self.screen() if self.parentWidget() is None else self.parentWidget().screen()
        if screen is not None:
            area = screen.availableGeometry()
            height = round(area.height() * 0.9)
            width = min(round(area.width() * 0.9), max(fm * 50, round(height * 0.85)))
        self.resize(width, height)

    def _shortcut(self, keys: QKeySequence, slot) -> None:
        from PySide6.QtGui import QShortcut

        shortcut = QShortcut(keys, self)
        shortcut.activated.connect(slot)

    # --- pages --------------------------------------------------------------------------------
    def show_page(self, page: int) -> None:
        if not 1 <= page <= self._count:
            return
        self.page = page
        self.prev_button.setEnabled(page > 1)
        self.next_button.setEnabled(page < self._count)
        self.include_check.setChecked(page in self._choices)
        self.status_label.setText(page_status(page, self._count, self._choices))
        self.problem.setVisible(False)
        if page in self._images:
            self._layout_picture()
        else:
            self.picture.clear()
            self.picture.setText(_("Loading page {page}…").format(page=page))
            self.picture.adjustSize()
            self._load(page)
        for near in (page + 1, page - 1):  # the next page is usually wanted next
            if 1 <= near <= self._count and near not in self._images:
                self._load(near)

    def _load(self, page: int) -> None:
        if page in self._pending:
            return
        self._pending.add(page)
        dpr = self.devicePixelRatioF() or 1.0
        px = round(self.MAX_PX * dpr)
        render, doc_id = self._render, self._doc_id

        def work() -> QImage:
            return png_to_image(render(doc_id, [page], px)[0])

        def done(image: QImage) -> None:
            if not self._alive or not shiboken6.isValid(self):
                return
            self._pending.discard(page)
            if image.isNull():
                return
            pixmap = QPixmap.fromImage(image)
            pixmap.setDevicePixelRatio(dpr)
            if len(self._images) > 12:  # keep a few pages, not the whole document
                for old in sorted(self._images, key=lambda p: -abs(p - self.page))[:4]:
                    self._images.pop(old)
            self._images[page] = pixmap
            if page == self.page:
                self._layout_picture()

        def failed(exc: BaseException) -> None:
            if not self._alive or not shiboken6.isValid(self):
                return
            self._pending.discard(page)
            if page == self.page:
                self.picture.setText("")
                self.problem.setText(describe(exc))
                self.problem.setVisible(True)

        run_in_background(work, done, failed)

    @property
    def loaded(self) -> bool:
        return self.page in self._images

    def _layout_picture(self) -> None:
        pixmap = self._images.get(self.page)
        if pixmap is None:
            return
        pixmap = rotated(pixmap, self._choices.get(self.page, 0))
        dpr = pixmap.devicePixelRatio()
        natural = pixmap.width() / dpr
        if self._zoom is None:
            scale = max(0.1, self._fit_width() / natural) if natural else 1.0
        else:
            scale = self._zoom
        width = max(1, round(natural * scale * dpr))
        shown = pixmap.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
        shown.setDevicePixelRatio(dpr)
        self.picture.setPixmap(shown)
        self.picture.resize(shown.size() / dpr)
        self.picture.setAccessibleDescription(self.status_label.text())

    def _current_scale(self) -> float:
        pixmap = self._images.get(self.page)
        if self._zoom is not None or pixmap is None:
            return self._zoom or 1.0
        natural = pixmap.width() / pixmap.devicePixelRatio()
        return max(0.1, self._fit_width() / natural) if natural else 1.0

    def _fit_width(self) -> int:
        """The width a page fills in "fit width", leaving room for the vertical bar."""
        bar = self.scroll.verticalScrollBar().sizeHint().width()
        return max(50, self.scroll.width() - 2 * self.scroll.frameWidth() - bar - 2)

    def _zoom_by(self, factor: float) -> None:
        self._zoom = max(0.2, min(4.0, self._current_scale() * factor))
        self.fit_button.setChecked(False)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self._layout_picture()

    def _fit(self) -> None:
        self._zoom = None
        self.fit_button.setChecked(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._layout_picture()

    def _include_clicked(self, checked: bool) -> None:
        if self._set_included is None:
            return
        choices = self._set_included(self.page, checked)
        if choices is not None:
            self._choices = dict(choices)
        self.include_check.setChecked(self.page in self._choices)
        self.status_label.setText(page_status(self.page, self._count, self._choices))
        self._layout_picture()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._zoom is None:
            self._layout_picture()

    def done(self, result: int) -> None:
        self._alive = False
        self._images.clear()
        self.picture.clear()
        super().done(result)
