"""The activity history of an expediente: its timeline, and the tenant's audit chain.

Every change to an expediente goes through ``log``: one timeline row people read in the
expediente view, and one entry of the tamper-evident audit chain (ENS op.exp.8).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core.audit.log import record
from core.tenancy.context import TenantContext
from plugins.expedientes.schemas import ActividadOut
from plugins.expedientes.tables import Actividad


async def log(tenant: TenantContext, expediente_id: int, action: str, summary: str, *,
              actor: str, detail: dict[str, Any] | None = None) -> None:
    """Record ``action`` on the expediente (call inside the transaction of the change)."""
    detail = detail or {}
    await Actividad.insert(Actividad(
        tenant=tenant.id, expediente=expediente_id, at=datetime.now(UTC), actor=actor,
        action=action, summary=summary, detail=detail))
    await record(tenant.id, f"expedientes.{action}", actor=actor,
                 target=f"expediente:{expediente_id}", detail={"summary": summary, **detail})


async def timeline(tenant: TenantContext, expediente_id: int,
                   limit: int | None = None) -> list[ActividadOut]:
    """The expediente's history, newest first (the latest ``limit`` entries if given)."""
    query = Actividad.select(
        Actividad.at, Actividad.actor, Actividad.action, Actividad.summary
    ).where((Actividad.tenant == tenant.id) & (Actividad.expediente == expediente_id)
            ).order_by(Actividad.id, ascending=False)
    if limit is not None:
        query = query.limit(limit)
    return [ActividadOut(**row) for row in await query]
