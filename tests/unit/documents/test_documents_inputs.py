"""Main-process checks of an input file: names, type by content, size, regular file; the
problem codes; and that none of it loads a parser."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from doc_samples import jpeg_bytes, png_bytes, reportlab_pdf, upright_picture

from imrdesktop.documents import names, sniff
from imrdesktop.documents.inputs import InputFile, inspect_bytes, read_input
from imrdesktop.documents.limits import DEFAULT_LIMITS, Limits
from imrdesktop.documents.problems import NOTE_CODES, PROBLEM_CODES, DocumentProblem
from imrdesktop.domain.errors import InputFileMissing

DOC = Path(__file__).parents[3] / "docs" / "documents.md"


# --- codes and limits --------------------------------------------------------------------


def _codes_in_doc(heading: str) -> set[str]:
    text = DOC.read_text(encoding="utf-8")
    part = text.split(heading, 1)[1].split("\n\n", 2)[1]
    return {w.strip("`,.") for w in part.split() if w.startswith("`")}


def test_problem_and_note_codes_are_exactly_those_of_the_contract():
    assert _codes_in_doc("Codes:") == PROBLEM_CODES
    notes = DOC.read_text(encoding="utf-8").split("Notes (kept with the document", 1)[1]
    listed = {w.strip("`,.") for w in notes.split("\n\n", 1)[0].split() if w.startswith("`")}
    assert listed == NOTE_CODES


def test_problem_crosses_the_boundary_as_json_with_safe_params_only():
    p = DocumentProblem("page_size", page=3, width_in=250.123, height_in=11.0)
    again = DocumentProblem.from_json(p.to_json())
    assert (again.code, again.params) == (
        "page_size",
        {"page": 3, "width_in": 250.12, "height_in": 11.0},
    )
    dirty = DocumentProblem("too_large", size=10, text="Maria Lopez, DOB 1/2/1960", flag=True)
    assert dirty.params == {"size": 10}  # free text and odd types never survive
    assert DocumentProblem.from_json({"code": "rm -rf"}).code == "worker_failed"
    assert DocumentProblem.from_json("garbage").code == "worker_failed"
    with pytest.raises(ValueError, match="unknown"):
        DocumentProblem("not_a_code")
    import copy

    assert copy.deepcopy(p).params == p.params  # rebuilt through __reduce__, like pickle


def test_limits_defaults_match_the_contract_and_round_trip():
    d = DEFAULT_LIMITS
    assert (d.max_bytes, d.max_pages, d.max_image_pixels, d.max_frames) == (
        512 * 1024 * 1024,
        2000,
        100_000_000,
        500,
    )
    assert (d.min_page_inches, d.max_page_inches, d.max_text_bytes) == (0.1, 200.0, 5 * 1024 * 1024)
    assert (d.timeout_s, d.memory_bytes, d.max_render_px) == (120.0, 1536 * 1024 * 1024, 4000)
    custom = Limits(timeout_s=2.5, max_pages=7)
    assert Limits.from_json(custom.to_json()) == custom
    with pytest.raises(ValueError, match="bad limit"):
        Limits.from_json({"max_pages": -1})


# --- names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("denial letter.pdf", "denial letter.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\Desktop\\scan.pdf", "scan.pdf"),
        ("visit\x07notes\x1b[31m.txt", "visitnotes[31m.txt"),
        ("receipt\u202egpj.exe", "receiptgpj.exe"),
        ("a\u2066b\u2069c\u200f.pdf", "abc.pdf"),
        ("..", names.FALLBACK_NAME),
        ("", names.FALLBACK_NAME),
        ("Nguye\u0302\u0303n.pdf", "Nguyễn.pdf"),  # NFD from macOS becomes NFC
        ("  many   spaces\t.pdf ", "many spaces.pdf"),
        ("日本語の手紙.pdf", "日本語の手紙.pdf"),
    ],
)
def test_clean_name(raw, clean):
    assert names.clean_name(raw) == clean


def test_clean_name_keeps_the_suffix_when_shortening():
    long = "letter-" + "x" * 290 + ".pdf"
    out = names.clean_name(long)
    assert len(out) == names.MAX_NAME_CHARS and out.endswith(".pdf")
    assert len(names.clean_name("y" * 300)) == names.MAX_NAME_CHARS


# --- media by content --------------------------------------------------------------------


def test_media_comes_from_the_content_and_a_wrong_name_is_noted():
    pdf = reportlab_pdf([(612, 792)])
    assert inspect_bytes("scan.pdf", pdf).media == "pdf"
    item = inspect_bytes("photo.jpg", png_bytes(upright_picture((20, 20))))
    assert (item.media, item.notes) == ("png", ("type_mismatch",))
    assert inspect_bytes("photo.jpeg", jpeg_bytes()).notes == ()
    assert inspect_bytes("no-extension", jpeg_bytes()).media == "jpeg"
    assert inspect_bytes("x.pdf", b"  \n%PDF-1.4 junk before the header").media == "pdf"
    letter = inspect_bytes("letter.pdf", "Dear Ms. Tran, señora\n".encode())
    assert (letter.media, letter.notes) == ("text", ("type_mismatch",))


@pytest.mark.parametrize(
    ("data", "media"),
    [
        (b"Plain letter text\r\nline two\n", "text"),
        ("Nguyễn Văn Bình 你好\n".encode(), "text"),
        ("\ufeffwith BOM".encode(), "text"),
        ("UTF-16 note".encode("utf-16"), "text"),
        ("caf\xe9 cr\xe8me".encode("cp1252"), "text"),
        (b"BM is how my letter starts", "text"),  # a weak magic never beats text
        (b"MZ Smith: visit notes", "text"),
        (b"II*\x00" + bytes(40), "tiff"),
        (b"MM\x00*" + bytes(40), "tiff"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(20), "heic"),
        (b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic" + bytes(20), "heic"),
    ],
)
def test_supported_media(data, media):
    assert inspect_bytes("file", data).media == media


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"GIF89a" + bytes(30), "not_supported"),
        (b"PK\x03\x04" + bytes(30), "not_supported"),
        (b"\x7fELF" + bytes(60), "not_supported"),
        (b"MZ\x90\x00" + bytes(60), "not_supported"),
        (b"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00mif1miaf" + bytes(20), "not_supported"),
        (bytes(range(256)) * 4, "not_supported"),
        (b"notes\x00\x01\x02 more notes and more and more text here", "text_binary"),
    ],
)
def test_refused_content(data, code):
    with pytest.raises(DocumentProblem) as exc:
        inspect_bytes("file.bin", data)
    assert exc.value.code == code


def test_a_binary_file_named_txt_is_text_binary():
    with pytest.raises(DocumentProblem) as exc:
        inspect_bytes("notes.txt", bytes(range(256)) * 4)
    assert exc.value.code == "text_binary"


def test_text_too_large_is_decided_without_decoding():
    limits = Limits(max_text_bytes=1000)
    with pytest.raises(DocumentProblem) as exc:
        inspect_bytes("log.txt", b"a line of text\n" * 100, limits)
    assert (exc.value.code, exc.value.params["limit"]) == ("text_too_large", 1000)


def test_input_repr_never_shows_content():
    item = inspect_bytes("Maria Lopez denial.txt", b"Maria Lopez, member 123456789\n")
    assert "Maria" not in repr(item) and "123456789" not in repr(item)
    assert isinstance(item, InputFile)


# --- files -------------------------------------------------------------------------------


def test_read_input_reads_a_file_once_and_cleans_its_name(tmp_path: Path):
    path = tmp_path / "scan\x1b.pdf"
    pdf = reportlab_pdf([(612, 792)])
    path.write_bytes(pdf)
    item = read_input(str(path))
    assert (item.name, item.data, item.media, item.notes) == (
        "scan.pdf",
        pdf,
        "pdf",
        ("name_cleaned",),
    )


def test_read_input_refusals(tmp_path: Path):
    with pytest.raises(InputFileMissing):
        read_input(tmp_path / "nope.pdf")
    with pytest.raises(InputFileMissing):
        read_input(tmp_path / "nope" / "deeper.pdf")
    (tmp_path / "file").write_bytes(b"x")
    with pytest.raises(InputFileMissing):
        read_input(tmp_path / "file" / "child.pdf")
    (tmp_path / "dangling.pdf").symlink_to(tmp_path / "gone.pdf")
    with pytest.raises(InputFileMissing):
        read_input(tmp_path / "dangling.pdf")
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2000)
    with pytest.raises(DocumentProblem) as exc:
        read_input(big, Limits(max_bytes=1000))
    assert exc.value.params == {"size": 2000, "limit": 1000}


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="POSIX permissions")
def test_permission_denied_passes_through_as_oserror(tmp_path: Path):
    path = tmp_path / "secret.pdf"
    path.write_bytes(b"%PDF-1.4\n")
    path.chmod(0)
    with pytest.raises(PermissionError):
        read_input(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFO")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path):
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    start = time.monotonic()
    with pytest.raises(DocumentProblem) as exc:
        read_input(fifo)
    assert exc.value.code == "not_regular" and time.monotonic() - start < 1


def test_a_2gb_sparse_file_is_refused_without_reading_it(tmp_path: Path, monkeypatch):
    path = tmp_path / "huge.pdf"
    path.touch()
    os.truncate(path, 2 * 1024**3)
    import imrdesktop.documents.inputs as inputs

    def no_open(*_a, **_k):
        raise AssertionError("opened a file that is too large")

    monkeypatch.setattr(inputs.os, "open", no_open)
    with pytest.raises(DocumentProblem) as exc:
        read_input(path)
    assert exc.value.code == "too_large"


class _ShortReads:
    """A file that hands out at most ``step`` bytes a read(), as FUSE and network mounts do."""

    def __init__(self, data: bytes, step: int) -> None:
        self.data, self.step, self.pos = data, step, 0

    def read(self, n: int) -> bytes:
        chunk = self.data[self.pos : self.pos + min(n, self.step)]
        self.pos += len(chunk)
        return chunk


def test_short_reads_are_read_on_to_the_end():
    from imrdesktop.documents.inputs import _read_all

    data = bytes(range(256)) * 1000
    assert _read_all(_ShortReads(data, 4096), len(data)) == data
    assert _read_all(_ShortReads(data, 1), len(data)) == data


@pytest.mark.parametrize("actual", [999, 1001, 5000])
def test_a_file_whose_size_changes_while_read_cannot_be_read(actual):
    from imrdesktop.documents.inputs import _read_all

    with pytest.raises(OSError, match="while it was read"):
        _read_all(_ShortReads(b"x" * actual, 100), 1000)


class _ShortReadFile:
    """The real file, read at most 1,000 bytes at a time."""

    def __init__(self, f) -> None:
        self.f = f

    def read(self, n: int = -1) -> bytes:
        return self.f.read(1000 if n < 0 else min(n, 1000))

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.f.close()


def test_read_input_reads_through_short_reads(tmp_path: Path, monkeypatch):
    """read_input() used to keep what one read() returned: a PDF cut at the first short
    read (review 6, finding 7)."""
    import builtins

    import imrdesktop.documents.inputs as inputs

    pdf = reportlab_pdf([(612, 792)] * 10)
    path = tmp_path / "mounted.pdf"
    path.write_bytes(pdf)
    real_open = builtins.open
    monkeypatch.setattr(
        inputs, "open", lambda *a, **k: _ShortReadFile(real_open(*a, **k)), raising=False
    )
    assert len(pdf) > 3000 and read_input(path).data == pdf


@pytest.mark.skipif(os.name == "nt", reason="POSIX symlinks and name limits")
def test_symlink_loops_and_impossible_names_are_not_regular(tmp_path: Path):
    (tmp_path / "a.pdf").symlink_to(tmp_path / "b.pdf")
    (tmp_path / "b.pdf").symlink_to(tmp_path / "a.pdf")
    for path in (tmp_path / "a.pdf", tmp_path / ("n" * 300 + ".pdf")):
        with pytest.raises(DocumentProblem) as exc:
            read_input(path)
        assert exc.value.code == "not_regular"


def test_sniff_known_other_formats():
    assert sniff.known_other(b"Rar!\x1a\x07\x00") == "rar"
    assert sniff.known_other(b"BM", weak=False) is None
    assert sniff.sniff_binary(b"PK\x03\x04 ... %PDF-1.4") is None  # a ZIP stays a ZIP


# --- cheap imports -------------------------------------------------------------------------


def test_the_gui_side_modules_load_no_parser():
    code = (
        "import sys\n"
        "import imrdesktop.documents, imrdesktop.documents.client, imrdesktop.documents.inputs\n"
        "import imrdesktop.documents.limits, imrdesktop.documents.problems\n"
        "import imrdesktop.documents.names, imrdesktop.documents.sniff\n"
        "import imrdesktop.documents.worker\n"
        "bad = ('pikepdf', 'PIL', 'img2pdf', 'pypdfium2', 'reportlab', 'pillow_heif', 'PySide6')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
