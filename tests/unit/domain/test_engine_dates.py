"""Date arithmetic (RULES.md 0.3): calendar days, month-end and leap years, business days
across the 2026/2027 holidays, CCP 12a roll-forward."""

from __future__ import annotations

import datetime as dt

import pytest
from engine_helpers import D

from imrdesktop.domain.dates import add_business_days, add_days, add_months, roll_forward


def test_add_days_counts_from_the_day_after():
    assert add_days(D("2026-03-02"), 30) == D("2026-04-01")  # RULES 0.3.3 example
    assert add_days(D("2026-12-31"), 1) == D("2027-01-01")
    assert add_days(D("2026-03-01"), -1) == D("2026-02-28")


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2025-08-31", 6, "2026-02-28"),  # clamp to month end
        ("2027-08-31", 6, "2028-02-29"),  # leap year
        ("2026-08-29", 6, "2027-02-28"),
        ("2027-08-29", 6, "2028-02-29"),
        ("2028-02-29", 12, "2029-02-28"),
        ("2028-02-29", 48, "2032-02-29"),
        ("2026-03-31", 6, "2026-09-30"),
        ("2026-05-31", 1, "2026-06-30"),
        ("2026-07-03", 6, "2027-01-03"),
        ("2026-12-15", 1, "2027-01-15"),
        ("2026-01-31", 1, "2026-02-28"),
        ("2024-01-31", 1, "2024-02-29"),
        ("2026-10-31", -6, "2026-04-30"),
        ("2026-06-15", 0, "2026-06-15"),
        ("2100-08-31", 6, "2101-02-28"),
        ("2099-08-31", 6, "2100-02-28"),  # 2100 is not a leap year
        ("2399-08-31", 6, "2400-02-29"),  # 2400 is
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(D(start), months) == D(expected)


def test_safe_target_is_never_later_than_six_months():
    day = D("2024-01-01")
    while day < D("2029-01-01"):
        assert add_days(day, 180) <= add_months(day, 6)
        day += dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2026-01-15", 5, "2026-01-23"),  # T5: MLK Day Jan 19 skipped
        ("2026-11-24", 5, "2026-12-03"),  # T11: Nov 26-27 and the weekend skipped
        ("2026-07-01", 5, "2026-07-08"),  # July 3 is not a state-office closure (E.3)
        ("2026-12-23", 3, "2026-12-29"),  # Christmas Friday
        ("2026-12-30", 2, "2027-01-04"),  # New Year's Day 2027 (Fri)
        ("2027-07-01", 2, "2027-07-06"),  # July 5, 2027 observed
        ("2027-11-10", 1, "2027-11-12"),  # Veterans Day Thursday
        ("2027-11-24", 1, "2027-11-29"),  # Thanksgiving + day after
        ("2027-12-23", 1, "2027-12-24"),  # Christmas Sat 2027: no weekday closure
        ("2027-12-30", 1, "2027-12-31"),  # Jan 1, 2028 on a Saturday: Dec 31 open
        ("2026-03-30", 1, "2026-04-01"),  # Cesar Chavez Day Tuesday
        ("2026-11-06", 3, "2026-11-12"),  # Veterans Day Wednesday
        ("2026-06-18", 1, "2026-06-19"),  # Juneteenth: not a state-office closure
        ("2026-02-13", 1, "2026-02-17"),  # Presidents' Day; Lincoln's Birthday is not closed
        ("2026-01-15", 0, "2026-01-15"),
        ("2026-01-17", 1, "2026-01-20"),  # from a Saturday, Monday is MLK Day
    ],
)
def test_business_days_on_the_state_office_calendar(calendars, start, n, expected):
    assert add_business_days(D(start), n, calendars.state_office) == D(expected)


def test_business_days_refuse_negative_counts(calendars):
    with pytest.raises(ValueError, match="negative"):
        add_business_days(D("2026-01-01"), -1, calendars.state_office)


def test_business_day_count_over_2026_and_2027(calendars):
    """Mon-Fri less closures: 261 - 10 weekday closures in 2026, 261 - 10 in 2027."""
    for year, weekdays, closures in ((2026, 261, 10), (2027, 261, 10)):
        start = dt.date(year - 1, 12, 31)
        end = add_business_days(start, weekdays - closures, calendars.state_office)
        assert (
            end.year == year and add_business_days(end, 1, calendars.state_office).year == year + 1
        )


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2027-01-03", "2027-01-04"),  # Sunday -> Monday
        ("2026-10-10", "2026-10-12"),  # T3: Saturday -> Monday (Columbus Day is not judicial)
        ("2026-02-28", "2026-03-02"),  # T10
        ("2026-11-15", "2026-11-16"),  # T7
        ("2026-09-12", "2026-09-14"),  # T7 SFH
        ("2026-07-03", "2026-07-06"),  # judicial: July 4 observed on Friday July 3
        ("2026-06-19", "2026-06-22"),  # Juneteenth Friday, then the weekend
        ("2026-09-25", "2026-09-28"),  # Native American Day
        ("2026-02-12", "2026-02-13"),  # Lincoln's Birthday
        ("2027-12-24", "2027-12-27"),  # Christmas observed Friday
        ("2027-12-31", "2028-01-03"),  # New Year's Day 2028 observed Friday Dec 31
        ("2026-10-01", "2026-10-01"),  # a Thursday: no roll
    ],
)
def test_roll_forward_on_the_judicial_calendar(calendars, day, expected):
    assert roll_forward(D(day), calendars.judicial) == D(expected)


def test_roll_forward_on_the_state_calendar_ignores_saturday_flag(calendars):
    # state-office calendar: Saturdays are not "holidays" for roll-forward; Sunday always is
    assert roll_forward(D("2026-10-10"), calendars.state_office) == D("2026-10-10")
    assert roll_forward(D("2026-10-11"), calendars.state_office) == D("2026-10-12")
