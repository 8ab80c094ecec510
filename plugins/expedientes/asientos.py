"""Registry entries into expedientes, through the services the registro plugin publishes.

An entrada of the registro can open an expediente (its extracto becomes the subject, its
interesados and representatives the expediente's, the plazo to resolve counts from its
official date, art. 21.3.b LPAC) or be incorporated into an open one. Either way its
anexos become documents of the expediente (copies of what the citizen presented, with
their hashes), its justificante too, and the asiento records the expediente's number.

When an entrada reaches a unit (``on_asiento_distributed``), expedientes acts on its own
in two cases: the entrada names an open expediente of the entity (``numero_expediente``),
which it joins; or its ``codigo_asunto`` is the code or SIA code of an active procedure
(what the sede's form of that procedure sets), which opens one.

Each entrada goes into one expediente, once (``expedientes_asiento``, unique per tenant):
incorporating it again into the same expediente does nothing — jobs and events are
delivered at least once — and two openings from one entrada at the same time give one
expediente (the second, serialised behind the first by the number counter, is refused).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Annotated, Any

import msgspec

from core import kernel as _kernel
from core.calendar import MADRID
from core.db import atomic
from core.documents import services as documents
from core.documents.eni import Origen, TipoDocumental
from core.documents.schemas import DocumentOut
from core.errors import DomainError
from core.identity.actor import Actor
from core.tenancy.context import TenantContext
from plugins.expedientes import busqueda, catalogo, documentos, history, services
from plugins.expedientes.schemas import (
    ExpedienteIn,
    ExpedienteOut,
    InteresadoIn,
    PersonaIn,
    ProcedimientoOut,
)
from plugins.expedientes.tables import AsientoIncorporado
from plugins.registro import public as registro
from plugins.registro.public import AnexoIn, AsientoIn, AsientoOut, AsientoSummary, Persona
from plugins.registro.public import InteresadoIn as RegistroInteresado

SYSTEM = "sistema"
_NIF_TYPES = ("N", "C", "E", "")  # SICRES: NIF, CIF, NIE (or not said)


class InvalidAsiento(DomainError):
    """A registry entry that cannot open or join an expediente; the message says why."""


class AlreadyIncorporated(InvalidAsiento):
    """The entrada is already in an expediente."""


async def _incorporated_in(tenant: TenantContext, asiento_id: int) -> int | None:
    """The expediente the entrada went into, if any."""
    row = await AsientoIncorporado.select(AsientoIncorporado.expediente).where(
        (AsientoIncorporado.tenant == tenant.id) & (AsientoIncorporado.asiento == asiento_id)
    ).first()
    return None if row is None else row["expediente"]


async def _refuse_incorporated(tenant: TenantContext, asiento: AsientoOut) -> None:
    if (expediente_id := await _incorporated_in(tenant, asiento.id)) is not None:
        raise AlreadyIncorporated(f"El asiento {asiento.numero} ya se incorporó al "
                                  f"expediente con id {expediente_id}")


async def _record(tenant: TenantContext, expediente_id: int, asiento: AsientoOut) -> None:
    await AsientoIncorporado.insert(AsientoIncorporado(
        tenant=tenant.id, expediente=expediente_id, asiento=asiento.id,
        numero=asiento.numero, added_at=datetime.now(UTC)))


async def _entrada(tenant: TenantContext, asiento_id: int,
                   joining: int | None = None) -> AsientoOut:
    """A vigente entrada not yet in an expediente, or naming the one it is ``joining``."""
    if not tenant.is_enabled("registro"):
        raise InvalidAsiento("La entidad no usa el registro electrónico de Concejo")
    asiento = await registro.get(tenant, asiento_id)
    if asiento.direction != "entrada" or asiento.state != "vigente":
        raise InvalidAsiento(f"El asiento {asiento.numero} no es una entrada vigente")
    if asiento.numero_expediente and (
            joining is None or await _named(tenant, asiento.numero_expediente) != joining):
        raise InvalidAsiento(f"El asiento {asiento.numero} es del expediente "
                             f"{asiento.numero_expediente}")
    return asiento


async def _named(tenant: TenantContext, numero_expediente: str) -> int | None:
    """The id of the entity's expediente an asiento names, if it names one of ours."""
    try:
        return await services.id_by_code(tenant, numero_expediente)
    except services.InvalidExpediente:
        return None  # another administration's number, or a typo: staff decide


def _persona(person: Any) -> dict[str, str] | None:
    if person.document_type not in _NIF_TYPES or not person.document:
        return None  # passports and foreign ids: kept in the asiento, not as interesados
    return {"nif": person.document, "name": person.display_name[:200] or person.document,
            "email": person.email, "address": person.address}


def interesados_of(asiento: AsientoOut) -> list[InteresadoIn]:
    """The asiento's interesados (with their representatives) that have a Spanish NIF."""
    result = []
    for person in asiento.interesados:
        fields = _persona(person)
        if fields is None:
            continue
        representante = _persona(person.representante) if person.representante else None
        result.append(InteresadoIn(**fields, representante=PersonaIn(**representante)
                                   if representante else None))
    return result


def _tipo(anexo_tipo: str) -> TipoDocumental:
    """SICRES Tipo_Documento 01 (formulario) is the solicitud; the rest are annexes."""
    return TipoDocumental.SOLICITUD if anexo_tipo == "01" else TipoDocumental.OTROS


async def _copy(tenant: TenantContext, expediente_id: int, asiento: AsientoOut, *,
                actor: str) -> None:
    """Incorporate the asiento's anexos and justificante (inside the caller's transaction;
    ``_issued`` ran before it)."""
    blobs = _kernel.current().blobs
    origen = Origen.ADMINISTRACION if asiento.channel == "sir" else Origen.CIUDADANO
    for anexo in asiento.anexos:
        title = anexo.filename if len(anexo.filename) >= 3 else f"Anexo {anexo.position}"
        document = await _stored(tenant, await blobs.read_bytes(anexo.sha256),
                                 anexo.filename, anexo.mime, title, actor=actor,
                                 tipo=_tipo(anexo.tipo_documento), origen=origen)
        await documentos.link(tenant, expediente_id, document, "registro", actor=actor)
    if asiento.justificante_ready:
        await documentos.link(tenant, expediente_id, await _justificante(tenant, asiento),
                              "registro", actor=actor)


async def _issued(tenant: TenantContext, asiento: AsientoOut) -> AsientoOut:
    """The entrada with its justificante, which the registro issues in a job that may not
    have run yet. Issuing is idempotent; it runs here in a transaction of its own, before
    ours, locking the asiento and then the audit chain as the registro's job does."""
    if asiento.channel != "sir":  # through SIR the administration of origin gave it
        async with atomic():
            await registro.issue_justificante(tenant, asiento.id)
    return await registro.get(tenant, asiento.id)


async def _justificante(tenant: TenantContext, asiento: AsientoOut) -> DocumentOut:
    """The entrada's justificante as a document of the entity."""
    try:  # a justificante the registro issued as a document of the entity
        return await documents.find_by_csv(tenant, asiento.justificante_csv)
    except documents.DocumentNotFound:  # one the registro keeps as a file of its own
        filename, pdf = await registro.justificante_pdf(tenant, asiento.id)
        return await _stored(tenant, pdf, filename, "application/pdf",
                             f"Justificante de registro {asiento.numero}", actor=SYSTEM,
                             tipo=TipoDocumental.ACUSE_RECIBO, origen=Origen.ADMINISTRACION)


async def _stored(tenant: TenantContext, content: bytes, filename: str, mime: str,
                  title: str, *, actor: str, tipo: TipoDocumental, origen: Origen
                  ) -> DocumentOut:
    async def chunks() -> AsyncIterator[bytes]:
        yield content

    return await documents.upload_document(
        tenant, chunks=chunks(), filename=filename, declared_mime=mime, title=title,
        actor=actor, tipo_documental=tipo, origen=origen)


async def open_from(tenant: TenantContext, asiento_id: int, procedimiento_id: int, *,
                    actor: str, user_id: int | None, unit_dir3: str = "") -> ExpedienteOut:
    """Open an expediente from an entrada of the registro, all or nothing."""
    asiento = await _issued(tenant, await _entrada(tenant, asiento_id))
    data = ExpedienteIn(procedimiento_id=procedimiento_id, subject=asiento.extracto[:300],
                        interesados=interesados_of(asiento), unit_dir3=unit_dir3)
    official: date = asiento.official_at.astimezone(MADRID).date()

    async def link(code: str) -> None:  # the asiento first, as the registro locks it
        await _refuse_incorporated(tenant, asiento)  # openings are serial from here
        await registro.link_expediente(tenant, asiento_id, code, actor=actor)

    async with atomic():
        opened = await services.open_expediente(
            tenant, data, actor=actor, user_id=user_id, origin="registro",
            registro_ref=asiento.numero, start=official, numbered=link)
        await _record(tenant, opened.id, asiento)
        await _copy(tenant, opened.id, asiento, actor=actor)
    return await services.get(tenant, opened.id)


async def attach(tenant: TenantContext, expediente_id: int, asiento_id: int, *,
                 actor: str) -> ExpedienteOut:
    """Incorporate an entrada (its anexos and justificante) into an open expediente; one
    already incorporated into it is left as it is."""
    asiento = await _issued(tenant, await _entrada(tenant, asiento_id, joining=expediente_id))
    async with atomic():
        expediente = await services.require_open(tenant, expediente_id)
        if await _incorporated_in(tenant, asiento_id) == expediente_id:
            return await services.get(tenant, expediente_id)  # a repeated delivery
        await _refuse_incorporated(tenant, asiento)
        await _record(tenant, expediente_id, asiento)
        await registro.link_expediente(  # the asiento first, as in the registro
            tenant, asiento_id, services.code_of(expediente["year"], expediente["number"]),
            actor=actor)
        await _copy(tenant, expediente_id, asiento, actor=actor)
        await history.log(tenant, expediente_id, "registro_attached",
                          f"Incorporado el asiento {asiento.numero}: {asiento.extracto}",
                          actor=actor, detail={"asiento": asiento.numero})
    return await services.get(tenant, expediente_id)


def codigo_asunto(procedimiento: ProcedimientoOut) -> str:
    """What an entrada for the procedure carries as SICRES Codigo_Asunto (16 characters)."""
    return procedimiento.sia_code[:16]


async def _procedure_for(tenant: TenantContext, asunto: str) -> int | None:
    wanted = asunto.strip().lower()
    for procedimiento in await catalogo.list_all(tenant, active_only=True):
        if wanted in (procedimiento.code[:16].lower(), codigo_asunto(procedimiento).lower()):
            return procedimiento.id
    return None


class Solicitud(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What a citizen writes in the sede to start a procedure."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=30, title="Nombre")]
    first_surname: Annotated[str, msgspec.Meta(min_length=1, max_length=30,
                                               title="Primer apellido")]
    second_surname: Annotated[str, msgspec.Meta(max_length=30, title="Segundo apellido")] = ""
    asunto: Annotated[str, msgspec.Meta(min_length=3, max_length=200, title="Asunto")]
    expone: Annotated[str, msgspec.Meta(max_length=4000, title="Expone")] = ""
    solicita: Annotated[str, msgspec.Meta(min_length=3, max_length=4000, title="Solicita")]


def _presenters(actor: Actor, data: Solicitud) -> list[RegistroInteresado]:
    """The citizen as interesado, or as representative of whom they act for."""
    person = {"document": actor.nif, "name": data.name, "first_surname": data.first_surname,
              "second_surname": data.second_surname}
    if not actor.acting_for or actor.acting_for == actor.nif:
        return [RegistroInteresado(**person)]
    represented = actor.acting_for_name or actor.acting_for
    return [RegistroInteresado(document=actor.acting_for, business_name=represented[:80],
                               representante=Persona(**person))]


async def present(tenant: TenantContext, actor: Actor, procedimiento_id: int,
                  data: Solicitud, anexos: list[AnexoIn]) -> AsientoOut:
    """A citizen's solicitud in the sede: an entrada of the registro (channel sede) for the
    procedure's unit; its distribution opens the expediente (``on_distributed``)."""
    if actor.kind != "citizen" or not actor.nif:
        raise InvalidAsiento("Identifíquese para presentar una solicitud")
    if not tenant.is_enabled("registro"):
        raise InvalidAsiento("La entidad no recibe solicitudes en su sede")
    procedimiento = await catalogo.get(tenant, procedimiento_id)
    if not procedimiento.active:
        raise InvalidAsiento("El procedimiento no admite solicitudes")
    destino = procedimiento.unit_dir3 if procedimiento.unit_dir3 in await registro.units_of(
        tenant) else ""
    entrada = AsientoIn(
        extracto=f"{procedimiento.name}: {data.asunto}"[:240],
        interesados=_presenters(actor, data), unidad_destino=destino, expone=data.expone,
        solicita=data.solicita, codigo_asunto=codigo_asunto(procedimiento), anexos=anexos)
    return await registro.register(tenant, entrada, channel="sede", actor=actor.audit_name,
                                   presenter=actor.nif)


async def on_distributed(tenant: TenantContext, asiento: AsientoOut, unidad: str) -> None:
    """Join the expediente an entrada names, or open one for the procedure it names."""
    if asiento.direction != "entrada" or asiento.state != "vigente":
        return
    if asiento.numero_expediente:
        if (expediente_id := await _named(tenant, asiento.numero_expediente)) is not None:
            await attach(tenant, expediente_id, asiento.id, actor=SYSTEM)
    elif asiento.codigo_asunto and (
            procedimiento_id := await _procedure_for(tenant, asiento.codigo_asunto)):
        try:
            await open_from(tenant, asiento.id, procedimiento_id, actor=SYSTEM, user_id=None,
                            unit_dir3=unidad)
        except AlreadyIncorporated:
            return  # another delivery of the same news opened it meanwhile


async def inbox(tenant: TenantContext, user_id: int) -> list[AsientoSummary]:
    """Entradas waiting in the inboxes of the units the user works in."""
    if not tenant.is_enabled("registro"):
        return []
    entradas: list[AsientoSummary] = []
    for unit in await busqueda.units_of_user(tenant, user_id):
        entradas += await registro.inbox(tenant, unit,
                                                      states=("distribuido", "aceptado"))
    return entradas
