"""Notifications: issue them from an act, read them, and move them between states.

Every query is scoped by tenant; every state change goes through ``transition`` (row
locked, state checked, evidence written, domain event and certificate queued when the
notification reaches a final state). Lock order, as in expedientes: the expediente, then
the notification, then the audit chain.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from core.calendar import WorkingCalendar
from core.calendar_app.services import calendar_of
from core.db import atomic, engine
from core.documents.services import get_document
from core.errors import NotFoundError
from core.events import emit
from core.jobs import send as send_job
from core.tenancy import settings as tenant_settings
from core.tenancy.context import TenantContext
from core.tenancy.scoped import as_id, get_or_404, scoped
from plugins.expedientes import public as expedientes
from plugins.notificaciones import channels, evidence, papel, plazos
from plugins.notificaciones.errors import InvalidNotificacion
from plugins.notificaciones.schemas import (
    FINAL_STATES,
    ContenidoIn,
    NotificacionIn,
    NotificacionOut,
    NotificacionPracticada,
    NotificacionRechazada,
    PersonaIn,
)
from plugins.notificaciones.settings import Settings
from plugins.notificaciones.tables import Notificacion, Pendiente

COLUMNS = tuple(c for c in Notificacion.all_columns()
                if c._meta.name not in ("tenant", "document", "remesa", "certificate"))


def settings_of(tenant: TenantContext) -> Settings:
    return tenant_settings.settings_of(tenant, "notificaciones", Settings)



def select() -> Any:
    return Notificacion.select(
        *COLUMNS, Notificacion.document.as_alias("document_id"),
        Notificacion.remesa.as_alias("remesa_id"),
        Notificacion.certificate.as_alias("certificate_id"))


def out(row: dict[str, Any]) -> NotificacionOut:
    return msgspec.convert(row, NotificacionOut, strict=False)


def check_content(kind: str, content: ContenidoIn, has_document: bool) -> None:
    """A notificación must carry what art. 40.2 lists; a comunicación only its text."""
    if not content.body.strip() and not has_document:
        raise InvalidNotificacion("Indique el texto íntegro del acto o el documento notificado")
    if kind == "notificacion":
        missing = [label for label, value in (
            ("los recursos que proceden", content.recursos),
            ("el órgano ante el que se interponen", content.organo_recurso),
            ("el plazo para interponerlos", content.plazo_recurso)) if not value.strip()]
        if missing:
            raise InvalidNotificacion("La notificación debe indicar " + ", ".join(missing)
                                      + " (art. 40.2 de la Ley 39/2015)")


def check_person(person: PersonaIn, channel: str) -> PersonaIn:
    """The person with NIFs in compact form; paper needs an address."""
    nif = expedientes.valid_nif(person.nif)
    if nif is None:
        raise InvalidNotificacion(f"{person.nif!r} no es un NIF, NIE o CIF válido")
    representante = ""
    if person.representante_nif:
        representante = expedientes.valid_nif(person.representante_nif) or ""
        if not representante:
            raise InvalidNotificacion(f"{person.representante_nif!r} no es un NIF válido")
    if channel == "papel" and not person.address.strip():
        raise InvalidNotificacion(f"Falta el domicilio de {person.name} para notificar en papel")
    return msgspec.structs.replace(person, nif=nif, representante_nif=representante)


async def resolve_act(tenant: TenantContext, data: NotificacionIn) -> dict[str, Any]:
    """The act notified: a signed resolución of the expediente, or a document (404 when
    not the tenant's). Returns the Notificacion fields that come from it."""
    fields: dict[str, Any] = {"expediente_id": data.expediente_id, "document": data.document_id,
                              "body": data.body, "act_date": data.act_date}
    if data.resolucion_id is not None:
        resolucion = await expedientes.get_resolucion(tenant, data.resolucion_id)
        if resolucion.state != "firmada":
            raise InvalidNotificacion("Solo se notifica una resolución firmada")
        if data.expediente_id not in (None, resolucion.expediente_id):
            raise InvalidNotificacion("La resolución no es de ese expediente")
        fields.update(expediente_id=resolucion.expediente_id, resolucion_id=resolucion.id,
                      document=resolucion.document_id, body=data.body or resolucion.body,
                      act_date=data.act_date or resolucion.signed_at.date())
    elif data.expediente_id is not None:
        await expedientes.check_exists(tenant, data.expediente_id)
    if data.document_id is not None:
        await get_document(tenant, data.document_id)
    return fields


def content_fields(content: ContenidoIn) -> dict[str, Any]:
    return {"subject": content.subject, "fin_via": content.fin_via,
            "recursos": content.recursos, "organo_recurso": content.organo_recurso,
            "plazo_recurso": content.plazo_recurso}


async def notify(tenant: TenantContext, data: NotificacionIn, *, actor: str
                 ) -> list[NotificacionOut]:
    """Issue the notification of an act to each destinatario (one transaction)."""
    people = [check_person(p, data.channel) for p in data.destinatarios]
    async with atomic():
        act = await resolve_act(tenant, data)
        check_content(data.kind, msgspec.structs.replace(data, body=act["body"]),
                      act["document"] is not None)
        if act["expediente_id"] is not None:
            await expedientes.lock(tenant, act["expediente_id"])
        cal = await calendar_of(tenant)
        ids = [await create(tenant, cal, {**content_fields(data), **act, "kind": data.kind,
                                          "channel": data.channel}, person, actor=actor)
               for person in people]
        if act.get("resolucion_id") is not None:
            await Pendiente.update({Pendiente.notified_at: datetime.now(UTC)}).where(
                (Pendiente.tenant == tenant.id)
                & (Pendiente.resolucion_id == act["resolucion_id"])
                & Pendiente.notified_at.is_null())
    return [await get(tenant, i) for i in ids]


async def create(tenant: TenantContext, cal: WorkingCalendar, fields: dict[str, Any],
                 person: PersonaIn, *, actor: str, in_history: bool = True,
                 queue_channels: bool = True) -> int:
    """Store one notification and start its channel: electronic ones are put at disposal
    (each warning and the hub queued as a job of its own, unless ``queue_channels`` is
    False: a remesa queues one job per chunk), paper ones wait for the print batch."""
    now = datetime.now(UTC)
    electronic = fields["channel"] == "electronica"
    row = Notificacion(
        tenant=tenant.id, **fields, nif=person.nif, name=person.name, email=person.email,
        phone=person.phone, address=person.address, representante_nif=person.representante_nif,
        created_at=now, created_by=actor,
        state="puesta_disposicion" if electronic else "en_reparto",
        disposed_at=now if electronic else None,
        expires_on=plazos.access_until(cal, now) if electronic else None)
    await row.save()
    kind = "puesta_disposicion" if electronic else "creada"
    detail = {"nif": person.nif, "channel": fields["channel"]}
    if electronic:
        detail["expires_on"] = row.expires_on.isoformat()
    await evidence.step(tenant, row.id, fields.get("expediente_id"), kind, actor=actor,
                        detail=detail, in_history=in_history, at=now)
    if electronic and queue_channels:
        for medium in channels.media(settings_of(tenant), person):
            await send_job("notificaciones.open_channel", tenant.id, key=f"{row.id}:{medium}",
                           notificacion_id=row.id, medium=medium)
    return row.id


async def get(tenant: TenantContext, notificacion_id: int, *, full: bool = True
              ) -> NotificacionOut:
    """A notification with its evidence trail and paper attempts."""
    row = None if as_id(notificacion_id) is None else await select().where(
        scoped(Notificacion, tenant) & (Notificacion.id == notificacion_id)).first()
    if row is None:  # another tenant's, or an id that cannot be one (2³¹ or more)
        raise NotFoundError(notificacion_id)
    found = out(row)
    if full:
        found.events = await evidence.trail(tenant, notificacion_id)
        found.intentos = await papel.attempts(tenant, notificacion_id)
    return found


async def search(tenant: TenantContext, *, state: str = "", expediente_id: int | None = None,
                 nif: str = "", remesa_id: int | None = None, limit: int = 200,
                 offset: int = 0) -> list[NotificacionOut]:
    """Notifications of the tenant, newest first, filtered."""
    where = scoped(Notificacion, tenant)
    if state:
        where &= Notificacion.state == state
    if expediente_id is not None:
        where &= Notificacion.expediente_id == expediente_id
    if nif:
        where &= Notificacion.nif == (expedientes.valid_nif(nif) or nif)
    if remesa_id is not None:
        where &= Notificacion.remesa == remesa_id
    rows = await select().where(where).order_by(Notificacion.id, ascending=False).limit(
        limit).offset(offset)
    return [out(r) for r in rows]


async def counts(tenant: TenantContext) -> dict[str, int]:
    """How many notifications are in each state."""
    rows = await Notificacion.raw(
        "SELECT state, COUNT(*) AS n FROM notificaciones_notificacion WHERE tenant = {} "
        "GROUP BY state", tenant.id)
    return {r["state"]: r["n"] for r in rows}


async def lock(tenant: TenantContext, notificacion_id: int) -> dict[str, Any]:
    """The notification's row, locked (its expediente first) for the transaction."""
    row = await get_or_404(Notificacion, notificacion_id, tenant, Notificacion.expediente_id)
    if row["expediente_id"] is not None:
        await expedientes.lock(tenant, row["expediente_id"])
    query = select().where(scoped(Notificacion, tenant) & (Notificacion.id == notificacion_id))
    if engine().engine_type == "postgres":
        query = query.lock_rows()
    return await query.first()


async def transition(tenant: TenantContext, notificacion_id: int, *, expected: set[str],
                     state: str | None, event: str, actor: str,
                     detail: dict[str, Any] | None = None,
                     changes: dict[Any, Any] | None = None) -> NotificacionOut:
    """Move a notification from one of ``expected`` to ``state`` (None: the state stays)
    recording ``event``; a final state emits the domain event and queues the certificate."""
    async with atomic():
        row = await lock(tenant, notificacion_id)
        if row["state"] not in expected:
            raise InvalidNotificacion(
                f"La notificación {notificacion_id} está {row['state'].replace('_', ' ')}: "
                "no admite este paso")
        now = datetime.now(UTC)
        update = dict(changes or {})
        if state is not None:
            update[Notificacion.state] = state
            if state in FINAL_STATES:
                update[Notificacion.closed_at] = now
        if update:
            await Notificacion.update(update).where(
                scoped(Notificacion, tenant) & (Notificacion.id == notificacion_id))
        await evidence.step(tenant, notificacion_id, row["expediente_id"], event, actor=actor,
                            detail=detail, at=now)
        if state in FINAL_STATES:
            kind = NotificacionRechazada if state in ("rechazada", "expirada") \
                else NotificacionPracticada
            await emit(tenant.id, kind(notificacion_id=notificacion_id,
                                       expediente_id=row["expediente_id"], state=state))
            await send_job("notificaciones.certify", tenant.id, key=f"{notificacion_id}",
                           notificacion_id=notificacion_id)
    return await get(tenant, notificacion_id)


async def expire_due(tenant: TenantContext, now: datetime | None = None) -> int:
    """Electronic notifications past their 10 natural days without access → ``expirada``
    (art. 43.2: taken as rejected; the procedure goes on). Returns how many."""
    now = now or datetime.now(UTC)
    cal = await calendar_of(tenant)
    today = cal.local_date(now)
    due = await Notificacion.select(Notificacion.id, Notificacion.expires_on).where(
        scoped(Notificacion, tenant) & (Notificacion.state == "puesta_disposicion")
        & (Notificacion.expires_on < today))
    expired = 0
    for row in due:
        if not plazos.is_expired(cal, row["expires_on"], now):
            continue
        try:
            await transition(tenant, row["id"], expected={"puesta_disposicion"},
                             state="expirada", event="expirada", actor="sistema",
                             detail={"expires_on": row["expires_on"].isoformat()})
        except InvalidNotificacion:  # accessed or rejected meanwhile
            continue
        expired += 1
    return expired
