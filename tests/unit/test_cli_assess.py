"""`imrdesktop assess` (CLI.md, facts.md): --facts without a vault, CASE with one, exit 2 for
every bad-facts check of facts.md (naming the field, no traceback), the JSON shape."""

from __future__ import annotations

import json

import pytest
from facts_examples import FACTS_MD_INPUT

from imrdesktop.cli import run_cli
from imrdesktop.services.session import california_today

PASS = "correct horse battery staple again"
EXAMPLE = FACTS_MD_INPUT
EXPECTED_DEADLINES = {
    "plan_grievance_due": "2026-07-03",
    "unresolved_eligible_date": "2026-07-04",
    "imr_file_by": "2027-01-03",
    "imr_safe_target": "2026-12-30",
    "imr_legal_last_day": "2027-01-04",
    "imr_file_by_from_denial": "2026-12-01",
}


def run(capsys, *args):
    code = run_cli(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def facts_file(tmp_path, data, name="facts.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_facts_json_is_the_facts_md_shape(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("IMRDESKTOP_PASSPHRASE", raising=False)
    monkeypatch.setattr("sys.stdin", None)  # never asks for a passphrase
    f = facts_file(tmp_path, EXAMPLE)
    code, out, err = run(capsys, "assess", "--facts", f, "--today", "2026-07-04", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert list(sorted(data)) == sorted(
        [
            "outcome",
            "pathway",
            "eligible_on",
            "decision_days",
            "deadlines",
            "warnings",
            "reasons",
            "missing",
        ]
    )
    assert (data["outcome"], data["pathway"], data["eligible_on"], data["decision_days"]) == (
        "imr_standard",
        "imr_standard",
        "2026-07-04",
        30,
    )
    assert data["deadlines"] == EXPECTED_DEADLINES
    assert [w["id"] for w in data["warnings"]] == ["W04", "W07", "W08", "W09", "W10", "W20"]
    assert data["reasons"] == [
        {
            "rule": "R10",
            "text": "The grievance filed 2026-06-03 is still undecided after 30 days.",
            "citation": "H&S Code 1374.30; 1368.03",
        }
    ]
    assert data["missing"] == []


def test_facts_text_is_the_result_page(capsys, tmp_path):
    f = facts_file(tmp_path, EXAMPLE)
    code, out, _ = run(capsys, "assess", "--facts", f, "--today", "2026-07-04")
    assert code == 0
    assert out.startswith("The client can ask for a standard IMR now")
    assert "2027-01-03  File the IMR by (recommended) (183 days left)" in out
    assert "2027-01-04  Legal last day if CCP 12a applies (184 days left)" in out
    assert "[W20]" in out and "(H&S Code 1374.30; 1368.03) [R10]" in out
    assert "Missing from the file" in out


def test_spanish_is_accepted_and_falls_back_to_english(capsys, tmp_path):
    f = facts_file(tmp_path, EXAMPLE)
    code, out, _ = run(
        capsys, "assess", "--facts", f, "--today", "2026-07-04", "--json", "--language", "es"
    )
    assert code == 0 and json.loads(out)["deadlines"] == EXPECTED_DEADLINES


def test_today_defaults_to_california_today(capsys, tmp_path):
    f = facts_file(tmp_path, {"regulator": "dmhc"})
    code, out, _ = run(capsys, "assess", "--facts", f, "--json")
    assert code == 0 and json.loads(out)["outcome"] == "incomplete_facts"
    later = {
        "imr_filed_date": california_today().replace(year=california_today().year + 1).isoformat()
    }
    code, _out, err = run(capsys, "assess", "--facts", facts_file(tmp_path, later, "l.json"))
    assert code == 2 and "imr_filed_date" in err


# facts.md "Exit 2": (facts, the field named on stderr)
BAD_FACTS = [
    ({"colour": "blue"}, "colour"),
    ({"eit": {"certified": True}}, "eit.certified"),
    ({"regulator": "kaiser"}, "regulator"),
    ({"denial_reason": "MED_NECESSITY"}, "denial_reason"),
    ({"urgency": True}, "urgency"),
    ({"grievance": {"expedited": "no"}}, "grievance.expedited"),
    ({"medi_cal": {"member": 1}}, "medi_cal.member"),
    ({"grievance": ["2026-06-03"]}, "grievance"),
    ({"plan_written_decision_date": "2026-02-29"}, "plan_written_decision_date"),
    ({"plan_written_decision_date": "06/01/2026"}, "plan_written_decision_date"),
    ({"imr_filed_date": "2026-07-05"}, "imr_filed_date"),
    (
        {
            "grievance": {
                "filed_date": "2026-06-03",
                "decision_date": "2026-05-01",
                "outcome": "upheld",
            }
        },
        "grievance.decision_date",
    ),
    (
        {"grievance": {"filed_date": "2026-06-03", "received_date": "2026-06-02"}},
        "grievance.received_date",
    ),
    (
        {"imr_filed_date": "2026-06-03", "imr_decision_received_date": "2026-06-02"},
        "imr_decision_received_date",
    ),
    ({"grievance": {"outcome": "partial"}}, "grievance"),
    ({"grievance": {"decision_date": "2026-06-03"}}, "grievance"),
    ({"denial_reason": "medi_cal_rx_pharmacy"}, "medi_cal.member"),
    ({"denial_reason": "medi_cal_rx_pharmacy", "medi_cal": {"member": False}}, "denial_reason"),
    ([1, 2], "(facts)"),
]


@pytest.mark.parametrize(("facts", "field"), BAD_FACTS)
def test_bad_facts_exit_2_naming_the_field(capsys, tmp_path, facts, field):
    f = facts_file(tmp_path, facts)
    code, out, err = run(capsys, "assess", "--facts", f, "--today", "2026-07-04", "--json")
    assert code == 2
    assert out == ""
    assert f"“{field}" in err or f"{field}”" in err or field in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_rx_names_both_fields(capsys, tmp_path):
    f = facts_file(tmp_path, {"denial_reason": "medi_cal_rx_pharmacy", "regulator": "cdi"})
    code, _out, err = run(capsys, "assess", "--facts", f, "--today", "2026-07-04")
    assert code == 2 and "denial_reason" in err and "medi_cal.member" in err


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--today", "2026-02-30"], "--today"),
        (["--today", "tomorrow"], "--today"),
        (["--language", "fr"], "--language"),
    ],
)
def test_bad_options_exit_2(capsys, tmp_path, args, needle):
    f = facts_file(tmp_path, EXAMPLE)
    code, _out, err = run(capsys, "assess", "--facts", f, *args)
    assert code == 2 and needle in err and "Traceback" not in err


def test_bad_files_exit_2(capsys, tmp_path):
    code, _o, err = run(capsys, "assess", "--facts", str(tmp_path / "none.json"))
    assert code == 2 and "none.json" in err
    bad = tmp_path / "bad.json"
    bad.write_text("{nope", encoding="utf-8")
    code, _o, err = run(capsys, "assess", "--facts", str(bad))
    assert code == 2 and "bad.json" in err


def test_facts_or_case_not_both_nor_neither(capsys, tmp_path):
    code, _o, err = run(capsys, "assess")
    assert code == 2 and "--facts" in err
    f = facts_file(tmp_path, EXAMPLE)
    code, _o, err = run(capsys, "assess", "C-12345678", "--facts", f)
    assert code == 2 and "--facts" in err


@pytest.fixture
def vault_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("IMRDESKTOP_PASSPHRASE", PASS)
    path = tmp_path / "vault"
    assert run_cli(["vault", "init", "--vault", str(path)]) == 0
    return path


def new_case(capsys, vault_dir, tmp_path, record):
    f = facts_file(tmp_path, record, "record.json")
    code, out, err = run(capsys, "case", "new", "--from", f, "--vault", str(vault_dir))
    assert code == 0, err
    return out.strip().splitlines()[-1]


def test_assess_case_stores_the_assessment_and_the_next_deadline(capsys, vault_dir, tmp_path):
    case_id = new_case(capsys, vault_dir, tmp_path, {"enrollee": {"name": "Ana"}, "facts": EXAMPLE})
    code, out, err = run(
        capsys, "assess", case_id, "--today", "2026-07-04", "--json", "--vault", str(vault_dir)
    )
    assert code == 0, err
    assessed = json.loads(out)
    assert assessed["deadlines"] == EXPECTED_DEADLINES
    _c, out, _ = run(capsys, "case", "show", case_id, "--json", "--vault", str(vault_dir))
    assert json.loads(out)["assessment"] == assessed
    _c, out, _ = run(capsys, "case", "list", "--json", "--vault", str(vault_dir))
    (row,) = json.loads(out)
    assert row["next_deadline"] == {"date": "2027-01-03", "what": "File the IMR"}
    import datetime as dt

    assert row["days_left"] == (dt.date(2027, 1, 3) - california_today()).days
    _c, out, _ = run(capsys, "case", "list", "--vault", str(vault_dir))
    assert "File the IMR by 2027-01-03" in out


def test_assess_case_text_and_bad_case_facts(capsys, vault_dir, tmp_path):
    case_id = new_case(
        capsys,
        vault_dir,
        tmp_path,
        {"enrollee": {"name": "Bo"}, "facts": {"grievance": {"outcome": "upheld"}}},
    )
    code, _out, err = run(
        capsys, "assess", case_id, "--today", "2026-07-04", "--vault", str(vault_dir)
    )
    assert code == 2 and "facts.grievance" in err and "Traceback" not in err
    other = new_case(capsys, vault_dir, tmp_path, {"enrollee": {"name": "Cy"}})
    code, out, _ = run(capsys, "assess", other, "--today", "2026-07-04", "--vault", str(vault_dir))
    assert code == 0 and out.startswith("More facts are needed")
    code, _out, err = run(capsys, "assess", "C-NOPE0000", "--vault", str(vault_dir))
    assert code == 2 and "C-NOPE0000" in err
