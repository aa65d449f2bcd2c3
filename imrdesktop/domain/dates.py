"""Date arithmetic for deadlines (RULES.md 0.3). Pure functions; no clock, no I/O.

- Counting leaves out the trigger day and counts the last day (CCP 12): ``add_days(d, 30)``
  is "30 days after d".
- Months clamp to the end of the target month: Aug 31 + 6 months = Feb 28 (Feb 29 in a leap
  year).
- Business days are Monday–Friday less the closures of a :class:`~.calendars.Calendar`;
  ``add_business_days(d, n, cal)`` is the n-th business day after ``d`` (``d`` not counted).
- ``roll_forward`` is CCP 12a: a date on a Saturday (when the calendar counts Saturdays), a
  Sunday or a holiday moves to the next day that is none of these. It is shown only as the
  "legal last day if CCP 12a applies", never as the recommended date.
"""

from __future__ import annotations

import calendar as _stdcal
import datetime as dt
from typing import Protocol

SATURDAY = 5
SUNDAY = 6


class HolidaySource(Protocol):
    """What the arithmetic needs from a calendar (see :class:`~.calendars.Calendar`)."""

    @property
    def saturdays_are_holidays(self) -> bool: ...

    def is_closure(self, day: dt.date) -> bool: ...


def add_days(d: dt.date, n: int) -> dt.date:
    """``n`` calendar days after ``d`` (negative ``n`` goes back)."""
    return d + dt.timedelta(days=n)


def add_months(d: dt.date, n: int) -> dt.date:
    """The same day number ``n`` months later, clamped to the last day of that month."""
    index = d.year * 12 + (d.month - 1) + n
    year, month0 = divmod(index, 12)
    last = _stdcal.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(d.day, last))


def is_business_day(d: dt.date, calendar: HolidaySource) -> bool:
    """Monday to Friday and not a closure of ``calendar``."""
    return d.weekday() < SATURDAY and not calendar.is_closure(d)


def add_business_days(d: dt.date, n: int, calendar: HolidaySource) -> dt.date:
    """The ``n``-th business day after ``d`` (``d`` itself is not counted; ``n`` >= 0)."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = d
    counted = 0
    while counted < n:
        day += dt.timedelta(days=1)
        if is_business_day(day, calendar):
            counted += 1
    return day


def is_holiday_for_roll(d: dt.date, calendar: HolidaySource) -> bool:
    """A day a CCP 12a deadline cannot fall on, under ``calendar``."""
    wd = d.weekday()
    if wd == SUNDAY:
        return True
    if wd == SATURDAY and calendar.saturdays_are_holidays:
        return True
    return calendar.is_closure(d)


def roll_forward(d: dt.date, calendar: HolidaySource) -> dt.date:
    """CCP 12a: ``d`` itself when it is a working day, else the next day that is."""
    day = d
    while is_holiday_for_roll(day, calendar):
        day += dt.timedelta(days=1)
    return day
