"""T-IN-1: every file of the hostile corpus gets its expected answer within the time limit,
through ONE worker; the app's process survives, the worker still converts a good file
afterwards, and no file is left in the temp folders."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from corpus import CASES, Case, b_flate_bomb_pdf, b_image_bomb_pdf
from doc_samples import forbidden_found, jpeg_bytes

from imrdesktop.documents.client import DocumentWorker
from imrdesktop.documents.inputs import inspect_bytes, read_input
from imrdesktop.documents.limits import Limits
from imrdesktop.documents.problems import DocumentProblem
from imrdesktop.services.messages import document_reason

TIME_LIMIT = 20.0  # RELIABILITY.md T-IN-1: an answer within 20 s
_TEMP_DIRS: set[str] = set()

# The params each problem must carry for the message table's full sentence (without them
# it falls back to a vaguer one).
REQUIRED_PARAMS = {
    "image_too_large": {"megapixels", "limit"},
    "page_size": {"page", "width_in", "height_in"},
    "too_many_pages": {"pages", "limit"},
    "too_many_frames": {"frames", "limit"},
    "too_large": {"size", "limit"},
    "text_too_large": {"size", "limit"},
}
# Numbers the sentence of a refusal must show for some corpus files.
EXPECTED_WORDS = {
    "png-100000x100000": ("is 10,000 megapixels", "over 100 megapixels"),
    "jpeg-65000x65000": ("is 4,225 megapixels", "over 100 megapixels"),
    "tiff-second-frame-20000x20000": ("is 400 megapixels", "over 100 megapixels"),
    "tiff-501-frames": ("holds 501 pages", "at most 500"),
    "pdf-3000-pages": ("has 3,000 pages", "at most 2,000"),
    "pdf-100000-page-refs": ("has 100,000 pages", "at most 2,000"),
    "text-2632-pages": ("has 2,632 pages", "at most 2,000"),
    "pdf-page-10000in": ("Page 1 ", "10,000 × 10,000 inches"),
    "pdf-userunit-75000": ("Page 1 ", "637,500 × 825,000 inches"),
    "pdf-page-0x0": ("Page 1 ", "0 × 0 inches"),
    "sparse-2gb": ("is 2,147 MB", "over 537 MB"),
    "text-6mb": ("over 5 MB",),
}


@pytest.fixture(scope="module")
def corpus_worker(worker_test_ops) -> Iterator[DocumentWorker]:
    w = DocumentWorker(Limits(timeout_s=TIME_LIMIT))
    yield w
    w.close()


def test_corpus_is_large_enough():
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)


def _outcome(worker: DocumentWorker, case: Case, folder: Path):
    """(problem code or "ok", input, converted, the problem)."""
    built = case.build(folder)
    try:
        item = read_input(built) if isinstance(built, Path) else inspect_bytes(*built)
        return "ok", item, worker.convert(item), None
    except DocumentProblem as problem:
        return problem.code, None, None, problem


def _check_sentence(case_id: str, problem: DocumentProblem) -> None:
    """The message table words the problem with the params actually sent: no "?" for a
    missing number, no Python repr, no unfilled placeholder."""
    missing = REQUIRED_PARAMS.get(problem.code, set()) - set(problem.params)
    assert not missing, f"{case_id}: {problem.code} sent without {sorted(missing)}"
    text = document_reason(problem.code, dict(problem.params))
    assert "?" not in text, f"{case_id}: {text}"
    assert not re.search(r"None|\{|\}|\[|\]|<|>|'|\bdict\b", text), f"{case_id}: {text}"
    for words in EXPECTED_WORDS.get(case_id, ()):
        assert words in text, f"{case_id}: {words!r} not in {text!r}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_corpus_file(corpus_worker: DocumentWorker, case: Case, tmp_path: Path):
    if case.posix_only and os.name == "nt":
        pytest.skip("POSIX only")
    _TEMP_DIRS.add(os.environ["TMPDIR"])
    start = time.monotonic()
    got, item, converted, problem = _outcome(corpus_worker, case, tmp_path)
    assert time.monotonic() - start < TIME_LIMIT  # T-IN-1's bar, not the worker's 120 s
    assert got == case.expect
    if problem is not None:
        _check_sentence(case.id, problem)
    if got == "ok":
        notes = set(item.notes) | set(converted.notes)
        assert case.notes <= notes, f"{case.id}: notes {sorted(notes)}"
        assert converted.pdf.startswith(b"%PDF-") and converted.pages >= 1
        assert forbidden_found(converted.pdf) == set()
        if case.check is not None:
            case.check(converted)


@pytest.mark.parametrize("builder", [b_flate_bomb_pdf, b_image_bomb_pdf])
def test_rendering_a_bomb_stays_within_the_limits(corpus_worker, builder, tmp_path):
    """The conversion keeps the bomb compressed (never decoded); rendering it either works
    or ends as a memory/timeout problem, and the worker is back for the next request."""
    import pikepdf

    start = time.monotonic()
    converted = corpus_worker.convert(read_input(builder(tmp_path)))
    assert time.monotonic() - start < 2
    with pikepdf.open(__import__("io").BytesIO(converted.pdf)) as pdf:
        assert len(pdf.pages) == 1
    start = time.monotonic()
    try:
        result = corpus_worker.render(converted.pdf, [1], 600)[0][:8]
    except DocumentProblem as problem:
        result = problem.code
    assert time.monotonic() - start < TIME_LIMIT + 5
    assert result in (b"\x89PNG\r\n\x1a\n", "memory", "timeout")


def test_the_nested_flate_bomb_is_copied_still_compressed(corpus_worker, tmp_path):
    import io

    import pikepdf

    converted = corpus_worker.convert(read_input(b_flate_bomb_pdf(tmp_path)))
    assert len(converted.pdf) < 64 * 1024
    with pikepdf.open(io.BytesIO(converted.pdf)) as pdf:
        contents = pdf.pages[0].obj.Contents
        assert [str(f) for f in contents.Filter] == ["/FlateDecode"] * 3


def test_after_the_corpus_the_same_worker_still_converts(corpus_worker):
    """Last in this module on purpose: the app keeps working after everything above."""
    out = corpus_worker.convert(inspect_bytes("photo.jpg", jpeg_bytes()))
    assert out.pages == 1
    for folder in _TEMP_DIRS | {os.environ["TMPDIR"]}:
        assert list(Path(folder).iterdir()) == [], f"files left in {folder}"
