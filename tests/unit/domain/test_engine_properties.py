"""Property tests: no facts record crashes the engine, and its invariants always hold.

Hypothesis builds facts dicts from the facts.md schema: valid ones, ones with wrong values
(bad types, impossible or future dates, unknown keys) mixed in, and arbitrary JSON values.
Bounded and derandomized so that the run is fast and repeatable.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from imrdesktop.domain.calendars import Calendars
from imrdesktop.domain.errors import InvalidField
from imrdesktop.domain.facts import BOOL, DATE, SCHEMA, facts_to_json, parse_facts
from imrdesktop.domain.rules import (
    DEADLINE_KEYS,
    DECISION_DAYS,
    ELIGIBLE_NOW,
    STOP_PATHWAYS,
    Outcome,
    Pathway,
    assess,
)
from imrdesktop.domain.wording import Wording, render
from imrdesktop.resources_path import forms_path, resource_path

CALENDARS = Calendars.from_data(
    json.loads(resource_path("calendars", "ca-holidays.json").read_text("utf-8"))
)
WORDING = Wording.from_dict(json.loads(forms_path("criteria", "wording.json").read_text("utf-8")))
SETTINGS = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
KEYS = {
    "outcome",
    "pathway",
    "eligible_on",
    "decision_days",
    "deadlines",
    "warnings",
    "reasons",
    "missing",
}
ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
STOP_DATES = {
    "imr_file_by",
    "imr_safe_target",
    "imr_legal_last_day",
    "imr_file_by_from_denial",
    "plan_grievance_due",
    "unresolved_eligible_date",
    "medi_cal_plan_appeal_by",
}

iso_dates = st.dates(dt.date(2023, 6, 1), dt.date(2027, 12, 31)).map(dt.date.isoformat)
todays = st.dates(dt.date(2024, 1, 1), dt.date(2028, 6, 30))
junk = st.one_of(
    st.integers(-3, 3),
    st.floats(allow_nan=True),
    st.text(max_size=6),
    st.sampled_from(["2026-02-30", "2026-1-1", "20260101", "2026-W01-1", "٢٠٢٦-٠١-٠١", "yes"]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.booleans(),
    st.none(),
)


def leaf(kind, *, fuzz: bool):
    if kind == BOOL:
        good = st.one_of(st.none(), st.booleans())
    elif kind == DATE:
        good = st.one_of(st.none(), iso_dates)
    else:
        good = st.one_of(st.none(), st.sampled_from([m.value for m in kind]))
    return st.one_of(good, good, good, junk) if fuzz else good


def record(*, fuzz: bool):
    optional = {}
    for key, kind in SCHEMA.items():
        if isinstance(kind, dict):
            section = st.fixed_dictionaries(
                {}, optional={k: leaf(v, fuzz=fuzz) for k, v in kind.items()}
            )
            optional[key] = st.one_of(section, junk) if fuzz else section
        else:
            optional[key] = leaf(kind, fuzz=fuzz)
    base = st.fixed_dictionaries({}, optional=optional)
    if not fuzz:
        return base
    extra = st.dictionaries(st.text(min_size=1, max_size=8), junk, max_size=1)
    return st.one_of(base, st.builds(lambda a, b: {**a, **b}, base, extra), junk)


@SETTINGS
@given(data=record(fuzz=True), today=todays)
def test_only_invalid_field_ever_escapes(data, today):
    refused = None
    try:
        render(assess(parse_facts(data, today), today, CALENDARS), WORDING)
    except InvalidField as exc:
        refused = exc
    if refused is not None:
        assert refused.params["field"] and refused.params["problem"]


@st.composite
def coherent(draw):
    """A valid facts record (dates in order, none after today) and its today."""
    today = draw(todays)

    def maybe(strategy):
        return draw(st.one_of(st.none(), strategy))

    def day_between(first: dt.date, last: dt.date) -> dt.date:
        return draw(st.dates(first, max(first, last)))

    start = today - dt.timedelta(days=420)
    member = draw(st.booleans())
    reasons = [m for m in SCHEMA["denial_reason"] if member or m.value != "medi_cal_rx_pharmacy"]
    data: dict = {
        "regulator": draw(st.sampled_from(["dmhc"] * 12 + [m.value for m in SCHEMA["regulator"]])),
        "denial_reason": draw(st.sampled_from([*reasons, *reasons[:3], None])),
        "urgency": draw(st.sampled_from([m.value for m in SCHEMA["urgency"]])),
    }
    for key in (
        "denial_also_cites_contract_exclusion",
        "service_already_rendered",
        "urgency_certification_present",
        "provider_recommended_or_in_plan_visit",
        "authorized_assistant_form_on_file",
    ):
        data[key] = maybe(st.booleans())
    denial = maybe(st.just(day_between(start, today)))
    data["plan_written_decision_date"] = denial and denial.isoformat()
    grievance: dict = {"expedited": maybe(st.booleans())}
    filed = maybe(st.just(day_between(denial or start, today)))
    if filed:
        grievance["filed_date"] = filed.isoformat()
        if draw(st.booleans()):
            grievance["received_date"] = day_between(filed, today).isoformat()
    if draw(st.booleans()):
        grievance["decision_date"] = day_between(filed or start, today).isoformat()
        grievance["outcome"] = draw(st.sampled_from(["upheld", "partial", "overturned"]))
    data["grievance"] = grievance
    nar = grievance.get("decision_date") if draw(st.booleans()) else None
    data["medi_cal"] = {
        "member": member,
        "noa_date": denial and denial.isoformat(),
        "nar_date": nar if member else None,
        "fair_hearing_status": draw(
            st.sampled_from([m.value for m in SCHEMA["medi_cal"]["fair_hearing_status"]])
        ),
    }
    data["eit"] = {
        k: draw(st.booleans()) for k in SCHEMA["eit"] if k != "plan_notice_received_date"
    }
    if denial and draw(st.booleans()):
        data["eit"]["plan_notice_received_date"] = day_between(denial, today).isoformat()
    if draw(st.booleans()):
        imr_filed = day_between(start, today)
        data["imr_filed_date"] = imr_filed.isoformat()
        if draw(st.booleans()):
            data["imr_decision_received_date"] = day_between(imr_filed, today).isoformat()
            data["imr_decision_outcome"] = maybe(st.sampled_from(["overturned", "upheld"]))
    return data, today


@SETTINGS
@given(case=coherent())
def test_invariants_of_every_assessment(case):
    data, today = case
    calendars, wording = CALENDARS, WORDING
    try:
        facts = parse_facts(data, today)
    except InvalidField:
        assume(False)
        return
    a = assess(facts, today, calendars)
    r = render(a, wording)
    assert set(r) == KEYS
    json.dumps(r)
    assert r["outcome"] in {o.value for o in Outcome}
    assert r["pathway"] in {p.value for p in Pathway}
    assert r["decision_days"] == DECISION_DAYS[a.pathway]
    # deadlines: only known keys, only date strings
    assert set(r["deadlines"]) <= set(DEADLINE_KEYS)
    assert all(isinstance(v, str) and ISO.fullmatch(v) for v in r["deadlines"].values())
    # warnings in id order, once each; reasons end with the deciding rule
    ids = [w["id"] for w in r["warnings"]]
    assert ids == sorted(set(ids))
    assert all(w["text"] and "{" not in w["text"] for w in r["warnings"])
    assert r["reasons"] and all(x["text"] and x["citation"] for x in r["reasons"])
    assert all(isinstance(m, str) and m for m in r["missing"])
    # eligible_on per the outcome table
    if a.outcome in ELIGIBLE_NOW:
        assert a.eligible_on == today
    elif a.outcome == Outcome.NOT_YET_ELIGIBLE:
        assert a.eligible_on is not None and a.eligible_on > today
    else:
        assert a.eligible_on is None
    # stop outcomes have no IMR dates
    if a.pathway in STOP_PATHWAYS:
        assert not set(a.deadlines) & STOP_DATES
        assert a.decision_days is None and "W08" not in ids
    # window arithmetic
    d = a.deadlines
    if "imr_file_by" in d:
        assert d["imr_safe_target"] <= d["imr_file_by"] <= d["imr_legal_last_day"]
        assert (d["imr_legal_last_day"] - d["imr_file_by"]).days <= 4
        assert "W04" in ids
    if a.outcome == Outcome.WINDOW_CLOSED_ASK_EXTENSION:
        assert today > d["imr_file_by"]
    # A1.4 never changes the outcome
    flipped = parse_facts({**data, "provider_recommended_or_in_plan_visit": True}, today)
    assert assess(flipped, today, calendars).outcome == a.outcome
    # the facts survive a round trip through JSON
    assert parse_facts(facts_to_json(facts), today) == facts
