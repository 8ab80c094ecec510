"""Calendars of tenants: build them from the tables, load years, set local days and closures.

Layers (``core.calendar.working``): ``national`` and ``autonomica`` days come from the
shipped data (`core.calendar.load_year`) when the diputación loads a year; ``local`` days
(two per municipality, Estatuto de los Trabajadores art. 37.2) and ``registro`` closures
are the entity's own. A tenant's calendar covers exactly the years loaded for it: asking it
about another year raises `OutsideCalendarError`, never a silent holiday-free answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import msgspec

from core.audit.log import record
from core.calendar import MissingHolidayData, NonWorkingDay, WorkingCalendar, load_local
from core.calendar import load_year as shipped_year
from core.calendar_app.tables import CalendarYear, NonWorkingDayRow
from core.db import atomic
from core.errors import DomainError
from core.tenancy.codes import validate_community
from core.tenancy.context import TenantContext
from core.tenancy.rls import cross_tenant, tenant_scope
from core.tenancy.tables import Tenant

MAX_LOCAL_DAYS = 2  # fiestas locales per municipality and year (ET art. 37.2)


class CalendarError(DomainError):
    """A calendar change that cannot be made; the message says why."""


class DayIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A day to declare: its date and name (an office's DIR3 for a registry closure)."""

    date: dt.date
    name: str
    office: str | None = None


class LoadReport(msgspec.Struct, kw_only=True):
    """What a year load did: entities loaded and entities skipped with the reason."""

    year: int
    loaded: list[str] = []
    skipped: dict[str, str] = {}


async def calendar_of(tenant: TenantContext) -> WorkingCalendar:
    """The tenant's working-day calendar over the years loaded for it (seat: Europe/Madrid)."""
    years = {r["year"] for r in await CalendarYear.select(CalendarYear.year).where(
        CalendarYear.tenant == tenant.id)}
    rows = await NonWorkingDayRow.select().where(NonWorkingDayRow.tenant == tenant.id)
    days = [_record(row) for row in rows]
    return WorkingCalendar([d for d in days if d.date.year in years], years=years)


def _record(row: dict) -> NonWorkingDay:
    day = row["date"]
    return NonWorkingDay(date=dt.date.fromisoformat(day) if isinstance(day, str) else day,
                         scope=row["scope"], name=row["name"], region=row["region"],
                         verified=bool(row["verified"]))


async def _replace(tenant_id: int, year: int, scopes: Iterable[str],
                   days: Iterable[NonWorkingDay]) -> None:
    await NonWorkingDayRow.delete().where(
        (NonWorkingDayRow.tenant == tenant_id) & NonWorkingDayRow.scope.is_in(list(scopes))
        & (NonWorkingDayRow.date >= dt.date(year, 1, 1))
        & (NonWorkingDayRow.date <= dt.date(year, 12, 31)))
    rows = [NonWorkingDayRow(tenant=tenant_id, date=d.date, scope=d.scope, region=d.region,
                             name=d.name, verified=d.verified) for d in days]
    if rows:
        await NonWorkingDayRow.insert(*rows)


async def _has_local_days(tenant_id: int, year: int) -> bool:
    return await NonWorkingDayRow.exists().where(
        (NonWorkingDayRow.tenant == tenant_id) & (NonWorkingDayRow.scope == "local")
        & (NonWorkingDayRow.date >= dt.date(year, 1, 1))
        & (NonWorkingDayRow.date <= dt.date(year, 12, 31)))


async def load_year(year: int, *, actor: str, community: str | None = None,
                    replace: bool = True) -> LoadReport:
    """Load `year`'s national and autonomic days into every entity (of `community` if given).

    Each entity gets the days of its own comunidad autónoma; entities without one are
    skipped. Loading again replaces those two layers and keeps local days and closures;
    with ``replace=False`` entities that have the year already are skipped. Shipped fiestas
    locales (demo municipalities) are added where the entity has none yet.
    """
    if community is not None:
        validate_community(community)
    report = LoadReport(year=year)
    async with cross_tenant("calendar load"):  # which entities have the year already
        loaded = set() if replace else {r["tenant"] for r in await CalendarYear.select(
            CalendarYear.tenant).where(CalendarYear.year == year)}
    query = Tenant.select(Tenant.id, Tenant.slug, Tenant.community, Tenant.ine_code)
    if community is not None:
        query = query.where(Tenant.community == community)
    for row in await query.order_by(Tenant.slug):
        if row["community"] is None:
            report.skipped[row["slug"]] = "sin comunidad autónoma"
            continue
        if row["id"] in loaded:
            report.skipped[row["slug"]] = "ya cargado"
            continue
        try:
            days = shipped_year(year, row["community"])
        except MissingHolidayData as exc:
            report.skipped[row["slug"]] = str(exc)
            continue
        async with tenant_scope(row["id"]):
            await _load_tenant_year(row, year, days, actor=actor)
        report.loaded.append(row["slug"])
    return report


async def _load_tenant_year(tenant: dict, year: int, days: list[NonWorkingDay], *,
                            actor: str) -> None:
    tenant_id, ine_code = tenant["id"], tenant["ine_code"]
    async with atomic():
        await _replace(tenant_id, year, ("national", "autonomica"), days)
        if ine_code and not await _has_local_days(tenant_id, year):
            try:
                await _replace(tenant_id, year, ("local",), load_local(year, ine_code))
            except MissingHolidayData:
                pass  # the entity declares its own fiestas locales
        await CalendarYear.delete().where(
            (CalendarYear.tenant == tenant_id) & (CalendarYear.year == year))
        await CalendarYear.insert(CalendarYear(
            tenant=tenant_id, year=year, community=tenant["community"],
            loaded_at=dt.datetime.now(dt.UTC), loaded_by=actor))
        await record(tenant_id, "calendar.loaded", actor=actor, target=str(year),
                     detail={"community": tenant["community"], "days": len(days)})


async def set_local_days(tenant: TenantContext, year: int, days: list[DayIn], *,
                         actor: str) -> list[NonWorkingDay]:
    """Declare the entity's fiestas locales of `year` (at most two), replacing earlier ones."""
    if len(days) > MAX_LOCAL_DAYS:
        raise CalendarError(f"At most {MAX_LOCAL_DAYS} fiestas locales per year")
    if any(d.date.year != year for d in days):
        raise CalendarError(f"Every fiesta local must fall in {year}")
    region = tenant.ine_code or tenant.dir3
    records = [NonWorkingDay(date=d.date, scope="local", name=d.name, region=region)
               for d in days]
    async with atomic():
        await _replace(tenant.id, year, ("local",), records)
        await record(tenant.id, "calendar.local_days", actor=actor, target=str(year),
                     detail={"days": [d.date.isoformat() for d in days]})
    return records


async def add_registro_closure(tenant: TenantContext, day: DayIn, *,
                               actor: str) -> NonWorkingDay:
    """Declare a day the registry is closed (its own calendar only, art. 31.3)."""
    closure = NonWorkingDay(date=day.date, scope="registro", name=day.name, region=day.office)
    async with atomic():
        if await NonWorkingDayRow.exists().where(
                (NonWorkingDayRow.tenant == tenant.id) & (NonWorkingDayRow.date == day.date)
                & (NonWorkingDayRow.scope == "registro") & (NonWorkingDayRow.name == day.name)):
            raise CalendarError(f"The closure {day.name!r} on {day.date} exists already")
        await NonWorkingDayRow.insert(NonWorkingDayRow(
            tenant=tenant.id, date=day.date, scope="registro", region=day.office,
            name=day.name, verified=True))
        await record(tenant.id, "calendar.registro_closure", actor=actor,
                     target=day.date.isoformat(), detail={"name": day.name,
                                                          "office": day.office})
    return closure
