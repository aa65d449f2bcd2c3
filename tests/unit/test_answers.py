"""The answers object: a facts record edited through dotted keys."""

from __future__ import annotations

import pytest

from imrdesktop.domain.answers import Answers


def test_dotted_get_set_has_and_unset():
    a = Answers()
    assert not a.has("grievance.filed_date")
    assert a.get("grievance.filed_date", "none") == "none"
    a.set("grievance.filed_date", "2026-03-02")
    a.set("grievance.outcome", None)
    assert a.facts == {"grievance": {"filed_date": "2026-03-02", "outcome": None}}
    assert a.has("grievance.outcome") and a.get("grievance.outcome") is None
    assert a.unset("grievance.filed_date")
    assert a.unset("grievance.outcome")
    assert a.facts == {}  # the emptied group goes too
    assert not a.unset("grievance.outcome")
    assert not a.unset("regulator.deeper")


def test_set_replaces_a_non_object_in_the_way():
    a = Answers({"grievance": None})
    a.set("grievance.expedited", True)
    assert a.facts == {"grievance": {"expedited": True}}
    assert not Answers({"regulator": "dmhc"}).has("regulator.more")


def test_copies_never_share_state_with_the_record():
    record = {"facts": {"grievance": {"filed_date": "2026-01-01"}}}
    a = Answers.from_facts(record["facts"])
    a.set("grievance.filed_date", "2026-02-02")
    assert record["facts"]["grievance"]["filed_date"] == "2026-01-01"
    out = a.to_facts()
    out["grievance"]["filed_date"] = "x"
    assert a.get("grievance.filed_date") == "2026-02-02"
    assert Answers.from_facts(None).facts == {}
    b = a.copy()
    b.set("regulator", "cdi")
    assert not a.has("regulator")


def test_drop_unshown_keeps_keys_still_written():
    a = Answers.from_facts({"regulator": "dmhc", "medi_cal": {"member": True, "noa_date": None}})
    dropped = a.drop_unshown(
        ["medi_cal.member", "medi_cal.noa_date", "urgency"], ["medi_cal.member"]
    )
    assert dropped == ["medi_cal.noa_date"]
    assert a.facts == {"regulator": "dmhc", "medi_cal": {"member": True}}


@pytest.mark.parametrize("bad", ["", ".x", "a..b", "a."])
def test_bad_keys_are_refused(bad):
    with pytest.raises(ValueError, match="dotted"):
        Answers().get(bad)
