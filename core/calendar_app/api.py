"""JSON API of the calendars: the console loads a year for all entities; an entity reads its
calendar (public) and declares its fiestas locales and registry closures."""

from __future__ import annotations

import msgspec
from litestar import Request, get, post, put
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody

from core.calendar import NonWorkingDay
from core.calendar_app import services
from core.calendar_app.permissions import CALENDAR
from core.web.pages import actor_of, tenant_of


class CalendarLoad(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Load a year's national and autonomic days (for one comunidad autónoma, or all)."""

    year: int
    community: str | None = None


class LocalDays(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    days: list[services.DayIn]


class CalendarYearOut(msgspec.Struct, kw_only=True):
    """The declared non-working days of a year (Saturdays and Sundays are not listed)."""

    year: int
    zone: str
    days: list[NonWorkingDay]


@post("/api/v1/diputacion/calendar/load", tags=["console"], status_code=200,
      opt={"permission": "core.console"})
async def load_calendar_year(request: Request, data: JSONBody[CalendarLoad]
                             ) -> services.LoadReport:
    """Load a year into every entity (of one comunidad autónoma when given)."""
    return await services.load_year(data.year, community=data.community,
                                    actor=actor_of(request).audit_name)


@get("/api/v1/{tenant_slug:str}/calendar/{year:int}", tags=["calendar"])
async def calendar_year(request: Request, year: FromPath[int]) -> CalendarYearOut:
    """The entity's non-working days of a year (public: the sede publishes them)."""
    calendar = await services.calendar_of(tenant_of(request))
    if year not in calendar.years:
        raise NotFoundException(f"No calendar loaded for {year}")
    return CalendarYearOut(year=year, zone=calendar.zone.key,
                           days=calendar.non_working_days(year))


@put("/api/v1/{tenant_slug:str}/calendar/{year:int}/local", tags=["calendar"],
     opt={"permission": CALENDAR.name})
async def put_local_days(request: Request, year: FromPath[int],
                         data: JSONBody[LocalDays]) -> list[NonWorkingDay]:
    """Declare the entity's fiestas locales of a year (at most two; replaces earlier ones)."""
    return await services.set_local_days(tenant_of(request), year, data.days,
                                         actor=actor_of(request).audit_name)


@post("/api/v1/{tenant_slug:str}/calendar/registro", tags=["calendar"],
      opt={"permission": CALENDAR.name})
async def post_registro_closure(request: Request, data: JSONBody[services.DayIn]
                                ) -> NonWorkingDay:
    """Declare a day the entity's registry is closed."""
    return await services.add_registro_closure(tenant_of(request), data,
                                               actor=actor_of(request).audit_name)


CALENDAR_ROUTES = [load_calendar_year, calendar_year, put_local_days, post_registro_closure]
