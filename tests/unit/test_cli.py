"""The command line, run in-process: exit codes and one-sentence errors (CLI.md)."""

from __future__ import annotations

import json

import pytest

from imrdesktop import __version__
from imrdesktop.cli import run_cli

PASS = "correct horse battery staple again"


@pytest.fixture
def vault_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("IMRDESKTOP_PASSPHRASE", PASS)
    path = tmp_path / "vault"
    assert run_cli(["vault", "init", "--vault", str(path)]) == 0
    return path


def run(capsys, *args):
    code = run_cli(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys):
    code, out, _err = run(capsys, "--version")
    assert code == 0 and out.strip() == f"imrdesktop {__version__}"


def test_usage_errors_exit_2_with_a_sentence(capsys):
    code, _out, err = run(capsys, "case", "frobnicate")
    assert code == 2 and "imrdesktop --help" in err and "Traceback" not in err


def test_no_passphrase_and_no_terminal_is_exit_2(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("IMRDESKTOP_PASSPHRASE", raising=False)
    monkeypatch.setattr("sys.stdin", None)
    code, _out, err = run(capsys, "vault", "init", "--vault", str(tmp_path / "v"))
    assert code == 2 and "IMRDESKTOP_PASSPHRASE" in err


def test_init_prints_the_recovery_key_once(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("IMRDESKTOP_PASSPHRASE", PASS)
    sheet = tmp_path / "sheet.pdf"
    code, out, _ = run(
        capsys, "vault", "init", "--vault", str(tmp_path / "v"), "--recovery-sheet", str(sheet)
    )
    assert code == 0 and "Recovery key" in out
    assert sheet.read_bytes().startswith(b"%PDF")
    code, _out, err = run(capsys, "vault", "init", "--vault", str(tmp_path / "v"))
    assert code == 2 and "already" in err


def test_case_new_list_show(capsys, vault_dir, tmp_path):
    record = {
        "enrollee": {"name": "Trần Thị Bích", "preferred_language": "en"},
        "plan": {"name": "Sample Plan", "member_id": "SP-1"},
        "service": "MRI",
    }
    f = tmp_path / "rec.json"
    f.write_text(json.dumps(record), encoding="utf-8")
    code, out, _ = run(capsys, "case", "new", "--from", str(f), "--vault", str(vault_dir))
    assert code == 0
    case_id = out.strip().splitlines()[-1]
    code, out, _ = run(capsys, "case", "list", "--json", "--vault", str(vault_dir))
    rows = json.loads(out)
    assert rows == [
        {
            "id": case_id,
            "name": "Trần Thị Bích",
            "status": "open",
            "next_deadline": None,
            "days_left": None,
            # added by issue 8 (docs/cli.md)
            "member_id": "SP-1",
            "risk": "none",
            "pathway": "",
            "outcome": "",
        }
    ]
    code, out1, _ = run(capsys, "case", "show", case_id, "--json", "--vault", str(vault_dir))
    shown = json.loads(out1)
    assert shown["id"] == case_id and shown["enrollee"]["name"] == "Trần Thị Bích"
    assert shown["documents"] == []
    _code, out2, _ = run(capsys, "case", "show", case_id, "--json", "--vault", str(vault_dir))
    assert out1 == out2  # same bytes for an unchanged case
    code, out, _ = run(capsys, "case", "show", case_id, "--vault", str(vault_dir))
    assert code == 0 and "Trần Thị Bích" in out


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"enrollee": {}}), "enrollee.name"),
        (json.dumps({"enrollee": {"name": "A"}, "colour": 1}), "colour"),
    ],
)
def test_bad_record_files_exit_2_naming_the_problem(capsys, vault_dir, tmp_path, content, needle):
    f = tmp_path / "bad.json"
    f.write_text(content)
    code, _out, err = run(capsys, "case", "new", "--from", str(f), "--vault", str(vault_dir))
    assert code == 2 and needle in err and "Traceback" not in err


def test_missing_input_file_and_unknown_case(capsys, vault_dir, tmp_path):
    code, _o, err = run(capsys, "case", "new", "--from", str(tmp_path / "nope.json"))
    assert code == 2 and "nope.json" in err
    code, _o, err = run(capsys, "case", "show", "C-NOPE0000", "--vault", str(vault_dir))
    assert code == 2 and "C-NOPE0000" in err


def test_wrong_passphrase_is_exit_4(capsys, vault_dir, monkeypatch):
    monkeypatch.setenv("IMRDESKTOP_PASSPHRASE", "this is not the right passphrase")
    code, _o, err = run(capsys, "case", "list", "--vault", str(vault_dir))
    assert code == 4 and "passphrase" in err


def test_no_vault_is_exit_2(capsys, tmp_path):
    code, _o, err = run(capsys, "case", "list", "--vault", str(tmp_path / "empty"))
    assert code == 2 and "vault init" in err


def test_damaged_header_is_repaired_from_its_copy_or_exit_3(capsys, vault_dir):
    header = vault_dir / "vault.imrv"
    copy = vault_dir / "vault.imrv.bak"

    def flip(path):
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x01
        path.write_bytes(bytes(data))

    flip(header)  # one damaged copy: the vault still opens
    code, _o, err = run(capsys, "case", "list", "--vault", str(vault_dir))
    assert code == 0, err
    flip(header)
    flip(copy)  # both damaged: damage (3), never "wrong passphrase" (4)
    code, _o, err = run(capsys, "case", "list", "--vault", str(vault_dir))
    assert code == 3, err


def test_verify_export_import_round_trip(capsys, vault_dir, tmp_path, monkeypatch):
    f = tmp_path / "rec.json"
    f.write_text(json.dumps({"enrollee": {"name": "Արմեն Պետրոսյան"}}), encoding="utf-8")
    _c, out, _ = run(capsys, "case", "new", "--from", str(f), "--vault", str(vault_dir))
    case_id = out.strip().splitlines()[-1]
    code, out, _ = run(capsys, "vault", "verify", "--vault", str(vault_dir))
    assert code == 0 and "sound" in out
    monkeypatch.setenv("IMRDESKTOP_BUNDLE_PASSPHRASE", "a separate bundle passphrase here")
    bundle = tmp_path / "case.imrbundle"
    code, _o, err = run(
        capsys, "case", "export", case_id, "--out", str(bundle), "--vault", str(vault_dir)
    )
    assert code == 0, err
    code, out, _ = run(capsys, "case", "import", str(bundle), "--vault", str(vault_dir))
    assert code == 0
    new_id = out.strip().splitlines()[-1]
    assert new_id != case_id
    _c, out, _ = run(capsys, "case", "show", new_id, "--json", "--vault", str(vault_dir))
    assert json.loads(out)["enrollee"]["name"] == "Արմեն Պետրոսյան"
    monkeypatch.setenv("IMRDESKTOP_BUNDLE_PASSPHRASE", "not the bundle passphrase at all")
    code, _o, err = run(capsys, "case", "import", str(bundle), "--vault", str(vault_dir))
    assert code == 4


def test_recovery_sheet_target_is_checked_before_the_vault_is_made(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("IMRDESKTOP_PASSPHRASE", PASS)
    bad = tmp_path / "no-such-folder" / "sheet.pdf"
    code, _o, err = run(
        capsys, "vault", "init", "--vault", str(tmp_path / "v"), "--recovery-sheet", str(bad)
    )
    assert code == 2
    assert "existing folder" in err
    assert not (tmp_path / "v").exists()


def test_missing_header_reads_as_damage_not_as_no_vault(capsys, vault_dir, monkeypatch):
    (vault_dir / "vault.imrv").unlink()
    for leftover in vault_dir.glob("vault.imrv.bak"):
        leftover.unlink()
    monkeypatch.delenv("IMRDESKTOP_PASSPHRASE")
    monkeypatch.setattr("sys.stdin", None)
    code, _o, err = run(capsys, "case", "list", "--vault", str(vault_dir))
    assert code == 3, err  # said before any passphrase was needed


def test_a_file_instead_of_a_vault_folder_is_exit_3(capsys, tmp_path):
    f = tmp_path / "notes.txt"
    f.write_text("hello")
    code, _o, err = run(capsys, "case", "list", "--vault", str(f))
    assert code == 3
    assert "not an IMR Desktop vault" in err


def test_deeply_nested_json_is_a_bad_file(capsys, vault_dir, tmp_path):
    f = tmp_path / "deep.json"
    f.write_text("[" * 100_000 + "]" * 100_000)
    code, _o, err = run(capsys, "case", "new", "--from", str(f), "--vault", str(vault_dir))
    assert code == 2
    assert "not valid JSON" in err


def test_export_never_overwrites(capsys, vault_dir, tmp_path, monkeypatch):
    f = tmp_path / "rec.json"
    f.write_text(json.dumps({"enrollee": {"name": "A Person"}}))
    _c, out, _ = run(capsys, "case", "new", "--from", str(f), "--vault", str(vault_dir))
    case_id = out.strip().splitlines()[-1]
    monkeypatch.setenv("IMRDESKTOP_BUNDLE_PASSPHRASE", "a separate bundle passphrase here")
    target = tmp_path / "exists.imrbundle"
    target.write_text("keep me")
    code, _o, err = run(
        capsys, "case", "export", case_id, "--out", str(target), "--vault", str(vault_dir)
    )
    assert code == 2
    assert "already exists" in err
    assert target.read_text() == "keep me"


def test_a_repaired_header_is_reported(capsys, vault_dir):
    header = vault_dir / "vault.imrv"
    data = bytearray(header.read_bytes())
    data[10] ^= 0x40
    header.write_bytes(bytes(data))
    code, _o, err = run(capsys, "case", "list", "--vault", str(vault_dir))
    assert code == 0
    assert "repaired from its spare copy" in err
