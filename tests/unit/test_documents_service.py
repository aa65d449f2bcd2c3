"""The documents service on a real vault and the real worker process (fictional files)."""

from __future__ import annotations

import hashlib
import io
import os

import pytest

from imrdesktop.domain.errors import (
    DocumentPasswordRequired,
    DocumentPasswordWrong,
    DocumentRefused,
    InvalidField,
    UnknownAttachment,
)
from imrdesktop.services.assessment import assess_case
from imrdesktop.services.documents import DocumentsService, PageChoice
from imrdesktop.services.messages import describe
from imrdesktop.services.session import VaultSession
from imrdesktop.storage.vault import Vault

PASS = "correct horse battery staple again"


def make_pdf(pages: int = 3, text: str = "Fictional record", password: str | None = None) -> bytes:
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=letter)
    for i in range(pages):
        c.drawString(72, 700, f"{text} page {i + 1}")
        c.showPage()
    c.save()
    data = buf.getvalue()
    if password is None:
        return data
    import pikepdf

    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(user=password, owner=password + "!"))
    return out.getvalue()


def make_jpeg(w: int = 400, h: int = 300) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (w, h), (200, 30, 30)).save(buf, "JPEG", quality=85)
    return buf.getvalue()


@pytest.fixture(scope="module")
def worker():
    from imrdesktop.documents.client import DocumentWorker

    w = DocumentWorker()
    yield w
    w.close()


@pytest.fixture
def env(tmp_path, worker):
    vault, _key = Vault.create(tmp_path / "vault", PASS)
    session = VaultSession(vault)
    case_id = session.create_case(
        {
            "enrollee": {"name": "Lê Thị Hoa"},
            "facts": {
                "regulator": "dmhc",
                "denial_reason": "med_necessity",
                "plan_written_decision_date": "2026-09-01",
                "grievance": {
                    "filed_date": "2026-09-10",
                    "decision_date": "2026-10-01",
                    "outcome": "upheld",
                },
            },
        }
    )
    service = DocumentsService(session, worker=worker)
    yield session, service, case_id, tmp_path
    service._worker = None  # the module's worker outlives each test
    session.lock()


def write(tmp_path, name: str, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_attach_keeps_originals_and_orders_exhibits(env):
    session, service, case_id, tmp = env
    pdf, jpg = make_pdf(4), make_jpeg()
    docs = service.attach_paths(
        case_id, [write(tmp, "denial letter.pdf", pdf), write(tmp, "photo.jpg", jpg)]
    )
    assert [d.exhibit for d in docs] == ["A", "B"]
    assert docs[0].kind == "denial_letter" and docs[0].pages == 4 and docs[0].media == "pdf"
    assert docs[1].media == "jpeg" and docs[1].pages == 1
    assert docs[0].size == len(pdf) and docs[0].sha256 == hashlib.sha256(pdf).hexdigest()
    assert service.original_bytes(case_id, docs[1].id) == jpg
    clean = service.pdf_bytes(case_id, docs[1].id)
    assert clean.startswith(b"%PDF")
    listed = service.list_documents(case_id)
    assert [d.id for d in listed] == [d.id for d in docs]
    shape = listed[0].public()
    for key in ("id", "kind", "title", "pages", "size", "sha256"):
        assert key in shape
    with session.open_case(case_id) as case:
        case.verify()


def test_a_refused_file_leaves_the_case_as_it_was(env):
    session, service, case_id, tmp = env
    good = write(tmp, "good.pdf", make_pdf(1))
    empty = write(tmp, "empty.pdf", b"")
    with session.open_case(case_id) as case:
        gen = case.generation
    with pytest.raises(DocumentRefused) as info:
        service.attach_paths(case_id, [good, empty])
    assert info.value.params["reason"] == "empty"
    assert "empty.pdf" in describe(info.value)
    with session.open_case(case_id) as case:
        assert case.generation == gen and case.attachments() == []
    assert service.list_documents(case_id) == []


def test_password_pdf(env):
    _session, service, case_id, tmp = env
    path = write(tmp, "portal.pdf", make_pdf(2, password="s3cret-fictional"))
    item = service.read_input(path)
    with pytest.raises(DocumentPasswordRequired):
        service.convert(item)
    with pytest.raises(DocumentPasswordWrong):
        service.convert(item, password="nope")
    conv = service.convert(item, password="s3cret-fictional")
    (doc,) = service.attach(case_id, [(item, conv)], kind="medical_record")
    assert doc.pages == 2 and doc.kind == "medical_record"
    # the stored clean copy opens without a password
    import pikepdf

    with pikepdf.open(io.BytesIO(service.pdf_bytes(case_id, doc.id))) as pdf:
        assert not pdf.is_encrypted and len(pdf.pages) == 2


def test_edit_reorder_choose_pages_and_remove(env):
    session, service, case_id, tmp = env
    a, b, c = service.attach_paths(
        case_id,
        [
            write(tmp, "a.pdf", make_pdf(10)),
            write(tmp, "b.pdf", make_pdf(1)),
            write(tmp, "c.txt", "Nota ficticia: día 3.\n".encode()),
        ],
    )
    d = service.update(case_id, a.id, kind="medical_record", title="Chart", date="2026-10-02")
    assert (d.kind, d.title, d.date) == ("medical_record", "Chart", "2026-10-02")
    with pytest.raises(InvalidField) as info:
        service.update(case_id, a.id, date="10/2/2026")
    assert info.value.params["field"] == "date"
    d = service.update(case_id, a.id, selection=[PageChoice(3, 90), PageChoice(1, 0)])
    assert d.chosen() == (PageChoice(3, 90), PageChoice(1, 0))
    d = service.update(case_id, a.id, selection=[PageChoice(p) for p in range(1, 11)])
    assert d.selection is None  # every page in order is "all pages"
    with pytest.raises(InvalidField):
        service.update(case_id, a.id, selection=[PageChoice(11)])
    docs = service.update(case_id, b.id, include=False)
    assert docs.exhibit is None
    docs = service.reorder(case_id, [c.id, b.id, a.id])
    assert [(x.id, x.exhibit) for x in docs] == [(c.id, "A"), (b.id, None), (a.id, "B")]
    docs = service.move(case_id, a.id, 0)
    assert [x.id for x in docs] == [a.id, c.id, b.id]
    with pytest.raises(InvalidField):
        service.reorder(case_id, [a.id, b.id])
    docs = service.remove(case_id, c.id)
    assert [x.id for x in docs] == [a.id, b.id]
    with session.open_case(case_id) as case:
        stored = {x.id for x in case.attachments()}
        assert c.original not in stored and c.pdf not in stored
        assert {a.original, a.pdf, b.original, b.pdf} <= stored
        case.verify()
    with pytest.raises(UnknownAttachment):
        service.update(case_id, c.id, title="gone")


def test_packet_checklist_reads_attached_kinds(env):
    session, service, case_id, tmp = env
    _a, rendered = assess_case(session, case_id, session.today())
    kinds = {i["kind"] for i in rendered["missing_documents"]}
    assert "denial_letter" in kinds
    (doc,) = service.attach_paths(case_id, [write(tmp, "x.pdf", make_pdf(1))], kind="denial_letter")
    _a, rendered = assess_case(session, case_id, session.today())
    assert "denial_letter" not in {i["kind"] for i in rendered["missing_documents"]}
    service.update(case_id, doc.id, include=False)  # not in the packet: missing again
    _a, rendered = assess_case(session, case_id, session.today())
    assert "denial_letter" in {i["kind"] for i in rendered["missing_documents"]}


def test_render_pages_gives_images(env):
    _session, service, case_id, tmp = env
    (doc,) = service.attach_paths(case_id, [write(tmp, "r.pdf", make_pdf(3))])
    pngs = service.render_pages(case_id, doc.id, [1, 3], 200)
    assert len(pngs) == 2
    from PIL import Image

    for png in pngs:
        img = Image.open(io.BytesIO(png))
        assert img.format == "PNG" and max(img.size) <= 200


def test_same_content_twice_makes_two_documents(env):
    _session, service, case_id, tmp = env
    p = write(tmp, "same.pdf", make_pdf(1))
    a = service.attach_paths(case_id, [p])
    b = service.attach_paths(case_id, [p])
    assert a[0].id != b[0].id and a[0].sha256 == b[0].sha256


def test_lock_drops_decrypted_copies(tmp_path):
    vault, _key = Vault.create(tmp_path / "v", PASS)
    session = VaultSession(vault)
    case_id = session.create_case({"enrollee": {"name": "Ana Ficticia"}})
    service = DocumentsService(session)
    p = tmp_path / "f.pdf"
    p.write_bytes(make_pdf(1))
    (doc,) = service.attach_paths(case_id, [p])
    service.pdf_bytes(case_id, doc.id)
    assert service._pdfs and service._worker is not None
    session.lock()
    assert not service._pdfs and service._worker is None


def test_big_random_original_round_trips(env):
    _session, service, case_id, _tmp = env
    from imrdesktop.documents.client import Converted

    item = service.inspect_bytes("scan.pdf", make_pdf(1))
    conv = service.convert(item)
    blob = os.urandom(3 * 1024 * 1024)
    fake = type(item)(name="big.pdf", data=item.data + b"\n%" + blob, media="pdf", notes=())
    (doc,) = service.attach(case_id, [(fake, Converted(conv.pdf, conv.pages, conv.page_sizes, ()))])
    assert service.original_bytes(case_id, doc.id) == fake.data


def test_nothing_decrypted_comes_back_after_the_lock_hooks_ran(env):
    """A render still running when the advocate locks must not refill the cache or start a
    new worker (the hooks run before the vault itself is locked)."""
    from imrdesktop.domain.errors import VaultLocked

    _session, service, case_id, tmp = env
    (doc,) = service.attach_paths(case_id, [write(tmp, "late.pdf", make_pdf(1))])
    service._worker = None  # the module's worker is not this test's to stop
    service._session_locked()
    with pytest.raises(VaultLocked):
        service.pdf_bytes(case_id, doc.id)
    assert not service._pdfs
    with pytest.raises(VaultLocked):
        service.render_pages(case_id, doc.id, [1], 100)
    assert service._worker is None


def test_a_symlink_loop_is_not_a_document(env):
    _session, service, _case_id, tmp = env
    (tmp / "loop1").symlink_to(tmp / "loop2")
    (tmp / "loop2").symlink_to(tmp / "loop1")
    with pytest.raises(DocumentRefused) as info:
        service.read_input(tmp / "loop1")
    assert info.value.params["reason"] == "not_regular"
    assert info.value.exit_code == 2
