"""What staff configure: offices, services (channels, triage) and agendas with exceptions."""

from __future__ import annotations

import itertools
from typing import Any

import msgspec

from core.audit.log import record
from core.db import atomic
from core.errors import NotFoundError
from core.tenancy.context import TenantContext
from core.tenancy.scoped import get_or_404
from plugins.cita_previa.schemas import (
    AgendaIn,
    AgendaOut,
    ExcepcionIn,
    ExcepcionOut,
    OficinaIn,
    OficinaOut,
    ServicioIn,
    ServicioOut,
)
from plugins.cita_previa.services.common import InvalidCita
from plugins.cita_previa.services.slots import parse_range
from plugins.cita_previa.tables import Agenda, Excepcion, Oficina, Servicio


def _convert(row: dict[str, Any], shape: type) -> Any:
    return msgspec.convert(row, shape, strict=False)


# -- oficinas ---------------------------------------------------------------------------
async def create_oficina(tenant: TenantContext, data: OficinaIn, *, actor: str) -> OficinaOut:
    async with atomic():
        row = Oficina(tenant=tenant.id, name=data.name, address=data.address, dir3=data.dir3)
        await row.save()
        await record(tenant.id, "cita_previa.oficina_created", actor=actor, target=str(row.id),
                     detail={"name": data.name})
    return await get_oficina(tenant, row.id)


async def get_oficina(tenant: TenantContext, oficina_id: int) -> OficinaOut:
    row = await get_or_404(Oficina, oficina_id, tenant)
    return _convert(row, OficinaOut)


async def list_oficinas(tenant: TenantContext) -> list[OficinaOut]:
    rows = await Oficina.select().where(Oficina.tenant == tenant.id).order_by(Oficina.name)
    return [_convert(r, OficinaOut) for r in rows]


# -- servicios --------------------------------------------------------------------------
async def _check_triage(tenant: TenantContext, servicio_id: int | None,
                        data: ServicioIn) -> None:
    keys = [q.key for q in data.triage]
    if len(set(keys)) != len(keys):
        raise InvalidCita("Dos preguntas de triaje tienen la misma clave")
    routed = {o.agenda for q in data.triage for o in q.options if o.agenda is not None}
    if not routed:
        return
    own = {r["id"] for r in await Agenda.select(Agenda.id).where(
        (Agenda.tenant == tenant.id) & (Agenda.servicio == servicio_id))} if servicio_id else set()
    if routed - own:
        raise InvalidCita("Una respuesta de triaje lleva a una agenda que no es de este servicio")


async def create_servicio(tenant: TenantContext, data: ServicioIn, *,
                          actor: str) -> ServicioOut:
    await _check_triage(tenant, None, data)
    async with atomic():
        if await Servicio.exists().where((Servicio.tenant == tenant.id)
                                         & (Servicio.code == data.code)):
            raise InvalidCita(f"Ya existe un servicio con el código {data.code!r}")
        row = Servicio(tenant=tenant.id, code=data.code, name=data.name,
                       description=data.description, channels=list(data.channels),
                       triage=msgspec.to_builtins(data.triage))
        await row.save()
        await record(tenant.id, "cita_previa.servicio_created", actor=actor,
                     target=data.code, detail={"channels": list(data.channels)})
    return await get_servicio(tenant, row.id)


async def update_servicio(tenant: TenantContext, servicio_id: int, data: ServicioIn, *,
                          actor: str) -> ServicioOut:
    """Change a service (its code stays); triage answers may route to its agendas."""
    current = await get_servicio(tenant, servicio_id)
    if data.code != current.code:
        raise InvalidCita("El código de un servicio no cambia")
    await _check_triage(tenant, servicio_id, data)
    async with atomic():
        await Servicio.update({
            Servicio.name: data.name, Servicio.description: data.description,
            Servicio.channels: list(data.channels),
            Servicio.triage: msgspec.to_builtins(data.triage),
        }).where((Servicio.tenant == tenant.id) & (Servicio.id == servicio_id))
        await record(tenant.id, "cita_previa.servicio_changed", actor=actor,
                     target=data.code, detail={"channels": list(data.channels),
                                               "triage": len(data.triage)})
    return await get_servicio(tenant, servicio_id)


def _servicio(row: dict[str, Any]) -> ServicioOut:
    return _convert(row, ServicioOut)


async def get_servicio(tenant: TenantContext, servicio_id: int) -> ServicioOut:
    row = await get_or_404(Servicio, servicio_id, tenant, load_json=True)
    return _servicio(row)


async def servicio_by_code(tenant: TenantContext, code: str) -> ServicioOut:
    """An active service by its code (what the sede's URLs carry)."""
    row = await Servicio.select().where(
        (Servicio.tenant == tenant.id) & (Servicio.code == code)
        & (Servicio.active == True)).output(load_json=True).first()  # noqa: E712
    if row is None:
        raise NotFoundError(code)
    return _servicio(row)


async def list_servicios(tenant: TenantContext, *, active_only: bool = False
                         ) -> list[ServicioOut]:
    where = Servicio.tenant == tenant.id
    if active_only:
        where &= Servicio.active == True  # noqa: E712
    rows = await Servicio.select().where(where).output(load_json=True).order_by(Servicio.name)
    return [_servicio(r) for r in rows]


# -- agendas ----------------------------------------------------------------------------
def _check_timetable(data: AgendaIn) -> None:
    for ranges in data.timetable.values():
        spans = sorted(parse_range(r) for r in ranges)
        for (_, end), (next_start, _) in itertools.pairwise(spans):
            if next_start < end:
                raise InvalidCita("Dos tramos horarios del mismo día se solapan")
        for start, end in spans:
            if end - start < data.slot_minutes:
                raise InvalidCita("Un tramo horario es más corto que una franja")


async def create_agenda(tenant: TenantContext, data: AgendaIn, *, actor: str) -> AgendaOut:
    servicio = await get_servicio(tenant, data.servicio)
    await get_oficina(tenant, data.oficina)
    if not set(data.channels) <= set(servicio.channels):
        raise InvalidCita("La agenda atiende un canal que el servicio no ofrece")
    _check_timetable(data)
    async with atomic():
        row = Agenda(tenant=tenant.id, servicio=data.servicio, oficina=data.oficina,
                     name=data.name, attendees=data.attendees, channels=list(data.channels),
                     timetable=msgspec.to_builtins(data.timetable),
                     slot_minutes=data.slot_minutes, capacity=data.capacity)
        await row.save()
        await record(tenant.id, "cita_previa.agenda_created", actor=actor, target=str(row.id),
                     detail={"servicio": servicio.code, "oficina": data.oficina,
                             "capacity": data.capacity, "slot_minutes": data.slot_minutes})
    return await get_agenda(tenant, row.id)


async def get_agenda(tenant: TenantContext, agenda_id: int) -> AgendaOut:
    row = await get_or_404(Agenda, agenda_id, tenant, load_json=True)
    return _convert(row, AgendaOut)


async def list_agendas(tenant: TenantContext, servicio_id: int | None = None
                       ) -> list[AgendaOut]:
    where = Agenda.tenant == tenant.id
    if servicio_id is not None:
        where &= Agenda.servicio == servicio_id
    rows = await Agenda.select().where(where).output(load_json=True).order_by(Agenda.name)
    return [_convert(r, AgendaOut) for r in rows]


async def add_excepcion(tenant: TenantContext, agenda_id: int, data: ExcepcionIn, *,
                        actor: str) -> ExcepcionOut:
    """Declare a closed day or other hours; it replaces an earlier one for that day."""
    await get_agenda(tenant, agenda_id)
    for text in data.hours:
        parse_range(text)
    async with atomic():
        await Excepcion.delete().where(
            (Excepcion.tenant == tenant.id) & (Excepcion.agenda == agenda_id)
            & (Excepcion.date == data.date))
        row = Excepcion(tenant=tenant.id, agenda=agenda_id, date=data.date,
                        hours=list(data.hours), reason=data.reason)
        await row.save()
        await record(tenant.id, "cita_previa.excepcion", actor=actor, target=str(agenda_id),
                     detail={"date": data.date.isoformat(), "hours": list(data.hours)})
    return ExcepcionOut(id=row.id, agenda=agenda_id, date=data.date, hours=list(data.hours),
                        reason=data.reason)


async def list_excepciones(tenant: TenantContext, agenda_id: int) -> list[ExcepcionOut]:
    rows = await Excepcion.select().where(
        (Excepcion.tenant == tenant.id) & (Excepcion.agenda == agenda_id)
    ).output(load_json=True).order_by(Excepcion.date)
    return [_convert(r, ExcepcionOut) for r in rows]
