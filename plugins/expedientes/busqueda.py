"""Finding expedientes: the search with its filters, my unit's, my tasks, a citizen's."""

from __future__ import annotations

from datetime import date
from typing import Any

from stdnum.es import nif as es_nif

from core.db import engine
from core.errors import NotFoundError
from core.tenancy.context import TenantContext
from core.tenancy.scoped import scoped
from plugins.expedientes import services
from plugins.expedientes.schemas import (
    Busqueda,
    ExpedienteCiudadano,
    ExpedienteSummary,
    TareaOut,
)
from plugins.expedientes.tables import Adscripcion, Expediente, Interesado, Responsable, Tarea


def _summary_query() -> Any:
    return Expediente.select(
        Expediente.id, Expediente.year, Expediente.number, Expediente.identificador,
        Expediente.subject, Expediente.state, Expediente.unit_dir3, Expediente.opened_at,
        Expediente.due_date, Expediente.procedimiento.name.as_alias("procedimiento_name"))


async def _summaries(where: Any, limit: int = 500, offset: int = 0) -> list[ExpedienteSummary]:
    rows = await _summary_query().where(where).order_by(Expediente.opened_at, ascending=False
                                                        ).limit(limit).offset(offset)
    return [ExpedienteSummary(**services.summary_fields(r)) for r in rows]


def _contains(column: Any, text: str) -> Any:
    """Case-insensitive substring match (SQLite's LIKE ignores ASCII case already)."""
    pattern = f"%{text.replace('%', '').replace('_', '')}%"
    return column.ilike(pattern) if engine().engine_type == "postgres" else column.like(pattern)


async def search(tenant: TenantContext, filters: Busqueda) -> list[ExpedienteSummary]:
    """Expedientes matching every given filter, newest first. ``q`` matches the code
    (``2026/42``), the subject, or an interesado's NIF or name."""
    where = scoped(Expediente, tenant)
    if filters.state:
        where &= Expediente.state == filters.state
    if filters.procedimiento_id is not None:
        where &= Expediente.procedimiento == filters.procedimiento_id
    if filters.unit_dir3:
        where &= Expediente.unit_dir3 == filters.unit_dir3
    if filters.year is not None:
        where &= Expediente.year == filters.year
    if filters.nif:
        where &= Expediente.id.is_in(Interesado.select(Interesado.expediente).where(
            (Interesado.tenant == tenant.id) & (Interesado.nif == es_nif.compact(filters.nif))))
    text = filters.q.strip()
    if text:
        year, _, number = text.partition("/")
        if year.isdigit() and number.isdigit():
            where &= (Expediente.year == int(year)) & (Expediente.number == int(number))
        else:
            people = Interesado.select(Interesado.expediente).where(
                (Interesado.tenant == tenant.id)
                & (_contains(Interesado.name, text) | (Interesado.nif == es_nif.compact(text))))
            where &= _contains(Expediente.subject, text) | Expediente.id.is_in(people)
    return await _summaries(where, filters.limit, filters.offset)


async def units_of_user(tenant: TenantContext, user_id: int) -> list[str]:
    """The units (DIR3) a staff member works in."""
    return [r["unit_dir3"] for r in await Adscripcion.select(Adscripcion.unit_dir3).where(
        (Adscripcion.tenant == tenant.id) & (Adscripcion.user == user_id))]


async def of_unit(tenant: TenantContext, user_id: int) -> list[ExpedienteSummary]:
    """Open expedientes of the units the user works in, and those they are responsible for."""
    units = await units_of_user(tenant, user_id)
    responsible = Responsable.select(Responsable.expediente).where(
        (Responsable.tenant == tenant.id) & (Responsable.user == user_id))
    mine = Expediente.id.is_in(responsible)
    if units:
        mine |= Expediente.unit_dir3.is_in(units)
    return await _summaries(scoped(Expediente, tenant) & (Expediente.state == "E01") & mine)


async def my_tasks(tenant: TenantContext, user_id: int) -> list[TareaOut]:
    """Pending tasks assigned to the user, soonest due first."""
    rows = await Tarea.select(*services.tarea_columns()).where(
        (Tarea.tenant == tenant.id) & (Tarea.assignee == user_id) & Tarea.done_at.is_null()
    ).order_by(Tarea.due_date).order_by(Tarea.id)
    return [services.tarea_out(r) for r in rows]


async def of_citizen(tenant: TenantContext, nif: str) -> list[ExpedienteCiudadano]:
    """The expedientes where ``nif`` is an interesado or a representative."""
    rows = await Interesado.select(
        Interesado.role, Interesado.expediente.as_alias("id"),
        Interesado.expediente.year.as_alias("year"),
        Interesado.expediente.number.as_alias("number"),
        Interesado.expediente.subject.as_alias("subject"),
        Interesado.expediente.state.as_alias("state"),
        Interesado.expediente.opened_at.as_alias("opened_at"),
        Interesado.expediente.due_date.as_alias("due_date"),
        Interesado.expediente.procedimiento.name.as_alias("procedimiento"),
    ).where((Interesado.tenant == tenant.id) & (Interesado.nif == es_nif.compact(nif))
            ).order_by(Interesado.expediente.opened_at, ascending=False)
    seen: set[str] = set()
    result = []
    for r in rows:
        code = services.code_of(r["year"], r["number"])
        if code in seen:
            continue
        seen.add(code)
        result.append(ExpedienteCiudadano(
            id=r["id"], code=code, subject=r["subject"], procedimiento=r["procedimiento"] or "",
            state=r["state"], opened_at=r["opened_at"],
            due_date=r["due_date"], role=r["role"]))
    return result


async def citizen_expediente(tenant: TenantContext, nif: str, expediente_id: int
                             ) -> ExpedienteCiudadano:
    """One of the citizen's expedientes (``NotFoundError`` for anyone else's)."""
    for expediente in await of_citizen(tenant, nif):
        if expediente.id == expediente_id:
            return expediente
    raise NotFoundError(expediente_id)


# --------------------------------------------------------------------------- changes


async def widget_context(tenant: TenantContext, actor: Any) -> dict[str, Any]:
    """Dashboard widget: the actor's pending and overdue tasks."""
    tasks = await my_tasks(tenant, actor.user_id or 0)
    today = date.today()
    return {"pending": len(tasks), "overdue": sum(t.due_date < today for t in tasks)}
