"""T-IN-1: every file of the hostile corpus gets its expected answer within the time limit,
through ONE worker; the app's process survives, the worker still converts a good file
afterwards, and no file is left in the temp folders."""

from __future__ import annotations

import os
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

TIME_LIMIT = 20.0  # RELIABILITY.md T-IN-1: an answer within 20 s
_TEMP_DIRS: set[str] = set()


@pytest.fixture(scope="module")
def corpus_worker(worker_test_ops) -> Iterator[DocumentWorker]:
    w = DocumentWorker(Limits(timeout_s=TIME_LIMIT))
    yield w
    w.close()


def test_corpus_is_large_enough():
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)


def _outcome(worker: DocumentWorker, case: Case, folder: Path):
    """(problem code or "ok", input, converted)."""
    built = case.build(folder)
    try:
        item = read_input(built) if isinstance(built, Path) else inspect_bytes(*built)
        return "ok", item, worker.convert(item)
    except DocumentProblem as problem:
        return problem.code, None, None


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_corpus_file(corpus_worker: DocumentWorker, case: Case, tmp_path: Path):
    if case.posix_only and os.name == "nt":
        pytest.skip("POSIX only")
    _TEMP_DIRS.add(os.environ["TMPDIR"])
    start = time.monotonic()
    got, item, converted = _outcome(corpus_worker, case, tmp_path)
    assert time.monotonic() - start < TIME_LIMIT + 5
    assert got == case.expect
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
