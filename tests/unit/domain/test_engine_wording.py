"""Wording as data: completeness, the facts.md example rendered exactly, placeholders,
verify items, translation."""

from __future__ import annotations

import copy
import gettext
import json

import pytest
from engine_helpers import D
from facts_examples import FACTS_MD_INPUT

from imrdesktop.domain.errors import InvalidField
from imrdesktop.domain.rules import RULE_WORDING_KEYS, Outcome
from imrdesktop.domain.wording import Wording, deadline_rows, fill, render, verdict
from imrdesktop.i18n import install_catalog, use_language
from imrdesktop.resources_path import forms_path

FACTS_MD_OUTPUT = {
    "outcome": "imr_standard",
    "pathway": "imr_standard",
    "eligible_on": "2026-07-04",
    "decision_days": 30,
    "deadlines": {
        "plan_grievance_due": "2026-07-03",
        "unresolved_eligible_date": "2026-07-04",
        "imr_file_by": "2027-01-03",
        "imr_safe_target": "2026-12-30",
        "imr_legal_last_day": "2027-01-04",
        "imr_file_by_from_denial": "2026-12-01",
    },
    "warnings": [
        {
            "id": "W04",
            "text": "File by 2027-01-03 (6 months); the safe target is 2026-12-30 (180 days).",
        },
        {
            "id": "W07",
            "text": "The plan is late: its decision was due 2026-07-03. Its lateness is itself "
            "grounds for IMR or a complaint.",
        },
        {
            "id": "W08",
            "text": "Declining to use IMR may cost the client some rights to sue the plan later.",
        },
        {"id": "W09", "text": "Send copies, not originals; DMHC cannot return documents."},
        {
            "id": "W10",
            "text": "DMHC cannot discuss the case with you unless a signed Authorized Assistant "
            "Form is on file.",
        },
        {
            "id": "W20",
            "text": "Some notices count six months from the first denial: file by 2026-12-01 "
            "to be safe.",
        },
    ],
    "reasons": [
        {
            "rule": "R10",
            "text": "The grievance filed 2026-06-03 is still undecided after 30 days.",
            "citation": "H&S Code 1374.30; 1368.03",
        }
    ],
    "missing": [],
}


def test_the_facts_md_example_renders_exactly(run):
    _a, rendered = run(FACTS_MD_INPUT, "2026-07-04")
    assert rendered == FACTS_MD_OUTPUT
    assert json.loads(json.dumps(rendered)) == rendered


def test_every_id_has_wording(wording):
    assert set(wording.outcomes) >= {o.value for o in Outcome}
    assert set(wording.rules) >= set(RULE_WORDING_KEYS)
    assert set(wording.warnings) >= {f"W{n:02d}" for n in range(1, 21)}
    for key in RULE_WORDING_KEYS:
        assert wording.rules[key].citation and wording.rules[key].source_status


def test_unconfirmed_items_say_verify_with_dmhc(wording):
    for key, entry in (*wording.rules.items(), *wording.warnings.items()):
        if entry.unconfirmed and key not in ("R07",):
            assert "verify" in entry.text.lower(), key


def test_deadline_labels(wording):
    assert wording.deadlines["imr_file_by"].label == "File the IMR by (recommended)"
    assert wording.deadlines["imr_legal_last_day"].label == "Legal last day if CCP 12a applies"


def test_wording_file_is_checked():
    data = json.loads(forms_path("criteria", "wording.json").read_text("utf-8"))
    Wording.from_dict(data)
    broken = copy.deepcopy(data)
    del broken["warnings"]["W07"]
    with pytest.raises(InvalidField) as info:
        Wording.from_dict(broken)
    assert info.value.params["field"].endswith("warnings.W07")
    broken = copy.deepcopy(data)
    broken["rules"]["R10"]["source_status"] = ["MAYBE"]
    with pytest.raises(InvalidField) as info:
        Wording.from_dict(broken)
    assert info.value.params["field"].endswith("rules.R10.source_status")
    broken = copy.deepcopy(data)
    broken["version"] = 2
    with pytest.raises(InvalidField):
        Wording.from_dict(broken)


def test_verify_items_start_with_verify(run):
    facts = {**FACTS_MD_INPUT, "provider_recommended_or_in_plan_visit": False}
    _a, r = run(facts, "2026-07-04")
    assert r["missing"] == ["verify: a provider's recommendation or an in-plan visit"]


def test_verdict_and_deadline_rows(run, wording):
    _a, r = run(FACTS_MD_INPUT, "2026-07-04")
    headline, explanation = verdict(r, wording)
    assert headline == "The client can ask for a standard IMR now (decision in 30 days)."
    assert explanation
    rows = deadline_rows(r, wording, D("2026-07-04"))
    assert [row["date"] for row in rows] == sorted(row["date"] for row in rows)
    assert rows[0] == {
        "key": "plan_grievance_due",
        "label": "The plan's grievance decision is due",
        "date": "2026-07-03",
        "days_left": -1,
    }


def test_every_outcome_sentence_fills(wording):
    for outcome in Outcome:
        rendered = {
            "outcome": outcome.value,
            "pathway": "imr_standard",
            "eligible_on": "2026-07-04",
            "decision_days": 30,
            "deadlines": {"imr_file_by": "2026-07-01"},
        }
        for text in verdict(rendered, wording):
            assert "{" not in text, outcome


class _Pseudo(gettext.NullTranslations):
    def gettext(self, message):
        if message.startswith("Send copies"):
            return "[ES] Envíe copias {oops}"  # a broken translation falls back to English
        return "[ES] " + message


def test_rendering_goes_through_gettext(run, wording):
    install_catalog("xx", _Pseudo())
    assessment, _r = run(FACTS_MD_INPUT, "2026-07-04")
    with use_language("xx"):
        out = render(assessment, wording)
    texts = {w["id"]: w["text"] for w in out["warnings"]}
    assert texts["W04"].startswith("[ES] File by 2027-01-03")
    assert texts["W09"] == "Send copies, not originals; DMHC cannot return documents."
    assert out["reasons"][0]["text"].startswith("[ES] ")
    assert out["deadlines"] == FACTS_MD_OUTPUT["deadlines"]


def test_fill_never_raises():
    assert fill("a {missing} b", {}) == "a {missing} b"
    assert fill("on {day}", {"day": D("2026-01-02")}) == "on 2026-01-02"
