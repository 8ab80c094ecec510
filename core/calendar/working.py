"""The layered working-day calendar (Ley 39/2015 arts. 30.2, 30.6, 30.7 and 31.3).

A `WorkingCalendar` answers one question — is this date a día hábil? — from:

- the weekly rule of art. 30.2: Saturdays and Sundays are always non-working;
- declared `NonWorkingDay` records, in layers: ``national``, ``autonomica`` (region = the
  community code, e.g. ``"CL"``), ``local`` (region = the INE municipality code, e.g.
  ``"42173"``) and ``registro`` (closures of one registry's calendar, art. 31.3).

A calendar also knows which years it covers. Asking about a date outside them raises
`OutsideCalendarError` instead of silently treating an unknown year as holiday-free.

Times: the official time is the one of the seat of the administración (art. 31.2: "la
fecha y hora oficial de la sede electrónica de acceso"). For the platform that is
``Europe/Madrid``; an administración seated in Canarias would build its calendars with
``zone="Atlantic/Canary"``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal
from zoneinfo import ZoneInfo

import msgspec

Scope = Literal["national", "autonomica", "local", "registro"]

SCOPES: tuple[Scope, ...] = ("national", "autonomica", "local", "registro")

MADRID = ZoneInfo("Europe/Madrid")

_ONE_DAY = dt.timedelta(days=1)


class NonWorkingDay(msgspec.Struct, frozen=True, kw_only=True):
    """One declared non-working day (one row of a holidays table).

    `region` is None for ``national``, the community code for ``autonomica``, the INE
    municipality code for ``local``; for ``registro`` it is free (e.g. an office's DIR3
    code) or None. `verified` is False for entries not checked against the official
    publication (demo data, provisional years).
    """

    date: dt.date
    scope: Scope
    name: str
    region: str | None = None
    verified: bool = True

    def __post_init__(self) -> None:
        if self.scope == "national" and self.region is not None:
            raise ValueError(f"national day {self.date} must not have a region")
        if self.scope in ("autonomica", "local") and not self.region:
            raise ValueError(f"{self.scope} day {self.date} needs a region")


class OutsideCalendarError(ValueError):
    """A date falls in a year the calendar has no data for."""

    def __init__(self, day: dt.date, years: frozenset[int]) -> None:
        covered = ", ".join(str(y) for y in sorted(years)) or "none"
        super().__init__(f"{day} is outside the calendar (years covered: {covered})")
        self.day = day


class WorkingCalendar:
    """Non-working days of one place (or of two combined, art. 30.6) over some years."""

    def __init__(
        self,
        days: Iterable[NonWorkingDay],
        *,
        years: Iterable[int],
        zone: ZoneInfo | str = MADRID,
    ) -> None:
        self.years = frozenset(years)
        self.zone = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
        self._records: dict[dt.date, tuple[NonWorkingDay, ...]] = {}
        for day in days:
            self._check(day.date)
            self._records[day.date] = (*self._records.get(day.date, ()), day)

    def __repr__(self) -> str:
        return (
            f"WorkingCalendar(years={sorted(self.years)}, zone={self.zone.key!r}, "
            f"declared={sum(len(r) for r in self._records.values())})"
        )

    def _check(self, day: dt.date) -> None:
        if isinstance(day, dt.datetime):
            raise TypeError("pass a date; convert datetimes with calendar.local_date()")
        if day.year not in self.years:
            raise OutsideCalendarError(day, self.years)

    def is_working_day(self, day: dt.date) -> bool:
        """True for a día hábil: not Saturday, not Sunday, not declared (art. 30.2)."""
        self._check(day)
        return day.weekday() < 5 and day not in self._records

    def records_on(self, day: dt.date) -> tuple[NonWorkingDay, ...]:
        """The declared records that make `day` non-working (empty for a plain weekend)."""
        self._check(day)
        return self._records.get(day, ())

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after `day`."""
        candidate = day + _ONE_DAY
        while not self.is_working_day(candidate):
            candidate += _ONE_DAY
        return candidate

    def working_day_on_or_after(self, day: dt.date) -> dt.date:
        """`day` itself when working, else the next working day (the move of art. 30.5)."""
        return day if self.is_working_day(day) else self.next_working_day(day)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """How many working days d satisfy start < d <= end (days counted after `start`)."""
        if end < start:
            raise ValueError(f"end {end} is before start {start}")
        self._check(start)
        count = 0
        day = start + _ONE_DAY
        while day <= end:
            count += self.is_working_day(day)
            day += _ONE_DAY
        return count

    def non_working_days(self, year: int) -> list[NonWorkingDay]:
        """Declared non-working days of `year`, by date then layer (the sede's calendar page).

        Saturdays and Sundays are non-working too (art. 30.2) but are not listed.
        """
        self._check(dt.date(year, 1, 1))
        found = [r for day, recs in self._records.items() if day.year == year for r in recs]
        return sorted(found, key=lambda r: (r.date, SCOPES.index(r.scope), r.name))

    def combined_with(self, other: WorkingCalendar) -> WorkingCalendar:
        """Art. 30.6: a day non-working in either calendar is non-working.

        `self` is the calendar of the seat of the órgano; its zone is kept (the official
        time is the seat's). Only the years both calendars cover are covered.
        """
        years = self.years & other.years
        records = (
            r
            for calendar in (self, other)
            for recs in calendar._records.values()
            for r in recs
            if r.date.year in years
        )
        # Identical records (the national days both calendars hold) are kept once.
        return WorkingCalendar(dict.fromkeys(records), years=years, zone=self.zone)

    def local_date(self, moment: dt.datetime) -> dt.date:
        """The calendar date of an aware datetime at the seat's official time."""
        return self.to_official_time(moment).date()

    def to_official_time(self, moment: dt.datetime) -> dt.datetime:
        """`moment` expressed in the seat's zone; naive datetimes are refused."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("naive datetime: official times must carry their zone")
        return moment.astimezone(self.zone)
