"""Issue 8 services: case list rows (status, risk), reminders, statistics and their CSV, the
calendar file, exporting text, and `assess CASE` using the timeline's dates (CLI.md)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat

import pytest

from imrdesktop.cli import run_cli
from imrdesktop.services import assessment as svc
from imrdesktop.services import caseload
from imrdesktop.services.session import CaseRow, VaultSession, risk_for
from imrdesktop.storage.vault import Vault

PASS = "correct horse battery staple again"
TODAY = dt.date(2026, 3, 10)
NAME = "Trần Thị Bích"


def assessed(file_by: str | None, *, pathway: str = "imr_standard", **deadlines) -> dict:
    if file_by:
        deadlines["imr_file_by"] = file_by
    return {"outcome": pathway, "pathway": pathway, "decision_days": 30, "deadlines": deadlines}


@pytest.fixture
def session(tmp_path):
    vault, _key = Vault.create(tmp_path / "vault", PASS)
    s = VaultSession(vault, today=lambda: TODAY)
    yield s
    s.lock()


def add(session, name: str, **record) -> str:
    return session.create_case({"enrollee": {"name": name}, **record})


# --- rows, risk, reminders ----------------------------------------------------------------
def test_risk_bands():
    assert [risk_for(d) for d in (None, -1, 0, 7, 8, 30, 31)] == [
        "none",
        "overdue",
        "week",
        "week",
        "month",
        "month",
        "later",
    ]


def test_list_rows_carry_status_risk_pathway_outcome(session):
    ids = {
        "late": add(session, "Ana Late", assessment=assessed("2026-03-09")),
        "week": add(session, "Bo Week", assessment=assessed("2026-03-17")),
        "month": add(session, "Cy Month", assessment=assessed("2026-04-09")),
        "later": add(session, "Di Later", assessment=assessed("2026-09-01")),
        "none": add(session, "Ed None"),
        "won": add(
            session,
            "Fa Won",
            assessment=assessed("2026-01-01", plan_compliance_due="2026-03-12"),
            timeline=[{"event": "decision", "date": "2026-03-05", "outcome": "overturned"}],
        ),
    }
    rows = session.list_cases()
    by_id = {r.case_id: r for r in rows}
    assert [r.case_id for r in rows] == [
        ids["late"],
        ids["won"],
        ids["week"],
        ids["month"],
        ids["later"],
        ids["none"],
    ]
    assert by_id[ids["late"]].risk == "overdue" and by_id[ids["late"]].days_left == -1
    assert by_id[ids["week"]].risk == "week"
    assert by_id[ids["month"]].risk == "month"
    assert by_id[ids["later"]].risk == "later"
    assert by_id[ids["none"]].risk == "none" and by_id[ids["none"]].status == "open"
    assert by_id[ids["none"]].status_label == "Open" and by_id[ids["none"]].pathway == ""
    won = by_id[ids["won"]]
    assert (won.status, won.status_label, won.outcome) == ("overturned", "Overturned", "overturned")
    assert won.next_deadline["date"] == "2026-03-12" and won.risk == "week"
    assert by_id[ids["late"]].status == "ready_to_file"
    assert by_id[ids["late"]].pathway == "imr_standard"

    due = caseload.reminders(rows)
    assert [r.case_id for r in due] == [ids["late"], ids["won"], ids["week"]]
    assert [r.case_id for r in caseload.reminders(rows, days=30)][-1] == ids["month"]
    assert caseload.reminders([]) == []


def test_a_saved_timeline_changes_the_listed_status(session):
    case_id = add(session, "Gu Timeline")
    record = session.load_case(case_id)
    record["timeline"] = [{"event": "grievance_filed", "date": "2026-02-01"}]
    session.save_case(case_id, record)
    (row,) = session.list_cases()
    assert (row.status, row.status_label) == ("grievance_pending", "Grievance pending")


# --- statistics ---------------------------------------------------------------------------
def row(i: int, status: str, pathway: str = "imr_standard", outcome: str = "") -> CaseRow:
    return CaseRow(f"C-{i:08d}", NAME, "XKA-1", status, None, None, "", "none", pathway, outcome)


def test_statistics_and_csv_hold_counts_only():
    rows = [
        row(1, "overturned", outcome="overturned"),
        row(2, "complied", outcome="overturned"),
        row(3, "upheld", outcome="upheld"),
        row(4, "plan_reversed", "imr_urgent", outcome="plan_reversed"),
        row(5, "withdrawn", outcome="withdrawn"),
        row(6, "open", ""),
        row(7, "mailed", "consumer_complaint"),
    ]
    stats = caseload.statistics(rows)
    assert stats.total == 7
    assert stats.decided == 5 and stats.care_approved == 3
    assert stats.rate == pytest.approx(0.6)
    assert stats.by_pathway == {
        "imr_standard": 4,
        "imr_urgent": 1,
        "consumer_complaint": 1,
        "not_assessed": 1,
    }
    assert list(stats.by_status) == [
        "open",
        "mailed",
        "overturned",
        "upheld",
        "withdrawn",
        "plan_reversed",
        "complied",
    ]
    assert stats.statewide_note == (
        "Statewide, about 60% of IMRs end with the care approved — the plan reversed itself "
        "or the reviewers overturned it (DMHC)."
    )
    text = caseload.stats_csv(stats)
    assert text.startswith("metric,value\r\n")
    table = dict(line.split(",", 1) for line in text.strip().split("\r\n")[1:])
    assert table["cases_total"] == "7" and table["care_approved"] == "3"
    assert table["care_approved_rate"] == "0.6000"
    assert table["statewide_care_approved_rate"] == "0.60"
    assert table["status.under_review"] == "0" and table["pathway.imr_urgent"] == "1"
    assert NAME not in text and "XKA" not in text and "C-0000" not in text
    empty = caseload.statistics([])
    assert (empty.total, empty.decided, empty.rate) == (0, 0, None)
    assert "care_approved_rate,\r\n" in caseload.stats_csv(empty)


# --- the calendar -------------------------------------------------------------------------
def parse_ics(text: str) -> list[dict]:
    """A tiny RFC 5545 reader: checks CRLF, 75-octet lines and BEGIN/END balance, and
    returns the VEVENTs as {name(with params): value}."""
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    physical = text[:-2].split("\r\n")
    for line in physical:
        assert len(line.encode("utf-8")) <= 75, line
    logical: list[str] = []
    for line in physical:
        if line.startswith(" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    stack: list[str] = []
    events: list[dict] = []
    for line in logical:
        name, _, value = line.partition(":")
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                events.append({})
        elif name == "END":
            assert stack.pop() == value
        elif stack and stack[-1] == "VEVENT":
            events[-1][name] = value
    assert stack == []
    assert logical[0] == "BEGIN:VCALENDAR" and logical[-1] == "END:VCALENDAR"
    assert any(line.startswith("PRODID:") for line in logical)
    assert "VERSION:2.0" in logical
    return events


def test_ics_holds_the_deadlines_and_no_client_data():
    facts = {
        "regulator": "dmhc",
        "denial_reason": "med_necessity",
        "plan_written_decision_date": "2026-01-05",
        "grievance": {
            "filed_date": "2026-01-20",
            "decision_date": "2026-02-20",
            "outcome": "upheld",
        },
    }
    record = {
        "enrollee": {"name": NAME, "phone": "415 555 0100"},
        "plan": {"name": "Golden Sample Health", "member_id": "XKA-9981"},
        "service": "Proton beam therapy",
        "notes": "private note",
        "facts": facts,
        "timeline": [{"event": "denial", "date": "2026-01-05", "notes": "call back"}],
    }
    assessment, rendered = svc.assess_facts(facts, TODAY)
    text = caseload.deadlines_ics("C-7F3A9Q2K", record, rendered, TODAY)
    for secret in (NAME, "Golden", "XKA", "Proton", "private", "call back", "555"):
        assert secret not in text
    events = parse_ics(text)
    keys = set(rendered["deadlines"])
    assert {e["UID"] for e in events} == {f"C-7F3A9Q2K-{k}@imrdesktop" for k in keys}
    for e in events:
        assert re.fullmatch(r"[0-9]{8}", e["DTSTART;VALUE=DATE"])
        assert e["DTSTAMP"] == "20260310T000000Z"
        assert e["SUMMARY"].startswith("IMR: ") and e["SUMMARY"].endswith("— case C-7F3A9Q2K")
    file_by = next(e for e in events if e["UID"].startswith("C-7F3A9Q2K-imr_file_by@"))
    assert file_by["DTSTART;VALUE=DATE"] == rendered["deadlines"]["imr_file_by"].replace("-", "")
    assert file_by["SUMMARY"] == "IMR: File the IMR — case C-7F3A9Q2K"
    # the Assessment object gives the same calendar
    assert caseload.deadlines_ics("C-7F3A9Q2K", record, assessment, TODAY) == text


def test_ics_after_mailing_shows_the_milestones_and_after_a_win_the_compliance_date():
    record = {
        "enrollee": {"name": NAME},
        "timeline": [{"event": "imr_mailed", "date": "2026-03-02"}],
    }
    rendered = assessed("2026-08-20", plan_grievance_due="2026-02-01")
    events = parse_ics(caseload.deadlines_ics("C-1", record, rendered, TODAY))
    uids = [e["UID"] for e in events]
    assert uids[0] == "C-1-delivery_expected@imrdesktop"
    assert "C-1-iro_decision@imrdesktop" in uids and "C-1-imr_file_by@imrdesktop" not in uids
    won = {
        **record,
        "timeline": [
            *record["timeline"],
            {"event": "decision", "date": "2026-03-09", "outcome": "overturned"},
        ],
    }
    rendered = assessed("2026-08-20", plan_compliance_due="2026-03-16")
    (only,) = parse_ics(caseload.deadlines_ics("C-1", won, rendered, TODAY))
    assert only["UID"] == "C-1-plan_compliance_due@imrdesktop"
    assert only["DTSTART;VALUE=DATE"] == "20260316" and only["DTEND;VALUE=DATE"] == "20260317"
    assert parse_ics(caseload.deadlines_ics("C-1", {"enrollee": {"name": "A"}}, None, TODAY)) == []


def test_long_lines_are_folded_without_splitting_characters():
    line = "SUMMARY:" + "Nguyễn ; , \\ " * 20
    folded = caseload._fold(caseload._escape(line))
    for part in folded.split("\r\n"):
        assert len(part.encode("utf-8")) <= 75
    assert "".join(p[1:] if i else p for i, p in enumerate(folded.split("\r\n"))) == (
        caseload._escape(line)
    )


def test_export_text_is_private_and_atomic(tmp_path):
    target = tmp_path / "deadlines.ics"
    caseload.export_text(target, "BEGIN:VCALENDAR\r\nÉ\r\n")
    assert target.read_bytes() == "BEGIN:VCALENDAR\r\nÉ\r\n".encode()
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    caseload.export_text(str(target), "second")
    assert target.read_text(encoding="utf-8") == "second"
    assert [p.name for p in tmp_path.iterdir()] == ["deadlines.ics"]


# --- assess CASE uses the timeline's dates (shared/CLI.md) ----------------------------------
def cli(capsys, *args):
    code = run_cli(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_assess_case_uses_the_timeline_dates(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("IMRDESKTOP_PASSPHRASE", PASS)
    vault = str(tmp_path / "vault")
    assert run_cli(["vault", "init", "--vault", vault]) == 0
    record = {
        "enrollee": {"name": NAME},
        "facts": {
            "regulator": "dmhc",
            "denial_reason": "med_necessity",
            "provider_recommended_or_in_plan_visit": True,
            "plan_written_decision_date": "2026-01-05",
            "grievance": {
                "filed_date": "2026-01-10",
                "decision_date": "2026-02-01",
                "outcome": "upheld",
            },
        },
        "timeline": [
            {"event": "denial", "date": "2026-01-12"},
            {"event": "grievance_filed", "date": "2026-01-20"},
            {"event": "plan_answered", "date": "2026-03-01", "outcome": "partial"},
        ],
    }
    f = tmp_path / "record.json"
    f.write_text(json.dumps(record), encoding="utf-8")
    code, out, err = cli(capsys, "case", "new", "--from", str(f), "--vault", vault)
    assert code == 0, err
    case_id = out.strip().splitlines()[-1]
    code, out, err = cli(
        capsys, "assess", case_id, "--today", "2026-03-10", "--json", "--vault", vault
    )
    assert code == 0, err
    rendered = json.loads(out)
    assert rendered["deadlines"]["imr_file_by"] == "2026-09-01"  # the plan's answer, 2026-03-01
    assert rendered["deadlines"]["imr_file_by_from_denial"] == "2026-07-12"  # the denial event
    code, out, _ = cli(capsys, "case", "show", case_id, "--json", "--vault", vault)
    shown = json.loads(out)
    assert shown["facts"]["grievance"]["decision_date"] == "2026-02-01"  # stored facts kept
    assert shown["assessment"]["deadlines"]["imr_file_by"] == "2026-09-01"
    code, out, _ = cli(capsys, "case", "list", "--json", "--vault", vault)
    (listed,) = json.loads(out)
    assert listed["status"] == "ready_to_file" and listed["pathway"] == "imr_standard"
    assert {"id", "name", "status", "next_deadline", "days_left", "risk"} <= set(listed)


def test_a_timeline_date_the_facts_refuse_names_the_field(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("IMRDESKTOP_PASSPHRASE", PASS)
    vault = str(tmp_path / "vault")
    assert run_cli(["vault", "init", "--vault", vault]) == 0
    record = {
        "enrollee": {"name": NAME},
        "facts": {"regulator": "dmhc", "denial_reason": "med_necessity"},
        "timeline": [
            {"event": "plan_answered", "date": "2026-01-05", "outcome": "upheld"},
            {"event": "grievance_filed", "date": "2026-02-01"},
        ],
    }
    f = tmp_path / "record.json"
    f.write_text(json.dumps(record), encoding="utf-8")
    _code, out, _err = cli(capsys, "case", "new", "--from", str(f), "--vault", vault)
    case_id = out.strip().splitlines()[-1]
    code, _out, err = cli(capsys, "assess", case_id, "--today", "2026-03-10", "--vault", vault)
    assert code == 2
    # named where the advocate entered it: the plan's answer, first in the timeline
    assert "timeline[0].date" in err and "Traceback" not in err


def test_gui_preview_and_packet_use_the_timeline_dates():
    from imrdesktop.domain.errors import InvalidField
    from imrdesktop.services.packet import PacketService

    facts = {
        "regulator": "dmhc",
        "denial_reason": "med_necessity",
        "plan_written_decision_date": "2026-01-05",
        "grievance": {
            "filed_date": "2026-01-10",
            "decision_date": "2026-02-01",
            "outcome": "upheld",
        },
    }
    record = {
        "enrollee": {"name": NAME},
        "facts": facts,
        "timeline": [{"event": "plan_answered", "date": "2026-03-01", "outcome": "upheld"}],
    }
    rendered = svc.preview_case_assessment(facts, record, TODAY)
    assert rendered["deadlines"]["imr_file_by"] == "2026-09-01"
    assert svc.preview_case_assessment(None, record, TODAY)["deadlines"] == rendered["deadlines"]
    later_denial = {**record, "timeline": [{"event": "denial", "date": "2026-02-20"}]}
    with pytest.raises(InvalidField) as info:
        PacketService._check_mailing_date(later_denial, "2026-02-10")
    assert "2026-02-20" in info.value.params["problem"]
