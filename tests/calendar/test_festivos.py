"""The shipped holiday data (data/festivos.toml), its loaders and the calendar builder."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.easter import easter

from core.calendar import (
    MissingHolidayData,
    NonWorkingDay,
    calendar_for,
    communities,
    load_local,
    load_year,
)

YEARS = (2025, 2026, 2027)
DEMO_MUNICIPALITIES = ("42173", "42134", "42004")  # Soria, Ólvega, Ágreda


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("community", sorted(communities()))
def test_every_year_and_community_loads(year: int, community: str) -> None:
    national = load_year(year)
    days = load_year(year, community)
    assert days[: len(national)] == national
    assert {d.scope for d in days[len(national) :]} == {"autonomica"}
    assert {d.region for d in days[len(national) :]} == {community}
    assert all(d.date.year == year for d in days)
    # Sundays are non-working by art. 30.2 and are never listed (see the file header).
    assert all(d.date.weekday() != 6 for d in days)
    # At most 14 fiestas laborales a year, 2 of them local (Estatuto de los Trabajadores
    # art. 37.2): 12 here, or 13 where a community adds one "recuperable" (Cataluña).
    assert len({d.date for d in days}) <= 13


@pytest.mark.parametrize("year", YEARS)
def test_fixed_national_days(year: int) -> None:
    by_date = {d.date: d.name for d in load_year(year)}
    good_friday = easter(year) - dt.timedelta(days=2)
    assert by_date[good_friday] == "Viernes Santo"
    for month, day, name in [(1, 1, "Año Nuevo"), (12, 8, "Inmaculada Concepción")]:
        assert by_date[dt.date(year, month, day)] == name


@pytest.mark.parametrize("year", YEARS)
def test_easter_days_of_the_communities(year: int) -> None:
    # Jueves Santo (Easter - 3) everywhere but Cataluña, which keeps Lunes de Pascua
    # (Easter + 1) instead; País Vasco keeps both.
    thursday = easter(year) - dt.timedelta(days=3)
    monday = easter(year) + dt.timedelta(days=1)
    for community in communities():
        names = {d.date: d.name for d in load_year(year, community)}
        assert (names.get(thursday) == "Jueves Santo") is (community != "CT")
        assert (names.get(monday) == "Lunes de Pascua") is (community in ("CT", "PV"))


def test_verification_flags() -> None:
    assert all(d.verified for y in (2025, 2026) for c in communities() for d in load_year(y, c))
    assert not any(d.verified for c in communities() for d in load_year(2027, c))


@pytest.mark.parametrize("ine", DEMO_MUNICIPALITIES)
def test_local_days_of_the_demo_municipalities(ine: str) -> None:
    days = load_local(2026, ine)
    assert len(days) == 2  # two fiestas locales per municipality
    assert all(d.scope == "local" and d.region == ine for d in days)
    assert not any(d.verified for d in days)  # demo / unchecked data


def test_missing_data_is_an_error_not_an_empty_layer() -> None:
    with pytest.raises(MissingHolidayData, match="2031"):
        load_year(2031)
    with pytest.raises(MissingHolidayData, match="XX"):
        load_year(2026, "XX")
    with pytest.raises(MissingHolidayData, match="42001"):
        load_local(2026, "42001")
    with pytest.raises(MissingHolidayData):
        calendar_for([2026, 2031], "CL")


def test_calendar_for_stacks_the_layers() -> None:
    cierre = NonWorkingDay(date=dt.date(2026, 3, 10), scope="registro", name="Cierre (test)")
    calendar = calendar_for(range(2025, 2028), "CL", load_local(2026, "42173"), [cierre])
    assert calendar.years == frozenset(YEARS)
    assert calendar.zone.key == "Europe/Madrid"
    listed = calendar.non_working_days(2026)
    assert {d.scope for d in listed} == {"national", "autonomica", "local", "registro"}
    assert not calendar.is_working_day(dt.date(2026, 3, 10))
    assert not calendar.is_working_day(dt.date(2026, 4, 23))  # Fiesta de Castilla y León
    assert calendar_for([2026], "CT").is_working_day(dt.date(2026, 4, 23))
    assert calendar_for([2026], "CL", zone="Atlantic/Canary").zone.key == "Atlantic/Canary"
