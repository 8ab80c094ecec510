"""Distribution of entradas: to a unit's inbox; the unit accepts or returns them; other
plugins hear of it (``on_asiento_distributed``) and may link an expediente."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core import kernel as _kernel
from core.audit.log import record
from core.db import atomic
from core.events import gather_hook
from core.jobs import send as send_job
from core.tenancy.context import TenantContext
from core.tenancy.scoped import scoped
from plugins.registro import services
from plugins.registro.schemas import AsientoOut, AsientoSummary
from plugins.registro.tables import Asiento


async def _change(tenant: TenantContext, asiento_id: int, *, allowed: tuple[str, ...],
                  values: dict[Any, Any], action: str, actor: str,
                  detail: dict[str, Any]) -> dict[str, Any]:
    """Move an entrada between distribution states (inside the caller's transaction)."""
    row = await services.row_of(tenant, asiento_id)
    if row["direction"] != "entrada":
        raise services.InvalidAsiento("Solo se distribuyen los asientos de entrada")
    if row["state"] == "anulado":
        raise services.InvalidAsiento("El asiento está anulado")
    if row["distribution_state"] not in allowed:
        raise services.InvalidAsiento(f"El asiento está {row['distribution_state']}: no admite "
                             "esta operación")
    await Asiento.update(values).where(scoped(Asiento, tenant) & (Asiento.id == asiento_id))
    await record(tenant.id, action, actor=actor,
                 target=services.numero(row["year"], row["direction"], row["number"]),
                 detail={"id": asiento_id, **detail})
    return row


async def distribute(tenant: TenantContext, asiento_id: int, unidad: str, *,
                     actor: str) -> AsientoOut:
    """Send an entrada (pending or returned) to a unit's inbox."""
    if unidad not in await services.units_of(tenant):
        raise services.InvalidAsiento(f"{unidad} no es una unidad de la entidad")
    async with atomic():
        await _change(tenant, asiento_id, allowed=("pendiente", "devuelto"), values={
            Asiento.unidad_destino: unidad, Asiento.distribution_state: "distribuido",
            Asiento.distribution_reason: "", Asiento.distribution_at: datetime.now(UTC),
        }, action="registro.distributed", actor=actor, detail={"unidad": unidad})
        await queue_announcement(tenant, asiento_id, unidad)
    return await services.get(tenant, asiento_id)


async def accept(tenant: TenantContext, asiento_id: int, *, actor: str) -> AsientoOut:
    """The destination unit takes the entrada."""
    async with atomic():
        await _change(tenant, asiento_id, allowed=("distribuido",), values={
            Asiento.distribution_state: "aceptado", Asiento.distribution_at: datetime.now(UTC),
        }, action="registro.accepted", actor=actor, detail={})
    return await services.get(tenant, asiento_id)


async def give_back(tenant: TenantContext, asiento_id: int, reason: str, *,
                    actor: str) -> AsientoOut:
    """The destination unit returns the entrada to the registry office (not theirs)."""
    async with atomic():
        await _change(tenant, asiento_id, allowed=("distribuido",), values={
            Asiento.distribution_state: "devuelto", Asiento.distribution_reason: reason,
            Asiento.distribution_at: datetime.now(UTC),
        }, action="registro.returned", actor=actor, detail={"reason": reason})
    return await services.get(tenant, asiento_id)


async def link_expediente(tenant: TenantContext, asiento_id: int, numero_expediente: str, *,
                          actor: str) -> AsientoOut:
    """Record the expediente an entrada opened or joined (service for other plugins)."""
    async with atomic():
        row = await services.row_of(tenant, asiento_id)
        await Asiento.update({Asiento.numero_expediente: numero_expediente}).where(
            scoped(Asiento, tenant) & (Asiento.id == asiento_id))
        await record(tenant.id, "registro.expediente", actor=actor,
                     target=services.numero(row["year"], row["direction"], row["number"]),
                     detail={"id": asiento_id, "expediente": numero_expediente})
    return await services.get(tenant, asiento_id)


async def inbox(tenant: TenantContext, unidad: str,
                states: tuple[str, ...] = ("distribuido",)) -> list[AsientoSummary]:
    """The unit's inbox: entradas distributed to it and not yet taken."""
    rows = await Asiento.select(*services.SUMMARY_COLUMNS).where(
        scoped(Asiento, tenant) & (Asiento.unidad_destino == unidad)
        & Asiento.distribution_state.is_in(list(states)) & (Asiento.state == "vigente")
    ).order_by(Asiento.official_at)
    return await services.summaries(tenant, rows)


async def queue_announcement(tenant: TenantContext, asiento_id: int, unidad: str) -> None:
    """Queue the news for the plugins that listen (none listening: no job at all)."""
    hooks = _kernel.current().plugins.hooks_for(tenant.enabled)
    if hooks.on_asiento_distributed.get_hookimpls():
        await send_job("registro.announce", tenant.id, asiento_id=asiento_id, unidad=unidad)


async def announce(tenant: TenantContext, asiento_id: int, unidad: str) -> None:
    """Tell the tenant's enabled plugins that the entrada reached ``unidad``'s inbox."""
    asiento = await services.get(tenant, asiento_id)
    hooks = _kernel.current().plugins.hooks_for(tenant.enabled)
    await gather_hook(hooks.on_asiento_distributed(asiento=asiento, unidad=unidad,
                                                   tenant=tenant))
