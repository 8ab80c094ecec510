"""Phases and tasks of an expediente: ad hoc tasks, done tasks, the next phase."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from core.calendar_app.services import calendar_of
from core.db import atomic
from core.errors import NotFoundError
from core.tenancy.context import TenantContext
from core.tenancy.scoped import scoped
from plugins.expedientes import history, services
from plugins.expedientes.plazos import due
from plugins.expedientes.schemas import ExpedienteOut, Fase, TareaIn
from plugins.expedientes.tables import Expediente, Tarea


async def add_tarea(tenant: TenantContext, expediente_id: int, data: TareaIn, *,
                    actor: str) -> ExpedienteOut:
    """Add an ad hoc task to the current phase."""
    if (data.dias is None) == (data.due_date is None):
        raise services.InvalidExpediente("Indique el plazo en días hábiles o la fecha de "
                                         "vencimiento")
    assignees = await services.staff_of(tenant, [data.assignee_id] if data.assignee_id else [])
    due_date = data.due_date
    if data.dias is not None:
        cal = await calendar_of(tenant)
        due_date = due(cal, services.local_today(cal), data.dias)
    assert due_date is not None
    async with atomic():
        row = await services.require_open(tenant, expediente_id)
        await Tarea.insert(Tarea(tenant=tenant.id, expediente=expediente_id, phase=row["phase"],
                                 title=data.title, assignee=assignees[0] if assignees else None,
                                 due_date=due_date, created_at=datetime.now(UTC)))
        await history.log(tenant, expediente_id, "task_added", f"Tarea: {data.title}",
                          actor=actor, detail={"due_date": due_date.isoformat()})
    return await services.get(tenant, expediente_id)


async def complete_tarea(tenant: TenantContext, tarea_id: int, *, actor: str) -> ExpedienteOut:
    async with atomic():
        tarea = await Tarea.select(Tarea.expediente, Tarea.title, Tarea.done_at).where(
            (Tarea.tenant == tenant.id) & (Tarea.id == tarea_id)).first()
        if tarea is None:
            raise NotFoundError(f"tarea {tarea_id}")
        await services.require_open(tenant, tarea["expediente"])
        if tarea["done_at"] is not None:
            raise services.InvalidExpediente("La tarea ya está hecha")
        await Tarea.update({Tarea.done_at: datetime.now(UTC), Tarea.done_by: actor}).where(
            (Tarea.tenant == tenant.id) & (Tarea.id == tarea_id))
        await history.log(tenant, tarea["expediente"], "task_done",
                          f"Tarea hecha: {tarea['title']}", actor=actor)
    return await services.get(tenant, tarea["expediente"])


async def advance_phase(tenant: TenantContext, expediente_id: int, *, actor: str,
                        user_id: int | None) -> ExpedienteOut:
    """Move to the procedure's next phase and create its tasks; pending ones block it."""
    cal = await calendar_of(tenant)
    async with atomic():
        row = await services.require_open(tenant, expediente_id)
        fases = msgspec.convert(row["fases"] or [], list[Fase])
        following = row["phase"] + 1
        if following >= len(fases):
            raise services.InvalidExpediente("El expediente está en la última fase del "
                                             "procedimiento")
        if await Tarea.exists().where((Tarea.tenant == tenant.id)
                                      & (Tarea.expediente == expediente_id)
                                      & (Tarea.phase == row["phase"]) & Tarea.done_at.is_null()):
            raise services.InvalidExpediente("Quedan tareas pendientes en la fase actual")
        await Expediente.update({Expediente.phase: following}).where(
            scoped(Expediente, tenant) & (Expediente.id == expediente_id))
        await services.insert_tareas(tenant, expediente_id, following, fases[following], cal,
                                     user_id)
        await history.log(tenant, expediente_id, "phase",
                          f"Fase: {fases[following].name}", actor=actor)
    return await services.get(tenant, expediente_id)
