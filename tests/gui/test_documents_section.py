"""The Documents section: importing (dialog, drop, password, refusals), the exhibit order,
the details with page ranges, thumbnails and the page viewer, and the lock dropping it all.

Files are made here (reportlab PDFs, Pillow JPEGs) with fictional content; the real document
worker process converts and renders them.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from guihelpers import create_profile
from PySide6.QtCore import QMimeData, QModelIndex, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from test_app_shell import _unnamed_controls

from imrdesktop.gui import dialogs
from imrdesktop.gui.screens.documents import DocumentsSection
from imrdesktop.services.documents import DocumentsService, PageChoice

SLOW = 60_000  # the worker process starts in ~0.5 s; conversions take a moment more


def make_pdf(path: Path, pages: int = 3, text: str = "Fictional record", password=None) -> Path:
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=letter)
    for i in range(pages):
        c.setFont("Helvetica", 28)
        c.drawString(72, 680, f"{text} — page {i + 1}")
        c.rect(72, 200, 300, 400)
        c.showPage()
    c.save()
    data = buf.getvalue()
    if password is not None:
        import pikepdf

        out = io.BytesIO()
        with pikepdf.open(io.BytesIO(data)) as pdf:
            pdf.save(out, encryption=pikepdf.Encryption(user=password, owner=password + "!"))
        data = out.getvalue()
    path.write_bytes(data)
    return path


def make_jpeg(path: Path, w: int = 400, h: int = 300) -> Path:
    from PIL import Image

    Image.new("RGB", (w, h), (200, 30, 30)).save(path, "JPEG", quality=85)
    return path


@pytest.fixture
def section(qtbot, window, answers) -> DocumentsSection:
    create_profile(qtbot, window, answers)
    case_id = window.session.create_case({"enrollee": {"name": "Fictional Client"}})
    with qtbot.waitSignal(window.case_opened):
        window.open_case(case_id)
    window.workspace.show_section("documents")
    sec = window.workspace.documents
    assert sec.isVisible()
    return sec


def stored(window) -> list:
    return DocumentsService(window.session).list_documents(window.workspace.case_id)


def import_via_dialog(qtbot, monkeypatch, sec: DocumentsSection, paths: list[Path]) -> None:
    monkeypatch.setattr(dialogs, "choose_files", lambda *a, **k: list(paths))
    qtbot.mouseClick(sec.add_button, Qt.MouseButton.LeftButton)
    assert sec.importing
    qtbot.waitUntil(lambda: not sec.importing, timeout=SLOW)


def lines(sec: DocumentsSection) -> list[str]:
    return [sec.exhibits.item(i).text() for i in range(sec.exhibits.count())]


def thumbnails_ready(sec: DocumentsSection, pages) -> bool:
    return all(sec.grid.has_thumbnail(p) for p in pages)


@pytest.fixture
def two_docs(qtbot, section, monkeypatch, tmp_path):
    record = make_pdf(tmp_path / "clinic_notes.pdf", pages=3, text="Clinic notes")
    photo = make_jpeg(tmp_path / "denial letter photo.jpg")
    import_via_dialog(qtbot, monkeypatch, section, [record, photo])
    return section


def test_files_chosen_in_the_dialog_are_attached_as_exhibits(qtbot, window, answers, two_docs):
    sec = two_docs
    assert lines(sec) == [
        "A — clinic notes — Other — 3 pages",
        "B — denial letter photo — Denial letter — 1 page",
    ]
    assert sec.result_lines() == ["clinic_notes.pdf: added.", "denial letter photo.jpg: added."]
    docs = stored(window)
    assert [(d.file_name, d.pages, d.exhibit) for d in docs] == [
        ("clinic_notes.pdf", 3, "A"),
        ("denial letter photo.jpg", 1, "B"),
    ]
    # After the import the first new document is shown, ready for its kind.
    assert sec.current().id == docs[0].id
    assert window.focusWidget() is sec.kind_combo
    assert sec.file_label.text().startswith("Original file: clinic_notes.pdf · PDF · 3 pages")
    assert sec.sha_label.toolTip().endswith(docs[0].sha256)
    assert answers.shown == []
    assert _unnamed_controls(window.workspace) == []


def test_dropped_local_files_are_imported_and_web_addresses_are_not(
    qtbot, window, answers, section, tmp_path
):
    sec = section
    web = QMimeData()
    web.setUrls([QUrl("https://example.org/record.pdf")])
    enter = QDragEnterEvent(
        QPoint(20, 20),
        Qt.DropAction.CopyAction,
        web,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    sec.dragEnterEvent(enter)
    assert not enter.isAccepted()
    assert not sec.drop_banner.isVisibleTo(sec)

    pdf = make_pdf(tmp_path / "lab results.pdf", pages=2, text="Lab results")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(pdf))])
    enter = QDragEnterEvent(
        QPoint(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    sec.dragEnterEvent(enter)
    assert enter.isAccepted()
    assert sec.drop_banner.isVisibleTo(sec)
    assert sec.property("dropActive") is True
    drop = QDropEvent(
        QPoint(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    sec.dropEvent(drop)
    assert drop.isAccepted()
    assert not sec.drop_banner.isVisibleTo(sec)
    qtbot.waitUntil(lambda: not sec.importing, timeout=SLOW)
    assert lines(sec) == ["A — lab results — Medical records — 2 pages"]
    assert [d.file_name for d in stored(window)] == ["lab results.pdf"]


def test_a_password_pdf_asks_for_the_password_through_the_seam(
    qtbot, window, answers, section, monkeypatch, tmp_path
):
    sec = section
    locked = make_pdf(tmp_path / "doctor letter.pdf", pages=2, password="tulip-42")
    skipped = make_pdf(tmp_path / "second copy.pdf", pages=1, password="tulip-42")
    asked: list[str] = []
    replies = ["not it", "tulip-42", None]

    def ask(parent, title, text):
        asked.append(text)
        return replies.pop(0)

    monkeypatch.setattr(dialogs, "ask_password", ask)
    import_via_dialog(qtbot, monkeypatch, sec, [locked, skipped])
    assert len(asked) == 3
    assert "doctor letter.pdf" in asked[0] and "password" in asked[0]
    assert "not the password of this PDF" in asked[1]  # the wrong one is said, then asked again
    assert lines(sec) == ["A — doctor letter — Physician letter / certification — 2 pages"]
    assert sec.result_lines() == [
        "doctor letter.pdf: added.",
        "second copy.pdf: skipped — no password was given.",
    ]
    assert [d.file_name for d in stored(window)] == ["doctor letter.pdf"]


def test_a_refused_file_shows_its_sentence_while_the_others_are_attached(
    qtbot, window, answers, section, monkeypatch, tmp_path
):
    sec = section
    first = make_pdf(tmp_path / "a.pdf", pages=1)
    fake = tmp_path / "records.pdf"
    fake.write_bytes(b"PK\x03\x04" + b"\x00" * 200)  # a ZIP archive named .pdf
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    last = make_jpeg(tmp_path / "b.jpg")
    import_via_dialog(qtbot, monkeypatch, sec, [first, fake, empty, last])
    results = sec.result_lines()
    assert results[0] == "a.pdf: added."
    assert results[1].startswith("records.pdf: This is not a PDF, a picture")
    assert results[2].startswith("empty.txt: The file is empty")
    assert results[3] == "b.jpg: added."
    assert [d.file_name for d in stored(window)] == ["a.pdf", "b.jpg"]
    assert answers.shown == []  # no pop-up: the sentences are in the results list
    qtbot.mouseClick(sec.dismiss_button, Qt.MouseButton.LeftButton)
    assert not sec.results_panel.isVisibleTo(sec)


def test_cancel_stops_after_the_file_in_hand(
    qtbot, window, answers, section, monkeypatch, tmp_path
):
    sec = section
    paths = [make_pdf(tmp_path / f"part {i}.pdf", pages=1) for i in range(4)]
    monkeypatch.setattr(dialogs, "choose_files", lambda *a, **k: paths)
    qtbot.mouseClick(sec.add_button, Qt.MouseButton.LeftButton)
    assert sec.import_panel.isVisibleTo(sec)
    assert sec.import_label.text() == "Importing 1 of 4: part 0.pdf…"
    qtbot.mouseClick(sec.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not sec.importing, timeout=SLOW)
    assert len(stored(window)) == 1
    assert sec.result_lines()[-1] == "Import stopped: 3 files were not imported."


def test_alt_down_moves_an_exhibit_and_the_letters_follow(qtbot, window, answers, two_docs):
    sec = two_docs
    first, second = (d.id for d in stored(window))
    sec.exhibits.setCurrentRow(0)
    sec.exhibits.setFocus()
    qtbot.keyClick(sec.exhibits, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert lines(sec)[0].startswith("A — denial letter photo")
    assert lines(sec)[1].startswith("B — clinic notes")
    assert sec.current().id == first  # the moved document stays selected
    assert [d.id for d in stored(window)] == [second, first]
    assert not sec.down_button.isEnabled()
    qtbot.mouseClick(sec.up_button, Qt.MouseButton.LeftButton)
    assert [d.id for d in stored(window)] == [first, second]
    assert lines(sec)[0].startswith("A — clinic notes")


def test_a_drag_inside_the_list_reorders_too(qtbot, window, answers, two_docs):
    sec = two_docs
    first, second = (d.id for d in stored(window))
    sec.exhibits.setCurrentRow(1)
    # What an internal drag-and-drop move does to the list's model.
    assert sec.exhibits.model().moveRow(QModelIndex(), 1, QModelIndex(), 0)
    qtbot.waitUntil(lambda: [d.id for d in stored(window)] == [second, first], timeout=5000)
    assert lines(sec)[0].startswith("A — denial letter photo")


def test_leaving_a_document_out_moves_the_letters(qtbot, window, answers, two_docs):
    sec = two_docs
    sec.exhibits.setCurrentRow(0)
    sec.include_check.click()
    assert lines(sec) == [
        "clinic notes — Other — not in packet",
        "A — denial letter photo — Denial letter — 1 page",
    ]
    assert [d.exhibit for d in stored(window)] == [None, "A"]


def test_page_ranges_are_checked_as_typed_and_saved(qtbot, window, answers, two_docs):
    sec = two_docs
    sec.exhibits.setCurrentRow(0)
    edit, error = sec.pages_edit, sec.errors["pages"]
    edit.setFocus()
    qtbot.keyClicks(edit, "1-2, 9")
    assert error.isVisible()
    assert error.text() == "This document has pages 1 to 3 only."
    assert edit.property("invalid") is True
    qtbot.keyClick(edit, Qt.Key.Key_Return)  # not saved while wrong
    assert stored(window)[0].selection is None
    edit.selectAll()
    qtbot.keyClicks(edit, "3, 1")
    assert not error.isVisible()
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert stored(window)[0].selection == (PageChoice(3, 0), PageChoice(1, 0))
    assert lines(sec)[0] == "A — clinic notes — Other — 2 of 3 pages"
    assert sec.pages_count.text() == "2 of 3 pages"
    assert sec.status.text() == "All changes saved."
    # Empty means every page again.
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert stored(window)[0].selection is None
    assert answers.shown == []  # never a pop-up


def test_details_are_saved_as_the_advocate_moves_on(qtbot, window, answers, two_docs):
    sec = two_docs
    sec.exhibits.setCurrentRow(0)
    with qtbot.waitSignal(sec.documents_changed):
        sec.kind_combo.setCurrentIndex(sec.kind_combo.findData("medical_record"))
    sec.title_edit.setFocus()
    sec.title_edit.selectAll()
    qtbot.keyClicks(sec.title_edit, "Clinic notes 2026")
    qtbot.keyClick(sec.title_edit, Qt.Key.Key_Return)  # as moving on (editingFinished)
    qtbot.keyClicks(sec.date_edit, "2026-13-01")
    qtbot.keyClick(sec.date_edit, Qt.Key.Key_Return)
    assert sec.errors["date"].isVisible()
    assert "YYYY-MM-DD" in sec.errors["date"].text()
    assert answers.shown == []
    sec.date_edit.selectAll()
    qtbot.keyClicks(sec.date_edit, "2026-10-02")
    qtbot.keyClick(sec.date_edit, Qt.Key.Key_Return)
    assert not sec.errors["date"].isVisible()
    qtbot.keyClicks(sec.source_edit, "Valley clinic")
    assert sec.commit()  # the lock and "All cases" save what is still being typed
    doc = stored(window)[0]
    assert (doc.kind, doc.title, doc.date, doc.source) == (
        "medical_record",
        "Clinic notes 2026",
        "2026-10-02",
        "Valley clinic",
    )
    assert lines(sec)[0] == "A — Clinic notes 2026 — Medical records — 3 pages"


def test_thumbnails_render_and_pages_are_left_out_and_turned(qtbot, window, answers, two_docs):
    sec = two_docs
    sec.exhibits.setCurrentRow(0)
    grid = sec.grid
    qtbot.waitUntil(lambda: thumbnails_ready(sec, [1, 2, 3]), timeout=SLOW)
    assert not grid.item(1).icon().pixmap(64, 64).isNull()
    # Leave out page 2 with the keyboard.
    grid.view.setFocus()
    grid.select_pages([2])
    qtbot.keyClick(grid.view, Qt.Key.Key_Minus)
    assert lines(sec)[0] == "A — clinic notes — Other — 2 of 3 pages"
    assert sec.pages_edit.text() == "1, 3"
    assert grid.item(2).checkState() == Qt.CheckState.Unchecked
    # Turn page 3 right with the button, then put page 2 back with Space.
    grid.select_pages([3])
    qtbot.mouseClick(grid.rotate_right_button, Qt.MouseButton.LeftButton)
    grid.select_pages([2])
    qtbot.keyClick(grid.view, Qt.Key.Key_Space)
    assert stored(window)[0].selection == (
        PageChoice(1, 0),
        PageChoice(2, 0),
        PageChoice(3, 90),
    )
    assert grid.item(3).toolTip() == "Page 3 of 3 — in the packet, turned right"
    assert grid.item(3).text() == "Page 3 ↻"
    # A check mark clicked on a thumbnail does the same.
    grid.item(1).setCheckState(Qt.CheckState.Unchecked)
    assert [c.page for c in stored(window)[0].chosen()] == [2, 3]
    assert grid.item(1).checkState() == Qt.CheckState.Unchecked
    grid.item(1).setCheckState(Qt.CheckState.Checked)
    assert [c.page for c in stored(window)[0].chosen()] == [1, 2, 3]
    # The last page cannot go: the message says how to leave the document out instead.
    grid.select_pages([1, 2, 3])
    qtbot.mouseClick(grid.exclude_button, Qt.MouseButton.LeftButton)
    assert "Include in the packet" in sec.status.text()
    assert len(stored(window)[0].chosen()) == 3


def test_the_page_viewer_shows_pages_large(qtbot, window, answers, two_docs):
    sec = two_docs
    sec.exhibits.setCurrentRow(0)
    seen = {}

    def drive(viewer):
        qtbot.waitUntil(lambda: viewer.loaded, timeout=SLOW)
        seen["first"] = viewer.picture.pixmap().width()
        qtbot.mouseClick(viewer.next_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: viewer.loaded, timeout=SLOW)
        seen["page"] = viewer.page
        seen["status"] = viewer.status_label.text()
        viewer.include_check.click()  # leave page 2 out from the viewer
        assert _unnamed_controls(viewer) == []
        return True

    answers.dialog_handlers.append(drive)
    sec.grid.view.setFocus()
    sec.grid.select_pages([1])
    qtbot.keyClick(sec.grid.view, Qt.Key.Key_Return)
    assert seen["first"] > 200
    assert seen["page"] == 2
    assert seen["status"] == "Page 2 of 3 — in the packet"
    assert [c.page for c in stored(window)[0].chosen()] == [1, 3]


def test_removing_a_document_deletes_it_after_asking(qtbot, window, answers, two_docs):
    sec = two_docs
    sec.exhibits.setCurrentRow(0)
    answers.confirm.append(False)
    qtbot.mouseClick(sec.remove_button, Qt.MouseButton.LeftButton)
    assert len(stored(window)) == 2
    answers.confirm.append(True)
    with qtbot.waitSignal(sec.documents_changed):
        qtbot.mouseClick(sec.remove_button, Qt.MouseButton.LeftButton)
    assert "deleted from the case" in answers.messages("confirm")[-1]
    assert [d.file_name for d in stored(window)] == ["denial letter photo.jpg"]
    assert lines(sec) == ["A — denial letter photo — Denial letter — 1 page"]


def test_lock_drops_the_thumbnails_and_closes_the_service(qtbot, window, answers, two_docs):
    sec = two_docs
    qtbot.waitUntil(lambda: thumbnails_ready(sec, [1, 2, 3]), timeout=SLOW)
    assert len(sec.grid.cache) >= 3
    window.lock(reason="user")
    assert window.session is None
    assert len(sec.grid.cache) == 0
    assert sec.grid.view.count() == 0
    assert sec.exhibits.count() == 0
    assert sec.title_edit.text() == ""
    assert sec._service is None


def test_ask_password_types_hidden_and_wipes_the_dialog(qtbot):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit

    seen = {}

    def answer():
        dlg = QApplication.activeModalWidget()
        assert isinstance(dlg, QInputDialog)
        edit = dlg.findChild(QLineEdit)
        seen["echo"] = edit.echoMode()
        seen["name"] = edit.accessibleName()
        qtbot.keyClicks(edit, "tulip-42")
        dlg.accept()

    QTimer.singleShot(0, answer)
    assert dialogs.ask_password(None, "Password of the PDF", "Type it") == "tulip-42"
    assert seen["echo"] == QLineEdit.EchoMode.Password
    assert seen["name"] == "Password"
    QTimer.singleShot(0, lambda: QApplication.activeModalWidget().reject())
    assert dialogs.ask_password(None, "Password of the PDF", "Type it") is None
