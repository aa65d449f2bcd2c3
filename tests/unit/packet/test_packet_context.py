"""The packet context: keys of docs/packet.md from a case record, assessment and documents."""

from __future__ import annotations

import datetime as dt
import gettext

import pytest

from imrdesktop.i18n import install_catalog
from imrdesktop.packet.forms import render_form
from imrdesktop.services.assessment import assess_facts
from imrdesktop.services.demo import load_demo_cases
from imrdesktop.services.documents import Document, PageChoice
from imrdesktop.services.packet_context import build_context, split_address, split_name

TODAY = dt.date(2026, 7, 4)

RECORD = {
    "enrollee": {
        "name": "Nguyễn Văn Anh",
        "date_of_birth": "1958-03-14",
        "address": "1234 Alvarado Street, Apt 5\nLos Angeles, CA 90026",
        "phone": "(213) 555-0147",
        "preferred_language": "es",
    },
    "plan": {"name": "Golden Poppy Health Plan", "member_id": "GPH-448812-01"},
    "advocate": {
        "name": "Rosa Delgado",
        "organization": "Eastside Health Rights Project",
        "phone": "(323) 555-0110",
    },
    "service": "Proton beam radiation therapy",
    "notes": "private advocate notes — never printed",
    "facts": {
        "regulator": "dmhc",
        "denial_reason": "med_necessity",
        "plan_written_decision_date": "2026-05-02",
        "grievance": {"filed_date": "2026-05-10", "decision_date": None, "outcome": None},
        "medi_cal": {"member": True, "fair_hearing_status": "requested"},
    },
}


def _doc(doc_id, letter, kind="denial_letter", pages=3, selection=None, include=True):
    return Document(
        id=doc_id,
        kind=kind,
        title=f"Title {doc_id}",
        date="2026-05-02",
        source="Golden Poppy Health Plan",
        file_name=f"{doc_id}.pdf",
        media="application/pdf",
        pages=pages,
        size=1000,
        sha256="0" * 64,
        include=include,
        selection=selection,
        notes=(),
        added="2026-07-01",
        exhibit=letter,
        original="o",
        pdf="p",
    )


def _assessment(facts):
    return assess_facts(facts, TODAY)[1]


def test_people_plan_and_name_split():
    ctx = build_context(RECORD, None, [], today=TODAY)
    assert ctx["enrollee.name"] == "Nguyễn Văn Anh"
    assert ctx["enrollee.first_name"] == "Nguyễn Văn"
    assert ctx["enrollee.last_name"] == "Anh"
    assert ctx["enrollee.street"] == "1234 Alvarado Street, Apt 5"
    assert (ctx["enrollee.city"], ctx["enrollee.state"], ctx["enrollee.zip"]) == (
        "Los Angeles",
        "CA",
        "90026",
    )
    assert ctx["enrollee.preferred_language"] == "Spanish"
    assert ctx["plan.member_id"] == "GPH-448812-01"
    # no assistant section: the advocate is the authorized assistant
    assert ctx["has_assistant"] is True
    assert ctx["assistant.name"] == "Rosa Delgado"
    assert "assistant.relationship" not in ctx
    # unknown is absent, never None or blank; private notes never reach a form
    assert "physician.name" not in ctx and "plan.medical_group" not in ctx
    assert all(v is not None and v != "" for v in ctx.values())
    assert not any("private advocate notes" in str(v) for v in ctx.values())


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        ("Nguyễn Văn Anh", "Nguyễn Văn", "Anh"),
        ("Иван Петров", "Иван", "Петров"),
        ("Petrov, Ivan", "Ivan", "Petrov"),
        ("王小明", "小明", "王"),
        ("김민지", "민지", "김"),
        ("Cher", "", "Cher"),
        ("  Ana   María  López ", "Ana María", "López"),
    ],
)
def test_split_name(name, first, last):
    assert split_name(name) == (first, last)


def test_split_address():
    assert split_address("2400 Sample Ave, San Jose, CA 95112") == {
        "street": "2400 Sample Ave",
        "city": "San Jose",
        "state": "CA",
        "zip": "95112",
    }
    assert split_address("PO Box 5\nFresno, ca 93721-1234")["zip"] == "93721-1234"
    assert split_address("somewhere in the valley") == {}


def test_facts_dates_and_medi_cal():
    ctx = build_context(RECORD, None, [], today=TODAY)
    assert ctx["dates.denial"] == "2026-05-02"
    assert ctx["dates.grievance_filed"] == "2026-05-10"
    assert "dates.grievance_decided" not in ctx
    assert ctx["grievance_filed"] is True and ctx["grievance_decided"] is False
    assert ctx["grievance_pending"] is True
    assert ctx["medi_cal"] is True
    assert ctx["medi_cal.hearing_requested"] is True and ctx["medi_cal.hearing_held"] is False
    assert ctx["denial.reason_text"] == "Not medically necessary"
    assert "Proton beam radiation therapy" in ctx["problem.summary"]
    no_grievance = {**RECORD, "facts": {"denial_reason": "med_necessity"}}
    assert "grievance_filed" not in build_context(no_grievance, None, [], today=TODAY)


def test_assessment_gives_pathway_urgency_and_eligibility():
    facts = {
        "regulator": "dmhc",
        "denial_reason": "med_necessity",
        "urgency": "imminent_serious_threat",
        "plan_written_decision_date": "2026-07-02",
        "urgency_certification_present": True,
        "provider_recommended_or_in_plan_visit": True,
    }
    assessment = _assessment(facts)
    assert assessment["pathway"] == "imr_urgent"
    ctx = build_context({**RECORD, "facts": facts}, assessment, [], today=TODAY)
    assert ctx["pathway.imr_urgent"] is True
    assert not any(k.startswith("pathway.") and k != "pathway.imr_urgent" for k in ctx)
    assert ctx["urgent"] is True and ctx["eligible"] is True
    assert ctx["request_type"] == "Urgent IMR"
    assert "eligibility_note" not in ctx
    assert ctx["deadlines.imr_file_by"] == assessment["deadlines"]["imr_file_by"]


def test_not_eligible_says_so():
    facts = {"regulator": "medicare", "denial_reason": "med_necessity"}
    assessment = _assessment(facts)
    ctx = build_context({**RECORD, "facts": facts}, assessment, [], today=TODAY)
    assert ctx["eligible"] is False and ctx["urgent"] is False
    assert ctx["eligibility_note"].startswith("The eligibility assessment says")
    nothing = build_context(RECORD, None, [], today=TODAY)
    assert nothing["eligible"] is False
    assert "No eligibility assessment" in nothing["eligibility_note"]
    # the record's stored assessment is used when none is passed
    stored = build_context({**RECORD, "assessment": assessment}, None, [], today=TODAY)
    assert stored["eligibility_note"] == ctx["eligibility_note"]


@pytest.mark.parametrize(
    ("outcome", "eligible"),
    [
        ("imr_standard", True),
        ("imr_eit_expedited", True),
        ("consumer_complaint", True),
        ("imr_not_available_hearing_pending", False),
        ("file_grievance_first", False),
    ],
)
def test_eligible_outcomes(outcome, eligible):
    assessment = {"outcome": outcome, "pathway": "imr_standard", "deadlines": {}}
    assert build_context(RECORD, assessment, [], today=TODAY)["eligible"] is eligible


@pytest.mark.parametrize(
    ("pathway", "urgent"),
    [
        ("imr_urgent", True),
        ("imr_eit_urgent", True),
        ("imr_eit_expedited", True),
        ("imr_eit_standard", False),
        ("imr_standard", False),
    ],
)
def test_urgent_pathways(pathway, urgent):
    assessment = {"outcome": pathway, "pathway": pathway, "deadlines": {}}
    assert build_context(RECORD, assessment, [], today=TODAY)["urgent"] is urgent


def test_mailing_and_release_dates():
    mailing = {
        "article_number": "9400 1112 0108 0805 4830 16",
        "verified": True,
        "date": "2026-07-03",
        "return_receipt": "electronic",
        "receipt_number": "",
    }
    ctx = build_context(RECORD, None, [], mailing=mailing, today=TODAY)
    assert ctx["mailing.article_number"] == "9400111201080805483016"
    assert ctx["mailing.article_grouped"] == "9400 1112 0108 0805 4830 16"
    assert ctx["mailing.verified"] is True and ctx["mailing.unverified"] is False
    assert ctx["mailing.return_receipt"] == "electronic"
    assert "mailing.receipt_number" not in ctx
    assert ctx["release.end_date"] == "2027-07-04"
    assert ctx["dates.today"] == "2026-07-04"
    leap = build_context(RECORD, None, [], today=dt.date(2028, 2, 29))
    assert leap["release.end_date"] == "2029-02-28"
    typo = build_context(
        RECORD, None, [], mailing={"article_number": "9400111201080805483017"}, today=TODAY
    )
    assert typo["mailing.unverified"] is True
    stored = build_context({**RECORD, "mailing": mailing}, None, [], today=TODAY)
    assert stored["mailing.date"] == "2026-07-03"


def test_dmhc_address_comes_from_data():
    ctx = build_context(RECORD, None, [], today=TODAY)
    assert ctx["dmhc.name"] == "Help Center, Department of Managed Health Care"
    assert ctx["dmhc.street"] == "980 9th Street, Suite 500"
    assert ctx["dmhc.city_line"] == "Sacramento, CA 95814-2725"
    assert ctx["dmhc.phone"] == "1-888-466-2219"
    assert ctx["dmhc.tdd"] == "1-877-688-9891"
    assert ctx["dmhc.fax"] == "916-255-5241"
    assert ctx["dmhc.web"] == "www.HealthHelp.ca.gov"
    assert "dmhc.attention" not in ctx


def test_manifest_and_exhibits():
    docs = [
        _doc("d1", "A", pages=3),
        _doc("d2", "B", kind="physician_letter", pages=5, selection=(PageChoice(2),)),
        _doc("d3", None, include=False),
    ]
    parts = [
        {"title": "Letter in support", "date": "2026-07-04", "source": "Rosa Delgado", "pages": 2},
        {"title": "IMR Application/Complaint Form", "pages": 3},
    ]
    ctx = build_context(
        RECORD, None, docs, today=TODAY, exhibit_pages={"d1": (9, 11), "d2": (12, 12)}, parts=parts
    )
    assert [r["seq"] for r in ctx["manifest"]] == [1, 2, 3, 4]
    assert ctx["manifest"][0]["title"] == "Letter in support"
    assert ctx["manifest"][2] == {
        "seq": 3,
        "title": "Exhibit A: Title d1",
        "date": "2026-05-02",
        "source": "Golden Poppy Health Plan",
        "pages": 3,
    }
    assert ctx["manifest"][3]["pages"] == 1  # the chosen pages only
    assert ctx["exhibits"] == [
        {
            "letter": "A",
            "title": "Title d1",
            "kind": "Denial letter",
            "date": "2026-05-02",
            "source": "Golden Poppy Health Plan",
            "pages": 3,
            "first_page": 9,
            "last_page": 11,
            "page_range": "9\u201311",
        },
        {
            "letter": "B",
            "title": "Title d2",
            "kind": "Physician letter / certification",
            "date": "2026-05-02",
            "source": "Golden Poppy Health Plan",
            "pages": 1,
            "first_page": 12,
            "last_page": 12,
            "page_range": "12",  # one page is not "12–12"
        },
    ]
    without = build_context(RECORD, None, docs, today=TODAY)
    assert "first_page" not in without["exhibits"][0]


def test_options_leave_forms_out():
    ctx = build_context(RECORD, None, [], today=TODAY, options={"release": False})
    assert ctx["enclosed.release"] is False and ctx["enclosed.assistant_form"] is True
    alone = {"enrollee": {"name": "Ana López"}}
    ctx = build_context(alone, None, [], today=TODAY)
    assert ctx["has_assistant"] is False and ctx["enclosed.assistant_form"] is False
    assert ctx["enrollee.first_name"] == "Ana"


class _Pseudo(gettext.NullTranslations):
    def gettext(self, message):
        return f"«{message}»"


def test_words_in_the_language_asked_for():
    install_catalog("x-ctx", _Pseudo())
    ctx = build_context(RECORD, None, [_doc("d1", "A")], today=TODAY, language="x-ctx")
    assert ctx["exhibits"][0]["kind"] == "«Denial letter»"
    assert ctx["denial.reason_text"] == "«Not medically necessary»"
    assert build_context(RECORD, None, [], today=TODAY)["denial.reason_text"] == (
        "Not medically necessary"
    )


def test_every_demo_case_renders_every_form():
    _advocate, records = load_demo_cases(TODAY)
    for record in records:
        assessment = _assessment(record.get("facts") or {})
        ctx = build_context(
            record,
            assessment,
            [_doc("d1", "A")],
            mailing={"article_number": "9400111201080805483016", "date": "2026-07-04"},
            today=TODAY,
        )
        for form_id in ("cover_sheet", "application", "assistant", "release", "exhibit_index"):
            result = render_form(form_id, ctx)
            assert result.pages >= 1
            assert "Enrollee's name" not in result.missing
            assert "Patient's name" not in result.missing
