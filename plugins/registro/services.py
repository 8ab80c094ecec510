"""Asientos: register, read, search, annul and rectify; every query scoped to the tenant.

Numbers are per tenant, year (of the presentation, seat's time) and direction, gapless
(``core.numbering``). The presentation time is taken once the number is held, so numbers follow
the order of arrival; the official time follows the registry calendar (``officialtime``).
Asientos are never deleted: annulment and rectification keep a reason and are audited.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, time, timedelta
from typing import Any

import msgspec

from core.audit.log import record
from core.cache import cached
from core.calendar import MADRID
from core.db import atomic, engine
from core.errors import DomainError
from core.jobs import send as send_job
from core.numbering import next_number
from core.tenancy import settings as tenant_settings
from core.tenancy.context import TenantContext
from core.tenancy.scoped import get_or_404, scoped
from core.tenancy.tables import Unit
from plugins.registro import anexos as anexos_module
from plugins.registro import distribution, personas
from plugins.registro.officialtime import official_time
from plugins.registro.schemas import (
    AsientoIn,
    AsientoOut,
    AsientoSummary,
    Channel,
    Rectificacion,
    RectificacionOut,
    Search,
)
from plugins.registro.settings import Settings
from plugins.registro.tables import Anexo, Asiento, Interesado
from plugins.registro.tables import Rectificacion as RectificacionRow

LETTER = {"entrada": "E", "salida": "S"}
RECTIFIABLE = ("extracto", "observaciones", "documentacion_fisica", "referencia_externa",
               "codigo_asunto")



class InvalidAsiento(DomainError):
    """An asiento, or a change to one, that breaks a rule; the message says which."""


class SirOrigin(msgspec.Struct, frozen=True, kw_only=True):
    """Where an asiento received through SIR was first registered."""

    entidad_registral: str
    numero: str
    fecha: str  # yyyyMMddHHmmss, as received


def settings_of(tenant: TenantContext) -> Settings:
    return tenant_settings.settings_of(tenant, "registro", Settings)


def numero(year: int, direction: str, number: int) -> str:
    """The number people read: ``2026-E-000123``."""
    return f"{year}-{LETTER[direction]}-{number:06d}"



async def units_of(tenant: TenantContext) -> dict[str, dict[str, Any]]:
    """The tenant's units and offices by DIR3 code (registering reads them through the
    request's cache, ``core.cache``)."""
    rows = await Unit.select(Unit.dir3, Unit.name, Unit.is_office).where(
        Unit.tenant == tenant.id)
    return {r["dir3"]: r for r in rows}


def oficina_for(tenant: TenantContext, requested: str, units: dict[str, dict[str, Any]],
                settings: Settings) -> str:
    """The registry office of an asiento: the one asked for, the configured one, the
    tenant's first office, or the entity itself."""
    offices = sorted(code for code, unit in units.items() if unit["is_office"])
    if requested:
        if requested not in offices and requested != tenant.dir3:
            raise InvalidAsiento(f"{requested} no es una oficina de registro de la entidad")
        return requested
    return settings.oficina or (offices[0] if offices else tenant.dir3)


def _check_units(data: AsientoIn, units: dict[str, dict[str, Any]], channel: Channel) -> None:
    own, field = ((data.unidad_destino, "destino") if data.direction == "entrada"
                  else (data.unidad_origen, "origen"))
    if own and own not in units and channel != "sir":
        raise InvalidAsiento(f"La unidad de {field} {own} no es una unidad de la entidad")


async def register(tenant: TenantContext, data: AsientoIn, *, channel: Channel, actor: str,
                   presenter: str = "", origin: SirOrigin | None = None,
                   stored: list[anexos_module.StoredAnexo] | None = None,
                   now: datetime | None = None) -> AsientoOut:
    """Record an asiento with the next number; an entrada gets its justificante job (unless
    it came through SIR) and, with a destination unit of the entity, goes to that unit's
    inbox at once."""
    settings = settings_of(tenant)
    interesados = data.interesados if channel == "sir" else \
        personas.checked_interesados(data.interesados)  # SIR: kept as delivered
    units = await cached("registro.units", tenant.id, lambda: units_of(tenant))
    oficina = oficina_for(tenant, data.oficina, units, settings)
    _check_units(data, units, channel)
    anexos_module.check(data.anexos, settings)
    inbox = data.unidad_destino if data.direction == "entrada" and \
        data.unidad_destino in units else ""
    async with atomic():
        if stored is None:  # documents first: the number is held only for the inserts
            stored = await anexos_module.as_documents(
                tenant, data.anexos, entrada=data.direction == "entrada", actor=actor)
        first = now or datetime.now(UTC)
        year = first.astimezone(MADRID).year
        number = await next_number(tenant.id, f"registro.{data.direction}", year)
        received = now or datetime.now(UTC)  # after the number: numbers follow arrival
        if received.astimezone(MADRID).year != year:  # the year turned while we waited
            received = first
        presentation = await official_time(tenant, received)
        row = Asiento(
            tenant=tenant.id, direction=data.direction, year=year, number=number,
            channel=channel, oficina=oficina,
            received_at=presentation.received_at.astimezone(UTC),
            official_at=presentation.official_at.astimezone(UTC), extracto=data.extracto,
            unidad_origen=data.unidad_origen, unidad_destino=data.unidad_destino,
            expone=data.expone, solicita=data.solicita,
            documentacion_fisica=data.documentacion_fisica, observaciones=data.observaciones,
            tipo_transporte=data.tipo_transporte, numero_transporte=data.numero_transporte,
            referencia_externa=data.referencia_externa,
            numero_expediente=data.numero_expediente, codigo_asunto=data.codigo_asunto,
            presenter=presenter, created_by=actor,
            origen_entidad_registral=origin.entidad_registral if origin else "",
            origen_numero=origin.numero if origin else "",
            origen_fecha=origin.fecha if origin else "",
            distribution_state=("distribuido" if inbox else "pendiente")
            if data.direction == "entrada" else "",
            distribution_at=presentation.received_at if inbox else None)
        await row.save()
        await Interesado.insert(*personas.to_rows(tenant.id, row.id, interesados))
        anexo_rows = [a.row(tenant.id, row.id, i) for i, a in enumerate(stored)]
        if anexo_rows:
            await Anexo.insert(*anexo_rows)
        await record(tenant.id, "registro.registered", actor=actor,
                     target=numero(year, data.direction, number),
                     detail={"id": row.id, "channel": channel, "oficina": oficina,
                             "official_at": presentation.official_at.isoformat(),
                             "anexos": [a.sha256 for a in stored]})
        if data.direction == "entrada" and channel != "sir":  # SIR: the origin issued it
            await send_job("registro.justificante", tenant.id, key=f"justificante-{row.id}",
                           asiento_id=row.id)
        if inbox:
            await distribution.queue_announcement(tenant, row.id, inbox)
    return _out(row.to_dict(), interesados, [anexos_module.out(a.to_dict()) for a in anexo_rows])


async def row_of(tenant: TenantContext, asiento_id: int) -> dict[str, Any]:
    return await get_or_404(Asiento, asiento_id, tenant)


async def get(tenant: TenantContext, asiento_id: int) -> AsientoOut:
    row = await row_of(tenant, asiento_id)
    interesados = await Interesado.select().where(
        (Interesado.tenant == tenant.id) & (Interesado.asiento == asiento_id))
    anexos = await Anexo.select().where(
        (Anexo.tenant == tenant.id) & (Anexo.asiento == asiento_id)).order_by(Anexo.position)
    return _out(row, personas.from_rows(interesados), [anexos_module.out(a) for a in anexos])


@functools.cache
def _out_fields() -> frozenset[str]:
    return frozenset(f.name for f in msgspec.structs.fields(AsientoOut))


def _out(row: dict[str, Any], interesados: list[Any], anexos: list[Any]) -> AsientoOut:
    fields = _out_fields()
    values = {k: v for k, v in row.items() if k in fields}
    return AsientoOut(**values, numero=numero(row["year"], row["direction"], row["number"]),
                      interesados=interesados, anexos=anexos,
                      justificante_ready=bool(row["justificante_sha256"]))


def _search_where(tenant: TenantContext, filters: Search) -> Any:
    where = scoped(Asiento, tenant)
    for name in ("direction", "channel", "state", "distribution_state"):
        value = getattr(filters, name)
        if value:
            where &= getattr(Asiento, name) == value
    if filters.unidad:
        where &= (Asiento.unidad_destino == filters.unidad) | (
            Asiento.unidad_origen == filters.unidad)
    if filters.desde:
        where &= Asiento.official_at >= datetime.combine(filters.desde, time(0), MADRID)
    if filters.hasta:
        where &= Asiento.official_at < datetime.combine(filters.hasta + timedelta(days=1),
                                                        time(0), MADRID)
    if filters.documento:
        document = filters.documento.strip().upper().replace("-", "").replace(" ", "")
        where &= Asiento.id.is_in(Interesado.select(Interesado.asiento).where(
            (Interesado.tenant == tenant.id) & (Interesado.document == document)))
    for word in filters.q.split():
        parsed = _parse_numero(word)
        if parsed:
            year, direction, number = parsed
            where &= (Asiento.year == year) & (Asiento.number == number)
            if direction:
                where &= Asiento.direction == direction
        else:
            where &= _contains(Asiento.extracto, word)
    return where


def _contains(column: Any, word: str) -> Any:
    """Case-insensitive substring match (SQLite's LIKE already ignores ASCII case)."""
    pattern = f"%{word.replace('%', '').replace('_', '')}%"
    return column.ilike(pattern) if engine().engine_type == "postgres" else column.like(pattern)


def _parse_numero(word: str) -> tuple[int, str, int] | None:
    """``2026-E-000123`` or ``2026-E-123`` → (2026, "entrada", 123)."""
    parts = word.upper().split("-")
    if len(parts) == 3 and parts[0].isdigit() and parts[1] in ("E", "S") \
            and parts[2].isdigit():
        return int(parts[0]), {"E": "entrada", "S": "salida"}[parts[1]], int(parts[2])
    return None


async def search(tenant: TenantContext, filters: Search) -> tuple[list[AsientoSummary], int]:
    """One page of asientos matching the filters (newest first) and how many match."""
    where = _search_where(tenant, filters)
    total = await Asiento.count().where(where)
    rows = await Asiento.select(*SUMMARY_COLUMNS).where(where).order_by(
        Asiento.received_at, ascending=False).order_by(Asiento.id, ascending=False).limit(
        filters.per_page).offset((filters.page - 1) * filters.per_page)
    return await summaries(tenant, rows), total


SUMMARY_COLUMNS = (Asiento.id, Asiento.year, Asiento.number, Asiento.direction,
                    Asiento.channel, Asiento.received_at, Asiento.official_at,
                    Asiento.extracto, Asiento.unidad_destino, Asiento.state,
                    Asiento.distribution_state)


async def summaries(tenant: TenantContext, rows: list[dict[str, Any]]) -> list[AsientoSummary]:
    """Search lines for asiento rows, with their interesados' names."""
    names: dict[int, list[str]] = {}
    if rows:
        people = await Interesado.select(
            Interesado.asiento, Interesado.business_name, Interesado.name,
            Interesado.first_surname, Interesado.second_surname, Interesado.document
        ).where((Interesado.tenant == tenant.id) & (Interesado.role == "interesado")
                & Interesado.asiento.is_in([r["id"] for r in rows])).order_by(
            Interesado.position)
        for p in people:
            name = p["business_name"] or " ".join(
                x for x in (p["name"], p["first_surname"], p["second_surname"]) if x)
            names.setdefault(p["asiento"], []).append(
                f"{name} ({p['document']})" if p["document"] else name)
    return [AsientoSummary(
        id=r["id"], numero=numero(r["year"], r["direction"], r["number"]),
        direction=r["direction"], channel=r["channel"], received_at=r["received_at"],
        official_at=r["official_at"], extracto=r["extracto"],
        interesados="; ".join(names.get(r["id"], [])), unidad_destino=r["unidad_destino"],
        state=r["state"], distribution_state=r["distribution_state"]) for r in rows]


async def annul(tenant: TenantContext, asiento_id: int, reason: str, *,
                actor: str) -> AsientoOut:
    """Annul an asiento (it stays in the libro, marked anulado, with the reason)."""
    async with atomic():
        row = await row_of(tenant, asiento_id)
        if row["state"] == "anulado":
            raise InvalidAsiento("El asiento ya está anulado")
        await Asiento.update({Asiento.state: "anulado", Asiento.annul_reason: reason}).where(
            scoped(Asiento, tenant) & (Asiento.id == asiento_id))
        await record(tenant.id, "registro.annulled", actor=actor,
                     target=numero(row["year"], row["direction"], row["number"]),
                     detail={"id": asiento_id, "reason": reason})
    return await get(tenant, asiento_id)


async def rectify(tenant: TenantContext, asiento_id: int, data: Rectificacion, *,
                  actor: str) -> AsientoOut:
    """Correct the fields given (number, dates, channel and anexos never change)."""
    async with atomic():
        current = await get(tenant, asiento_id)
        if current.state == "anulado":
            raise InvalidAsiento("No se puede rectificar un asiento anulado")
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        for name in RECTIFIABLE:
            value = getattr(data, name)
            if value is not None and value != getattr(current, name):
                before[name], after[name] = getattr(current, name), value
        if data.interesados is not None:
            interesados = personas.checked_interesados(data.interesados)
            if interesados != current.interesados:
                before["interesados"] = msgspec.to_builtins(current.interesados)
                after["interesados"] = msgspec.to_builtins(interesados)
                await Interesado.delete().where((Interesado.tenant == tenant.id)
                                                & (Interesado.asiento == asiento_id))
                await Interesado.insert(*personas.to_rows(tenant.id, asiento_id, interesados))
        if not after:
            raise InvalidAsiento("La rectificación no cambia nada")
        columns = {getattr(Asiento, k): v for k, v in after.items() if k in RECTIFIABLE}
        await Asiento.update({**columns, Asiento.rectifications: Asiento.rectifications + 1}
                             ).where(scoped(Asiento, tenant) & (Asiento.id == asiento_id))
        await RectificacionRow.insert(RectificacionRow(
            tenant=tenant.id, asiento=asiento_id, reason=data.reason, before=before,
            after=after, actor=actor, at=datetime.now(UTC)))
        await record(tenant.id, "registro.rectified", actor=actor, target=current.numero,
                     detail={"id": asiento_id, "reason": data.reason, "before": before,
                             "after": after})
    return await get(tenant, asiento_id)


async def rectifications(tenant: TenantContext, asiento_id: int) -> list[RectificacionOut]:
    """The corrections of an asiento, oldest first."""
    await row_of(tenant, asiento_id)
    rows = await RectificacionRow.select().where(
        (RectificacionRow.tenant == tenant.id) & (RectificacionRow.asiento == asiento_id)
    ).order_by(RectificacionRow.id)
    return [RectificacionOut(reason=r["reason"], before=_json(r["before"]),
                             after=_json(r["after"]), actor=r["actor"], at=r["at"])
            for r in rows]


def _json(value: Any) -> Any:
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else value
