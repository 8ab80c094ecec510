"""From weekly timetables to the slots a citizen can pick.

A day's hours come from the agenda's exception for that date when there is one (no hours:
closed), else from its weekly timetable, unless the tenant's working-day calendar lists the
date as a holiday (national, autonomic or local). Slots start every ``slot_minutes`` inside
each range, in the seat's official time, and are stored as UTC instants. A year the tenant
has not loaded into its calendar has no known holidays: only the agenda's own exceptions
close days then (the staff page says so).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from core.calendar import OutsideCalendarError, WorkingCalendar
from core.calendar_app.services import calendar_of
from core.tenancy.context import TenantContext
from plugins.cita_previa.schemas import WEEKDAYS, FranjaOut, Pregunta, ServicioOut
from plugins.cita_previa.services import video
from plugins.cita_previa.services.common import (
    ZONE,
    InvalidCita,
    as_utc,
    settings_of,
    utcnow,
)
from plugins.cita_previa.tables import Agenda, Excepcion, Franja, Oficina

#: Layers of the calendar that close every agenda (a registry closure does not).
HOLIDAY_SCOPES = frozenset({"national", "autonomica", "local"})


def parse_range(text: str) -> tuple[int, int]:
    """``09:00-14:00`` → minutes after midnight (540, 840); the end must follow the start."""
    try:
        start, end = (int(p[:2]) * 60 + int(p[3:5]) for p in text.split("-"))
    except ValueError:
        raise InvalidCita(f"Tramo horario {text!r} no válido: use HH:MM-HH:MM") from None
    if not 0 <= start < end <= 24 * 60:
        raise InvalidCita(f"Tramo horario {text!r} no válido: el fin debe seguir al inicio")
    return start, end


def is_holiday(calendar: WorkingCalendar, day: date) -> bool:
    try:
        return any(r.scope in HOLIDAY_SCOPES for r in calendar.records_on(day))
    except OutsideCalendarError:
        return False


def day_starts(agenda: dict[str, Any], day: date, exception: list[str] | None,
               holiday: bool) -> list[datetime]:
    """UTC start instants of an agenda's slots on a local date."""
    if exception is not None:
        ranges = exception
    elif holiday:
        ranges = []
    else:
        ranges = agenda["timetable"].get(WEEKDAYS[day.weekday()], [])
    step = agenda["slot_minutes"]
    starts = []
    for start, end in sorted(parse_range(r) for r in ranges):
        for minute in range(start, end - step + 1, step):
            wall = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=ZONE)
            starts.append(wall.astimezone(UTC))
    return starts


def answered_routes(servicio: ServicioOut, answers: dict[str, str]) -> set[int]:
    """Check the triage answers; returns the agendas they route to (empty: any)."""
    routes: set[int] = set()
    for question in servicio.triage:
        option = _option(question, answers.get(question.key, ""))
        if option.agenda is not None:
            routes.add(option.agenda)
    return routes


def _option(question: Pregunta, value: str) -> Any:
    for option in question.options:
        if option.value == value:
            return option
    raise InvalidCita(f"Responda a la pregunta: {question.text}")


async def candidate_agendas(tenant: TenantContext, servicio: ServicioOut, channel: str,
                            answers: dict[str, str]) -> list[dict[str, Any]]:
    """Active agendas of the service that attend the channel, narrowed by the triage."""
    if channel not in servicio.channels:
        raise InvalidCita("El servicio no se presta por ese canal")
    routes = answered_routes(servicio, answers)
    rows = await Agenda.select().where(
        (Agenda.tenant == tenant.id) & (Agenda.servicio == servicio.id)
        & (Agenda.active == True)).output(load_json=True).order_by(Agenda.id)  # noqa: E712
    return [r for r in rows if channel in r["channels"] and (not routes or r["id"] in routes)]


class Window:
    """The bookable period now: from ``earliest`` (an instant) up to ``last_day``."""

    def __init__(self, tenant: TenantContext, now: datetime | None = None) -> None:
        settings = settings_of(tenant)
        self.now = now or utcnow()
        self.earliest = self.now + timedelta(hours=settings.min_notice_hours)
        self.first_day = self.earliest.astimezone(ZONE).date()
        self.last_day = self.now.astimezone(ZONE).date() + timedelta(days=settings.max_days_ahead)

    def days(self, first: date | None = None, last: date | None = None) -> list[date]:
        start, end = max(first or self.first_day, self.first_day), min(last or self.last_day,
                                                                       self.last_day)
        return [start + timedelta(days=n) for n in range((end - start).days + 1)]


async def open_slots(tenant: TenantContext, agendas: Iterable[dict[str, Any]],
                     days: list[date], window: Window) -> list[FranjaOut]:
    """Slots with free places of these agendas on these days, in time order."""
    agendas = list(agendas)
    if not agendas or not days:
        return []
    ids = [a["id"] for a in agendas]
    exceptions = {(r["agenda"], _date(r["date"])): r["hours"] for r in await Excepcion.select(
        Excepcion.agenda, Excepcion.date, Excepcion.hours).where(
        (Excepcion.tenant == tenant.id) & Excepcion.agenda.is_in(ids)
        & (Excepcion.date >= days[0]) & (Excepcion.date <= days[-1])).output(load_json=True)}
    span_start = datetime.combine(days[0], time(), tzinfo=ZONE).astimezone(UTC)
    span_end = datetime.combine(days[-1] + timedelta(days=1), time(), tzinfo=ZONE).astimezone(UTC)
    taken = {(r["agenda"], as_utc(r["starts_at"])): r["capacity"] - r["booked"]
             for r in await Franja.select().where(
                 (Franja.tenant == tenant.id) & Franja.agenda.is_in(ids)
                 & (Franja.starts_at >= span_start) & (Franja.starts_at < span_end))}
    offices = {r["id"]: r["name"] for r in await Oficina.select(Oficina.id, Oficina.name).where(
        Oficina.tenant == tenant.id)}
    calendar = await calendar_of(tenant)
    slots = []
    for day in days:
        holiday = is_holiday(calendar, day)
        for agenda in agendas:
            length = timedelta(minutes=agenda["slot_minutes"])
            for start in day_starts(agenda, day, exceptions.get((agenda["id"], day)), holiday):
                free = taken.get((agenda["id"], start), agenda["capacity"])
                if start >= window.earliest and free > 0:
                    slots.append(FranjaOut(agenda=agenda["id"], oficina=offices[agenda["oficina"]],
                                           starts_at=start, ends_at=start + length, free=free))
    slots.sort(key=lambda s: (s.starts_at, s.oficina))
    return slots


def _date(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


async def slot_end(tenant: TenantContext, agenda: dict[str, Any], starts_at: datetime,
                   window: Window) -> datetime:
    """Check that ``starts_at`` is a slot of the agenda inside the window; returns its end."""
    starts_at = as_utc(starts_at)
    day = starts_at.astimezone(ZONE).date()
    if starts_at < window.earliest or day > window.last_day:
        raise InvalidCita("La franja elegida está fuera del plazo para pedir cita")
    exception = await Excepcion.select(Excepcion.hours).where(
        (Excepcion.tenant == tenant.id) & (Excepcion.agenda == agenda["id"])
        & (Excepcion.date == day)).output(load_json=True).first()
    holiday = is_holiday(await calendar_of(tenant), day)
    if starts_at not in day_starts(agenda, day, exception["hours"] if exception else None,
                                   holiday):
        raise InvalidCita("La agenda no atiende a esa hora")
    return starts_at + timedelta(minutes=agenda["slot_minutes"])


async def availability(tenant: TenantContext, servicio: ServicioOut, channel: str,
                       answers: dict[str, str], *, first_day: date | None = None,
                       days: int = 14, now: datetime | None = None
                       ) -> dict[date, list[FranjaOut]]:
    """Free slots by local date over ``days`` days from ``first_day`` (or the first
    bookable day); dates without free slots are left out."""
    if channel == "videollamada":
        video.check_configured(tenant)
    window = Window(tenant, now)
    agendas = await candidate_agendas(tenant, servicio, channel, answers)
    start = first_day or window.first_day
    by_day: dict[date, list[FranjaOut]] = {}
    for slot in await open_slots(tenant, agendas, window.days(start, start + timedelta(
            days=days - 1)), window):
        by_day.setdefault(slot.starts_at.astimezone(ZONE).date(), []).append(slot)
    return by_day
