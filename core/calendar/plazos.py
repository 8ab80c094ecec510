"""Legal deadline arithmetic: plazos of Ley 39/2015 art. 30 and registro dates of art. 31.

Every function takes the `WorkingCalendar` to apply first. For art. 30.6 pass
``seat.combined_with(residence)``; for the registro electrónico pass the sede's calendar
alone (art. 31.3 excludes art. 30.6 there).

- `add_dias_habiles`: days counted from the day after the notification or publication
  (art. 30.3), skipping Saturdays, Sundays and declared holidays (art. 30.2).
- `add_dias_naturales`: every day counts; a last day that is non-working moves to the
  next working day (art. 30.5).
- `add_meses` / `add_anios`: counted from the day after, ending on the same day number as
  the notification or publication in the month of expiry, or on that month's last day when
  it has no such day (art. 30.4); a non-working last day moves forward (art. 30.5).
- `fecha_oficial_presentacion`: a presentation on a non-working day counts as made at the
  first hour (00:00) of the next working day (art. 31.2.b).

Each plazo function returns the last day on which the act can still be done, inclusive.
"""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime as dt

import msgspec

from core.calendar.working import WorkingCalendar


def _check_length(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"a plazo length must be an int, not {type(n).__name__}")
    if n < 1:
        raise ValueError(f"a plazo length must be at least 1, got {n}")


def add_dias_habiles(calendar: WorkingCalendar, start: dt.date, n: int) -> dt.date:
    """Last day of a plazo of `n` días hábiles notified or published on `start`."""
    _check_length(n)
    day = start
    for _ in range(n):
        day = calendar.next_working_day(day)
    return day


def add_dias_naturales(calendar: WorkingCalendar, start: dt.date, n: int) -> dt.date:
    """Last day of a plazo of `n` días naturales notified or published on `start`."""
    _check_length(n)
    return calendar.working_day_on_or_after(start + dt.timedelta(days=n))


def add_meses(calendar: WorkingCalendar, start: dt.date, n: int) -> dt.date:
    """Last day of a plazo of `n` months notified or published on `start`."""
    _check_length(n)
    return calendar.working_day_on_or_after(_same_day_months_later(start, n))


def add_anios(calendar: WorkingCalendar, start: dt.date, n: int) -> dt.date:
    """Last day of a plazo of `n` years notified or published on `start`."""
    _check_length(n)
    return calendar.working_day_on_or_after(_same_day_months_later(start, 12 * n))


def _same_day_months_later(start: dt.date, months: int) -> dt.date:
    """Same day number `months` later, or the last day of that month when it is shorter."""
    if isinstance(start, dt.datetime):
        raise TypeError("pass a date; convert datetimes with calendar.local_date()")
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    last = stdlib_calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(start.day, last))


class PresentacionRegistro(msgspec.Struct, frozen=True, kw_only=True):
    """When a presentation happened and when it counts for plazos (art. 31.2.b).

    Both datetimes are in the seat's zone. Sort presentations with `sort_key`, not by the
    datetimes themselves: Python compares datetimes of one zone by wall time, which
    misorders the repeated hour of the October DST change.
    """

    received_at: dt.datetime
    official_at: dt.datetime

    def sort_key(self) -> tuple[dt.datetime, dt.datetime]:
        """Order of art. 31.2.b: by official time, then by the instant of reception.

        Documents presented on a non-working day keep their order among themselves and
        precede those presented on the working day after.
        """
        return self.official_at.astimezone(dt.UTC), self.received_at.astimezone(dt.UTC)

    @property
    def moved(self) -> bool:
        """True when the presentation happened on a non-working day."""
        return self.official_at != self.received_at


def fecha_oficial_presentacion(
    calendar: WorkingCalendar, received_at: dt.datetime
) -> PresentacionRegistro:
    """Official date of a presentation in the registro electrónico (art. 31.2.b)."""
    received = calendar.to_official_time(received_at)
    day = received.date()
    if calendar.is_working_day(day):
        return PresentacionRegistro(received_at=received, official_at=received)
    first_hour = dt.datetime.combine(calendar.next_working_day(day), dt.time(0), calendar.zone)
    return PresentacionRegistro(received_at=received, official_at=first_hour)
