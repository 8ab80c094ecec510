"""The evidence trail: every state change of a notification is an ``Evento`` (what the
certificate lists), an entry of the tenant's audit chain and, when the notification
belongs to an expediente, an entry of the expediente's history."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core.audit.log import record
from core.tenancy.context import TenantContext
from plugins.expedientes import public as expedientes
from plugins.notificaciones.schemas import EVENT_LABELS, EventoOut
from plugins.notificaciones.tables import Evento


async def step(tenant: TenantContext, notificacion_id: int, expediente_id: int | None,
               kind: str, *, actor: str, detail: dict[str, Any] | None = None,
               in_history: bool = True, at: datetime | None = None) -> None:
    """Record ``kind`` for the notification (call inside the transaction of the change).
    ``in_history=False`` leaves the expediente's timeline out (a remesa logs one summary
    per chunk there instead of thousands of lines)."""
    detail = detail or {}
    await Evento.insert(Evento(tenant=tenant.id, notificacion=notificacion_id,
                               at=at or datetime.now(UTC), kind=kind, actor=actor,
                               detail=detail))
    await record(tenant.id, f"notificaciones.{kind}", actor=actor,
                 target=f"notificacion:{notificacion_id}", detail=detail)
    if expediente_id is not None and in_history:
        await expedientes.log_history(
            tenant, expediente_id, f"notificacion.{kind}",
            f"Notificación {notificacion_id}: {EVENT_LABELS[kind]}",
            actor=actor, detail={"notificacion": notificacion_id, **detail})


async def trail(tenant: TenantContext, notificacion_id: int) -> list[EventoOut]:
    """The notification's events, oldest first."""
    rows = await Evento.select(Evento.at, Evento.kind, Evento.actor, Evento.detail).where(
        (Evento.tenant == tenant.id) & (Evento.notificacion == notificacion_id)
    ).order_by(Evento.id).output(load_json=True)
    return [EventoOut(**row) for row in rows]
