"""Reading bookings and citas back, with their service and office, scoped to the tenant."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from core.errors import NotFoundError
from core.tenancy.context import TenantContext
from plugins.cita_previa.schemas import CitaOut, ReservaOut
from plugins.cita_previa.services.common import ZONE, as_utc
from plugins.cita_previa.tables import Cita, Reserva


def _citas_query(tenant: TenantContext) -> Any:
    return Cita.select(
        Cita.all_columns(exclude=[Cita.servicio, Cita.agenda, Cita.reserva]),
        Cita.servicio.code.as_alias("servicio"),
        Cita.servicio.name.as_alias("servicio_name"),
        Cita.agenda.id.as_alias("agenda"),
        Cita.agenda.oficina.id.as_alias("oficina_id"),
        Cita.agenda.oficina.name.as_alias("oficina"),
        Cita.agenda.oficina.address.as_alias("oficina_address"),
        Cita.reserva.localizador.as_alias("localizador"),
        Cita.reserva.email.as_alias("email"),
        Cita.reserva.phone.as_alias("phone"),
    ).where(Cita.tenant == tenant.id).output(load_json=True).order_by(Cita.starts_at, Cita.id)


def cita_out(row: dict[str, Any]) -> CitaOut:
    return CitaOut(id=row["id"], servicio=row["servicio"], servicio_name=row["servicio_name"],
                   channel=row["channel"], agenda=row["agenda"], oficina=row["oficina"],
                   oficina_address=row["oficina_address"], starts_at=as_utc(row["starts_at"]),
                   ends_at=as_utc(row["ends_at"]), person_name=row["person_name"],
                   person_nif=row["person_nif"], state=row["state"],
                   localizador=row["localizador"], sequence=row["sequence"],
                   checked_in_at=as_utc(row["checked_in_at"]) if row["checked_in_at"] else None)


async def reserva_row(tenant: TenantContext, localizador: str) -> dict[str, Any]:
    row = await Reserva.select().where((Reserva.tenant == tenant.id)
                                       & (Reserva.localizador == localizador)).first()
    if row is None:
        raise NotFoundError(localizador)
    return row


async def cita_rows(tenant: TenantContext, *, reserva_id: int | None = None,
                    cita_id: int | None = None, nif: str | None = None,
                    oficina: int | None = None, day: date | None = None) -> list[dict]:
    """Citas with their service and office, filtered; always within the tenant."""
    query = _citas_query(tenant)
    if reserva_id is not None:
        query = query.where(Cita.reserva == reserva_id)
    if cita_id is not None:
        query = query.where(Cita.id == cita_id)
    if nif is not None:
        query = query.where(Cita.person_nif == nif)
    if oficina is not None:
        query = query.where(Cita.agenda.oficina.id == oficina)
    if day is not None:
        start = datetime.combine(day, time(), tzinfo=ZONE)
        query = query.where((Cita.starts_at >= start)
                            & (Cita.starts_at < start + timedelta(days=1)))
    return await query


async def get_cita(tenant: TenantContext, cita_id: int) -> dict[str, Any]:
    rows = await cita_rows(tenant, cita_id=cita_id)
    if not rows:
        raise NotFoundError(cita_id)
    return rows[0]


async def get_reserva(tenant: TenantContext, localizador: str) -> ReservaOut:
    row = await reserva_row(tenant, localizador)
    citas = await cita_rows(tenant, reserva_id=row["id"])
    return ReservaOut(localizador=row["localizador"], name=row["name"], email=row["email"],
                      phone=row["phone"], confirmed=row["confirmed_at"] is not None,
                      expires_at=as_utc(row["expires_at"]) if row["expires_at"] else None,
                      citas=[cita_out(c) for c in citas])


async def citas_of_person(tenant: TenantContext, nif: str) -> list[CitaOut]:
    """A person's citas, for the carpeta ciudadana."""
    return [cita_out(r) for r in await cita_rows(tenant, nif=nif)]


async def cita_of_reserva(tenant: TenantContext, localizador: str, cita_id: int
                          ) -> dict[str, Any]:
    """A cita of this booking (404 for any other, as for another tenant's)."""
    cita = await get_cita(tenant, cita_id)
    if cita["localizador"] != localizador:
        raise NotFoundError(cita_id)
    return cita
