"""The Packet & mailing section: what prints blank, the packet built in the background with
its parts and thumbnails, the page viewer, print through the dialogs seam, export only after
the warning, the cover sheet, and the mailing record with its check digit — and the lock
dropping the built PDFs.

The real PacketService builds the PDFs and the real document worker draws the pages.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from guihelpers import create_profile
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from test_app_shell import _unnamed_controls

from imrdesktop.gui import dialogs
from imrdesktop.gui.screens.packet import PacketSection

SLOW = 90_000  # the worker process starts in ~0.5 s; a packet takes a few seconds
GOOD = "9400 1112 0108 0805 4830 16"
BAD = "9400 1112 0108 0805 4830 17"


@pytest.fixture
def section(qtbot, window, answers) -> PacketSection:
    create_profile(qtbot, window, answers)
    case_id = window.session.create_case(
        {
            "enrollee": {"name": "Fictional Client", "date_of_birth": "1970-01-01"},
            "plan": {"name": "Fictional Health Plan"},
            "service": "Fictional infusion therapy",
        }
    )
    with qtbot.waitSignal(window.case_opened):
        window.open_case(case_id)
    window.workspace.show_section("packet")
    sec = window.workspace.packet
    assert sec.isVisible()
    return sec


def stored(window) -> dict:
    return window.session.load_case(window.workspace.case_id)


def build(qtbot, sec: PacketSection, which: str = "packet", answers=None):
    """Build; the packet asks first when the case is unassessed or the letter unfinished
    ("Build anyway" is answered here, ahead of whatever the test queued)."""
    panel = sec.packet_panel if which == "packet" else sec.cover_panel
    if which == "packet":
        from imrdesktop.gui import dialogs

        real = dialogs.confirm
        dialogs.confirm = lambda *a, **k: True
        try:
            qtbot.mouseClick(panel.build_button, Qt.MouseButton.LeftButton)
        finally:
            dialogs.confirm = real
        qtbot.waitUntil(lambda: not panel.busy, timeout=SLOW)
        assert not panel.problem.isVisible(), panel.problem.text()
        assert panel.built is not None
        return panel
    qtbot.mouseClick(panel.build_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.busy, timeout=SLOW)
    assert not panel.problem.isVisible(), panel.problem.text()
    assert panel.built is not None
    return panel


def test_what_prints_blank_is_listed_when_the_section_is_shown(qtbot, window, answers, section):
    sec = section
    lines = sec.blank_lines()
    assert lines  # a new case lacks the member id, the advocate's details…
    assert all(line.strip() for line in lines)
    assert sec.blanks.isVisible()
    assert "complete them by hand after printing" in sec.blanks_hint.text()
    assert _unnamed_controls(window.workspace) == []
    assert answers.shown == []


def test_the_packet_is_built_in_the_background_with_its_parts_and_thumbnails(
    qtbot, window, answers, section
):
    sec = section
    panel = sec.packet_panel
    assert not panel.print_button.isEnabled()
    assert not panel.export_button.isEnabled()
    answers.confirm = [True]  # "Build anyway": the case is unassessed, the letter unfinished
    qtbot.mouseClick(panel.build_button, Qt.MouseButton.LeftButton)
    assert panel.busy  # the work runs on a worker thread
    assert panel.busy_bar.isVisible()
    assert "Building the packet" in panel.status.text()
    qtbot.waitUntil(lambda: not panel.busy, timeout=SLOW)
    built = panel.built
    assert built is not None, panel.problem.text()
    assert built.pdf.startswith(b"%PDF")
    assert f"{built.pages} pages" in panel.summary.text()
    lines = [panel.parts.item(i).text() for i in range(panel.parts.count())]
    assert len(lines) == len(built.sections)
    key, title, first, count = built.sections[0]
    assert lines[0].startswith(f"1. {title} — page")
    assert panel.print_button.isEnabled()
    assert panel.export_button.isEnabled()
    assert window.focusWidget() is panel.print_button
    # the thumbnails in view are drawn by the worker
    grid = panel.thumbnails
    assert grid.count == built.pages
    qtbot.waitUntil(lambda: grid.has_thumbnail(1), timeout=SLOW)
    assert grid.view.item(0).toolTip().startswith(f"Page 1 of {built.pages} — {title}")
    assert _unnamed_controls(window.workspace) == []

    # Enter on a thumbnail opens the page viewer, which draws the page large.
    seen = {}

    def viewer(dlg):
        qtbot.waitUntil(lambda: dlg.loaded, timeout=SLOW)
        seen["status"] = dlg.status_label.text()
        seen["include_hidden"] = not dlg.include_check.isVisibleTo(dlg)
        return True

    answers.dialog_handlers.append(viewer)
    grid.view.setFocus()
    grid.view.setCurrentRow(0)
    qtbot.keyClick(grid.view, Qt.Key.Key_Return)
    assert seen["status"] == f"Page 1 of {built.pages} — {title}"
    assert seen["include_hidden"]


def test_export_warns_first_then_writes_the_pdf_where_chosen(
    qtbot, window, answers, section, tmp_path
):
    sec = section
    panel = build(qtbot, sec)
    out = tmp_path / "exported packet"

    answers.confirm = [False]
    answers.save_paths = [out]
    qtbot.mouseClick(panel.export_button, Qt.MouseButton.LeftButton)
    warning = answers.messages("confirm")[-1]
    assert "not encrypted" in warning
    assert "email" in warning and "shared" in warning
    assert answers.save_paths == [out]  # no file dialog after "Cancel"
    assert list(tmp_path.iterdir()) == []

    answers.confirm = [True]
    qtbot.mouseClick(panel.export_button, Qt.MouseButton.LeftButton)
    written = tmp_path / "exported packet.pdf"
    assert written.read_bytes() == panel.built.pdf
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert str(written) in panel.status.text()


def test_print_goes_through_the_dialogs_seam_with_pages_drawn_for_the_printer(
    qtbot, window, answers, section, monkeypatch
):
    sec = section
    panel = build(qtbot, sec)
    calls = {}

    def fake_print(parent, page_count, render_page):
        calls["count"] = page_count
        calls["image"] = render_page(0, 72)
        return True

    monkeypatch.setattr(dialogs, "print_pages", fake_print)
    qtbot.mouseClick(panel.print_button, Qt.MouseButton.LeftButton)
    assert calls["count"] == panel.built.pages
    image: QImage = calls["image"]
    assert not image.isNull()
    assert max(image.width(), image.height()) == 72 * 11  # Letter's long side at 72 dpi
    assert panel.status.text() == "The pages were sent to the printer."

    # Ctrl+P from anywhere in the section prints the packet too.
    calls.clear()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    sec.release_check.setFocus()
    qtbot.keyClick(sec.release_check, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert calls["count"] == panel.built.pages


def test_print_pages_names_the_job_neutrally_and_offers_no_print_to_file(qtbot, monkeypatch):
    from PySide6.QtPrintSupport import QPrintDialog

    seen = {}

    def accept(dlg):
        seen["to_file"] = dlg.testOption(QPrintDialog.PrintDialogOption.PrintToFile)
        seen["range"] = (dlg.minPage(), dlg.maxPage())
        return QPrintDialog.DialogCode.Accepted

    def paint(printer, indexes, render_page, parent=None):
        seen["job"] = printer.docName()
        seen["file"] = printer.outputFileName()
        seen["indexes"] = list(indexes)
        return True

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    monkeypatch.setattr(dialogs, "paint_pages", paint)
    assert dialogs.print_pages(None, 4, lambda i, dpi: QImage())
    assert seen == {
        "to_file": False,
        "range": (1, 4),
        "job": "IMR packet",
        "file": "",
        "indexes": [0, 1, 2, 3],
    }


def test_paint_pages_puts_one_image_on_each_sheet(qtbot, tmp_path):
    from pypdf import PdfReader
    from PySide6.QtGui import QColor
    from PySide6.QtPrintSupport import QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))  # a test printer only
    asked = []

    def render(index, dpi):
        asked.append((index, dpi))
        image = QImage(85, 110, QImage.Format.Format_RGB32)
        image.fill(QColor("#336699"))
        return image

    assert dialogs.paint_pages(printer, range(0, 3), render)
    assert [i for i, _dpi in asked] == [0, 1, 2]
    assert all(dpi <= dialogs.PRINT_DPI_CAP for _i, dpi in asked)
    assert len(PdfReader(tmp_path / "printed.pdf").pages) == 3

    # a page that cannot be drawn stops the job
    assert not dialogs.paint_pages(printer, range(0, 3), lambda i, dpi: QImage())


def test_the_cover_sheet_alone_uses_the_number_typed_in_the_mailing_record(
    qtbot, window, answers, section
):
    sec = section
    qtbot.keyClicks(sec.article_edit, GOOD.replace(" ", ""))
    panel = build(qtbot, sec, "cover")
    assert panel.built.pages >= 2  # the cover sheet and the envelope page
    assert panel.parts.count() == len(panel.built.sections)
    assert answers.shown == []  # a number that passes is not questioned


def test_a_good_article_number_is_grouped_as_typed_and_recorded_with_milestones(
    qtbot, window, answers, section
):
    sec = section
    assert sec.date_edit.text() == window.session.today().isoformat()
    assert not sec.recorded.isVisibleTo(sec)
    qtbot.keyClicks(sec.article_edit, GOOD.replace(" ", ""))
    assert sec.article_edit.text() == GOOD
    assert sec.article_check_text() == "Check digit matches."
    sec.receipt_combo.setCurrentIndex(sec.receipt_combo.findData("green_card"))
    qtbot.keyClicks(sec.card_edit, "9590 9402 0000 0000 0000 00")
    with qtbot.waitSignal(sec.mailing_recorded):
        qtbot.mouseClick(sec.record_button, Qt.MouseButton.LeftButton)
    assert answers.shown == []
    record = stored(window)
    mailing = record["mailing"]
    today = window.session.today().isoformat()
    assert mailing["article_number"] == GOOD.replace(" ", "")
    assert mailing["verified"] is True
    assert mailing["date"] == today
    assert mailing["return_receipt"] == "green_card"
    assert mailing["receipt_number"] == "9590940200000000000000"
    assert record["facts"]["imr_filed_date"] == today
    assert sec.recorded.isVisibleTo(sec)
    assert GOOD in sec.mailing_summary.text()
    rows = sec.milestone_rows()
    assert len(rows) >= 4
    assert all(label and date > today for label, date in rows)
    assert sec.record_button.text() == "Update the &mailing record"
    # the other sections start from the case as stored
    assert window.workspace.client.saved_record()["mailing"] == mailing
    assert _unnamed_controls(window.workspace) == []


def test_a_number_failing_its_check_digit_is_shown_back_and_recorded_only_when_confirmed(
    qtbot, window, answers, section
):
    sec = section
    qtbot.keyClicks(sec.article_edit, BAD.replace(" ", ""))
    assert sec.article_edit.text() == BAD
    assert sec.article_check_text() == (
        "This number fails its check digit — check it against the label."
    )
    assert sec.article_edit.property("invalid") is True

    answers.confirm = [False]
    qtbot.mouseClick(sec.record_button, Qt.MouseButton.LeftButton)
    question = answers.messages("confirm")[-1]
    assert BAD in question  # shown back in groups of 4
    assert "mailing" not in stored(window)
    assert not sec.recorded.isVisibleTo(sec)
    assert window.focusWidget() is sec.article_edit

    answers.confirm = [True]
    with qtbot.waitSignal(sec.mailing_recorded):
        qtbot.mouseClick(sec.record_button, Qt.MouseButton.LeftButton)
    mailing = stored(window)["mailing"]
    assert mailing["article_number"] == BAD.replace(" ", "")
    assert mailing["verified"] is False
    assert "does not match" in sec.mailing_summary.text()


def test_a_wrong_mailing_date_is_explained_beside_the_field(qtbot, window, answers, section):
    sec = section
    qtbot.keyClicks(sec.article_edit, GOOD)
    sec.date_edit.setText("2026-13-45")
    qtbot.mouseClick(sec.record_button, Qt.MouseButton.LeftButton)
    assert sec.errors["date"].isVisibleTo(sec)
    assert sec.errors["date"].text()
    assert "mailing" not in stored(window)


def test_leaving_the_case_and_the_lock_drop_the_built_pdfs(qtbot, window, answers, section):
    sec = section
    panel = build(qtbot, sec)
    qtbot.waitUntil(lambda: panel.thumbnails.has_thumbnail(1), timeout=SLOW)
    case_id = window.workspace.case_id
    qtbot.mouseClick(window.workspace.back_button, Qt.MouseButton.LeftButton)
    assert sec.built() is None
    assert panel.thumbnails.count == 0 and len(panel.thumbnails.cache) == 0
    assert sec.blank_lines() == []

    with qtbot.waitSignal(window.case_opened):
        window.open_case(case_id)
    window.workspace.show_section("packet")
    panel = build(qtbot, sec)
    assert window.lock(reason="user")
    assert sec.built() is None and sec.built("cover") is None
    assert panel.thumbnails.view.count() == 0
    assert sec.article_edit.text() == ""


def test_export_refused_by_the_disk_says_so(qtbot, window, answers, section, tmp_path):
    sec = section
    panel = build(qtbot, sec)
    answers.confirm = [True]
    answers.save_paths = [Path(tmp_path / "no such folder" / "packet.pdf")]
    qtbot.mouseClick(panel.export_button, Qt.MouseButton.LeftButton)
    assert panel.problem.isVisibleTo(sec)
    assert panel.problem.text()


def test_building_previewing_and_printing_write_no_client_data_to_disk(
    qtbot, window, answers, sandbox, monkeypatch
):
    from leakscan import scan_for

    canary = "CANARY-Packet-Name-4d2x Ñandú"
    create_profile(qtbot, window, answers)
    case_id = window.session.create_case({"enrollee": {"name": canary}})
    with qtbot.waitSignal(window.case_opened):
        window.open_case(case_id)
    ws = window.workspace
    ws.show_section("letter")
    assert canary in ws.letter.editor.toPlainText()
    ws.show_section("packet")
    sec = ws.packet
    panel = build(qtbot, sec)
    qtbot.waitUntil(lambda: panel.thumbnails.has_thumbnail(1), timeout=SLOW)
    monkeypatch.setattr(
        dialogs, "print_pages", lambda parent, n, render: not render(0, 100).isNull()
    )
    qtbot.mouseClick(panel.print_button, Qt.MouseButton.LeftButton)
    assert panel.status.text() == "The pages were sent to the printer."
    panel = build(qtbot, sec, "cover")
    assert window.lock(reason="user")
    assert scan_for(sandbox, [canary]) == []


def test_a_packet_built_before_the_case_changed_is_set_aside(qtbot, window, answers, section):
    sec = section
    panel = build(qtbot, sec)
    window.workspace.show_section("client")
    client = window.workspace.client
    client.edits[("plan", "member_id")].setText("NEW-222")
    assert client.commit()
    window.workspace.show_section("packet")
    assert panel.built is None
    assert "changed since" in panel.problem.text()
    assert not panel.print_button.isEnabled()
    panel = build(qtbot, sec)  # built again from the case as it is now
    window.workspace.show_section("client")
    window.workspace.show_section("packet")
    assert panel.built is not None  # unchanged case: kept


def test_export_never_replaces_a_file_without_asking(qtbot, window, answers, section, tmp_path):
    sec = section
    panel = build(qtbot, sec)
    existing = tmp_path / "report.pdf"
    existing.write_bytes(b"keep me")
    answers.confirm = [True, False]  # export warning: yes; replace report.pdf: no
    answers.save_paths = [tmp_path / "report"]
    qtbot.mouseClick(panel.export_button, Qt.MouseButton.LeftButton)
    assert existing.read_bytes() == b"keep me"
    assert "already exists" in answers.messages("confirm")[-1]


def test_building_asks_first_when_the_case_is_unassessed_or_the_letter_unfinished(
    qtbot, window, answers, section
):
    sec = section
    panel = sec.packet_panel
    answers.confirm = [False]
    qtbot.mouseClick(panel.build_button, Qt.MouseButton.LeftButton)
    question = answers.messages("confirm")[-1]
    assert "Criteria interview" in question and "[brackets]" in question
    assert panel.built is None and not panel.busy  # "Not now" builds nothing
