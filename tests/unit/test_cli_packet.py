"""`imrdesktop packet`, `cover-sheet` and `mail` (CLI.md)."""

from __future__ import annotations

import json

import pytest
from test_cli_attach import run, show
from test_documents_service import make_pdf
from test_packet_service import RECORD, text_of

from imrdesktop.cli import run_cli

PASS = "correct horse battery staple again"
GOOD = "9400111201080805483016"
BAD = "9400111201080805483017"


@pytest.fixture
def case(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("IMRDESKTOP_PASSPHRASE", PASS)
    vault = tmp_path / "vault"
    assert run_cli(["vault", "init", "--vault", str(vault)]) == 0
    rec = tmp_path / "rec.json"
    rec.write_text(json.dumps(RECORD), encoding="utf-8")
    assert run_cli(["case", "new", "--from", str(rec), "--vault", str(vault)]) == 0
    case_id = capsys.readouterr().out.strip().splitlines()[-1]
    (tmp_path / "denial.pdf").write_bytes(make_pdf(2))
    assert run_cli(["case", "attach", case_id, str(tmp_path / "denial.pdf"), "--kind",
                    "denial_letter", "--vault", str(vault)]) == 0  # fmt: skip
    capsys.readouterr()
    return vault, case_id


def test_packet_builds_and_says_when_not_eligible(case, capsys, tmp_path):
    vault, case_id = case
    out = tmp_path / "packet.pdf"
    code, stdout, err = run(capsys, "packet", case_id, "--out", str(out), "--vault", str(vault))
    assert code == 0, err
    assert "NOT encrypted" in stdout
    # never assessed: one line on stderr says so
    assert len(err.strip().splitlines()) == 1 and "assessed" in err
    pages = text_of(out.read_bytes())
    assert "Exhibit A — page 1 of 2" in " ".join(" ".join(p.split()) for p in pages)
    code, _o, err = run(capsys, "assess", case_id, "--vault", str(vault))
    assert code == 0
    out.unlink()
    code, _o, err = run(capsys, "packet", case_id, "--out", str(out), "--vault", str(vault))
    assert code == 0 and err == ""
    code, _o, err = run(capsys, "packet", case_id, "--out", str(out), "--vault", str(vault))
    assert code == 2 and "already exists" in err  # never overwrites


def test_cover_sheet_refuses_a_mistyped_number(case, capsys, tmp_path, monkeypatch):
    vault, case_id = case
    out = tmp_path / "cover.pdf"
    monkeypatch.delenv("IMRDESKTOP_PASSPHRASE")  # refused before any passphrase is needed
    monkeypatch.setattr("sys.stdin", None)
    args = ("cover-sheet", case_id, "--out", str(out), "--vault", str(vault))
    code, _o, err = run(capsys, *args, "--article-number", BAD)
    assert code == 2 and "9400 1112 0108 0805 4830 17" in err and "check digit" in err
    assert not out.exists()
    monkeypatch.setenv("IMRDESKTOP_PASSPHRASE", PASS)
    code, _o, err = run(capsys, *args, "--article-number", BAD, "--accept-unverified-number")
    assert code == 0, err
    assert "9400 1112 0108 0805 4830 17" in " ".join(text_of(out.read_bytes()))
    out.unlink()
    code, _o, err = run(capsys, *args, "--article-number", GOOD)
    assert code == 0, err


def test_mail_records_the_mailing(case, capsys):
    vault, case_id = case
    base = ("mail", case_id, "--vault", str(vault))
    code, _o, err = run(capsys, *base, "--article-number", BAD, "--date", "2026-11-20")
    assert code == 2 and "check digit" in err
    code, _o, err = run(capsys, *base, "--article-number", GOOD, "--date", "20/11/2026")
    assert code == 2 and "--date" in err
    code, out, err = run(capsys, *base, "--article-number", GOOD, "--date", "2026-11-20")
    assert code == 0, err
    assert "9400 1112 0108 0805 4830 16" in out
    data = show(capsys, vault, case_id)
    assert data["mailing"]["article_number"] == GOOD and data["mailing"]["verified"] is True
    assert data["facts"]["imr_filed_date"] == "2026-11-20"


def test_mail_date_errors_name_the_option_and_unverified_is_said(case, capsys):
    vault, case_id = case
    base = ("mail", case_id, "--vault", str(vault))
    code, _o, err = run(capsys, *base, "--article-number", GOOD, "--date", "2099-01-01")
    assert code == 2 and "--date" in err
    code, out, err = run(
        capsys, *base, "--article-number", BAD, "--date", "2026-11-20", "--accept-unverified-number"
    )
    assert code == 0, err
    assert "NOT verified" in out
