"""Holiday calendars for business days and CCP 12a roll-forward (RULES.md section E).

Two calendars:

- ``state_office`` — California state-office closures (CalHR): the default for "business" and
  "working" days (EIT notice, plan compliance). Whitelist of 11 holidays; a Sunday holiday is
  closed the following Monday; a Saturday holiday closes nothing, except Veterans Day, which
  closes the preceding Friday.
- ``judicial`` — California judicial holidays (CCP 135, Rules of Court 1.11), used only for the
  "legal last day if CCP 12a applies": the same 11 plus Lincoln's Birthday (Feb 12),
  Juneteenth and Native American Day (4th Friday of September); a Saturday holiday is observed
  the Friday before, a Sunday holiday the Monday after, and every Saturday counts as a holiday.

The ``holidays`` package is used only to generate the raw dates of named holidays
(``observed=False``); our own whitelist and observance rules are applied on top, because the
package's California list is wrong for both calendars (RULES.md E.3). The computed lists ship
as versioned data (``resources/calendars/ca-holidays.json``, made by
``scripts/make_calendars.py``) that an administrator may correct per year with an override
file; the services layer reads both files and passes them to :meth:`Calendars.from_data`
(this module does no I/O). Years the data does not cover are computed from the rules.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from imrdesktop.domain.errors import InvalidField
from imrdesktop.i18n import _

STATE_OFFICE = "state_office"
JUDICIAL = "judicial"
CALENDAR_NAMES = (STATE_OFFICE, JUDICIAL)
SATURDAYS_ARE_HOLIDAYS = {STATE_OFFICE: False, JUDICIAL: True}

DATA_FORMAT = "imrdesktop-calendars"
DATA_FORMAT_VERSION = 1

# The 11 state-office holidays, as the ``holidays`` package names them (US, subdiv CA).
STATE_OFFICE_NAMES = (
    "New Year's Day",
    "Martin Luther King Jr. Day",
    "Presidents' Day",
    "Cesar Chavez Day",
    "Memorial Day",
    "Independence Day",
    "Labor Day",
    "Veterans Day",
    "Thanksgiving Day",
    "Day After Thanksgiving",
    "Christmas Day",
)
# Judicial extras the package does give (Lincoln's Birthday after 2009 and Native American
# Day are not in it: we compute them).
JUDICIAL_EXTRA_NAMES = ("Juneteenth National Independence Day",)
VETERANS_DAY = "Veterans Day"

_MONDAY, _FRIDAY, _SATURDAY, _SUNDAY = 0, 4, 5, 6


@dataclass(frozen=True)
class Calendar:
    """One closure calendar.

    ``closures`` holds the closure dates of the ``years`` given as data; any other year is
    computed from the rules of this module. ``saturdays_are_holidays`` says whether a
    Saturday blocks a CCP 12a deadline (judicial: yes).
    """

    name: str
    closures: frozenset[dt.date]
    years: frozenset[int]
    saturdays_are_holidays: bool

    def is_closure(self, day: dt.date) -> bool:
        if day.year in self.years:
            return day in self.closures
        return day in _computed_set(self.name, day.year)

    def closures_in(self, year: int) -> tuple[dt.date, ...]:
        if year in self.years:
            return tuple(sorted(d for d in self.closures if d.year == year))
        return compute_closures(self.name, year)


@dataclass(frozen=True)
class Calendars:
    """The two calendars the rules use."""

    state_office: Calendar
    judicial: Calendar

    @classmethod
    def computed(cls) -> Calendars:
        """Calendars with no data at all: every year computed from the rules."""
        return cls(
            state_office=Calendar(STATE_OFFICE, frozenset(), frozenset(), False),
            judicial=Calendar(JUDICIAL, frozenset(), frozenset(), True),
        )

    @classmethod
    def from_data(
        cls,
        data: Mapping[str, Any],
        override: Mapping[str, Any] | None = None,
        *,
        data_name: str = "ca-holidays.json",
        override_name: str = "calendars-override.json",
    ) -> Calendars:
        """Build from the shipped data and an optional administrator override.

        Both have the shape of ``resources/calendars/ca-holidays.json``. A year present in
        the override replaces that year; within it, a calendar left out keeps the shipped
        list. A malformed file raises :class:`InvalidField` naming the file and the place.
        """
        years = parse_calendar_data(data, data_name)
        if override is not None:
            for year, lists in parse_calendar_data(override, override_name).items():
                merged = dict(years.get(year, {}))
                merged.update(lists)
                years[year] = merged
        built = {}
        for name in CALENDAR_NAMES:
            covered = {y for y, lists in years.items() if name in lists}
            closures = {d for y in covered for d in years[y][name]}
            built[name] = Calendar(
                name, frozenset(closures), frozenset(covered), SATURDAYS_ARE_HOLIDAYS[name]
            )
        return cls(state_office=built[STATE_OFFICE], judicial=built[JUDICIAL])


# --- parsing the data files ------------------------------------------------------------
_YEAR = re.compile(r"[0-9]{4}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_calendar_data(data: Any, source: str) -> dict[int, dict[str, tuple[dt.date, ...]]]:
    """Check a calendar data file's shape; return {year: {calendar: dates}}."""

    def bad(where: str, problem: str) -> InvalidField:
        return InvalidField(field=f"{source}: {where}" if where else source, problem=problem)

    if not isinstance(data, Mapping):
        raise bad("", _("must be a JSON object"))
    fmt = data.get("format", DATA_FORMAT)
    if fmt != DATA_FORMAT:
        raise bad("format", _("must be “{value}”").format(value=DATA_FORMAT))
    version = data.get("format_version")
    if type(version) is not int:
        raise bad("format_version", _("must be a whole number"))
    if version > DATA_FORMAT_VERSION:
        raise bad("format_version", _("this version of IMR Desktop reads version 1 only"))
    years = data.get("years")
    if not isinstance(years, Mapping):
        raise bad("years", _("must be an object of years"))
    out: dict[int, dict[str, tuple[dt.date, ...]]] = {}
    for key, lists in years.items():
        if not isinstance(key, str) or not _YEAR.fullmatch(key):
            raise bad(f"years.{key}", _("a year must be written YYYY"))
        year = int(key)
        if not isinstance(lists, Mapping):
            raise bad(f"years.{key}", _("must be an object"))
        parsed: dict[str, tuple[dt.date, ...]] = {}
        for name, dates in lists.items():
            where = f"years.{key}.{name}"
            if name not in CALENDAR_NAMES:
                raise bad(where, _("the calendars are state_office and judicial"))
            if not isinstance(dates, list):
                raise bad(where, _("must be a list of dates"))
            days = []
            for item in dates:
                day = None
                if isinstance(item, str) and _DATE.fullmatch(item):
                    try:
                        day = dt.date.fromisoformat(item)
                    except ValueError:
                        day = None
                if day is None:
                    raise bad(where, _("every date must be a real date written YYYY-MM-DD"))
                if day.year != year:
                    raise bad(where, _("{date} is not in {year}").format(date=item, year=key))
                days.append(day)
            parsed[name] = tuple(sorted(set(days)))
        out[year] = parsed
    return out


def calendar_data(years: Iterable[int], holidays_version: str = "") -> dict[str, Any]:
    """The JSON document of computed closures for ``years`` (scripts/make_calendars.py)."""
    return {
        "format": DATA_FORMAT,
        "format_version": DATA_FORMAT_VERSION,
        "generated_by": "scripts/make_calendars.py",
        "holidays_package": holidays_version,
        "rules": "RULES.md E.1 and E.3; see docs/calendars.md",
        "calendars": {
            STATE_OFFICE: {
                "description": "California state-office closures (CalHR): business days",
                "saturdays_are_holidays": False,
            },
            JUDICIAL: {
                "description": "California judicial holidays (CCP 135): CCP 12a roll-forward",
                "saturdays_are_holidays": True,
            },
        },
        "years": {
            str(y): {
                name: [d.isoformat() for d in compute_closures(name, y)] for name in CALENDAR_NAMES
            }
            for y in sorted(set(years))
        },
    }


# --- computing closures from the rules -----------------------------------------------------
def _raw_named_dates(year: int) -> list[tuple[dt.date, str]]:
    """Unobserved dates of the package's US/CA holidays in ``year``, one entry per name."""
    import holidays  # a pure-Python date generator; data is inside the wheel

    table = holidays.country_holidays("US", subdiv="CA", years=[year], observed=False)
    out = []
    for day in sorted(table):
        for name in table.get_list(day):
            out.append((day, name))
    return out


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + dt.timedelta(days=offset + 7 * (n - 1))


def _observed_state_office(day: dt.date, name: str) -> dt.date | None:
    wd = day.weekday()
    if wd == _SUNDAY:
        return day + dt.timedelta(days=1)
    if wd == _SATURDAY:
        return day - dt.timedelta(days=1) if name == VETERANS_DAY else None
    return day


def _observed_judicial(day: dt.date) -> dt.date:
    wd = day.weekday()
    if wd == _SUNDAY:
        return day + dt.timedelta(days=1)
    if wd == _SATURDAY:
        return day - dt.timedelta(days=1)
    return day


def _closures_from_raw(name: str, year: int) -> set[dt.date]:
    observed: set[dt.date] = set()
    for raw_year in (year - 1, year, year + 1):
        named = _raw_named_dates(raw_year)
        if name == STATE_OFFICE:
            for day, holiday in named:
                if holiday in STATE_OFFICE_NAMES:
                    obs = _observed_state_office(day, holiday)
                    if obs is not None:
                        observed.add(obs)
        else:
            raws = [d for d, h in named if h in STATE_OFFICE_NAMES or h in JUDICIAL_EXTRA_NAMES]
            raws.append(dt.date(raw_year, 2, 12))  # Lincoln's Birthday
            raws.append(_nth_weekday(raw_year, 9, _FRIDAY, 4))  # Native American Day
            observed.update(_observed_judicial(d) for d in raws)
    return {d for d in observed if d.year == year}


@functools.lru_cache(maxsize=256)
def compute_closures(name: str, year: int) -> tuple[dt.date, ...]:
    """The weekday closures of calendar ``name`` in ``year``, computed from the rules."""
    if name not in CALENDAR_NAMES:
        raise ValueError(f"unknown calendar {name!r}")
    if year <= dt.MINYEAR or year >= dt.MAXYEAR:
        return ()  # the neighbouring years needed for observance do not exist
    return tuple(sorted(_closures_from_raw(name, year)))


@functools.lru_cache(maxsize=256)
def _computed_set(name: str, year: int) -> frozenset[dt.date]:
    return frozenset(compute_closures(name, year))
