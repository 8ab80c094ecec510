"""Timetables to slots: weekly hours, exceptions, holidays of the calendar, DST days."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.calendar import NonWorkingDay, WorkingCalendar
from plugins.cita_previa.services.common import InvalidCita
from plugins.cita_previa.services.slots import day_starts, is_holiday, parse_range

AGENDA = {"timetable": {"lunes": ["09:00-10:00", "16:00-17:00"], "domingo": ["10:00-11:00"]},
          "slot_minutes": 20}


def test_ranges_are_checked():
    assert parse_range("09:00-14:00") == (540, 840)
    assert parse_range("00:00-24:00") == (0, 1440)
    for bad in ("14:00-09:00", "10:00-10:00", "9-14"):
        with pytest.raises(InvalidCita):
            parse_range(bad)


def test_weekly_hours_become_utc_instants_in_official_time():
    monday = date(2026, 3, 16)  # CET, UTC+1
    starts = day_starts(AGENDA, monday, None, holiday=False)
    assert [s.strftime("%H:%M") for s in starts] == ["08:00", "08:20", "08:40",
                                                     "15:00", "15:20", "15:40"]
    assert all(s.tzinfo == UTC for s in starts)
    assert day_starts(AGENDA, date(2026, 3, 17), None, holiday=False) == []  # Tuesday


def test_summer_time_day_keeps_the_wall_clock():
    sunday = date(2026, 3, 29)  # clocks go forward at 02:00; 10:00 CEST is 08:00 UTC
    assert day_starts(AGENDA, sunday, None, holiday=False) == [
        datetime(2026, 3, 29, 8, 0, tzinfo=UTC), datetime(2026, 3, 29, 8, 20, tzinfo=UTC),
        datetime(2026, 3, 29, 8, 40, tzinfo=UTC)]


def test_exceptions_override_and_holidays_close():
    monday = date(2026, 3, 16)
    assert day_starts(AGENDA, monday, [], holiday=False) == []
    assert len(day_starts(AGENDA, monday, ["11:00-12:00"], holiday=True)) == 3
    assert day_starts(AGENDA, monday, None, holiday=True) == []


def test_holidays_come_from_the_calendar_but_not_registry_closures():
    calendar = WorkingCalendar([
        NonWorkingDay(date=date(2026, 6, 29), scope="local", name="San Pedro", region="42173"),
        NonWorkingDay(date=date(2026, 6, 30), scope="registro", name="Cierre", region="O1")],
        years=[2026])
    assert is_holiday(calendar, date(2026, 6, 29))
    assert not is_holiday(calendar, date(2026, 6, 30))
    assert not is_holiday(calendar, date(2027, 6, 29))  # a year not loaded: none known
