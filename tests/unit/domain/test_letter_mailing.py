"""The letter composer and the mailing milestones (pure)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from imrdesktop.domain.letter import compose, open_prompts, parse_template
from imrdesktop.domain.mailing import milestones
from imrdesktop.resources_path import forms_path


@pytest.fixture(scope="module")
def template():
    return parse_template(json.loads(forms_path("packet", "letter.json").read_text("utf-8")))


FULL = {
    "dates.today_long": "November 23, 2026",
    "dmhc.name": "Help Center, Department of Managed Health Care",
    "dmhc.street": "980 9th Street, Suite 500",
    "dmhc.city_line": "Sacramento, CA 95814-2725",
    "request_type": "Independent Medical Review",
    "enrollee.name": "Nguyễn Văn Anh",
    "enrollee.date_of_birth": "1950-02-03",
    "plan.name": "Sample Health Plan",
    "plan.member_id": "SHP-123",
    "service": "TAVR",
    "dates.denial": "2026-09-01",
    "grievance_decided": True,
    "dates.grievance_filed": "2026-09-10",
    "dates.grievance_decided": "2026-10-01",
    "exhibit.plan_response": "B",
    "advocate.name": "Ana Ficticia",
    "advocate.organization": "Sample Legal Aid",
    "has_literature": True,
    "literature_list": "– A fictional trial (PMID 12345678) (Exhibit D)",
}


def test_a_full_case_reads_as_a_letter(template):
    text = compose(template, FULL)
    assert text.startswith("November 23, 2026")
    assert "Nguyễn Văn Anh's request for Independent Medical Review" in text
    assert "upheld its decision on 2026-10-01 (Exhibit B)" in text
    assert "PMID 12345678" in text
    assert "This request is urgent" not in text  # not urgent
    assert "experimental" not in text
    # what only the advocate can write stays as prompts
    prompts = open_prompts(text)
    assert any("condition" in p for p in prompts)
    assert all(p.startswith("[") and p.endswith("]") for p in prompts)


def test_missing_values_become_prompts_and_conditions_select_paragraphs(template):
    text = compose(template, {"urgent": True, "eit": True})
    assert "[client's name]" in text and "[member ID]" in text
    assert "This request is urgent." in text and "imminent and serious threat" in text
    assert "experimental or investigational" in text
    assert "filed a grievance" not in text
    assert len(open_prompts(text)) >= 8


def test_bad_templates_are_refused():
    with pytest.raises(ValueError, match="version"):
        parse_template({"version": 2})
    with pytest.raises(ValueError, match="paragraphs"):
        parse_template({"version": 1, "paragraphs": [{"id": "x"}]})


def test_milestones_after_mailing():
    got = {m.key: m.date for m in milestones(dt.date(2026, 11, 2), 30)}
    assert got["delivery_expected"] == dt.date(2026, 11, 7)
    assert got["iro_decision"] == dt.date(2026, 12, 7)
    assert got["typical_total"] == dt.date(2026, 12, 17)
    urgent = {m.key: m.date for m in milestones(dt.date(2026, 11, 2), 3)}
    assert urgent["iro_decision"] == dt.date(2026, 11, 10)
    ms = milestones(dt.date(2026, 11, 2), None)
    assert [m.date for m in ms] == sorted(m.date for m in ms)
    assert all(m.label for m in ms)


def test_mailing_record_is_checked_and_moves_the_case_list_on():
    from imrdesktop.domain.case import summary_for, validate_record
    from imrdesktop.domain.errors import InvalidField

    today = dt.date(2026, 11, 23)
    base = {"enrollee": {"name": "Ana Ficticia"}}
    good = {"article_number": "9400 1112 0108 0805 4830 16", "date": "2026-11-20"}
    clean = validate_record({**base, "mailing": good}, today=today)
    assert clean["mailing"] == {
        "article_number": "9400111201080805483016",
        "verified": True,
        "date": "2026-11-20",
        "return_receipt": "green_card",
        "receipt_number": "",
    }
    bad = validate_record(
        {**base, "mailing": {**good, "article_number": "9400111201080805483017"}}, today=today
    )
    assert bad["mailing"]["verified"] is False
    for wrong, field in (
        ({**good, "date": "2026-12-01"}, "mailing.date"),
        ({**good, "article_number": "12345"}, "mailing.article_number"),
        ({**good, "return_receipt": "pigeon"}, "mailing.return_receipt"),
        ({**good, "extra": 1}, "mailing"),
    ):
        with pytest.raises(InvalidField) as info:
            validate_record({**base, "mailing": wrong}, today=today)
        assert info.value.params["field"] == field
    summary = summary_for(clean, today=today)
    assert summary["status"] == "mailed"
    assert summary["next_deadline"] == {"date": "2026-11-25", "what": "delivery to DMHC"}
    later = summary_for(clean, today=dt.date(2026, 12, 10))
    assert later["next_deadline"]["what"] == "IMR decision due"
