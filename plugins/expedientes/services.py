"""Expedientes: opening, reading, the people in them, responsables, related files.

Every query is scoped to one tenant; another tenant's id is a 404. A closed expediente
(E02, E03) no longer changes. Tasks and phases are in ``tareas``, searches in ``busqueda``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

import msgspec
from stdnum.es import nif as es_nif

from core.audit.log import record
from core.calendar import WorkingCalendar
from core.calendar_app.services import calendar_of
from core.db import atomic, engine
from core.documents.eni import make_identificador
from core.errors import DomainError, NotFoundError
from core.events import emit
from core.identity.tables import Membership
from core.numbering import next_number
from core.tenancy.context import TenantContext
from core.tenancy.scoped import get_or_404, scoped
from plugins.expedientes import catalogo, history
from plugins.expedientes.plazos import due
from plugins.expedientes.schemas import (
    ExpedienteAbierto,
    ExpedienteIn,
    ExpedienteOut,
    ExpedienteRef,
    Fase,
    InteresadoIn,
    InteresadoOut,
    PersonaIn,
    RelacionIn,
    TareaOut,
    UserRef,
)
from plugins.expedientes.tables import (
    Adscripcion,
    Expediente,
    Interesado,
    Relacion,
    Responsable,
    Tarea,
)

EXPEDIENTE = "expedientes.expediente"  # the numbering series (core.numbering)



class InvalidExpediente(DomainError):
    """A change that breaks a rule of the expediente; the message says which."""


def code_of(year: int, number: int) -> str:
    """How people name an expediente: ``2026/000042``."""
    return f"{year}/{number:06d}"



def valid_nif(value: str) -> str | None:
    """The NIF, NIE or CIF in its compact form, or None when it is not a valid one."""
    compact = es_nif.compact(value)
    return compact if es_nif.is_valid(compact) else None


def snapshot() -> Any:
    """One connection and one consistent view for the reads of a page: a read transaction
    (``DEFERRED`` on SQLite: no write lock; under WAL, writers go on) joining any open one."""
    return engine().transaction()


def _check_nif(value: str) -> str:
    compact = valid_nif(value)
    if compact is None:
        raise InvalidExpediente(f"{value!r} no es un NIF, NIE o CIF válido")
    return compact


async def staff_of(tenant: TenantContext, user_ids: list[int]) -> list[int]:
    """The ids, checked to be staff of the tenant (keeps the order, drops repeats)."""
    wanted = list(dict.fromkeys(user_ids))
    if not wanted:
        return []
    found = {r["user"] for r in await Membership.select(Membership.user).where(
        (Membership.tenant == tenant.id) & Membership.user.is_in(wanted))}
    missing = [u for u in wanted if u not in found]
    if missing:
        raise InvalidExpediente(f"Usuarios sin cargo en la entidad: {missing}")
    return wanted


def local_today(cal: WorkingCalendar) -> date:
    """Today at the seat of the entity (its calendar's zone)."""
    return cal.local_date(datetime.now(UTC))


async def insert_tareas(tenant: TenantContext, expediente_id: int, phase: int, fase: Fase,
                        cal: WorkingCalendar, assignee: int | None) -> None:
    """Create the tasks of a phase, each due its días hábiles from today."""
    today = local_today(cal)
    now = datetime.now(UTC)
    rows = [Tarea(tenant=tenant.id, expediente=expediente_id, phase=phase, title=t.title,
                  assignee=assignee, due_date=due(cal, today, t.dias), created_at=now)
            for t in fase.tareas]
    if rows:
        await Tarea.insert(*rows)


async def _insert_interesados(tenant: TenantContext, expediente_id: int,
                              interesados: list[InteresadoIn], start: int = 1) -> list[str]:
    """Insert interesados (each followed by their representative); returns the NIFs."""
    rows: list[Interesado] = []
    position = start
    for person in interesados:
        rows.append(_interesado_row(tenant, expediente_id, person, position, "interesado"))
        represented = position
        position += 1
        if person.representante is not None:
            rows.append(_interesado_row(tenant, expediente_id, person.representante, position,
                                        "representante", represents=represented))
            position += 1
    if rows:
        await Interesado.insert(*rows)
    return [row.nif for row in rows]


def _interesado_row(tenant: TenantContext, expediente_id: int, person: PersonaIn,
                    position: int, role: str, represents: int | None = None) -> Interesado:
    return Interesado(tenant=tenant.id, expediente=expediente_id, position=position, role=role,
                      represents=represents, nif=_check_nif(person.nif), name=person.name,
                      email=person.email, address=person.address)


async def open_expediente(tenant: TenantContext, data: ExpedienteIn, *, actor: str,
                          user_id: int | None, origin: str = "manual", registro_ref: str = "",
                          start: date | None = None,
                          numbered: Callable[[str], Awaitable[None]] | None = None
                          ) -> ExpedienteOut:
    """Open an expediente of a procedure: number, ENI identificador, first phase's tasks and
    the plazo to resolve, counted from ``start`` (the registry's official date when it
    came in through the registro; today otherwise) on the entity's calendar.

    ``numbered(code)`` runs in the transaction as soon as the number is drawn, before
    anything else is written: what must lock rows of its own first (the registro's asiento,
    which the registro locks before the audit chain) does it there."""
    procedimiento = await catalogo.get(tenant, data.procedimiento_id)
    if not procedimiento.active:
        raise InvalidExpediente("El procedimiento está dado de baja")
    await catalogo.check_unit(tenant, data.unit_dir3)
    responsables = await staff_of(tenant, data.responsables
                                   or ([user_id] if user_id is not None else []))
    cal = await calendar_of(tenant)
    today = local_today(cal)
    due_date = due(cal, start or today, procedimiento.plazo, procedimiento.plazo_unit)
    async with atomic():
        number = await next_number(tenant.id, EXPEDIENTE, today.year)
        code = code_of(today.year, number)
        if numbered is not None:
            await numbered(code)
        row = Expediente(
            tenant=tenant.id, year=today.year, number=number,
            identificador=make_identificador(tenant.dir3, today.year, f"{number:06d}",
                                             expediente=True),
            procedimiento=procedimiento.id, clasificacion=procedimiento.sia_code,
            subject=data.subject, unit_dir3=data.unit_dir3 or procedimiento.unit_dir3,
            origin=origin, registro_ref=registro_ref, opened_at=datetime.now(UTC),
            opened_by=actor, due_date=due_date)
        await row.save()
        await _insert_interesados(tenant, row.id, data.interesados)
        if responsables:
            await Responsable.insert(*[Responsable(tenant=tenant.id, expediente=row.id, user=u)
                                       for u in responsables])
        if procedimiento.fases:
            await insert_tareas(tenant, row.id, 0, procedimiento.fases[0], cal,
                                 responsables[0] if responsables else None)
        await history.log(tenant, row.id, "opened",
                          f"Expediente {code} abierto ({procedimiento.name})", actor=actor,
                          detail={"origin": origin, "registro": registro_ref,
                                  "due_date": due_date.isoformat()})
        await emit(tenant.id, ExpedienteAbierto(expediente_id=row.id, code=code, origin=origin))
    return await get(tenant, row.id)


async def _row(tenant: TenantContext, expediente_id: int) -> dict[str, Any]:
    row = await Expediente.select(
        *Expediente.all_columns(),
        Expediente.procedimiento.name.as_alias("procedimiento_name"),
        Expediente.procedimiento.fases.as_alias("fases"),
    ).where(scoped(Expediente, tenant) & (Expediente.id == expediente_id)
            ).output(load_json=True).first()
    if row is None:
        raise NotFoundError(expediente_id)
    return row


async def check_exists(tenant: TenantContext, expediente_id: int) -> None:
    """404 unless the expediente is the tenant's (one cheap query)."""
    await get_or_404(Expediente, expediente_id, tenant, Expediente.id)


async def lock(tenant: TenantContext, expediente_id: int) -> None:
    """Lock the expediente's row for the rest of the transaction (PostgreSQL; SQLite
    writers are serial). Changes take it first: the expediente, then the registro's
    asiento, then the audit chain, always in that order, so two of them never deadlock."""
    if engine().engine_type == "postgres":
        await Expediente.select(Expediente.id).where(
            scoped(Expediente, tenant) & (Expediente.id == expediente_id)).lock_rows()


async def require_open(tenant: TenantContext, expediente_id: int) -> dict[str, Any]:
    """The expediente's row, locked; refuses a closed one (its índice is signed). Call it
    first in the transaction of a change."""
    await lock(tenant, expediente_id)
    row = await _row(tenant, expediente_id)
    if row["state"] != "E01":
        raise InvalidExpediente(f"El expediente {code_of(row['year'], row['number'])} está "
                                "cerrado y no admite cambios")
    return row


def _user_ref(row: dict[str, Any], prefix: str) -> UserRef | None:
    if row.get(f"{prefix}_id") is None:
        return None
    return UserRef(id=row[f"{prefix}_id"], name=row[f"{prefix}_name"],
                   email=row[f"{prefix}_email"])


def tarea_columns() -> tuple[Any, ...]:
    return (Tarea.id, Tarea.expediente.as_alias("expediente_id"),
            Tarea.expediente.year.as_alias("year"), Tarea.expediente.number.as_alias("number"),
            Tarea.expediente.subject.as_alias("expediente_subject"), Tarea.phase, Tarea.title,
            Tarea.assignee.id.as_alias("assignee_id"),
            Tarea.assignee.name.as_alias("assignee_name"),
            Tarea.assignee.email.as_alias("assignee_email"),
            Tarea.due_date, Tarea.done_at, Tarea.done_by)


def tarea_out(row: dict[str, Any]) -> TareaOut:
    return TareaOut(id=row["id"], expediente_id=row["expediente_id"],
                    expediente_code=code_of(row["year"], row["number"]),
                    expediente_subject=row["expediente_subject"], phase=row["phase"],
                    title=row["title"], assignee=_user_ref(row, "assignee"),
                    due_date=row["due_date"], done_at=row["done_at"], done_by=row["done_by"])


def summary_fields(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "code": code_of(row["year"], row["number"]),
            "identificador": row["identificador"], "subject": row["subject"],
            "state": row["state"], "procedimiento": row["procedimiento_name"] or "",
            "unit_dir3": row["unit_dir3"], "opened_at": row["opened_at"],
            "due_date": row["due_date"]}


async def get(tenant: TenantContext, expediente_id: int) -> ExpedienteOut:
    """An expediente with its interesados, responsables, tasks and related expedientes."""
    async with snapshot():
        return await _get(tenant, expediente_id)


async def _get(tenant: TenantContext, expediente_id: int) -> ExpedienteOut:
    row = await _row(tenant, expediente_id)
    mine = (Interesado.tenant == tenant.id) & (Interesado.expediente == expediente_id)
    interesados = await Interesado.select(
        Interesado.position, Interesado.role, Interesado.represents, Interesado.nif,
        Interesado.name, Interesado.email, Interesado.address).where(mine).order_by(
        Interesado.position)
    responsables = await Responsable.select(
        Responsable.user.id.as_alias("id"), Responsable.user.name.as_alias("name"),
        Responsable.user.email.as_alias("email")).where(
        (Responsable.tenant == tenant.id) & (Responsable.expediente == expediente_id)
    ).order_by(Responsable.id)
    tareas = await Tarea.select(*tarea_columns()).where(
        (Tarea.tenant == tenant.id) & (Tarea.expediente == expediente_id)).order_by(
        Tarea.phase).order_by(Tarea.due_date).order_by(Tarea.id)
    fases = msgspec.convert(row["fases"] or [], list[Fase])
    phase_name = fases[row["phase"]].name if row["phase"] < len(fases) else ""
    return ExpedienteOut(
        **summary_fields(row), year=row["year"], number=row["number"],
        procedimiento_id=row["procedimiento"], clasificacion=row["clasificacion"],
        phase=row["phase"], phase_name=phase_name, origin=row["origin"],
        registro_ref=row["registro_ref"], opened_by=row["opened_by"],
        closed_at=row["closed_at"],
        interesados=[InteresadoOut(**i) for i in interesados],
        responsables=[UserRef(**r) for r in responsables],
        tareas=[tarea_out(t) for t in tareas],
        relacionados=await _relacionados(tenant, expediente_id))


async def _relacionados(tenant: TenantContext, expediente_id: int) -> list[ExpedienteRef]:
    rows = await Relacion.select(
        Relacion.related.id.as_alias("id"), Relacion.related.year.as_alias("year"),
        Relacion.related.number.as_alias("number"), Relacion.related.subject.as_alias("subject"),
        Relacion.related.state.as_alias("state"), Relacion.note).where(
        (Relacion.tenant == tenant.id) & (Relacion.expediente == expediente_id)).order_by(
        Relacion.id)
    return [ExpedienteRef(id=r["id"], code=code_of(r["year"], r["number"]),
                          subject=r["subject"], state=r["state"], note=r["note"]) for r in rows]


# --------------------------------------------------------------------------- search


async def add_interesado(tenant: TenantContext, expediente_id: int, data: InteresadoIn, *,
                         actor: str) -> ExpedienteOut:
    async with atomic():
        await require_open(tenant, expediente_id)
        last = await Interesado.select(Interesado.position).where(
            (Interesado.tenant == tenant.id) & (Interesado.expediente == expediente_id)
        ).order_by(Interesado.position, ascending=False).first()
        nifs = await _insert_interesados(tenant, expediente_id, [data],
                                         start=(last["position"] + 1) if last else 1)
        await history.log(tenant, expediente_id, "interesado_added",
                          f"Interesado añadido: {data.name}", actor=actor,
                          detail={"nifs": nifs})
    return await get(tenant, expediente_id)


async def set_responsables(tenant: TenantContext, expediente_id: int, user_ids: list[int], *,
                           actor: str) -> ExpedienteOut:
    wanted = await staff_of(tenant, user_ids)
    if not wanted:
        raise InvalidExpediente("Un expediente necesita al menos un responsable")
    async with atomic():
        await require_open(tenant, expediente_id)
        await Responsable.delete().where((Responsable.tenant == tenant.id)
                                         & (Responsable.expediente == expediente_id))
        await Responsable.insert(*[Responsable(tenant=tenant.id, expediente=expediente_id,
                                               user=u) for u in wanted])
        await history.log(tenant, expediente_id, "responsables",
                          "Responsables de la tramitación cambiados", actor=actor,
                          detail={"users": wanted})
    return await get(tenant, expediente_id)


async def relate(tenant: TenantContext, expediente_id: int, data: RelacionIn, *,
                 actor: str) -> ExpedienteOut:
    """Link two expedientes of the tenant (both directions)."""
    if data.related_id == expediente_id:
        raise InvalidExpediente("Un expediente no se relaciona consigo mismo")
    async with atomic():
        await require_open(tenant, expediente_id)
        other = await _row(tenant, data.related_id)
        if await Relacion.exists().where((Relacion.tenant == tenant.id)
                                         & (Relacion.expediente == expediente_id)
                                         & (Relacion.related == data.related_id)):
            raise InvalidExpediente("Los expedientes ya están relacionados")
        await Relacion.insert(
            Relacion(tenant=tenant.id, expediente=expediente_id, related=data.related_id,
                     note=data.note),
            Relacion(tenant=tenant.id, expediente=data.related_id, related=expediente_id,
                     note=data.note))
        await history.log(tenant, expediente_id, "related",
                          f"Relacionado con {code_of(other['year'], other['number'])}",
                          actor=actor, detail={"related": data.related_id})
    return await get(tenant, expediente_id)


async def set_adscripciones(tenant: TenantContext, user_id: int, units: list[str], *,
                            actor: str) -> None:
    """The units a staff member works in (replaces the earlier list)."""
    await staff_of(tenant, [user_id])
    async with atomic():
        await Adscripcion.delete().where((Adscripcion.tenant == tenant.id)
                                         & (Adscripcion.user == user_id))
        rows = [Adscripcion(tenant=tenant.id, user=user_id, unit_dir3=u)
                for u in dict.fromkeys(units)]
        if rows:
            await Adscripcion.insert(*rows)
        await record(tenant.id, "expedientes.adscripcion", actor=actor,
                     target=f"user:{user_id}", detail={"units": units})


async def staff(tenant: TenantContext) -> list[UserRef]:
    """Staff of the tenant, to choose responsables and assignees."""
    rows = await Membership.select(
        Membership.user.id.as_alias("id"), Membership.user.name.as_alias("name"),
        Membership.user.email.as_alias("email")).where(Membership.tenant == tenant.id
                                                       ).order_by(Membership.user.name)
    return list({r["id"]: UserRef(**r) for r in rows}.values())


async def id_by_code(tenant: TenantContext, code: str) -> int:
    """The id of the expediente people call ``2026/000042`` (leading zeros optional)."""
    year, _, number = code.strip().partition("/")
    if not (year.isdigit() and number.isdigit()):
        raise InvalidExpediente(f"{code!r} no es un número de expediente (AAAA/NNNNNN)")
    row = await Expediente.select(Expediente.id).where(
        scoped(Expediente, tenant) & (Expediente.year == int(year))
        & (Expediente.number == int(number))
    ).first()
    if row is None:
        raise InvalidExpediente(f"No hay ningún expediente {code}")
    return row["id"]


