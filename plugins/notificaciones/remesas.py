"""Bulk notification (a padrón fiscal, a convocatoria): one act to thousands of people
as one job, in chunks, with its progress on the staff page.

The remesa and its destinatarios are stored in the request's transaction; then
``tasks.run_remesa`` creates the notifications of the next ``remesa_chunk`` destinatarios
without one, each chunk in one transaction that also sets ``Destinatario.notificacion``
and the remesa's ``done``, and queues the next chunk (keyed by how many are done). A
worker killed half-way loses only its uncommitted chunk; the redelivered message (or the
scheduled ``resume_remesas``) redoes it: exactly one notification per destinatario.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from core.calendar_app.services import calendar_of
from core.db import atomic, engine
from core.documents.services import get_document
from core.jobs import send as send_job
from core.tenancy.context import TenantContext
from core.tenancy.scoped import get_or_404, scoped
from plugins.expedientes import public as expedientes
from plugins.notificaciones import errors, services
from plugins.notificaciones.schemas import PersonaIn, RemesaIn, RemesaOut
from plugins.notificaciones.tables import Destinatario, Remesa

STALE = timedelta(minutes=10)
INSERT_BATCH = 1000
CHANNEL_BATCH = 100  # warnings per job: short transactions (SQLite has one writer)




def _out(row: dict[str, Any]) -> RemesaOut:
    return msgspec.convert(row, RemesaOut, strict=False)


async def start(tenant: TenantContext, data: RemesaIn, *, actor: str) -> RemesaOut:
    """Check and store the remesa and its destinatarios; queue its first chunk."""
    people = [services.check_person(p, data.channel) for p in data.destinatarios]
    seen: set[str] = set()
    repeated = [p.nif for p in people if p.nif in seen or seen.add(p.nif)]
    if repeated:
        raise errors.InvalidNotificacion(f"NIF repetidos en la remesa: {repeated[:5]}")
    services.check_content("notificacion", data, data.document_id is not None)
    async with atomic():
        if data.expediente_id is not None:
            await expedientes.check_exists(tenant, data.expediente_id)
        if data.document_id is not None:
            await get_document(tenant, data.document_id)
        remesa = Remesa(tenant=tenant.id, title=data.subject,
                        content=msgspec.to_builtins(services.content_fields(data)),
                        channel=data.channel, expediente_id=data.expediente_id,
                        document=data.document_id, total=len(people), created_by=actor,
                        created_at=datetime.now(UTC), progress_at=datetime.now(UTC))
        await remesa.save()
        for offset in range(0, len(people), INSERT_BATCH):
            await Destinatario.insert(*[
                Destinatario(tenant=tenant.id, remesa=remesa.id, position=offset + i,
                             nif=p.nif, name=p.name, email=p.email, phone=p.phone,
                             address=p.address)
                for i, p in enumerate(people[offset:offset + INSERT_BATCH])])
        await send_job("notificaciones.run_remesa", tenant.id, key=f"{remesa.id}:0",
                       remesa_id=remesa.id)
    return await get(tenant, remesa.id)


async def get(tenant: TenantContext, remesa_id: int) -> RemesaOut:
    row = await get_or_404(Remesa, remesa_id, tenant, *_COLUMNS)
    return _out(row)


async def list_all(tenant: TenantContext) -> list[RemesaOut]:
    rows = await Remesa.select(*_COLUMNS).where(scoped(Remesa, tenant)).order_by(
        Remesa.id, ascending=False).limit(100)
    return [_out(r) for r in rows]


_COLUMNS = (Remesa.id, Remesa.title, Remesa.channel, Remesa.expediente_id, Remesa.total,
            Remesa.done, Remesa.state, Remesa.created_at, Remesa.finished_at)


async def run_chunk(tenant: TenantContext, remesa_id: int) -> bool:
    """Create the notifications of the next chunk (inside the job's transaction); True
    when destinatarios remain after it."""
    query = Remesa.select().where(scoped(Remesa, tenant) & (Remesa.id == remesa_id))
    if engine().engine_type == "postgres":
        query = query.lock_rows()  # a second delivery of this chunk waits, then finds it
    remesa = await query.output(load_json=True).first()
    if remesa is None or remesa["state"] != "en_curso":
        return False
    size = services.settings_of(tenant).remesa_chunk
    pending = await Destinatario.select().where(
        (Destinatario.tenant == tenant.id) & (Destinatario.remesa == remesa_id)
        & Destinatario.notificacion.is_null()).order_by(Destinatario.position).limit(size)
    cal = await calendar_of(tenant)
    fields = {**remesa["content"], "kind": "notificacion", "channel": remesa["channel"],
              "expediente_id": remesa["expediente_id"], "document": remesa["document"],
              "remesa": remesa_id, "body": remesa["content"].get("body", "")}
    created = []
    for person in pending:
        notificacion_id = await services.create(
            tenant, cal, fields, PersonaIn(nif=person["nif"], name=person["name"],
                                           email=person["email"], phone=person["phone"],
                                           address=person["address"]),
            actor=remesa["created_by"], in_history=False, queue_channels=False)
        created.append(notificacion_id)
        await Destinatario.update({Destinatario.notificacion: notificacion_id}).where(
            (Destinatario.tenant == tenant.id) & (Destinatario.id == person["id"]))
    if remesa["channel"] == "electronica":
        for start in range(0, len(created), CHANNEL_BATCH):
            await send_job("notificaciones.open_channels",
                           tenant.id, key=f"{remesa_id}:{remesa['done'] + start}:canales",
                           notificacion_ids=created[start:start + CHANNEL_BATCH])
    done = remesa["done"] + len(pending)
    finished = done >= remesa["total"]
    now = datetime.now(UTC)
    await Remesa.update({Remesa.done: done, Remesa.progress_at: now,
                         Remesa.state: "terminada" if finished else "en_curso",
                         Remesa.finished_at: now if finished else None}).where(
        scoped(Remesa, tenant) & (Remesa.id == remesa_id))
    if remesa["expediente_id"] is not None and pending:
        await expedientes.log_history(
            tenant, remesa["expediente_id"], "notificacion.remesa",
            f"Remesa {remesa_id}: {done} de {remesa['total']} notificaciones emitidas",
            actor=remesa["created_by"], detail={"remesa": remesa_id, "done": done})
    return not finished


async def stalled(tenant: TenantContext, now: datetime | None = None) -> list[int]:
    """Remesas still running with no chunk committed for ``STALE`` (a lost message)."""
    limit = (now or datetime.now(UTC)) - STALE
    rows = await Remesa.select(Remesa.id).where(
        scoped(Remesa, tenant) & (Remesa.state == "en_curso") & (Remesa.progress_at < limit))
    return [r["id"] for r in rows]
