"""The Packet & mailing section of the case workspace.

- What prints blank: the fields the case lacks, which the forms print as lines to complete by
  hand (``PacketService.missing_fields``), read again each time the section is shown.
- The packet and the cover sheet & envelope: built in the background, kept in memory only
  (the PDF bytes live in this section and are dropped on leaving the case and on lock),
  previewed as thumbnails drawn by the document worker, printed through
  ``dialogs.print_pages`` (nothing written to disk) or exported — after a warning that the
  file is not encrypted — to a path the advocate picks.
- The mailing record: the USPS certified-mail article number (grouped as typed, its check
  digit verified; a number that fails is shown back and confirmed), the mailing date, the
  return receipt; once recorded, the expected dates after mailing. ``mailing_recorded`` is
  emitted so the workspace takes the case as stored and the assessment follows.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from imrdesktop.domain.errors import ImrError, InvalidField
from imrdesktop.domain.usps import group4
from imrdesktop.gui import dialogs
from imrdesktop.gui.widgets.common import (
    button,
    label,
    primary_button,
    refresh_style,
    sensitive_line_edit,
    set_field_error,
)
from imrdesktop.gui.widgets.packet_pages import BuiltPageViewer, PdfThumbnails
from imrdesktop.gui.widgets.pages import png_to_image
from imrdesktop.gui.workers import run_in_background
from imrdesktop.i18n import N_, _, ngettext
from imrdesktop.services.messages import describe, field_problem

log = logging.getLogger(__name__)

RECEIPT_LABELS: dict[str, str] = {
    "green_card": N_("PS Form 3811 (green card)"),
    "electronic": N_("Electronic return receipt"),
    "none": N_("None"),
}
# Lengths of a whole article number (RULES D.2): the check is shown once one is reached.
ARTICLE_LENGTHS = (20, 22, 26, 30, 34)
LETTER_INCHES = 11  # the longer side of a Letter page


def digits_of(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def pages_phrase(first: int, count: int) -> str:
    if count <= 1:
        return _("page {first}").format(first=first)
    return _("pages {first}–{last}").format(first=first, last=first + count - 1)


def part_lines(sections) -> list[str]:
    """One line per part of a built PDF: "2. Letter in support — pages 2–4"."""
    return [
        _("{n}. {title} — {pages}").format(n=n, title=title, pages=pages_phrase(first, count))
        for n, (_key, title, first, count) in enumerate(sections, start=1)
    ]


def page_parts(sections) -> dict[int, str]:
    """Page number -> the title of the part it belongs to."""
    out: dict[int, str] = {}
    for _key, title, first, count in sections:
        for page in range(first, first + max(1, count)):
            out[page] = title
    return out


def fit_list(view: QListWidget, max_rows: int) -> None:
    """As tall as its rows (up to ``max_rows``), so the section scrolls, not the list.
    Wrapped rows are measured as laid out: call again once the list has its width
    (``fit_list_later``)."""
    view.doItemsLayout()  # wrapped rows: heights for the current width
    rows = min(max_rows, view.count())
    height = sum(view.visualItemRect(view.item(i)).height() for i in range(rows))
    height += 2 * view.frameWidth() + 6
    if view.height() != height:
        view.setFixedHeight(height)


def fit_list_later(view: QListWidget, max_rows: int) -> None:
    fit_list(view, max_rows)
    QTimer.singleShot(0, lambda: shiboken6.isValid(view) and fit_list(view, max_rows))


def card(name: str) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setObjectName(name)
    frame.setProperty("role", "card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(14, 12, 14, 14)
    return frame, layout


class BuiltPanel(QFrame):
    """One thing to build and print: the whole packet, or the cover sheet & envelope."""

    def __init__(
        self,
        key: str,
        heading: str,
        hint: str,
        build_text: str,
        names: dict[str, str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.key = key
        self.built = None  # the BuiltPacket shown (its PDF is in memory only)
        self.built_at = ""
        self.setObjectName(f"{key}Panel")
        self.setProperty("role", "card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 14)
        layout.addWidget(label(heading, "heading", wrap=True))
        layout.addWidget(label(hint, "hint", name=f"{key}Hint"))
        self.options = QVBoxLayout()
        layout.addLayout(self.options)
        row = QHBoxLayout()
        self.build_button = (primary_button if key == "packet" else button)(
            build_text, f"build_{key}_button"
        )
        row.addWidget(self.build_button)
        self.busy_bar = QProgressBar()
        self.busy_bar.setObjectName(f"{key}BuildProgress")
        self.busy_bar.setAccessibleName(names["progress"])
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setMaximumWidth(140)
        self.busy_bar.setVisible(False)
        row.addWidget(self.busy_bar)
        self.status = label("", "hint", name=f"{key}Status")
        row.addWidget(self.status, 1)
        layout.addLayout(row)
        self.problem = label("", "fieldError", name=f"{key}Problem")
        self.problem.setVisible(False)
        layout.addWidget(self.problem)
        self.note = label("", "banner", name=f"{key}EligibilityNote")
        self.note.setVisible(False)
        layout.addWidget(self.note)
        self.summary = label("", "builtSummary", name=f"{key}Summary")
        self.summary.setVisible(False)
        layout.addWidget(self.summary)
        self.parts = QListWidget()
        self.parts.setObjectName(f"{key}Parts")
        self.parts.setAccessibleName(names["parts"])
        self.parts.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.parts.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.parts.setWordWrap(True)
        self.parts.setVisible(False)
        layout.addWidget(self.parts)
        actions = QHBoxLayout()
        self.print_button = button(names["print"], f"print_{key}_button")
        self.print_button.setAccessibleName(names["print_name"])
        self.export_button = button(names["export"], f"export_{key}_button")
        self.export_button.setAccessibleName(names["export_name"])
        actions.addWidget(self.print_button)
        actions.addWidget(self.export_button)
        actions.addStretch(1)
        layout.addLayout(actions)
        self.thumbnails = PdfThumbnails(f"{key}Thumbnails", names["pages"])
        self.thumbnails.setVisible(False)
        layout.addWidget(self.thumbnails)
        self.set_built(None)

    @property
    def busy(self) -> bool:
        return self.busy_bar.isVisible()

    def set_busy(self, busy: bool, text: str = "") -> None:
        # The build button stays enabled (a click while busy does nothing) so the keyboard
        # focus stays on it; Print takes the focus once the build is ready.
        self.busy_bar.setVisible(busy)
        self.status.setText(text)
        if busy:
            self.problem.setVisible(False)

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def set_built(self, built, render=None) -> None:
        """Show a build (None: forget it — the PDF bytes and every thumbnail)."""
        self.built = built
        self.thumbnails.clear()
        self.parts.clear()
        has = built is not None
        for w in (self.summary, self.parts, self.thumbnails):
            w.setVisible(has)
        self.print_button.setEnabled(has)
        self.export_button.setEnabled(has)
        note = getattr(built, "eligibility_note", None) if has else None
        self.note.setText(note or "")
        self.note.setVisible(bool(note))
        if not has:
            self.summary.setText("")
            self.built_at = ""
            return
        self.built_at = dt.datetime.now().strftime("%H:%M")
        pages = ngettext("{n} page", "{n} pages", built.pages).format(n=built.pages)
        text = _("{pages}, built at {time}.").format(pages=pages, time=self.built_at)
        if built.sample:
            text += " " + _("Training vault: every page is marked SAMPLE.")
        self.summary.setText(text)
        for line in part_lines(built.sections):
            item = QListWidgetItem(line)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, line)
            self.parts.addItem(item)
        fit_list_later(self.parts, 10)
        if render is not None:
            self.thumbnails.set_pdf(built.pages, render, page_parts(built.sections))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            fit_list(self.parts, 10)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width() and self.parts.count():
            QTimer.singleShot(0, lambda: shiboken6.isValid(self) and fit_list(self.parts, 10))


class PacketSection(QWidget):
    """Build, preview, print and export the packet; record the mailing."""

    mailing_recorded = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("section_packet")
        self._service = None
        self._case_id = ""
        self._today: Callable[[], dt.date] = dt.date.today
        self._generation = 0  # bumped on load/clear: late background results are dropped
        self._filled = False  # the mailing fields hold the case's record
        self._mailing: dict | None = None

        outer = QVBoxLayout(self)
        outer.setSpacing(12)
        outer.addWidget(label(_("Packet & mailing"), "title", wrap=False))
        outer.addWidget(
            label(
                _(
                    "Build the packet to look it over, then print it or export it. Once it is "
                    "mailed by certified mail, record the article number and the date: the "
                    "tracking dates start from the mailing."
                ),
                "hint",
                name="packetHint",
            )
        )
        outer.addWidget(self._build_blanks())
        self.packet_panel = BuiltPanel(
            "packet",
            _("The packet"),
            _(
                "Cover sheet, letter in support, application form, the forms the case needs, "
                "the exhibit index and the exhibits — in the order DMHC reads them, every "
                "page numbered."
            ),
            _("&Build the packet"),
            {
                "progress": _("Building the packet"),
                "parts": _("Parts of the packet"),
                "print": _("&Print…"),
                "print_name": _("Print the packet"),
                "export": _("&Export PDF…"),
                "export_name": _("Export the packet as a PDF"),
                "pages": _("Pages of the packet"),
            },
        )
        self.release_check = QCheckBox(_("Include the re&lease of medical records"))
        self.release_check.setObjectName("includeReleaseCheck")
        self.release_check.setAccessibleName(
            _("Include the authorization for release of medical records")
        )
        self.release_check.setToolTip(
            _(
                "The authorization for release of medical records (Civil Code 56.11) lets "
                "the reviewers ask the providers for the records. Leave it out only if the "
                "client will not sign it."
            )
        )
        self.release_check.setChecked(True)
        self.packet_panel.options.addWidget(self.release_check)
        outer.addWidget(self.packet_panel)
        outer.addWidget(self._build_mailing())
        self.cover_panel = BuiltPanel(
            "cover",
            _("Cover sheet & envelope only"),
            _(
                "The certified-mail cover sheet with the article number typed above, and a "
                "page for the envelope — for when the packet is already printed."
            ),
            _("Build the &cover sheet"),
            {
                "progress": _("Building the cover sheet"),
                "parts": _("Parts of the cover sheet"),
                "print": _("Pr&int…"),
                "print_name": _("Print the cover sheet and envelope"),
                "export": _("E&xport PDF…"),
                "export_name": _("Export the cover sheet and envelope as a PDF"),
                "pages": _("Pages of the cover sheet and envelope"),
            },
        )
        outer.addWidget(self.cover_panel)
        outer.addStretch(1)

        for panel in (self.packet_panel, self.cover_panel):
            panel.build_button.clicked.connect(lambda _c=False, p=panel: self.build(p))
            panel.print_button.clicked.connect(lambda _c=False, p=panel: self.print_built(p))
            panel.export_button.clicked.connect(lambda _c=False, p=panel: self.export_built(p))
            panel.thumbnails.open_requested.connect(lambda page, p=panel: self.open_viewer(p, page))
        self.packet_panel.print_button.setToolTip(_("Print the packet (Ctrl+P)"))
        QShortcut(
            QKeySequence.StandardKey.Print,
            self,
            lambda: self.print_built(self.packet_panel),
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        self._update_enabled()

    # --- building the parts of the page -----------------------------------------------------
    def _build_blanks(self) -> QFrame:
        frame, v = card("blanksCard")
        v.addWidget(label(_("What prints blank"), "heading", wrap=True))
        self.blanks_hint = label(
            _(
                "The case does not say these, so the forms print a blank line for each: "
                "complete them by hand after printing, or fill in the case first."
            ),
            "hint",
            name="blanksHint",
        )
        v.addWidget(self.blanks_hint)
        self.blanks = QListWidget()
        self.blanks.setObjectName("missingFields")
        self.blanks.setAccessibleName(_("What prints blank"))
        self.blanks.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.blanks.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.blanks.setWordWrap(True)
        v.addWidget(self.blanks)
        self.blanks_none = label(
            _("Nothing prints blank: the case fills every field of the forms."),
            "hint",
            name="blanksNone",
        )
        self.blanks_none.setVisible(False)
        v.addWidget(self.blanks_none)
        self.blanks_problem = label("", "fieldError", name="blanksProblem")
        self.blanks_problem.setVisible(False)
        v.addWidget(self.blanks_problem)
        return frame

    def _build_mailing(self) -> QFrame:
        frame, v = card("mailingCard")
        v.addWidget(label(_("Mailing record"), "heading", wrap=True))
        v.addWidget(
            label(
                _(
                    "Type the article number from the certified-mail label (PS Form 3800) as "
                    "printed under the barcode, and the date on the post office's receipt."
                ),
                "hint",
                name="mailingHint",
            )
        )
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.errors: dict[str, QLabel] = {}

        self.article_edit = sensitive_line_edit(
            "articleNumber", _("USPS certified-mail article number")
        )
        self.article_edit.setPlaceholderText(_("e.g. 9400 1112 0108 0805 4830 16"))
        self.article_edit.setMaxLength(48)
        self.article_edit.textEdited.connect(self._article_edited)
        self.article_edit.textEdited.connect(self._mailing_edited)
        self.article_edit.editingFinished.connect(self._article_finished)
        self.article_check = label("", "hint", name="articleNumberCheck")
        self.article_check.setAccessibleName(_("Check of the article number"))
        row = QHBoxLayout()
        row.setSpacing(10)
        row.addWidget(self.article_edit)
        row.addWidget(self.article_check, 1)
        article_caption = QLabel(_("&Article number:"))
        article_caption.setBuddy(self.article_edit)
        form.addRow(article_caption, row)

        self.date_edit = sensitive_line_edit(
            "mailingDate", _("Mailing date (YYYY-MM-DD or MM/DD/YYYY)")
        )
        self.date_edit.setPlaceholderText(_("YYYY-MM-DD or MM/DD/YYYY"))
        self.date_edit.setMaxLength(10)
        self.date_edit.textEdited.connect(self._mailing_edited)
        date_caption = QLabel(_("Mailing &date:"))
        date_caption.setBuddy(self.date_edit)
        form.addRow(date_caption, self._with_error("date", self.date_edit))

        self.receipt_combo = QComboBox()
        self.receipt_combo.setObjectName("returnReceipt")
        self.receipt_combo.setAccessibleName(_("Return receipt"))
        for key, text in RECEIPT_LABELS.items():
            self.receipt_combo.addItem(_(text), key)
        self.receipt_combo.currentIndexChanged.connect(lambda _i: self._update_enabled())
        self.receipt_combo.activated.connect(lambda _i: self._mailing_edited())
        receipt_caption = QLabel(_("&Return receipt:"))
        receipt_caption.setBuddy(self.receipt_combo)
        form.addRow(receipt_caption, self._with_error("return_receipt", self.receipt_combo))

        self.card_edit = sensitive_line_edit(
            "receiptNumber", _("PS Form 3811 card number (optional)")
        )
        self.card_edit.setPlaceholderText(_("Optional"))
        self.card_edit.setMaxLength(48)
        card_caption = QLabel(_("3811 card &number:"))
        card_caption.setBuddy(self.card_edit)
        form.addRow(card_caption, self._with_error("receipt_number", self.card_edit))
        self._form = form
        self._fit_fields()
        v.addLayout(form)

        buttons = QHBoxLayout()
        self.record_button = primary_button(_("Record the &mailing"), "recordMailingButton")
        self.record_button.clicked.connect(self.record_mailing)
        buttons.addWidget(self.record_button)
        self.mailing_status = label("", "hint", name="mailingStatus")
        buttons.addWidget(self.mailing_status, 1)
        v.addLayout(buttons)

        self.recorded = QWidget()
        self.recorded.setObjectName("mailingRecorded")
        rv = QVBoxLayout(self.recorded)
        rv.setContentsMargins(0, 8, 0, 0)
        self.mailing_summary = label("", "builtSummary", name="mailingSummary")
        rv.addWidget(self.mailing_summary)
        rv.addWidget(label(_("What to expect after mailing"), "heading", wrap=True))
        self.milestones = QTableWidget(0, 2)
        self.milestones.setObjectName("mailingMilestones")
        self.milestones.setAccessibleName(_("What to expect after mailing"))
        self.milestones.setHorizontalHeaderLabels([_("What to expect"), _("About")])
        self.milestones.verticalHeader().setVisible(False)
        self.milestones.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.milestones.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.milestones.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.milestones.setWordWrap(True)
        self.milestones.setShowGrid(False)
        self.milestones.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.milestones.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.milestones.horizontalHeader()
        header.setAccessibleName(_("Columns"))
        self.milestones.verticalHeader().setAccessibleName(_("Rows"))
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        rv.addWidget(self.milestones)
        rv.addWidget(
            label(
                _(
                    "Planning estimates from the mailing date, not legal deadlines: DMHC's "
                    "clocks start when it receives the packet, which the USPS tracking shows."
                ),
                "hint",
                name="milestonesHint",
            )
        )
        self.recorded.setVisible(False)
        v.addWidget(self.recorded)
        return frame

    def _fit_fields(self) -> None:
        """Fields as wide as what they hold, at any text size."""
        fm = self.article_edit.fontMetrics()
        pad = 2 * fm.averageCharWidth() + 18
        group = fm.horizontalAdvance("0000 ")
        self.article_edit.setFixedWidth(group * 7 + pad)  # 26 digits in groups of 4
        self.card_edit.setFixedWidth(group * 7 + pad)
        self.date_edit.setFixedWidth(fm.horizontalAdvance("0000-00-00") + pad + group)
        self.receipt_combo.setFixedWidth(self.receipt_combo.sizeHint().width())

    def _with_error(self, key: str, widget: QWidget) -> QVBoxLayout:
        err = label("", "fieldError", name=f"mailingError_{key}")
        err.setVisible(False)
        self.errors[key] = err
        col = QVBoxLayout()
        col.setSpacing(2)
        col.addWidget(widget)
        col.addWidget(err)
        return col

    # --- the case ---------------------------------------------------------------------------
    def load(self, case_id: str, service, today: Callable[[], dt.date] | None = None) -> None:
        """``service`` is the session's PacketService (None: the section stays empty). The
        case is read when the section is shown (``refresh``)."""
        self.clear()
        self._service = service
        self._case_id = case_id
        self._today = today or dt.date.today
        self._update_enabled()

    def clear(self) -> None:
        """Forget the case: drop the built PDFs (bytes and thumbnails) and every field (lock,
        or leaving the case)."""
        self._generation += 1
        self._service = None
        self._case_id = ""
        self._filled = False
        self._mailing = None
        for panel in (self.packet_panel, self.cover_panel):
            panel.set_built(None)
            panel.set_busy(False)
            panel.show_problem("")
        self.blanks.clear()
        self.blanks_none.setVisible(False)
        self.blanks_problem.setVisible(False)
        self.release_check.setChecked(True)
        for edit in (self.article_edit, self.date_edit, self.card_edit):
            edit.setText("")
        self.receipt_combo.setCurrentIndex(0)
        self._clear_field_errors()
        self._set_article_check("", "")
        self.mailing_status.setText("")
        self._show_mailing(None)
        self._update_enabled()

    def refresh(self) -> None:
        """The section is shown: read what prints blank again, and the mailing record. A
        packet built before the case changed is dropped: it must never be printed stale."""
        if self._service is None:
            return
        self._drop_stale_builds()
        self._refresh_blanks()
        if not self._filled:
            try:
                mailing = self._service.mailing(self._case_id)
            except ImrError as exc:
                self.mailing_status.setText(describe(exc))
                return
            self._fill_mailing(mailing)
            self._filled = True

    def _fingerprint(self) -> str | None:
        try:
            return self._service.fingerprint(self._case_id)
        except ImrError:
            return None

    def _drop_stale_builds(self) -> None:
        current = self._fingerprint()
        for panel in (self.packet_panel, self.cover_panel):
            if panel.built is not None and getattr(panel, "fingerprint", None) != current:
                panel.set_built(None)
                panel.show_problem(
                    _("The case changed since this was built, so it was set aside. Build it again.")
                )

    def _refresh_blanks(self) -> None:
        try:
            missing = self._service.missing_fields(self._case_id)
        except ImrError as exc:
            self.blanks_problem.setText(describe(exc))
            self.blanks_problem.setVisible(True)
            return
        self._show_blanks(missing)

    def _show_blanks(self, missing) -> None:
        self.blanks_problem.setVisible(False)
        self.blanks.clear()
        for line in missing:
            item = QListWidgetItem(str(line))
            item.setData(Qt.ItemDataRole.AccessibleTextRole, str(line))
            self.blanks.addItem(item)
        has = bool(missing)
        self.blanks.setVisible(has)
        self.blanks_hint.setVisible(has)
        self.blanks_none.setVisible(not has)
        fit_list_later(self.blanks, 8)

    def blank_lines(self) -> list[str]:
        return [self.blanks.item(i).text() for i in range(self.blanks.count())]

    def _update_enabled(self) -> None:
        has = self._service is not None
        for panel in (self.packet_panel, self.cover_panel):
            panel.build_button.setEnabled(has)
        self.record_button.setEnabled(has)
        green = self.receipt_combo.currentData() == "green_card"
        self.card_edit.setEnabled(has and green)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            fit_list(self.blanks, 8)
            self._fit_fields()
            self._fit_milestones()

    # --- building -----------------------------------------------------------------------------
    def _alive(self, generation: int) -> bool:
        return (
            shiboken6.isValid(self) and generation == self._generation and self._service is not None
        )

    def _mailing_edited(self, *_args) -> None:
        if self.mailing_status.text():
            self.mailing_status.setText(
                _("Not saved yet — press the button below the fields to save the change.")
            )

    def _ready_to_build(self, service, case_id: str) -> bool:
        """Say what would print unfinished before building, and let the advocate choose."""
        concerns = []
        try:
            if not service.assessed(case_id):
                concerns.append(
                    _(
                        "This case has not been through the Criteria interview, so the forms "
                        "will not mark what kind of review is asked for."
                    )
                )
            prompts = service.letter_open_prompts(case_id)
        except ImrError as exc:
            self.packet_panel.show_problem(describe(exc))
            return False
        if prompts:
            concerns.append(
                ngettext(
                    "The letter still has {n} unfinished note in [brackets]; it will print "
                    "as it is.",
                    "The letter still has {n} unfinished notes in [brackets]; they will print "
                    "as they are.",
                    prompts,
                ).format(n=prompts)
            )
        if not concerns:
            return True
        return dialogs.confirm(
            self,
            _("Build the packet anyway?"),
            "\n\n".join([*concerns, _("You can build it now and again later; nothing is sent.")]),
            yes=_("Build anyway"),
            no=_("Not now"),
        )

    def build(self, panel: BuiltPanel) -> None:
        """Build the packet or the cover sheet in the background."""
        service, case_id = self._service, self._case_id
        if service is None or panel.busy:
            return
        if panel is self.packet_panel:
            if not self._ready_to_build(service, case_id):
                return
            include = self.release_check.isChecked()

            def work():
                return service.build_packet(case_id, include_release=include)

            text = _("Building the packet… this takes a few seconds.")
        else:
            number = self._cover_article_number()
            if number is False:
                return
            article, accept = number

            include = self.release_check.isChecked()

            def work():
                return service.build_cover_sheet(
                    case_id,
                    article_number=article,
                    accept_unverified=accept,
                    include_release=include,
                )

            text = _("Building the cover sheet…")
        generation = self._generation
        panel.set_built(None)  # the previous build goes at once
        panel.set_busy(True, text)

        def done(built) -> None:
            if not self._alive(generation):
                return
            panel.set_busy(False)
            self._show_built(panel, built)
            if self.window().focusWidget() is panel.build_button:  # waiting on it: go on
                panel.print_button.setFocus(Qt.FocusReason.OtherFocusReason)

        def failed(exc: BaseException) -> None:
            if not self._alive(generation):
                return
            if not isinstance(exc, ImrError):
                log.error("building the %s failed unexpectedly", panel.key, exc_info=exc)
            panel.set_busy(False)
            panel.show_problem(describe(exc))

        run_in_background(work, done, failed)

    def _cover_article_number(self):
        """The number typed in the mailing record for the cover sheet: (digits or None,
        accept_unverified), or False when the advocate chose to correct it first."""
        digits = digits_of(self.article_edit.text())
        if not digits:
            return None, False
        result = self._service.check_article_number(digits)
        if result.valid:
            return result.digits, False
        if not self._confirm_unverified(result.grouped, _("Print this number")):
            self.article_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        return result.digits or digits, True

    def _show_built(self, panel: BuiltPanel, built) -> None:
        panel.fingerprint = self._fingerprint()
        service = self._service
        pdf = built.pdf

        def render(pages, max_px):
            return service.render_pages(pdf, list(pages), max_px)

        panel.set_built(built, render)
        panel.status.setText("")
        if panel is self.packet_panel:
            self._show_blanks(list(built.missing_fields))

    def built(self, which: str = "packet"):
        """The BuiltPacket shown ("packet" or "cover"), or None."""
        return (self.packet_panel if which == "packet" else self.cover_panel).built

    def open_viewer(self, panel: BuiltPanel, page: int) -> None:
        built, service = panel.built, self._service
        if built is None or service is None:
            return
        pdf = built.pdf

        def render(pages, max_px):
            return service.render_pages(pdf, list(pages), max_px)

        title = _("The packet") if panel is self.packet_panel else _("Cover sheet & envelope")
        viewer = BuiltPageViewer(render, title, built.pages, page, page_parts(built.sections), self)
        dialogs.run_dialog(viewer)
        if shiboken6.isValid(viewer):
            dialogs.dispose(viewer)

    # --- printing and exporting ---------------------------------------------------------------
    def print_built(self, panel: BuiltPanel) -> None:
        built, service = panel.built, self._service
        if built is None or service is None:
            return
        problems: list[BaseException] = []

        def render_page(index: int, dpi: int) -> QImage:
            if panel.built is not built or self._service is not service:
                return QImage()  # left the case or locked while printing
            try:
                data = service.render_pages(built.pdf, [index + 1], round(dpi * LETTER_INCHES))
            except Exception as exc:  # shown below; the job stops
                problems.append(exc)
                return QImage()
            return png_to_image(data[0]) if data else QImage()

        printed = dialogs.print_pages(self, built.pages, render_page)
        if not shiboken6.isValid(panel):
            return
        if problems:
            panel.show_problem(describe(problems[0]))
        elif printed:
            panel.status.setText(_("The pages were sent to the printer."))

    def export_built(self, panel: BuiltPanel) -> None:
        built, service, case_id = panel.built, self._service, self._case_id
        if built is None or service is None:
            return
        if not dialogs.confirm(
            self,
            _("Export an unencrypted copy?"),
            _(
                "The exported PDF is not encrypted: anyone who gets the file can read the "
                "client's medical information. Save it only on this computer or on a USB "
                "drive you keep — never in a shared, network or cloud-synced folder (Dropbox, "
                "OneDrive, Google Drive, iCloud), and do not send it by email. Delete it when "
                "it is no longer needed."
            ),
            yes=_("Choose where to save…"),
            no=_("Cancel"),
        ):
            return
        stem = "imr-packet" if panel is self.packet_panel else "imr-cover-sheet"
        title = (
            _("Export the packet as a PDF")
            if panel is self.packet_panel
            else _("Export the cover sheet as a PDF")
        )
        path = dialogs.choose_save_path(
            self, title, f"{stem}-{case_id}.pdf", _("PDF (*.pdf)"), default_suffix="pdf"
        )
        if path is None or panel.built is not built or self._service is not service:
            return
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
            if path.exists() and not dialogs.confirm(
                self,
                _("Replace the existing file?"),
                _("{name} already exists. Replace it with this PDF?").format(name=path.name),
                yes=_("Replace"),
                no=_("Cancel"),
            ):
                return
        try:
            service.export_pdf(built.pdf, path)
        except (ImrError, OSError) as exc:
            panel.show_problem(describe(exc))
            return
        panel.show_problem("")
        panel.status.setText(
            _(
                "Saved as {path}. This copy is not encrypted: delete it when it is no "
                "longer needed."
            ).format(path=str(path))
        )

    # --- the mailing record -------------------------------------------------------------------
    def _fill_mailing(self, mailing: dict | None) -> None:
        self._clear_field_errors()
        if mailing:
            self.article_edit.setText(mailing.get("grouped") or group4(mailing["article_number"]))
            self.date_edit.setText(mailing.get("date", ""))
            idx = self.receipt_combo.findData(mailing.get("return_receipt", "green_card"))
            self.receipt_combo.setCurrentIndex(max(0, idx))
            self.card_edit.setText(mailing.get("receipt_number", ""))
            self._show_check(final=True)
        else:
            self.article_edit.setText("")
            self.date_edit.setText(self._today().isoformat())
            self.receipt_combo.setCurrentIndex(0)
            self.card_edit.setText("")
            self._set_article_check("", "")
        self._show_mailing(mailing)

    def _show_mailing(self, mailing: dict | None) -> None:
        self._mailing = mailing
        self.recorded.setVisible(bool(mailing))
        self.milestones.setRowCount(0)
        if not mailing:
            self.mailing_summary.setText("")
            self.record_button.setText(_("Record the &mailing"))
            self.record_button.setAccessibleName(_("Record the mailing"))
            return
        self.record_button.setText(_("Update the &mailing record"))
        self.record_button.setAccessibleName(_("Update the mailing record"))
        grouped = mailing.get("grouped") or group4(mailing.get("article_number", ""))
        if mailing.get("verified"):
            text = _("Mailed on {date} by USPS Certified Mail, article number {number}.")
        else:
            text = _(
                "Mailed on {date} by USPS Certified Mail, article number {number} — its check "
                "digit does not match; it was kept as typed."
            )
        text = text.format(date=mailing.get("date", ""), number=grouped)
        receipt = mailing.get("return_receipt", "none")
        receipt_text = _(RECEIPT_LABELS.get(receipt, RECEIPT_LABELS["none"]))
        if receipt == "green_card" and mailing.get("receipt_number"):
            more = _("Return receipt: {kind}, card {number}.").format(
                kind=receipt_text, number=group4(mailing["receipt_number"])
            )
        else:
            more = _("Return receipt: {kind}.").format(kind=receipt_text)
        self.mailing_summary.setText(f"{text} {more}")
        rows = list(mailing.get("milestones") or [])
        self.milestones.setRowCount(len(rows))
        for r, milestone in enumerate(rows):
            what = QTableWidgetItem(str(milestone.get("label", "")))
            when = QTableWidgetItem(str(milestone.get("date", "")))
            for item in (what, when):
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.milestones.setItem(r, 0, what)
            self.milestones.setItem(r, 1, when)
        self._fit_milestones()

    def _fit_milestones(self) -> None:
        table = self.milestones
        table.resizeColumnToContents(1)
        table.resizeRowsToContents()
        height = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth() + 2
        height += sum(table.rowHeight(r) for r in range(table.rowCount()))
        table.setFixedHeight(height)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            QTimer.singleShot(0, self._fit_after_resize)

    def _fit_after_resize(self) -> None:
        if not shiboken6.isValid(self):
            return
        if self.blanks.count():
            fit_list(self.blanks, 8)
        if self.milestones.rowCount():
            self._fit_milestones()

    def milestone_rows(self) -> list[tuple[str, str]]:
        t = self.milestones
        return [(t.item(r, 0).text(), t.item(r, 1).text()) for r in range(t.rowCount())]

    # article number: grouped as typed, its check digit shown beside it
    def _article_edited(self, text: str) -> None:
        cursor = self.article_edit.cursorPosition()
        before = len(digits_of(text[:cursor]))
        digits = digits_of(text)
        grouped = group4(digits)
        if grouped != text:
            self.article_edit.setText(grouped)
            self.article_edit.setCursorPosition(before + (before - 1) // 4 if before else 0)
        self._show_check(final=False)

    def _article_finished(self) -> None:
        digits = digits_of(self.article_edit.text())
        if digits and self._service is not None:
            result = self._service.check_article_number(digits)
            if result.grouped and result.grouped != self.article_edit.text():
                self.article_edit.setText(result.grouped)  # a leading 420+ZIP goes
        self._show_check(final=True)

    def _show_check(self, final: bool) -> None:
        digits = digits_of(self.article_edit.text())
        if not digits or self._service is None:
            self._set_article_check("", "")
            return
        if not final and len(digits) not in ARTICLE_LENGTHS:
            self._set_article_check(
                ngettext(
                    "{n} digit so far — the label shows 22 (20 on older labels).",
                    "{n} digits so far — the label shows 22 (20 on older labels).",
                    len(digits),
                ).format(n=len(digits)),
                "hint",
            )
            return
        result = self._service.check_article_number(digits)
        if result.valid:
            self._set_article_check(_("Check digit matches."), "checkOk")
        else:
            self._set_article_check(
                _("This number fails its check digit — check it against the label."),
                "fieldError",
            )

    def _set_article_check(self, text: str, role: str) -> None:
        self.article_check.setText(text)
        self.article_check.setProperty("role", role or "hint")
        refresh_style(self.article_check)
        self.article_edit.setProperty("invalid", role == "fieldError")
        refresh_style(self.article_edit)

    def article_check_text(self) -> str:
        return self.article_check.text()

    def _clear_field_errors(self) -> None:
        set_field_error(self.date_edit, self.errors["date"], "")
        set_field_error(self.receipt_combo, self.errors["return_receipt"], "")
        set_field_error(self.card_edit, self.errors["receipt_number"], "")

    def _confirm_unverified(self, grouped: str, yes: str) -> bool:
        return dialogs.confirm(
            self,
            _("Use a number that fails its check digit?"),
            _(
                "This article number fails the USPS check digit, so a digit is probably "
                "mistyped:\n\n{number}\n\nCompare it group by group with the label on the "
                "envelope. Use it anyway?"
            ).format(number=grouped),
            yes=yes,
            no=_("Correct it"),
        )

    def record_mailing(self) -> None:
        service, case_id = self._service, self._case_id
        if service is None:
            return
        self._clear_field_errors()
        self.mailing_status.setText("")
        digits = digits_of(self.article_edit.text())
        accept = False
        if digits:
            result = service.check_article_number(digits)
            self._show_check(final=True)
            if not result.valid:
                if not self._confirm_unverified(result.grouped, _("Record this number")):
                    self.article_edit.setFocus(Qt.FocusReason.OtherFocusReason)
                    return
                if self._service is not service:  # locked while the question was open
                    return
                accept = True
            digits = result.digits or digits
        receipt = self.receipt_combo.currentData() or "none"
        try:
            mailing = service.record_mailing(
                case_id,
                article_number=digits,
                date=self.date_edit.text().strip(),
                return_receipt=receipt,
                receipt_number=digits_of(self.card_edit.text()) if receipt == "green_card" else "",
                accept_unverified=accept,
            ) or service.mailing(case_id)
        except InvalidField as exc:
            self._field_problem(exc)
            return
        except ImrError as exc:
            self.mailing_status.setText(describe(exc))
            return
        self._fill_mailing(mailing)
        self._filled = True
        self.mailing_status.setText(_("The mailing is recorded."))
        self._refresh_blanks()
        for panel in (self.packet_panel, self.cover_panel):
            if panel.built is not None:
                panel.status.setText(
                    _("Built before the mailing was recorded: build it again to print the number.")
                )
        self.record_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.mailing_recorded.emit()

    def _field_problem(self, exc: InvalidField) -> None:
        field = str(exc.params.get("field", "")).rpartition(".")[2]
        if field == "article_number":
            self._set_article_check(field_problem(exc), "fieldError")
            self.article_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        target = {
            "date": self.date_edit,
            "return_receipt": self.receipt_combo,
            "receipt_number": self.card_edit,
        }.get(field)
        if target is None:
            self.mailing_status.setText(describe(exc))
            return
        set_field_error(target, self.errors[field], field_problem(exc))
        target.setFocus(Qt.FocusReason.OtherFocusReason)
