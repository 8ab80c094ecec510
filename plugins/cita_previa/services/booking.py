"""Booking, confirming, changing and cancelling citas without ever double booking.

A booking takes one place per cita with a conditional update of the slot's counter inside
one transaction: all its citas or none. An anonymous booking stays ``pendiente`` (holding
its places) until the six-digit code sent by email confirms it, at most
``pending_minutes``; the housekeeping job lets unconfirmed ones lapse (``caducada``) and
frees their places. A citizen who is logged in (an ``Actor`` of kind ``citizen``) books
under the NIF they logged in with and is confirmed at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import msgspec
from stdnum.es import nif as es_nif
from stdnum.exceptions import ValidationError as NifError

from core import kernel as _kernel
from core.audit.log import record
from core.db import atomic
from core.events import emit
from core.identity.actor import Actor
from core.jobs import send as send_job
from core.tenancy.context import TenantContext
from plugins.cita_previa.schemas import (
    CitaCancelada,
    CitaReprogramada,
    LineaIn,
    ReservaConfirmada,
    ReservaIn,
    ReservaOut,
)
from plugins.cita_previa.services import abuse, catalog, links, notices, queries, video
from plugins.cita_previa.services.common import (
    InvalidCita,
    RateLimited,
    SlotFull,
    as_utc,
    settings_of,
    utcnow,
)
from plugins.cita_previa.services.slots import Window, candidate_agendas, slot_end
from plugins.cita_previa.tables import Cita, Franja, Reserva

LOCALIZADOR_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
OPEN_STATES = ("pendiente", "confirmada")

NOTICE = "cita_previa.send_notice"  # the job that mails a booking's notice (tasks.py)


class Booked(msgspec.Struct, kw_only=True):
    """A booking made: it, its management token, and whether a code went by email."""

    reserva: ReservaOut
    token: str
    code_sent: bool


class _Line(msgspec.Struct, kw_only=True):
    """A requested cita, checked and resolved against the tenant's configuration."""

    servicio: int
    agenda: dict[str, Any]
    channel: str
    starts_at: datetime
    ends_at: datetime
    person_name: str
    person_nif: str
    answers: dict[str, str]


def person_nif(value: str) -> str:
    """A natural person's NIF (DNI, NIE or K/L/M), compacted; else a readable error."""
    try:
        number = es_nif.validate(value)
    except NifError:
        raise InvalidCita(f"El NIF {value!r} no es válido") from None
    if number[0].isalpha() and number[0] not in "XYZKLM":
        raise InvalidCita("Indique el NIF de una persona física")
    return number


def _code_hash(tenant: TenantContext, localizador: str, code: str) -> str:
    secret = _kernel.current().settings.effective_secret_key()
    message = f"{tenant.id}:{localizador}:{code}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


async def _resolve(tenant: TenantContext, line: LineaIn, contact: ReservaIn, contact_nif: str,
                   window: Window) -> _Line:
    servicio = await catalog.servicio_by_code(tenant, line.servicio)
    agendas = {a["id"]: a for a in await candidate_agendas(tenant, servicio, line.channel,
                                                          line.answers)}
    agenda = agendas.get(line.agenda)
    if agenda is None:
        raise InvalidCita("La agenda elegida no atiende este servicio por ese canal")
    if line.channel == "telefono" and not contact.phone:
        raise InvalidCita("Indique un teléfono para la cita telefónica")
    if line.channel == "videollamada" and not contact.email:
        raise InvalidCita("Indique un correo electrónico para recibir el enlace de la videollamada")
    if line.channel == "videollamada":
        video.check_configured(tenant)
    starts_at = as_utc(line.starts_at)
    ends_at = await slot_end(tenant, agenda, starts_at, window)
    return _Line(servicio=servicio.id, agenda=agenda, channel=line.channel,
                 starts_at=starts_at, ends_at=ends_at,
                 person_name=line.person_name.strip() or contact.name,
                 person_nif=person_nif(line.person_nif) if line.person_nif else contact_nif,
                 answers=dict(line.answers))


async def _lock_person(nif: str) -> None:
    """Serialise concurrent bookings of one person (PostgreSQL; SQLite's writes are)."""
    if _kernel.current().db.is_postgres:
        await Reserva.raw("SELECT pg_advisory_xact_lock(hashtext({}))", f"cita_previa:{nif}")


async def _take_place(tenant: TenantContext, agenda: dict[str, Any], starts_at: datetime) -> int:
    """Take one place of the slot or raise ``SlotFull``; returns the slot's id."""
    await Franja.insert(Franja(tenant=tenant.id, agenda=agenda["id"], starts_at=starts_at,
                               capacity=agenda["capacity"], booked=0)).on_conflict(
        action="DO NOTHING")
    taken = await Franja.update({Franja.booked: Franja.booked + 1}).where(
        (Franja.tenant == tenant.id) & (Franja.agenda == agenda["id"])
        & (Franja.starts_at == starts_at) & (Franja.booked < Franja.capacity)
    ).returning(Franja.id)
    if not taken:
        raise SlotFull("La franja elegida ya está completa; elija otra")
    return taken[0]["id"]


async def _release_place(tenant: TenantContext, franja_id: int) -> None:
    await Franja.update({Franja.booked: Franja.booked - 1}).where(
        (Franja.tenant == tenant.id) & (Franja.id == franja_id) & (Franja.booked > 0))


async def _new_localizador(tenant: TenantContext) -> str:
    while True:
        candidate = "".join(secrets.choice(LOCALIZADOR_ALPHABET) for _ in range(8))
        if not await Reserva.exists().where((Reserva.tenant == tenant.id)
                                            & (Reserva.localizador == candidate)):
            return candidate


async def _pending_reserva(tenant: TenantContext, localizador: str) -> dict[str, Any]:
    row = await queries.reserva_row(tenant, localizador)
    if row["confirmed_at"] is not None or as_utc(row["expires_at"]) <= utcnow():
        raise InvalidCita("Solo se pueden añadir citas a una reserva pendiente de confirmar")
    return row


async def book(tenant: TenantContext, data: ReservaIn, *, actor: Actor, ip: str,
               add_to: str | None = None, now: datetime | None = None) -> Booked:
    """Book the citas of ``data`` (or add them to the pending booking ``add_to``)."""
    settings = settings_of(tenant)
    citizen = actor.kind == "citizen" and bool(actor.nif)
    contact_nif = person_nif(actor.nif if citizen else data.nif)
    if not citizen and not data.email:
        raise InvalidCita("Indique un correo electrónico: le enviaremos un código para "
                          "confirmar la cita")
    existing = await _pending_reserva(tenant, add_to) if add_to else None
    held = len(await queries.cita_rows(tenant, reserva_id=existing["id"])) if existing else 0
    if held + len(data.lines) > settings.max_lines:
        raise InvalidCita(f"Una reserva puede tener como máximo {settings.max_lines} citas")
    window = Window(tenant, now)
    lines = [await _resolve(tenant, line, data, contact_nif, window) for line in data.lines]
    if len({(li.person_nif, li.starts_at) for li in lines}) != len(lines):
        raise InvalidCita("Una misma persona no puede tener dos citas a la misma hora")
    people = Counter(li.person_nif for li in lines)
    await abuse.count_attempt(tenant, ip, sorted(people))
    code = None if citizen or existing else f"{secrets.randbelow(10**6):06d}"
    async with atomic():
        for nif, count in sorted(people.items()):
            await _lock_person(nif)
            await abuse.check_open_cap(tenant, nif, count)
        if existing:
            reserva_id, localizador = existing["id"], existing["localizador"]
        else:
            localizador = await _new_localizador(tenant)
            reserva = Reserva(
                tenant=tenant.id, localizador=localizador, name=data.name, nif=contact_nif,
                email=data.email or actor.email, phone=data.phone,
                citizen_nif=contact_nif if citizen else "", created_at=window.now,
                confirmed_at=window.now if citizen else None,
                expires_at=None if citizen else window.now + timedelta(
                    minutes=settings.pending_minutes),
                code_hash=_code_hash(tenant, localizador, code) if code else "", ip=ip[:45])
            await reserva.save()
            reserva_id = reserva.id
        state = "confirmada" if citizen else "pendiente"
        for li in lines:
            franja_id = await _take_place(tenant, li.agenda, li.starts_at)
            room = (f"{tenant.slug}-{localizador}-{secrets.token_hex(6)}".lower()
                    if li.channel == "videollamada" else "")
            await Cita.insert(Cita(
                tenant=tenant.id, reserva=reserva_id, servicio=li.servicio,
                agenda=li.agenda["id"], franja=franja_id, channel=li.channel,
                starts_at=li.starts_at, ends_at=li.ends_at, person_name=li.person_name,
                person_nif=li.person_nif, answers=li.answers, state=state, room=room))
        await record(tenant.id, "cita_previa.booked", actor=actor.audit_name or "anónimo",
                     target=localizador, detail={"citas": [
                         {"agenda": li.agenda["id"], "starts_at": li.starts_at.isoformat(),
                          "channel": li.channel} for li in lines]})
        if citizen:
            await _confirmed(tenant, localizador, len(lines))
    if code:
        await notices.send_code(tenant, localizador, code)
    return await _booked(tenant, localizador, code_sent=code is not None)


async def _booked(tenant: TenantContext, localizador: str, *, code_sent: bool) -> Booked:
    reserva = await queries.get_reserva(tenant, localizador)
    last_end = max(c.ends_at for c in reserva.citas)
    return Booked(reserva=reserva, token=links.sign(tenant, localizador, last_end),
                  code_sent=code_sent)


async def _confirmed(tenant: TenantContext, localizador: str, citas: int) -> None:
    await emit(tenant.id, ReservaConfirmada(localizador=localizador, citas=citas))
    await send_job(NOTICE, tenant.id, kind="confirmacion", localizador=localizador)


async def confirm(tenant: TenantContext, localizador: str, code: str, *,
                  now: datetime | None = None) -> ReservaOut:
    """Confirm a pending booking with its code (again: nothing happens)."""
    now = now or utcnow()
    settings = settings_of(tenant)
    async with atomic():
        row = await queries.reserva_row(tenant, localizador)
        if row["confirmed_at"] is not None:
            return await queries.get_reserva(tenant, localizador)
        pending = await Cita.count().where((Cita.reserva == row["id"])
                                           & (Cita.state == "pendiente"))
        if as_utc(row["expires_at"]) <= now or not pending:
            raise InvalidCita("La reserva ha caducado sin confirmarse; pida una cita nueva")
        if row["code_attempts"] >= settings.code_attempts:
            raise RateLimited("Demasiados códigos erróneos; pida una cita nueva")
        right = hmac.compare_digest(_code_hash(tenant, localizador, code), row["code_hash"])
        if right:
            await Reserva.update({Reserva.confirmed_at: now, Reserva.expires_at: None,
                                  Reserva.code_hash: ""}).where(Reserva.id == row["id"])
            await Cita.update({Cita.state: "confirmada"}).where(
                (Cita.tenant == tenant.id) & (Cita.reserva == row["id"])
                & (Cita.state == "pendiente"))
            await record(tenant.id, "cita_previa.confirmed", actor=row["nif"],
                         target=localizador)
            await _confirmed(tenant, localizador, pending)
        else:
            await Reserva.update({Reserva.code_attempts: Reserva.code_attempts + 1}).where(
                Reserva.id == row["id"])
    if not right:
        raise InvalidCita("El código no es correcto")
    return await queries.get_reserva(tenant, localizador)


async def resend_code(tenant: TenantContext, localizador: str, *, ip: str) -> None:
    """Send a new code for a pending booking (failed attempts still count)."""
    row = await _pending_reserva(tenant, localizador)
    await abuse.count_attempt(tenant, ip, [row["nif"]])
    code = f"{secrets.randbelow(10**6):06d}"
    async with atomic():
        await Reserva.update({Reserva.code_hash: _code_hash(tenant, localizador, code)}).where(
            Reserva.id == row["id"])
    await notices.send_code(tenant, localizador, code)


async def _open_citas(tenant: TenantContext, reserva_id: int, cita_id: int | None,
                      now: datetime) -> list[dict[str, Any]]:
    query = Cita.select().where(
        (Cita.tenant == tenant.id) & (Cita.reserva == reserva_id)
        & Cita.state.is_in(list(OPEN_STATES)) & (Cita.starts_at > now)).output(load_json=True)
    if cita_id is not None:
        query = query.where(Cita.id == cita_id)
    return await query


async def cancel(tenant: TenantContext, localizador: str, cita_id: int | None = None, *,
                 actor: str, now: datetime | None = None) -> ReservaOut:
    """Cancel one future cita of the booking, or all of them; their places are freed."""
    now = now or utcnow()
    async with atomic():
        row = await queries.reserva_row(tenant, localizador)
        citas = await _open_citas(tenant, row["id"], cita_id, now)
        if not citas:
            raise InvalidCita("No hay ninguna cita futura que anular")
        for cita in citas:
            await Cita.update({Cita.state: "cancelada", Cita.sequence: Cita.sequence + 1}).where(
                Cita.id == cita["id"])
            await _release_place(tenant, cita["franja"])
            await emit(tenant.id, CitaCancelada(cita_id=cita["id"], localizador=localizador))
        await record(tenant.id, "cita_previa.cancelled", actor=actor, target=localizador,
                     detail={"citas": [c["id"] for c in citas]})
        if row["confirmed_at"] is not None:
            await send_job(NOTICE, tenant.id, kind="anulacion", localizador=localizador,
                           citas=[c["id"] for c in citas])
    return await queries.get_reserva(tenant, localizador)


async def reschedule(tenant: TenantContext, localizador: str, cita_id: int, agenda_id: int,
                     starts_at: datetime, *, actor: str, now: datetime | None = None
                     ) -> ReservaOut:
    """Move a future cita to another slot of the same service and channel."""
    window = Window(tenant, now)
    row = await queries.reserva_row(tenant, localizador)
    citas = await _open_citas(tenant, row["id"], cita_id, window.now)
    if not citas:
        raise InvalidCita("Esa cita ya no se puede cambiar")
    cita = citas[0]
    servicio = await catalog.get_servicio(tenant, cita["servicio"])
    agendas = {a["id"]: a for a in await candidate_agendas(tenant, servicio, cita["channel"],
                                                          cita["answers"])}
    if agenda_id not in agendas:
        raise InvalidCita("La agenda elegida no atiende este servicio por ese canal")
    starts_at = as_utc(starts_at)
    ends_at = await slot_end(tenant, agendas[agenda_id], starts_at, window)
    async with atomic():
        franja_id = await _take_place(tenant, agendas[agenda_id], starts_at)
        await _release_place(tenant, cita["franja"])
        await Cita.update({Cita.agenda: agenda_id, Cita.franja: franja_id,
                           Cita.starts_at: starts_at, Cita.ends_at: ends_at,
                           Cita.sequence: Cita.sequence + 1, Cita.reminded_at: None}).where(
            Cita.id == cita_id)
        await record(tenant.id, "cita_previa.rescheduled", actor=actor, target=localizador,
                     detail={"cita": cita_id, "starts_at": starts_at.isoformat()})
        await emit(tenant.id, CitaReprogramada(cita_id=cita_id, localizador=localizador))
        if row["confirmed_at"] is not None:
            await send_job(NOTICE, tenant.id, kind="cambio", localizador=localizador,
                           citas=[cita_id])
    return await queries.get_reserva(tenant, localizador)


async def expire_pending(tenant: TenantContext, now: datetime | None = None) -> int:
    """Let unconfirmed bookings past their time lapse and free their places."""
    now = now or utcnow()
    lapsed = 0
    async with atomic():
        rows = await Reserva.select(Reserva.id).where(
            (Reserva.tenant == tenant.id) & Reserva.confirmed_at.is_null()
            & (Reserva.expires_at < now))
        for cita in await Cita.select(Cita.id, Cita.franja).where(
                (Cita.tenant == tenant.id) & (Cita.state == "pendiente")
                & Cita.reserva.is_in([r["id"] for r in rows] or [0])):
            await Cita.update({Cita.state: "caducada"}).where(Cita.id == cita["id"])
            await _release_place(tenant, cita["franja"])
            lapsed += 1
    return lapsed
