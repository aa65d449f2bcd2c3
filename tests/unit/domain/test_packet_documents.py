"""assess CASE lists the packet copies (RULES.md C) the case does not have yet."""

from __future__ import annotations

import datetime as dt

import pytest

from imrdesktop.domain.facts import parse_facts
from imrdesktop.domain.packet_documents import parse_packet_documents
from imrdesktop.services.assessment import add_missing_documents, assess_facts, packet_documents

TODAY = dt.date(2026, 7, 4)


def kinds_missing(facts: dict, documents=()) -> list[str]:
    _a, rendered = assess_facts(facts, TODAY)
    add_missing_documents(rendered, parse_facts(facts, TODAY), {"documents": list(documents)})
    texts = [d["text"] for d in rendered["missing_documents"]]
    assert all(t in rendered["missing"] for t in texts)
    return [d["kind"] for d in rendered["missing_documents"]]


def test_shipped_data_parses():
    assert len(packet_documents()) >= 7


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (
            {
                "denial_reason": "med_necessity",
                "regulator": "dmhc",
                "grievance": {
                    "filed_date": "2026-05-01",
                    "decision_date": "2026-05-20",
                    "outcome": "upheld",
                },
            },
            ["denial_letter", "plan_response", "physician_letter"],
        ),
        (
            {
                "denial_reason": "med_necessity",
                "regulator": "dmhc",
                "grievance": {"filed_date": "2026-05-01"},
            },
            ["denial_letter", "grievance", "physician_letter"],
        ),
        (
            {
                "denial_reason": "med_necessity",
                "regulator": "dmhc",
                "urgency": "imminent_serious_threat",
            },
            ["denial_letter", "physician_letter"],
        ),
        (
            {
                "denial_reason": "experimental_investigational",
                "regulator": "dmhc",
                "eit": {
                    "life_threatening_or_seriously_debilitating": True,
                    "physician_certification_present": True,
                    "two_med_sci_documents": True,
                },
            },
            ["denial_letter", "physician_letter", "literature"],
        ),
        ({"regulator": "cdi", "denial_reason": "med_necessity"}, []),
    ],
)
def test_documents_by_pathway(facts, expected):
    assert kinds_missing(facts) == expected


def test_an_attached_kind_is_no_longer_missing():
    facts = {"denial_reason": "med_necessity", "urgency": "imminent_serious_threat"}
    assert kinds_missing(facts, [{"kind": "denial_letter"}]) == ["physician_letter"]


def test_bad_data_is_refused():
    with pytest.raises(ValueError, match="documents"):
        parse_packet_documents({"version": 1, "documents": [{"kind": "x", "text": "t"}]})
