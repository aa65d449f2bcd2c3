"""Page previews with PDFium (pypdfium2), inside the document worker process only.

A page is rendered so its longer side fits ``max_px`` (the page's /Rotate applied, forms
not initialised, so no script can run) and encoded as PNG by Pillow.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from imrdesktop.documents.problems import DocumentProblem


class BadRequest(Exception):
    """A page number outside the document (the caller's mistake, not the file's)."""


def open_document(pdf: bytes):
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError:
        raise DocumentProblem("pdf_damaged") from None
    if len(doc) < 1:
        doc.close()
        raise DocumentProblem("pdf_damaged")
    return doc


def render_pages(doc, pages: Sequence[int], max_px: int) -> list[bytes]:
    import pypdfium2 as pdfium

    count = len(doc)
    if any(not 1 <= p <= count for p in pages):
        raise BadRequest("page out of range")
    out = []
    for number in pages:
        try:
            page = doc[number - 1]
        except pdfium.PdfiumError:
            raise DocumentProblem("pdf_damaged") from None
        try:
            width, height = page.get_size()  # as displayed (/Rotate applied)
            longer = max(width, height)
            if not longer > 0:
                raise DocumentProblem("pdf_damaged")
            scale = max_px / longer
            bitmap = page.render(scale=scale, may_draw_forms=False)
            image = bitmap.to_pil()
            if max(image.size) > max_px:
                image.thumbnail((max_px, max_px))
            buf = io.BytesIO()
            image.save(buf, "PNG", compress_level=1)
            out.append(buf.getvalue())
        except pdfium.PdfiumError:
            raise DocumentProblem("pdf_damaged") from None
        finally:
            page.close()
    return out


__all__ = ["BadRequest", "open_document", "render_pages"]
