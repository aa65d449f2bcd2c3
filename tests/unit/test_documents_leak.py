"""T-LEAK-1 for documents: importing, rendering and locking leave nothing readable behind."""

from __future__ import annotations

import io
import logging

from leakscan import scan_for
from test_documents_service import make_pdf

from imrdesktop.services.documents import DocumentsService
from imrdesktop.services.session import VaultSession
from imrdesktop.storage.vault import Vault

PASS = "correct horse battery staple again"
CANARY_TEXT = "CANARY-pdftext-4e1f"
CANARY_EXIF = "CANARY-exif-9d2c"
CANARY_FILE = "CANARY-filename-77aa"


def jpeg_with_exif_canary() -> bytes:
    from PIL import Image

    img = Image.new("RGB", (320, 240), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010E] = CANARY_EXIF  # ImageDescription
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes())
    return buf.getvalue()


def test_import_preview_lock_leaves_no_plaintext(sandbox, tmp_path):
    from imrdesktop.logsetup import configure_logging

    configure_logging(sandbox / "logs", "DEBUG")
    logging.getLogger().setLevel(logging.DEBUG)
    try:
        src = tmp_path / "from-the-client"  # outside the sandbox: the client's own files
        src.mkdir()
        pdf = src / f"{CANARY_FILE}.pdf"
        pdf.write_bytes(make_pdf(3, text=CANARY_TEXT))
        jpg = src / f"{CANARY_FILE}.jpg"
        jpg.write_bytes(jpeg_with_exif_canary())
        vault, _key = Vault.create(sandbox / "home" / "vault", PASS)
        session = VaultSession(vault)
        case_id = session.create_case({"enrollee": {"name": "Ficticia Uno"}})
        service = DocumentsService(session)
        docs = service.attach_paths(case_id, [pdf, jpg])
        for doc in docs:
            assert service.render_pages(case_id, doc.id, [1], 300)
        # the clean copy of the photo carries no EXIF text
        assert CANARY_EXIF.encode() not in service.pdf_bytes(case_id, docs[1].id)
        session.lock()
    finally:
        for handler in logging.getLogger().handlers:
            handler.flush()
        configure_logging(None)
    hits = scan_for(sandbox, [CANARY_TEXT, CANARY_EXIF, CANARY_FILE])
    assert hits == [], hits
    assert list((sandbox / "tmp").iterdir()) == []
    # the scan can see: the canary is found where it is in plain text
    assert scan_for(src, [CANARY_EXIF])
