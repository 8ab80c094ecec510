"""Properties of the plazo arithmetic over random calendars (hypothesis)."""

from __future__ import annotations

import datetime as dt
from calendar import monthrange
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from core.calendar import (
    NonWorkingDay,
    WorkingCalendar,
    add_anios,
    add_dias_habiles,
    add_dias_naturales,
    add_meses,
    fecha_oficial_presentacion,
)

YEARS = range(2024, 2031)
FIRST, LAST = dt.date(2024, 1, 1), dt.date(2030, 12, 31)
# Starts leave room for the longest plazos below within the covered years.
starts = st.dates(min_value=FIRST, max_value=dt.date(2027, 12, 31))
holiday_dates = st.lists(st.dates(min_value=FIRST, max_value=LAST), max_size=80)


@st.composite
def calendars(draw: st.DrawFn) -> WorkingCalendar:
    days = [NonWorkingDay(date=d, scope="national", name="random") for d in draw(holiday_dates)]
    return WorkingCalendar(days, years=YEARS)


@given(calendars(), starts, st.integers(1, 60))
def test_dias_habiles_end_on_a_working_day_after_exactly_n(
    calendar: WorkingCalendar, start: dt.date, n: int
) -> None:
    end = add_dias_habiles(calendar, start, n)
    assert end > start
    assert calendar.is_working_day(end)
    assert calendar.working_days_between(start, end) == n
    # Monotonic: one more día hábil is the next working day.
    assert add_dias_habiles(calendar, start, n + 1) == calendar.next_working_day(end)


@given(calendars(), starts, st.integers(1, 365))
def test_dias_naturales_move_only_over_non_working_days(
    calendar: WorkingCalendar, start: dt.date, n: int
) -> None:
    raw = start + dt.timedelta(days=n)
    end = add_dias_naturales(calendar, start, n)
    assert end >= raw
    assert calendar.is_working_day(end)
    skipped = (raw + dt.timedelta(days=k) for k in range((end - raw).days))
    assert not any(calendar.is_working_day(d) for d in skipped)
    assert add_dias_naturales(calendar, start, n + 1) >= end


@given(calendars(), starts, st.integers(1, 24))
def test_months_keep_the_day_number_or_the_month_end(
    calendar: WorkingCalendar, start: dt.date, n: int
) -> None:
    end = add_meses(calendar, start, n)
    assert calendar.is_working_day(end)
    # The expiry month is n months on; the day is the start's, capped at the month's end.
    year, month = divmod(start.year * 12 + start.month - 1 + n, 12)
    last_day = monthrange(year, month + 1)[1]
    raw = dt.date(year, month + 1, min(start.day, last_day))
    assert end == calendar.working_day_on_or_after(raw)
    assert (raw.day == start.day) or (start.day > last_day and raw.day == last_day)
    if n % 12 == 0:
        assert add_anios(calendar, start, n // 12) == end


received_times = st.datetimes(
    min_value=dt.datetime(2024, 1, 2),
    max_value=dt.datetime(2027, 12, 30),
    timezones=st.sampled_from([dt.UTC, ZoneInfo("Europe/Madrid"), ZoneInfo("Atlantic/Canary")]),
    allow_imaginary=False,  # no clock shows a time inside the spring DST gap
)


@given(calendars(), received_times)
def test_registro_official_time(calendar: WorkingCalendar, received: dt.datetime) -> None:
    result = fecha_oficial_presentacion(calendar, received)
    # The same instant (compared in UTC: in the repeated October hour a Madrid time never
    # equals another zone's, PEP 495), expressed at the seat's official time.
    assert result.received_at.astimezone(dt.UTC) == received.astimezone(dt.UTC)
    assert result.received_at.tzinfo == calendar.zone
    assert result.official_at >= result.received_at
    assert calendar.is_working_day(result.official_at.date())
    day = result.received_at.date()
    if calendar.is_working_day(day):
        assert result.official_at == result.received_at
    else:
        assert result.official_at.date() == calendar.next_working_day(day)
        assert result.official_at.time() == dt.time(0)


@given(holiday_dates, holiday_dates, st.dates(min_value=FIRST, max_value=LAST))
def test_combined_calendar_is_the_union_of_non_working_days(
    seat_days: list[dt.date], residence_days: list[dt.date], day: dt.date
) -> None:
    def calendar(dates: list[dt.date]) -> WorkingCalendar:
        return WorkingCalendar(
            [NonWorkingDay(date=d, scope="local", name="random", region="x") for d in dates],
            years=YEARS,
        )

    seat, residence = calendar(seat_days), calendar(residence_days)
    combined = seat.combined_with(residence)
    assert combined.is_working_day(day) == (
        seat.is_working_day(day) and residence.is_working_day(day)
    )
