"""The closure calendars (RULES.md E.1/E.3): computed lists, shipped data, overrides."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from engine_helpers import D

from imrdesktop.domain.calendars import (
    JUDICIAL,
    STATE_OFFICE,
    Calendars,
    calendar_data,
    compute_closures,
)
from imrdesktop.domain.errors import InvalidField
from imrdesktop.resources_path import resource_path


def dates(year: int, *month_days: str) -> list[dt.date]:
    return [D(f"{year}-{md}") for md in month_days]


E1 = {
    (STATE_OFFICE, 2026): dates(
        2026,
        "01-01", "01-19", "02-16", "03-31", "05-25", "09-07", "11-11", "11-26", "11-27", "12-25",
    ),
    (STATE_OFFICE, 2027): dates(
        2027,
        "01-01", "01-18", "02-15", "03-31", "05-31", "07-05", "09-06", "11-11", "11-25", "11-26",
    ),
    (JUDICIAL, 2026): dates(
        2026,
        "01-01", "01-19", "02-12", "02-16", "03-31", "05-25", "06-19", "07-03",
        "09-07", "09-25", "11-11", "11-26", "11-27", "12-25",
    ),
    (JUDICIAL, 2027): dates(
        2027,
        "01-01", "01-18", "02-12", "02-15", "03-31", "05-31", "06-18", "07-05",
        "09-06", "09-24", "11-11", "11-25", "11-26", "12-24", "12-31",
    ),
}  # fmt: skip


@pytest.mark.parametrize(("name", "year"), list(E1))
def test_computed_lists_equal_rules_e1(name, year):
    assert list(compute_closures(name, year)) == E1[(name, year)]


@pytest.mark.parametrize(("name", "year"), list(E1))
def test_shipped_data_equals_rules_e1(calendars, name, year):
    cal = calendars.state_office if name == STATE_OFFICE else calendars.judicial
    assert list(cal.closures_in(year)) == E1[(name, year)]


def test_package_only_dates_are_not_state_office_closures(calendars):
    # RULES.md E.3: the package's observed Fridays and Diwali are not state-office closures
    for day in ("2026-06-19", "2026-07-03", "2027-06-18", "2027-10-29", "2027-12-24", "2027-12-31"):
        assert not calendars.state_office.is_closure(D(day)), day
    assert not calendars.judicial.is_closure(D("2027-10-29"))  # Diwali is not judicial
    assert not calendars.judicial.is_closure(D("2026-10-12"))  # nor Columbus Day


def test_veterans_day_on_a_saturday_closes_the_friday():
    # Nov 11, 2028 and 2034 are Saturdays
    assert D("2028-11-10") in compute_closures(STATE_OFFICE, 2028)
    assert D("2034-11-10") in compute_closures(STATE_OFFICE, 2034)
    # other Saturday holidays close nothing: July 4, 2026
    assert not any(d.month == 7 for d in compute_closures(STATE_OFFICE, 2026))


def test_every_year_has_its_eleven_holidays():
    for year in range(2000, 2061):
        state = compute_closures(STATE_OFFICE, year)
        judicial = compute_closures(JUDICIAL, year)
        # 11 holidays, less those falling on a Saturday (except Veterans Day)
        assert 8 <= len(state) <= 11, year
        assert set(state) - {d for d in state if d.weekday() < 5} == set()
        assert all(d.weekday() < 5 for d in judicial)
        assert dt.date(year, 2, 12) in judicial or dt.date(year, 2, 12).weekday() >= 5


def test_shipped_file_is_what_the_script_makes():
    script = Path(__file__).resolve().parents[3] / "scripts" / "make_calendars.py"
    out = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_shipped_file_covers_2024_to_2035():
    data = json.loads(resource_path("calendars", "ca-holidays.json").read_text("utf-8"))
    assert data["format_version"] == 1
    assert sorted(data["years"]) == [str(y) for y in range(2024, 2036)]


def test_years_outside_the_data_are_computed(calendars):
    assert 2040 not in calendars.state_office.years
    assert calendars.state_office.is_closure(D("2040-12-25"))
    assert calendars.judicial.is_closure(D("2040-02-13"))  # Feb 12, 2040 is a Sunday
    assert Calendars.computed().state_office.is_closure(D("2026-11-27"))


def test_override_replaces_a_year():
    base = calendar_data([2026, 2027])
    override = {"format_version": 1, "years": {"2026": {"state_office": ["2026-06-19"]}}}
    cal = Calendars.from_data(base, override)
    assert list(cal.state_office.closures_in(2026)) == [D("2026-06-19")]
    assert cal.state_office.is_closure(D("2026-06-19"))
    assert not cal.state_office.is_closure(D("2026-11-27"))
    # the judicial list of 2026 and everything of 2027 stay as shipped
    assert cal.judicial.is_closure(D("2026-11-27"))
    assert cal.state_office.is_closure(D("2027-11-26"))


def test_override_can_add_a_year_beyond_the_data():
    override = {"format_version": 1, "years": {"2040": {"state_office": [], "judicial": []}}}
    cal = Calendars.from_data(calendar_data([2026]), override)
    assert not cal.state_office.is_closure(D("2040-12-25"))


@pytest.mark.parametrize(
    ("doc", "where"),
    [
        ([], ""),
        ({"format_version": 1}, "years"),
        ({"format_version": "1", "years": {}}, "format_version"),
        ({"format_version": 2, "years": {}}, "format_version"),
        ({"format": "other", "format_version": 1, "years": {}}, "format"),
        ({"format_version": 1, "years": {"26": {}}}, "years.26"),
        ({"format_version": 1, "years": {"2026": []}}, "years.2026"),
        ({"format_version": 1, "years": {"2026": {"federal": []}}}, "years.2026.federal"),
        (
            {"format_version": 1, "years": {"2026": {"judicial": "2026-01-01"}}},
            "years.2026.judicial",
        ),
        (
            {"format_version": 1, "years": {"2026": {"judicial": ["2026-02-30"]}}},
            "years.2026.judicial",
        ),
        (
            {"format_version": 1, "years": {"2026": {"judicial": ["2027-01-01"]}}},
            "years.2026.judicial",
        ),
        ({"format_version": 1, "years": {"2026": {"judicial": [20260101]}}}, "years.2026.judicial"),
    ],
)
def test_a_bad_override_names_the_place(doc, where):
    with pytest.raises(InvalidField) as info:
        Calendars.from_data(calendar_data([2026]), doc, override_name="calendars-override.json")
    field = info.value.params["field"]
    assert field.startswith("calendars-override.json")
    assert field.endswith(where)
