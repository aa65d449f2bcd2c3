"""A read-only thumbnail grid of a PDF built in memory (the packet, the cover sheet).

Like the Documents section's ``PageGrid`` (``widgets.pages``), only the thumbnails in view
are asked for, after scrolling or resizing settles, in small batches on a worker thread;
they are kept in memory only and a blank page stands in until one is ready. Unlike it, the
pages cannot be left out or turned: the grid shows what will print. Enter or a double-click
asks for the page viewer (``open_requested``).

It does not talk to the services: it is given a ``render(pages, max_px)`` callable that
returns PNG bytes per 1-based page (run on a worker thread).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import shiboken6
from PySide6.QtCore import QEvent, QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from imrdesktop.gui.widgets.common import label
from imrdesktop.gui.widgets.pages import (
    BATCH,
    PageViewer,
    PixmapLru,
    boxed,
    placeholder,
    png_to_image,
)
from imrdesktop.gui.workers import run_in_background
from imrdesktop.i18n import _
from imrdesktop.services.messages import describe

log = logging.getLogger(__name__)

PdfRender = Callable[[Sequence[int], int], list[bytes]]  # pages, max px -> PNGs


class _GridView(QListWidget):
    open_key = Signal()

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_key.emit()
        else:
            super().keyPressEvent(event)


class PdfThumbnails(QWidget):
    """Thumbnails of the pages of one in-memory PDF; ``open_requested(page)`` (1-based)."""

    open_requested = Signal(int)

    def __init__(self, name: str, accessible: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._render: PdfRender | None = None
        self._generation = 0
        self._busy = False
        self._failed: set[int] = set()
        self.cache = PixmapLru(48 * 1024 * 1024)
        self.count = 0
        self.px = 0
        self.dpr = 1.0
        self._rows = 1.6  # rows of thumbnails in view before the grid scrolls
        self._placeholder = QIcon()
        self._titles: dict[int, str] = {}

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.problem = label("", "fieldError", name=f"{name}Problem")
        self.problem.setVisible(False)
        layout.addWidget(self.problem)
        self.view = _GridView()
        self.view.setObjectName(f"{name}View")
        self.view.setAccessibleName(accessible)
        self.view.setAccessibleDescription(_("Enter or a double-click shows a page large."))
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setWrapping(True)
        self.view.setUniformItemSizes(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setAcceptDrops(False)
        layout.addWidget(self.view)
        self.view.itemDoubleClicked.connect(lambda item: self.open_requested.emit(self._page(item)))
        self.view.open_key.connect(self._open_current)
        self.view.verticalScrollBar().valueChanged.connect(lambda _v: self._schedule())

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(80)
        self._debounce.timeout.connect(self._request_visible)
        self._apply_size()

    # --- sizes ------------------------------------------------------------------------------
    def thumbnail_side(self) -> int:
        return max(96, round(self.fontMetrics().height() * 10))

    def _apply_size(self) -> None:
        side = self.thumbnail_side()
        dpr = self.devicePixelRatioF() or 1.0
        px = max(32, round(side * dpr))
        if px != self.px:
            self.cache.clear()
            self._failed.clear()
        self.px, self.dpr = px, dpr
        self._placeholder = QIcon(boxed(placeholder(side, dpr), self.px))
        self.view.setIconSize(QSize(side, side))
        text_h = self.fontMetrics().height()
        self.view.setGridSize(QSize(side + 40, side + text_h + 18))
        self._fit_height()
        for page in range(1, self.count + 1):
            self._dress(page)
        self._schedule()

    def _fit_height(self) -> None:
        """One row when every page fits in it, else a row and a half: the grid scrolls."""
        grid = self.view.gridSize()
        rows = 1.0 if 0 < self.count <= self._per_row() else self._rows
        height = round(grid.height() * rows) + 2 * self.view.frameWidth() + 6
        if self.view.height() != height:
            self.view.setFixedHeight(height)

    def _per_row(self) -> int:
        width = self.view.viewport().width() or self.width()
        return max(1, width // max(1, self.view.gridSize().width()))

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._apply_size()
        super().changeEvent(event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self._fit_height()
        self._schedule()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if abs((self.devicePixelRatioF() or 1.0) - self.dpr) > 0.01:
            self._apply_size()
        self._schedule()

    # --- the pdf ------------------------------------------------------------------------------
    def set_pdf(self, count: int, render: PdfRender, titles: dict[int, str] | None = None) -> None:
        """Show ``count`` pages drawn by ``render``; ``titles`` names the part of each page."""
        self.clear()
        self._render = render
        self.count = count
        self._titles = dict(titles or {})
        self.view.setUpdatesEnabled(False)
        try:
            for page in range(1, count + 1):
                item = QListWidgetItem(self.view)
                item.setText(_("Page {page}").format(page=page))
                part = self._titles.get(page, "")
                tip = _("Page {page} of {count}").format(page=page, count=count)
                if part:
                    tip = _("{page} — {part}").format(page=tip, part=part)
                item.setToolTip(tip)
                item.setData(Qt.ItemDataRole.AccessibleTextRole, tip)
                item.setIcon(self._placeholder)
        finally:
            self.view.setUpdatesEnabled(True)
        self._apply_size()
        self.view.scrollToTop()

    def clear(self) -> None:
        """Forget the PDF and every thumbnail (lock, leaving the case, a new build)."""
        self._generation += 1
        self._busy = False
        self._debounce.stop()
        self._render = None
        self._failed.clear()
        self.cache.clear()
        self.count = 0
        self._titles = {}
        self.view.clear()
        self.problem.setVisible(False)

    def has_thumbnail(self, page: int) -> bool:
        return (page, self.px) in self.cache

    def _page(self, item: QListWidgetItem) -> int:
        return self.view.row(item) + 1

    def _open_current(self) -> None:
        item = self.view.currentItem() or (self.view.item(0) if self.count else None)
        if item is not None:
            self.open_requested.emit(self._page(item))

    def _dress(self, page: int) -> None:
        item = self.view.item(page - 1)
        if item is None:
            return
        pixmap = self.cache.get((page, self.px))
        item.setIcon(QIcon(boxed(pixmap, self.px)) if pixmap is not None else self._placeholder)

    # --- loading ------------------------------------------------------------------------------
    def _schedule(self) -> None:
        if self.count and self._render is not None:
            self._debounce.start()

    def visible_pages(self) -> list[int]:
        if not self.count or not self.view.isVisible():
            return []
        area = self.view.viewport().rect()
        first = self.view.itemAt(QPoint(area.left() + 4, area.top() + 4))
        start = self._page(first) if first is not None else 1
        start = max(1, start - self._per_row())
        pages: list[int] = []
        for page in range(start, self.count + 1):
            rect = self.view.visualItemRect(self.view.item(page - 1))
            if rect.intersects(area):
                pages.append(page)
            elif rect.top() > area.bottom():
                break
        return pages

    @property
    def loading(self) -> bool:
        return self._busy or self._debounce.isActive()

    def _request_visible(self) -> None:
        if self._render is None or not self.count or self._busy:
            return
        wanted = [
            p for p in self.visible_pages() if not self.has_thumbnail(p) and p not in self._failed
        ]
        if not wanted:
            return
        batch = wanted[:BATCH]
        render, px, dpr, generation = self._render, self.px, self.dpr, self._generation
        self._busy = True

        def work() -> list[QImage]:
            return [png_to_image(data) for data in render(batch, px)]

        def done(images: list[QImage]) -> None:
            if not shiboken6.isValid(self) or generation != self._generation:
                return
            self._busy = False
            for page, image in zip(batch, images, strict=False):
                if image.isNull():
                    self._failed.add(page)
                    continue
                pixmap = QPixmap.fromImage(image)
                pixmap.setDevicePixelRatio(dpr)
                if px != self.px:
                    continue
                for gone, _px in self.cache.put((page, px), pixmap):
                    self._dress(gone)
                self._dress(page)
            self._request_visible()

        def failed(exc: BaseException) -> None:
            if not shiboken6.isValid(self) or generation != self._generation:
                return
            self._busy = False
            log.info("packet previews failed: %s", type(exc).__name__)
            self._failed.update(batch)
            self.problem.setText(describe(exc))
            self.problem.setVisible(True)

        run_in_background(work, done, failed)


class BuiltPageViewer(PageViewer):
    """The page viewer for a built PDF: no "In the packet" choice; the status names the part
    of the packet the page belongs to."""

    _parts: dict[int, str] = {}

    def __init__(
        self,
        render: PdfRender,
        title: str,
        count: int,
        page: int,
        parts: dict[int, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            lambda _doc, pages, px: render(pages, px),
            "built",
            title,
            count,
            page,
            dict.fromkeys(range(1, count + 1), 0),
            None,
            parent,
        )
        self.setObjectName("builtPageViewer")
        self.include_check.setVisible(False)
        self._parts = dict(parts or {})
        self.show_page(self.page)

    def show_page(self, page: int) -> None:
        super().show_page(page)
        if 1 <= page <= self._count:
            text = _("Page {page} of {count}").format(page=page, count=self._count)
            part = self._parts.get(page, "")
            if part:
                text = _("{page} — {part}").format(page=text, part=part)
            self.status_label.setText(text)
            self.picture.setAccessibleDescription(text)
