"""Acts waiting to be notified: each signed resolución must be notified within 10 días
hábiles (art. 40.2). A row is kept per resolución from the ``ResolucionFirmada`` event;
notifying it closes the row; the daily job warns (audit and expediente history) once the
plazo has passed, and the dashboard widget lists the overdue and the soon due."""

from __future__ import annotations

from datetime import UTC, date, datetime

from core.calendar import OutsideCalendarError
from core.calendar_app.services import calendar_of
from core.db import atomic
from core.tenancy.context import TenantContext
from plugins.expedientes import public as expedientes
from plugins.notificaciones import plazos
from plugins.notificaciones.schemas import PendienteOut
from plugins.notificaciones.tables import Pendiente


async def on_signed(tenant: TenantContext, resolucion_id: int) -> None:
    """Start the 10-day clock of a resolución just signed (idempotent)."""
    if await Pendiente.exists().where((Pendiente.tenant == tenant.id)
                                      & (Pendiente.resolucion_id == resolucion_id)):
        return
    resolucion = await expedientes.get_resolucion(tenant, resolucion_id)
    cal = await calendar_of(tenant)
    act_date = cal.local_date(resolucion.signed_at or datetime.now(UTC))
    try:
        due: date | None = plazos.issue_until(cal, act_date)
    except OutsideCalendarError:
        due = None
    await Pendiente.insert(Pendiente(tenant=tenant.id, expediente_id=resolucion.expediente_id,
                                     resolucion_id=resolucion_id, numero=resolucion.numero,
                                     act_date=act_date, due=due))


async def open_ones(tenant: TenantContext, today: date) -> list[PendienteOut]:
    """Resoluciones not notified yet, the most urgent first."""
    rows = await Pendiente.select().where((Pendiente.tenant == tenant.id)
                                          & Pendiente.notified_at.is_null()
                                          ).order_by(Pendiente.act_date)
    return [PendienteOut(expediente_id=r["expediente_id"], resolucion_id=r["resolucion_id"],
                         numero=r["numero"], act_date=r["act_date"], due=r["due"],
                         overdue=r["due"] is None or r["due"] < today) for r in rows]


async def warn_overdue(tenant: TenantContext, now: datetime | None = None) -> int:
    """Warn once for each resolución past its 10 días hábiles without notification."""
    cal = await calendar_of(tenant)
    today = cal.local_date(now or datetime.now(UTC))
    warned = 0
    for pendiente in await open_ones(tenant, today):
        if not pendiente.overdue:
            continue
        async with atomic():
            changed = await Pendiente.update({Pendiente.warned_at: datetime.now(UTC)}).where(
                (Pendiente.tenant == tenant.id)
                & (Pendiente.resolucion_id == pendiente.resolucion_id)
                & Pendiente.warned_at.is_null()).returning(Pendiente.id)
            if not changed:
                continue
            when = pendiente.due.strftime("%d/%m/%Y") if pendiente.due else "sin calendario"
            await expedientes.log_history(
                tenant, pendiente.expediente_id, "notificacion.fuera_plazo",
                f"La resolución {pendiente.numero} no se ha notificado en el "
                f"plazo de diez días (art. 40.2; vencía el {when})",
                actor="sistema", detail={"resolucion": pendiente.resolucion_id})
            warned += 1
    return warned
