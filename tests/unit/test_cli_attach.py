"""`imrdesktop case attach` and the documents of `case show --json` (CLI.md)."""

from __future__ import annotations

import hashlib
import json

import pytest
from test_documents_service import make_jpeg, make_pdf

from imrdesktop.cli import run_cli

PASS = "correct horse battery staple again"


@pytest.fixture
def case(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("IMRDESKTOP_PASSPHRASE", PASS)
    monkeypatch.delenv("IMRDESKTOP_PDF_PASSWORD", raising=False)
    vault = tmp_path / "vault"
    assert run_cli(["vault", "init", "--vault", str(vault)]) == 0
    rec = tmp_path / "rec.json"
    rec.write_text(json.dumps({"enrollee": {"name": "Kim Min-ji"}}), encoding="utf-8")
    assert run_cli(["case", "new", "--from", str(rec), "--vault", str(vault)]) == 0
    case_id = capsys.readouterr().out.strip().splitlines()[-1]
    return vault, case_id


def run(capsys, *args):
    code = run_cli(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def show(capsys, vault, case_id):
    code, out, _err = run(capsys, "case", "show", case_id, "--json", "--vault", str(vault))
    assert code == 0
    return json.loads(out)


def test_attach_then_show(case, capsys, tmp_path):
    vault, case_id = case
    pdf, jpg = make_pdf(2), make_jpeg()
    (tmp_path / "record.pdf").write_bytes(pdf)
    (tmp_path / "photo.jpg").write_bytes(jpg)
    code, out, err = run(
        capsys,
        "case", "attach", case_id, str(tmp_path / "record.pdf"), str(tmp_path / "photo.jpg"),
        "--kind", "medical_record", "--title", "Clinic notes", "--vault", str(vault),
    )  # fmt: skip
    assert code == 0, err
    ids = out.split()
    assert len(ids) == 2 and all(i.startswith("D-") for i in ids)
    data = show(capsys, vault, case_id)
    docs = data["documents"]
    assert [d["id"] for d in docs] == ids
    assert (docs[0]["kind"], docs[0]["title"], docs[0]["pages"]) == (
        "medical_record",
        "Clinic notes",
        2,
    )
    assert docs[0]["size"] == len(pdf) and docs[0]["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert docs[1]["sha256"] == hashlib.sha256(jpg).hexdigest()
    # unchanged case, same bytes
    code, out1, _ = run(capsys, "case", "show", case_id, "--json", "--vault", str(vault))
    code, out2, _ = run(capsys, "case", "show", case_id, "--json", "--vault", str(vault))
    assert out1 == out2
    code, out, _ = run(capsys, "case", "show", case_id, "--vault", str(vault))
    assert "Exhibit A" in out and "Clinic notes" in out


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("empty.pdf", b"", "empty"),
        ("program.jpg", b"MZ\x90\x00" + b"\x00" * 500, "not a PDF"),
        ("broken.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 50, "damaged"),
    ],
)
def test_a_file_it_cannot_take_is_exit_2_and_changes_nothing(
    case, capsys, tmp_path, name, data, says
):
    vault, case_id = case
    (tmp_path / "ok.pdf").write_bytes(make_pdf(1))
    (tmp_path / name).write_bytes(data)
    code, out, err = run(
        capsys, "case", "attach", case_id, str(tmp_path / "ok.pdf"), str(tmp_path / name),
        "--vault", str(vault),
    )  # fmt: skip
    assert code == 2 and out == ""
    assert says in err and name in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert show(capsys, vault, case_id)["documents"] == []


def test_missing_file_directory_and_unknown_case(case, capsys, tmp_path):
    vault, case_id = case
    code, _out, err = run(
        capsys, "case", "attach", case_id, str(tmp_path / "nope.pdf"), "--vault", str(vault)
    )
    assert code == 2 and "nope.pdf" in err
    code, _out, err = run(capsys, "case", "attach", case_id, str(tmp_path), "--vault", str(vault))
    assert code == 2 and "folder" in err
    (tmp_path / "a.pdf").write_bytes(make_pdf(1))
    code, _out, err = run(
        capsys, "case", "attach", "C-NOPE1234", str(tmp_path / "a.pdf"), "--vault", str(vault)
    )
    assert code == 2 and "C-NOPE1234" in err
    code, _out, err = run(
        capsys,
        "case",
        "attach",
        case_id,
        str(tmp_path / "a.pdf"),
        "--kind",
        "bribe",
        "--vault",
        str(vault),
    )
    assert code == 2
    code, _out, err = run(
        capsys,
        "case",
        "attach",
        case_id,
        str(tmp_path / "a.pdf"),
        "--date",
        "May 5",
        "--vault",
        str(vault),
    )
    assert code == 2 and "--date" in err


def test_password_pdf_from_the_environment(case, capsys, tmp_path, monkeypatch):
    vault, case_id = case
    (tmp_path / "locked.pdf").write_bytes(make_pdf(1, password="fictional-pw"))
    monkeypatch.setattr("sys.stdin", None)
    args = ("case", "attach", case_id, str(tmp_path / "locked.pdf"), "--vault", str(vault))
    code, _out, err = run(capsys, *args)
    assert code == 2 and "IMRDESKTOP_PDF_PASSWORD" in err
    monkeypatch.setenv("IMRDESKTOP_PDF_PASSWORD", "wrong")
    code, _out, err = run(capsys, *args)
    assert code == 2 and "not the password" in err
    monkeypatch.setenv("IMRDESKTOP_PDF_PASSWORD", "fictional-pw")
    code, out, err = run(capsys, *args)
    assert code == 0, err
    assert show(capsys, vault, case_id)["documents"][0]["pages"] == 1


def test_title_and_source_are_checked_before_any_work(case, capsys, tmp_path):
    vault, case_id = case
    (tmp_path / "a.pdf").write_bytes(make_pdf(1))
    code, _out, err = run(
        capsys, "case", "attach", case_id, str(tmp_path / "a.pdf"), "--source", "x" * 300,
        "--vault", str(vault),
    )  # fmt: skip
    assert code == 2 and "--source" in err
    assert show(capsys, vault, case_id)["documents"] == []
