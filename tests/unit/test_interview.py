"""The criteria interview as data: the shipped file, the loader's checks, show_if, pruning."""

from __future__ import annotations

import copy
import json

import pytest

from imrdesktop.domain.answers import Answers
from imrdesktop.resources_path import forms_path
from imrdesktop.services.interview import (
    FACT_KINDS,
    InterviewDefinitionError,
    load_interview,
    parse_interview,
)


@pytest.fixture(scope="module")
def shipped() -> dict:
    return json.loads(forms_path("criteria", "interview.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def iv():
    return load_interview()


def walk(iv, facts: dict) -> list[str]:
    """The question ids asked, in order, for answers that are already all given."""
    answers = Answers.from_facts(facts)
    asked = []
    q = iv.first(answers)
    while q is not None:
        asked.append(q.id)
        q = iv.next_after(q.id, answers)
    return asked


# --- the shipped file -------------------------------------------------------------------------
def test_shipped_interview_loads_and_asks_the_gate_first(iv):
    assert iv.version == 1
    assert iv.questions[0].id == "regulator"
    assert iv.questions[0].keys[0] == "regulator"
    assert [s.id for s in iv.sections][:2] == ["gate", "denial"]
    assert len({q.id for q in iv.questions}) == len(iv.questions)
    for q in iv.questions:
        assert q.text.strip() and q.why.strip(), q.id


def test_every_fact_is_asked_by_some_question(iv):
    written = {k for q in iv.questions for k in q.keys}
    assert written == set(FACT_KINDS)


def test_every_choice_value_is_a_value_of_its_fact(iv):
    """The engine's own parser accepts every value an option writes."""
    import datetime as dt

    from imrdesktop.domain.facts import facts_problems

    for q in iv.questions:
        for option in q.options:
            facts = Answers()
            for key, value in option.sets:
                facts.set(key, value)
            _facts, problems = facts_problems(facts.facts, dt.date(2026, 1, 1))
            bad = [p.params["field"] for p in problems if p.params["field"] in option.values]
            assert not bad, (q.id, option.label, bad)


def test_texts_are_english_msgids_without_format_fields(iv):
    for q in iv.questions:
        texts = [q.text, q.why, q.date_label, q.none_label]
        texts += [o.label for o in q.options] + [o.help for o in q.options]
        texts += [i.label for i in q.items] + [i.help for i in q.items]
        for t in texts:
            assert "{" not in t and "}" not in t and t == t.strip(), (q.id, t)


# --- branching ----------------------------------------------------------------------------
def test_an_agency_outside_the_dmhc_ends_the_interview_after_the_gate(iv):
    for regulator in ("cdi", "medicare", "self_funded", "medi_cal_ffs", "non_kk_cohs"):
        assert walk(iv, {"regulator": regulator}) == ["regulator"]


def test_unknown_regulator_asks_about_medi_cal(iv):
    asked = walk(iv, {"regulator": "unknown"})
    assert asked[:3] == ["regulator", "medi_cal_member", "denial_reason"]


def test_standard_path_with_an_upheld_grievance(iv):
    facts = {
        "regulator": "dmhc",
        "medi_cal": {"member": False},
        "denial_reason": "med_necessity",
        "grievance": {"filed_date": "2026-03-01", "outcome": "upheld"},
        "urgency": "none",
    }
    assert walk(iv, facts) == [
        "regulator",
        "denial_reason",
        "denial_also_cites_contract_exclusion",
        "plan_written_decision_date",
        "grievance_filed_date",
        "grievance_expedited",
        "grievance_outcome",
        "grievance_decision_date",
        "urgency",
        "provider_recommended",
        "authorized_assistant",
        "imr_filed_date",
    ]


def test_no_grievance_skips_its_follow_ups(iv):
    facts = {"regulator": "dmhc", "denial_reason": "coverage_exclusion", "grievance": {}}
    facts["grievance"]["filed_date"] = None
    asked = walk(iv, facts)
    assert "grievance_filed_date" in asked
    assert not {"grievance_expedited", "grievance_outcome", "grievance_decision_date"} & set(asked)
    assert "denial_also_cites_contract_exclusion" not in asked  # not a medical reason
    assert "provider_recommended" not in asked


def test_undecided_grievance_asks_when_the_plan_received_it(iv):
    facts = {
        "regulator": "dmhc",
        "denial_reason": "med_necessity",
        "grievance": {"filed_date": "2026-03-01", "outcome": None},
    }
    asked = walk(iv, facts)
    assert "grievance_received_date" in asked and "grievance_decision_date" not in asked


def test_urgent_follow_ups_and_the_eit_sections(iv):
    urgent = walk(iv, {"regulator": "dmhc", "denial_reason": "med_necessity",
                       "urgency": "imminent_serious_threat"})  # fmt: skip
    assert {"service_already_rendered", "urgency_certification_present"} <= set(urgent)
    assert "eit_condition" not in urgent
    eit = walk(
        iv,
        {
            "regulator": "dmhc",
            "denial_reason": "experimental_investigational",
            "eit": {"life_threatening_or_seriously_debilitating": True},
        },
    )
    assert eit[eit.index("eit_condition") :][:4] == [
        "eit_condition",
        "eit_plan_physician",
        "eit_evidence",
        "eit_notice_date",
    ]
    not_lt = walk(
        iv,
        {
            "regulator": "dmhc",
            "denial_reason": "experimental_investigational",
            "eit": {"life_threatening_or_seriously_debilitating": False},
        },
    )
    assert "eit_condition" in not_lt and "eit_evidence" not in not_lt


def test_medi_cal_questions_and_a_pending_hearing(iv):
    base = {
        "regulator": "dmhc",
        "medi_cal": {"member": True, "fair_hearing_status": "none"},
        "denial_reason": "med_necessity",
        "grievance": {"filed_date": "2026-03-01", "outcome": "upheld"},
    }
    asked = walk(iv, base)
    assert asked.index("noa_date") < asked.index("nar_date") < asked.index("fair_hearing_status")
    assert "authorized_assistant" in asked
    pending = copy.deepcopy(base)
    pending["medi_cal"]["fair_hearing_status"] = "requested"
    asked = walk(iv, pending)
    assert asked[-1] == "fair_hearing_status"  # no review to prepare while a hearing is pending


def test_options_follow_their_own_conditions(iv):
    q = iv.question("denial_reason")
    member = Answers.from_facts({"medi_cal": {"member": True}})
    values = [o.values["denial_reason"] for o in iv.visible_options(q, member)]
    assert "medi_cal_rx_pharmacy" in values
    values = [o.values["denial_reason"] for o in iv.visible_options(q, Answers())]
    assert "medi_cal_rx_pharmacy" not in values
    urgency = iv.question("urgency")
    assert len(iv.visible_options(urgency, {"denial_reason": "med_necessity"})) == 2
    eit = {"denial_reason": "experimental_investigational"}
    assert len(iv.visible_options(urgency, eit)) == 3


def test_chosen_option_reads_prefilled_facts(iv):
    gate = iv.question("regulator")
    assert iv.chosen_option(gate, Answers()) is None
    plain = iv.chosen_option(gate, Answers.from_facts({"regulator": "dmhc"}))
    assert plain is not None and plain.values["medi_cal.member"] is False
    mc = iv.chosen_option(
        gate, Answers.from_facts({"regulator": "dmhc", "medi_cal": {"member": True}})
    )
    assert mc is not None and mc.values["medi_cal.member"] is True
    outcome = iv.question("grievance_outcome")
    assert iv.chosen_option(outcome, Answers.from_facts({"grievance": {}})) is None
    waiting = iv.chosen_option(outcome, Answers.from_facts({"grievance": {"outcome": None}}))
    assert waiting is not None and waiting.values["grievance.outcome"] is None
    yn = iv.question("grievance_expedited")
    assert iv.chosen_option(yn, Answers.from_facts({"grievance": {"expedited": 1}})) is None


# --- conditions -------------------------------------------------------------------------------
def _mini(show_if, *, named=None, fact_type="yes_no_unknown", key="medi_cal.member"):
    data = {
        "format": "imrdesktop.criteria-interview",
        "version": 1,
        "sections": [
            {
                "id": "s",
                "title": "S",
                "questions": [
                    {"id": "first", "type": "choice", "key": "regulator", "text": "T", "why": "W",
                     "options": [{"value": "dmhc", "label": "A"}, {"value": "cdi", "label": "B"},
                                 {"value": "unknown", "label": "C"}]},
                    {"id": "second", "type": fact_type, "key": key, "text": "T", "why": "W",
                     "show_if": show_if},
                ],
            }
        ],
    }  # fmt: skip
    if named is not None:
        data["conditions"] = named
    return parse_interview(data)


@pytest.mark.parametrize(
    ("cond", "facts", "expected"),
    [
        ({"fact": "regulator", "eq": "dmhc"}, {"regulator": "dmhc"}, True),
        ({"fact": "regulator", "eq": "dmhc"}, {}, False),
        ({"fact": "regulator", "ne": "dmhc"}, {}, True),
        ({"fact": "regulator", "in": ["cdi", "dmhc"]}, {"regulator": "cdi"}, True),
        ({"fact": "regulator", "not_in": ["cdi"]}, {"regulator": "cdi"}, False),
        ({"fact": "regulator", "not_in": ["cdi"]}, {}, True),
        ({"fact": "regulator", "set": True}, {"regulator": None}, False),
        ({"fact": "regulator", "answered": True}, {"regulator": None}, True),
        ({"fact": "regulator", "answered": False}, {}, True),
        ({"fact": "regulator", "eq": None}, {}, True),
        ({"not": {"fact": "regulator", "eq": "dmhc"}}, {"regulator": "dmhc"}, False),
        (
            {"all": [{"fact": "regulator", "set": True}, {"fact": "regulator", "ne": "cdi"}]},
            {"regulator": "dmhc"},
            True,
        ),
        (
            {"any": [{"fact": "regulator", "eq": "cdi"}, {"fact": "regulator", "eq": "dmhc"}]},
            {"regulator": "unknown"},
            False,
        ),
    ],
)
def test_show_if_operators(cond, facts, expected):
    iv = _mini(cond)
    assert iv.is_shown(iv.question("second"), facts) is expected
    assert iv.evaluate(iv.question("second").show_if, Answers.from_facts(facts)) is expected


def test_named_conditions_and_refs():
    iv = _mini({"ref": "is_dmhc"}, named={"is_dmhc": {"fact": "regulator", "eq": "dmhc"}})
    assert iv.is_shown(iv.question("second"), {"regulator": "dmhc"})
    assert not iv.is_shown(iv.question("second"), {"regulator": "cdi"})


def test_booleans_are_not_numbers():
    iv = _mini({"fact": "regulator", "eq": "dmhc"}, key="medi_cal.member")
    iv2 = _mini({"fact": "regulator", "eq": "dmhc"})
    assert iv2.evaluate(None, {}) is True
    q = iv.question("second")
    assert iv.chosen_option(q, Answers.from_facts({"medi_cal": {"member": 1}})) is None
    assert iv.chosen_option(q, Answers.from_facts({"medi_cal": {"member": True}})).label == "Yes"


# --- the loader refuses bad files with a clear message ------------------------------------------
def _broken(shipped, mutate):
    data = copy.deepcopy(shipped)
    mutate(data)
    with pytest.raises(InterviewDefinitionError) as info:
        parse_interview(data)
    return str(info.value)


def _q(data, qid):
    for s in data["sections"]:
        for q in s["questions"]:
            if q["id"] == qid:
                return q
    raise KeyError(qid)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d.update(extra=1), "unknown key 'extra'"),
        (lambda d: d.update(version=2), "version 2 is not supported"),
        (lambda d: d.update(format="something"), "expected 'imrdesktop.criteria-interview'"),
        (lambda d: _q(d, "urgency").update(colour="red"), "(urgency): unknown key 'colour'"),
        (lambda d: _q(d, "urgency").update(key="urgencyy"), "'urgencyy' is not a facts key"),
        (lambda d: _q(d, "urgency").update(type="slider"), "unknown question type 'slider'"),
        (
            lambda d: _q(d, "urgency")["options"][0].update(value="very"),
            "'very' is not a value of 'urgency'",
        ),
        (
            lambda d: _q(d, "grievance_expedited").update(show_if={"fact": "x.y", "eq": 1}),
            "'x.y' is not a facts key",
        ),
        (
            lambda d: _q(d, "grievance_expedited").update(
                show_if={"fact": "grievance.filed_date", "equals": "2026-01-01"}
            ),
            "unknown condition operator 'equals'",
        ),
        (
            lambda d: _q(d, "grievance_expedited").update(show_if={"ref": "nowhere"}),
            "unknown condition name 'nowhere'",
        ),
        (
            lambda d: _q(d, "grievance_expedited").update(show_if={"some": []}),
            "unknown condition",
        ),
        (
            lambda d: _q(d, "denial_reason").update(
                show_if={"fact": "imr_filed_date", "set": True}
            ),
            "no earlier question writes",
        ),
        (
            lambda d: _q(d, "grievance_expedited").update(type="date"),
            "'grievance.expedited' is not a date",
        ),
        (
            lambda d: _q(d, "plan_written_decision_date").update(type="yes_no_unknown"),
            "unknown key 'date_label'",
        ),
        (
            lambda d: _q(d, "urgency").update(id="regulator"),
            "question id 'regulator' is used twice",
        ),
        (lambda d: _q(d, "urgency").pop("why"), "missing key 'why'"),
        (
            lambda d: _q(d, "regulator")["options"][0]["set"].update(urgency="none"),
            "sets 'urgency', which is not one of the question's keys",
        ),
        (
            lambda d: _q(d, "eit_evidence")["items"][0].update(key="urgency"),
            "'urgency' is not a yes/no fact",
        ),
    ],
)
def test_loader_names_the_problem(shipped, mutate, expected):
    message = _broken(shipped, mutate)
    assert expected in message
    assert message.startswith("interview.json: ")


def test_unreadable_file_is_a_definition_error(tmp_path):
    bad = tmp_path / "interview.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InterviewDefinitionError, match="cannot be read as JSON"):
        load_interview(bad)


# --- pruning answers of questions no longer asked ---------------------------------------------
def test_prune_drops_follow_ups_of_a_changed_answer(iv):
    answers = Answers.from_facts(
        {
            "regulator": "dmhc",
            "medi_cal": {"member": False},
            "denial_reason": "med_necessity",
            "grievance": {
                "filed_date": None,
                "expedited": True,
                "outcome": "upheld",
                "decision_date": "2026-03-03",
            },
            "urgency": "none",
        }
    )
    dropped = iv.prune(answers)
    assert set(dropped) == {"grievance.expedited", "grievance.outcome", "grievance.decision_date"}
    assert answers.facts["grievance"] == {"filed_date": None}


def test_prune_after_leaving_the_dmhc_route_keeps_only_the_gate(iv):
    answers = Answers.from_facts(
        {
            "regulator": "cdi",
            "medi_cal": {"member": True, "noa_date": "2026-01-02"},
            "denial_reason": "med_necessity",
            "urgency": "none",
            "authorized_assistant_form_on_file": True,
        }
    )
    iv.prune(answers)
    assert answers.facts == {"regulator": "cdi"}


def test_prune_keeps_a_key_a_shown_option_sets_and_drops_a_hidden_option(iv):
    answers = Answers.from_facts(
        {
            "regulator": "dmhc",
            "medi_cal": {"member": False},
            "denial_reason": "medi_cal_rx_pharmacy",
        }
    )
    iv.prune(answers)
    assert answers.facts == {"regulator": "dmhc", "medi_cal": {"member": False}}


def test_prune_leaves_answered_unknowns_and_complete_records_alone(iv):
    facts = {
        "regulator": "unknown",
        "medi_cal": {"member": None},
        "denial_reason": "med_necessity",
        "denial_also_cites_contract_exclusion": None,
        "plan_written_decision_date": None,
        "grievance": {"filed_date": "2026-02-01", "expedited": None, "outcome": None,
                      "received_date": None},
        "urgency": "none",
        "provider_recommended_or_in_plan_visit": True,
        "authorized_assistant_form_on_file": False,
        "imr_filed_date": None,
    }  # fmt: skip
    answers = Answers.from_facts(facts)
    assert iv.prune(answers) == []
    assert answers.facts == facts


def test_an_answer_left_on_a_skipped_path_does_not_steer_the_interview(iv):
    facts = {
        "regulator": "dmhc",
        "denial_reason": "med_necessity",
        "grievance": {"filed_date": None, "outcome": "upheld"},  # outcome left from before
    }
    asked = walk(iv, facts)
    assert "grievance_decision_date" not in asked and "grievance_outcome" not in asked
    assert "grievance_decision_date" not in [q.id for q in iv.shown_questions(facts)]
