"""The layered WorkingCalendar and its NonWorkingDay records."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest

from core.calendar import NonWorkingDay, OutsideCalendarError, WorkingCalendar

D = dt.date
ANIO_NUEVO = NonWorkingDay(date=D(2026, 1, 1), scope="national", name="Año Nuevo")
REYES = NonWorkingDay(date=D(2026, 1, 6), scope="national", name="Epifanía del Señor")
SAN_JOSE = NonWorkingDay(date=D(2026, 3, 19), scope="autonomica", name="San José", region="GA")
LOCAL = NonWorkingDay(date=D(2026, 3, 19), scope="local", name="Fiesta (test)", region="42173")
CIERRE = NonWorkingDay(date=D(2026, 1, 2), scope="registro", name="Cierre (test)")

CALENDAR = WorkingCalendar([LOCAL, REYES, ANIO_NUEVO, SAN_JOSE, CIERRE], years=[2026])


def test_weekends_and_declared_days_are_non_working() -> None:
    assert CALENDAR.is_working_day(D(2026, 1, 5))  # Monday
    assert not CALENDAR.is_working_day(D(2026, 1, 3))  # Saturday (art. 30.2)
    assert not CALENDAR.is_working_day(D(2026, 1, 4))  # Sunday
    assert not CALENDAR.is_working_day(D(2026, 1, 1))  # national
    assert not CALENDAR.is_working_day(D(2026, 1, 2))  # registro layer
    assert not CALENDAR.is_working_day(D(2026, 3, 19))  # autonomica and local


def test_records_on_names_every_layer_of_a_day() -> None:
    assert CALENDAR.records_on(D(2026, 3, 19)) == (LOCAL, SAN_JOSE)
    assert CALENDAR.records_on(D(2026, 1, 3)) == ()  # a plain Saturday has no record
    assert CALENDAR.records_on(D(2026, 1, 7)) == ()


def test_next_working_day_and_roll_forward() -> None:
    # Wed 31 Dec is outside; Thu 1 (holiday), Fri 2 (closure), weekend: Mon 5.
    assert CALENDAR.next_working_day(D(2026, 1, 1)) == D(2026, 1, 5)
    # Mon 5 is followed by Tue 6 (Reyes): Wed 7.
    assert CALENDAR.next_working_day(D(2026, 1, 5)) == D(2026, 1, 7)
    assert CALENDAR.working_day_on_or_after(D(2026, 1, 5)) == D(2026, 1, 5)
    assert CALENDAR.working_day_on_or_after(D(2026, 1, 6)) == D(2026, 1, 7)


def test_working_days_between_counts_after_start_up_to_end() -> None:
    # (Jan 1, Jan 9]: Fri 2 closure, Mon 5, Tue 6 Reyes, Wed 7, Thu 8, Fri 9 -> 4.
    assert CALENDAR.working_days_between(D(2026, 1, 1), D(2026, 1, 9)) == 4
    assert CALENDAR.working_days_between(D(2026, 1, 9), D(2026, 1, 9)) == 0
    with pytest.raises(ValueError, match="before"):
        CALENDAR.working_days_between(D(2026, 1, 9), D(2026, 1, 8))


def test_non_working_days_of_a_year_are_sorted_by_date_then_layer() -> None:
    assert CALENDAR.non_working_days(2026) == [ANIO_NUEVO, CIERRE, REYES, SAN_JOSE, LOCAL]


def test_dates_outside_the_covered_years_are_refused() -> None:
    with pytest.raises(OutsideCalendarError, match=r"2027-01-01 .*2026"):
        CALENDAR.is_working_day(D(2027, 1, 1))
    with pytest.raises(OutsideCalendarError):
        CALENDAR.next_working_day(D(2026, 12, 31))  # would need 2027
    with pytest.raises(OutsideCalendarError):
        CALENDAR.non_working_days(2025)
    with pytest.raises(OutsideCalendarError):
        WorkingCalendar([ANIO_NUEVO], years=[2025])  # a record outside the years


def test_combined_calendar_art_30_6() -> None:
    seat = WorkingCalendar([ANIO_NUEVO, REYES], years=[2026, 2027])
    residence = WorkingCalendar([ANIO_NUEVO, SAN_JOSE], years=[2026], zone="Atlantic/Canary")
    combined = seat.combined_with(residence)
    # Non-working where either one is non-working.
    assert not combined.is_working_day(D(2026, 1, 6))
    assert not combined.is_working_day(D(2026, 3, 19))
    assert combined.is_working_day(D(2026, 3, 18))
    # The seat's official time; only the years both cover; a shared day listed once.
    assert combined.zone.key == "Europe/Madrid"
    assert combined.years == frozenset({2026})
    assert combined.non_working_days(2026) == [ANIO_NUEVO, REYES, SAN_JOSE]


def test_to_official_time_and_local_date() -> None:
    utc = dt.datetime(2026, 6, 30, 22, 30, tzinfo=dt.UTC)
    assert CALENDAR.to_official_time(utc).isoformat() == "2026-07-01T00:30:00+02:00"
    assert CALENDAR.local_date(utc) == D(2026, 7, 1)
    with pytest.raises(ValueError, match="naive"):
        CALENDAR.local_date(dt.datetime(2026, 6, 30, 22, 30))


def test_a_datetime_is_not_taken_for_a_date() -> None:
    with pytest.raises(TypeError, match="local_date"):
        CALENDAR.is_working_day(dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.UTC))


@pytest.mark.parametrize(
    ("scope", "region"), [("national", "CL"), ("autonomica", None), ("local", "")]
)
def test_region_must_match_the_scope(scope: str, region: str | None) -> None:
    with pytest.raises(ValueError, match="region"):
        NonWorkingDay(date=D(2026, 1, 1), scope=scope, name="x", region=region)  # type: ignore[arg-type]


def test_records_map_to_table_rows() -> None:
    # A database row (a dict of columns) converts to the record and back.
    row = {"date": "2026-03-19", "scope": "local", "name": "Fiesta", "region": "42173"}
    record = msgspec.convert(row, NonWorkingDay, strict=False)
    assert record == NonWorkingDay(date=D(2026, 3, 19), scope="local", name="Fiesta",
                                   region="42173", verified=True)  # fmt: skip
    assert msgspec.to_builtins(record) == {**row, "verified": True}
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({**row, "scope": "provincial"}, NonWorkingDay, strict=False)
