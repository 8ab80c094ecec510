"""Official date and time of a presentation on the entity's registry calendar.

The registry runs on the entity's calendar (``core.calendar_app``: national, autonómica and
local days and the registry's own closures; Ley 39/2015 art. 31.3). A presentation on a
non-working day counts from 00:00 of the next working day (art. 31.2.b).

A registry may not turn a presentation away because nobody loaded next year's calendar:
for years the entity's calendar does not cover, the shipped national and autonómica days of
its comunidad (``core.calendar`` data) plus the entity's own declared days stand in, and
the gap is logged. Only when the shipped data lacks the year too does registering fail.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import time
from typing import Any

from core.calendar import (
    MissingHolidayData,
    NonWorkingDay,
    OutsideCalendarError,
    PresentacionRegistro,
    WorkingCalendar,
    fecha_oficial_presentacion,
    load_local,
    load_year,
)
from core.calendar_app.services import calendar_of
from core.calendar_app.tables import NonWorkingDayRow
from core.errors import DomainError
from core.tenancy.context import TenantContext

log = logging.getLogger(__name__)
_warned: set[tuple[int, int]] = set()  # (tenant, year) gaps already logged by this process
CALENDAR_TTL = 30.0  # seconds a process keeps an entity's calendar (a new closure waits)
_calendars: dict[tuple[int, int], tuple[float, WorkingCalendar]] = {}  # (tenant, 0 | year)


class CalendarMissing(DomainError):
    """No calendar data at all for this date: the operator must load it."""


@functools.lru_cache(maxsize=256)
def shipped_days(year: int, community: str | None, ine_code: str | None
                 ) -> tuple[NonWorkingDay, ...]:
    """National (+ autonómica, + shipped local) days of ``year``; MissingHolidayData if none."""
    days = load_year(year, community)
    if ine_code:
        try:
            days += load_local(year, ine_code)
        except MissingHolidayData:
            pass  # the entity declares its own fiestas locales
    return tuple(days)


async def _stand_in(tenant: TenantContext, years: list[int]) -> WorkingCalendar:
    """Shipped days plus the entity's own local days and closures, for ``years``."""
    covered, days = [], []
    for year in years:
        try:
            days.extend(shipped_days(year, tenant.community, tenant.ine_code))
        except MissingHolidayData:
            continue
        covered.append(year)
    own = await NonWorkingDayRow.select().where(
        (NonWorkingDayRow.tenant == tenant.id)
        & NonWorkingDayRow.scope.is_in(["local", "registro"]))
    for row in own:
        day = row["date"] if isinstance(row["date"], dt.date) else \
            dt.date.fromisoformat(row["date"])
        if day.year in covered and not any(d.date == day and d.scope == row["scope"]
                                           for d in days):
            days.append(NonWorkingDay(date=day, scope=row["scope"], name=row["name"],
                                      region=row["region"]))
    return WorkingCalendar(days, years=covered)


async def _cached(key: tuple[int, int], build: Any) -> WorkingCalendar:
    """A calendar kept ``CALENDAR_TTL`` seconds per process (``build`` makes it)."""
    now = time.monotonic()
    cached = _calendars.get(key)
    if cached is None or cached[0] < now:
        cached = _calendars[key] = (now + CALENDAR_TTL, await build())
    return cached[1]


async def official_time(tenant: TenantContext, received_at: dt.datetime
                        ) -> PresentacionRegistro:
    """When a presentation received at ``received_at`` (aware) counts, in the seat's zone."""
    calendar = await _cached((tenant.id, 0), lambda: calendar_of(tenant))
    try:
        return fecha_oficial_presentacion(calendar, received_at)
    except OutsideCalendarError:
        year = calendar.to_official_time(received_at).year
        if (tenant.id, year) not in _warned:
            _warned.add((tenant.id, year))
            log.warning("Registro of %s: calendar of %s not loaded; using the shipped days",
                        tenant.slug, year)
    stand_in = await _cached((tenant.id, year), lambda: _stand_in(tenant, [year, year + 1]))
    try:
        return fecha_oficial_presentacion(stand_in, received_at)
    except OutsideCalendarError as exc:
        raise CalendarMissing(f"Falta el calendario de días inhábiles: {exc}") from exc
