"""At the office: the day view, check-in, no-show marking and no-show statistics."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from core.audit.log import record
from core.db import atomic
from core.events import emit
from core.identity.actor import Actor
from core.tenancy.context import TenantContext
from plugins.cita_previa.schemas import CitaCerrada, CitaOut, Estadisticas, FilaEstadistica
from plugins.cita_previa.services import queries
from plugins.cita_previa.services.common import ZONE, InvalidCita, as_utc, utcnow
from plugins.cita_previa.tables import Cita

#: States shown to staff: a booking still unconfirmed or lapsed is nobody's appointment.
VISIBLE = ("confirmada", "atendida", "no_presentada", "cancelada")


async def day_view(tenant: TenantContext, oficina_id: int, day: date) -> list[CitaOut]:
    """The office's citas of a day (official time), in order."""
    rows = await queries.cita_rows(tenant, oficina=oficina_id, day=day)
    return [queries.cita_out(r) for r in rows if r["state"] in VISIBLE]


async def _close(tenant: TenantContext, cita_id: int, state: str, actor: Actor,
                 now: datetime) -> CitaOut:
    async with atomic():
        cita = await queries.get_cita(tenant, cita_id)
        if cita["state"] != "confirmada":
            raise InvalidCita("Solo se puede cerrar una cita confirmada y no cerrada aún")
        if state == "no_presentada" and now < as_utc(cita["starts_at"]):
            raise InvalidCita("Aún no es la hora de la cita")
        changes: dict[Any, Any] = {Cita.state: state, Cita.closed_by: actor.audit_name}
        if state == "atendida":
            changes[Cita.checked_in_at] = now
        await Cita.update(changes).where((Cita.tenant == tenant.id) & (Cita.id == cita_id))
        await record(tenant.id, f"cita_previa.{state}", actor=actor.audit_name,
                     target=str(cita_id), detail={"localizador": cita["localizador"]})
        await emit(tenant.id, CitaCerrada(cita_id=cita_id, state=state))
    return queries.cita_out(await queries.get_cita(tenant, cita_id))


async def check_in(tenant: TenantContext, cita_id: int, actor: Actor,
                   now: datetime | None = None) -> CitaOut:
    """The person came (or answered the call, or joined the video call)."""
    return await _close(tenant, cita_id, "atendida", actor, now or utcnow())


async def no_show(tenant: TenantContext, cita_id: int, actor: Actor,
                  now: datetime | None = None) -> CitaOut:
    """The person did not come; only once the cita has started."""
    return await _close(tenant, cita_id, "no_presentada", actor, now or utcnow())


def _row(servicio: str, channel: str, states: Counter[str]) -> FilaEstadistica:
    closed = states["atendida"] + states["no_presentada"]
    return FilaEstadistica(servicio=servicio, channel=channel, total=sum(states.values()),
                           atendidas=states["atendida"], no_presentadas=states["no_presentada"],
                           canceladas=states["cancelada"],
                           no_show_rate=round(states["no_presentada"] / closed, 4) if closed
                           else 0.0)


async def statistics(tenant: TenantContext, desde: date, hasta: date) -> Estadisticas:
    """Citas between two dates (inclusive) by service and channel, with no-show rates."""
    if hasta < desde:
        raise InvalidCita("La fecha final es anterior a la inicial")
    start = datetime.combine(desde, time(), tzinfo=ZONE)
    end = datetime.combine(hasta + timedelta(days=1), time(), tzinfo=ZONE)
    rows = await Cita.select(Cita.state, Cita.channel, Cita.person_nif,
                             Cita.servicio.name.as_alias("servicio")).where(
        (Cita.tenant == tenant.id) & (Cita.starts_at >= start) & (Cita.starts_at < end)
        & Cita.state.is_in(list(VISIBLE)))
    groups: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for row in rows:
        groups[(row["servicio"], row["channel"])][row["state"]] += 1
    no_shows = Counter(r["person_nif"] for r in rows if r["state"] == "no_presentada")
    return Estadisticas(
        desde=desde, hasta=hasta,
        rows=[_row(s, c, states) for (s, c), states in sorted(groups.items())],
        total=_row("", "", sum(groups.values(), Counter())),
        repeat_no_show_people=sum(1 for n in no_shows.values() if n >= 2))


async def widget(tenant: TenantContext, actor: Actor) -> dict[str, Any]:
    """Dashboard widget context: today's citas and how many are still to come."""
    today = datetime.now(ZONE).date()
    start = datetime.combine(today, time(), tzinfo=ZONE)
    rows = await Cita.select(Cita.state).where(
        (Cita.tenant == tenant.id) & (Cita.starts_at >= start)
        & (Cita.starts_at < start + timedelta(days=1)) & Cita.state.is_in(list(VISIBLE)))
    states = Counter(r["state"] for r in rows)
    return {"today": sum(states.values()) - states["cancelada"],
            "waiting": states["confirmada"]}
