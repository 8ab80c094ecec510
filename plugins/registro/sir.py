"""SIR exchanges: send asientos as SICRES 3 files, receive them, and keep each exchange's
state (``sicres.SIR_TRANSITIONS``) in ``registro_sir_exchange``.

Outgoing: ``send`` checks SIR's limits before anything is saved, numbers the intercambio,
stores the file and queues ``sir_send``, which hands it to the entity's transport
(pendiente_envio → enviado, or enviado_error to retry). The destination answers with
messages: ACK (enviado_ack), confirmación (aceptado, with its own number) or error; a
rejected file comes back with Tipo_Anotacion 04 (devuelto), and may be resent or annulled.

Incoming: ``receive`` imports a file safely, keeps it whole (the check of every anexo's
Hash is recorded, never a reason to refuse it) and answers ACK (recibido). A PDF anexo
that fails the structure check (a polyglot, a bomb: ``check_pdf_structure``) rejects the
exchange in the same transaction: the file goes back, its motivo naming the anexo, and
nothing of it is registered or forwarded. Otherwise the registry then accepts it (a
numbered entrada with every field, and a confirmación), rejects it with a motivo, or
forwards it to another registry (every received field kept).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from core.audit.log import record
from core.calendar import MADRID
from core.db import atomic
from core.documents.services import RefusedContent, check_pdf_structure
from core.documents.sniff import SNIFF_BYTES, ContentMismatch, check_content
from core.errors import DomainError
from core.jobs import send as send_job
from core.numbering import next_number
from core.tenancy.context import TenantContext
from core.tenancy.scoped import get_or_404, scoped
from plugins.registro import services, sicres, sirmap, transports
from plugins.registro.anexos import StoredAnexo, blob_store
from plugins.registro.schemas import ExchangeOut, SirEnvio
from plugins.registro.tables import Anexo, Exchange

St, Ac = sicres.SirState, sicres.SirAction



class InvalidExchange(DomainError):
    """An exchange that cannot be sent or changed; the message says why."""



def _out(row: dict[str, Any]) -> ExchangeOut:
    fields = {f.name for f in msgspec.structs.fields(ExchangeOut)}
    values = {k: v for k, v in row.items() if k in fields}
    return ExchangeOut(**values, asiento_id=row["asiento"], allowed_actions=[
        a.value for a in sicres.allowed_actions(St(row["state"]))])


async def _row(tenant: TenantContext, exchange_id: int) -> dict[str, Any]:
    return await get_or_404(Exchange, exchange_id, tenant)


async def get(tenant: TenantContext, exchange_id: int) -> ExchangeOut:
    return _out(await _row(tenant, exchange_id))


async def list_exchanges(tenant: TenantContext, direction: str = "",
                         state: str = "") -> list[ExchangeOut]:
    where = scoped(Exchange, tenant)
    if direction:
        where &= Exchange.direction == direction
    if state:
        where &= Exchange.state == state
    rows = await Exchange.select().where(where).order_by(Exchange.id, ascending=False).limit(500)
    return [_out(r) for r in rows]


async def file_of(tenant: TenantContext, exchange_id: int) -> tuple[str, bytes]:
    """The SICRES file of an exchange as sent or received."""
    row = await _row(tenant, exchange_id)
    return f"{row['identificador']}.xml", await blob_store().read_bytes(row["file_sha256"])


async def _move(tenant: TenantContext, row: dict[str, Any], action: sicres.SirAction, *,
                actor: str, motivo: str | None = None, **values: Any) -> St:
    """Apply a SIR action to an exchange row (inside the caller's transaction), audited."""
    try:
        target = sicres.transition(St(row["state"]), action, motivo=motivo)
    except sicres.IllegalTransitionError as exc:
        raise InvalidExchange(str(exc)) from None
    columns = {getattr(Exchange, k): v for k, v in values.items()}
    await Exchange.update({Exchange.state: target.value, Exchange.updated_at: datetime.now(UTC),
                           **({Exchange.motivo: motivo} if motivo is not None else {}),
                           **columns}).where(scoped(Exchange, tenant) & (Exchange.id == row["id"]))
    await record(tenant.id, f"registro.sir.{action.value}", actor=actor,
                 target=row["identificador"],
                 detail={"exchange": row["id"], "from": row["state"], "to": target.value,
                         **({"motivo": motivo} if motivo else {})})
    return target


# ------------------------------------------------------------------------------ outgoing


async def _party(tenant: TenantContext, code: str, unit: str = "") -> sirmap.Party:
    units = await services.units_of(tenant)

    def name(c: str) -> str:
        return units[c]["name"] if c in units else (tenant.name if c == tenant.dir3 else "")

    return sirmap.Party(code=code, name=name(code), unit=unit, unit_name=name(unit))


async def _anexo_pairs(tenant: TenantContext, asiento_id: int
                       ) -> list[tuple[dict[str, Any], bytes]]:
    rows = await Anexo.select().where((Anexo.tenant == tenant.id)
                                      & (Anexo.asiento == asiento_id)).order_by(Anexo.position)
    return [(row, await blob_store().read_bytes(row["sha256"])) for row in rows]


def _export(fichero_builder: Any) -> bytes:
    try:
        return sicres.export_asiento(fichero_builder())
    except sicres.SirLimitsError as exc:
        raise InvalidExchange("El asiento no cumple los límites de SIR: "
                              + "; ".join(exc.violations)) from None
    except sicres.SicresError as exc:
        raise InvalidExchange(f"El asiento no se puede enviar por SIR: {exc}") from None


async def send(tenant: TenantContext, asiento_id: int, envio: SirEnvio, *,
               actor: str) -> ExchangeOut:
    """Send an asiento to another registry through SIR (limits checked before saving)."""
    asiento = await services.get(tenant, asiento_id)
    if asiento.state == "anulado":
        raise InvalidExchange("No se envía un asiento anulado")
    active = await Exchange.exists().where(
        scoped(Exchange, tenant) & (Exchange.asiento == asiento_id)
        & (Exchange.direction == "outgoing")
        & Exchange.state.not_in([St.ANULADO.value, St.RECHAZADO.value]))
    if active:
        raise InvalidExchange("El asiento ya tiene un intercambio SIR en curso")
    pairs = await _anexo_pairs(tenant, asiento_id)
    try:
        sicres.check_sir_limits([sicres.make_anexo(row["filename"], content, row["mime"],
                                                   identificador_fichero="x")
                                 for row, content in pairs])
    except sicres.SirLimitsError as exc:
        raise InvalidExchange("El asiento no cumple los límites de SIR: "
                              + "; ".join(exc.violations)) from None
    origen = await _party(tenant, asiento.oficina, asiento.unidad_origen)
    destino = await _party(tenant, envio.destino, envio.unidad)
    received = await _received_file(tenant, asiento_id)
    async with atomic():
        now = datetime.now(UTC)
        year = now.astimezone(MADRID).year
        identificador = sicres.make_identificador_intercambio(
            asiento.oficina, year, await next_number(tenant.id, "registro.sir", year))
        built = sirmap.fichero(
            asiento, identificador=identificador, origen=origen, destino=destino,
            inicio=origen, anexos=sirmap.anexo_segments(identificador, pairs),
            user=actor, contact=actor)
        xml = _export(lambda: built if received is None
                      else sirmap.carried_over(built, received))
        ref = await blob_store().put_bytes(xml)
        row = Exchange(tenant=tenant.id, asiento=asiento_id, direction="outgoing",
                       identificador=identificador, state=St.PENDIENTE_ENVIO.value,
                       counterpart=envio.destino, counterpart_unit=envio.unidad,
                       tipo_anotacion=sicres.TipoAnotacion.ENVIO.value,
                       file_sha256=ref.sha256, extracto=asiento.extracto,
                       origen_numero=asiento.numero, created_at=now, updated_at=now)
        await row.save()
        await record(tenant.id, "registro.sir.created", actor=actor, target=identificador,
                     detail={"exchange": row.id, "asiento": asiento_id,
                             "destino": envio.destino, "sha256": ref.sha256})
        await _queue(tenant, row.id, "asiento", envio.destino, ref.sha256)
    return await get(tenant, row.id)


async def _received_file(tenant: TenantContext, asiento_id: int
                         ) -> sicres.FicheroIntercambio | None:
    """The SICRES file an asiento was accepted from, if it came through SIR."""
    row = await Exchange.select(Exchange.file_sha256).where(
        scoped(Exchange, tenant) & (Exchange.asiento == asiento_id)
        & (Exchange.direction == "incoming")).first()
    if row is None:
        return None
    return sicres.import_asiento(await blob_store().read_bytes(row["file_sha256"]))


async def _queue(tenant: TenantContext, exchange_id: int, kind: str, destino: str,
                 sha256: str) -> None:
    await send_job("registro.sir_deliver", tenant.id, exchange_id=exchange_id, kind=kind,
                   destino=destino, sha256=sha256)


_AWAITING_DELIVERY = (St.PENDIENTE_ENVIO, St.ENVIADO_ERROR, St.REENVIADO)


async def deliver(tenant: TenantContext, exchange_id: int, kind: str, destino: str,
                  sha256: str) -> None:
    """Hand a stored file or message to the entity's transport (the ``sir_deliver`` job).

    Sending our own asiento moves pendiente_envio / enviado_error to enviado (a resent one
    stays reenviado); a transport failure leaves it in enviado_error with the reason, for
    the registry to retry. Files and messages about received exchanges only record the
    failure.
    """
    row = await _row(tenant, exchange_id)
    ours = row["direction"] == "outgoing" and kind == "asiento"
    if ours and row["state"] not in _AWAITING_DELIVERY:
        return  # a duplicate of a delivery that went through
    data = await blob_store().read_bytes(sha256)
    try:
        transport = transports.transport_for(tenant, services.settings_of(tenant).sir_transport)
        if kind == "asiento":
            await transport.deliver_asiento(tenant, destino, data)
        else:
            await transport.deliver_mensaje(tenant, destino, data)
    except transports.TransportError as exc:
        failure = {"last_error": str(exc)[:2000], "attempts": row["attempts"] + 1}
        if ours and row["state"] == St.PENDIENTE_ENVIO:
            row = {**row, "state": await _move(tenant, row, Ac.SEND, actor="sistema")}
        if ours and row["state"] != St.ENVIADO_ERROR:
            await _move(tenant, row, Ac.ERROR, actor="sistema", **failure)
        else:
            await Exchange.update({getattr(Exchange, k): v for k, v in failure.items()}).where(
                scoped(Exchange, tenant) & (Exchange.id == exchange_id))
        return
    if ours and row["state"] != St.REENVIADO:
        await _move(tenant, row, Ac.SEND, actor="sistema", attempts=row["attempts"] + 1,
                    last_error="")


async def retry(tenant: TenantContext, exchange_id: int, *, actor: str) -> ExchangeOut:
    """Try again to deliver an outgoing exchange that failed (enviado_error)."""
    async with atomic():
        row = await _row(tenant, exchange_id)
        if row["direction"] != "outgoing" or row["state"] != St.ENVIADO_ERROR:
            raise InvalidExchange("Solo se reintenta un envío con error")
        await record(tenant.id, "registro.sir.retry", actor=actor, target=row["identificador"],
                     detail={"exchange": exchange_id})
        await _queue(tenant, exchange_id, "asiento", row["counterpart"], row["file_sha256"])
    return await get(tenant, exchange_id)


async def resend(tenant: TenantContext, exchange_id: int, envio: SirEnvio, *,
                 actor: str) -> ExchangeOut:
    """Send again (to the same or another registry) an exchange that came back (devuelto)
    or, for a received one, forward it to the registry it was meant for."""
    async with atomic():
        row = await _row(tenant, exchange_id)
        received = sicres.import_asiento(await blob_store().read_bytes(row["file_sha256"]))
        destino = await _party(tenant, envio.destino, envio.unidad)
        forwarded = sirmap.carried_over(msgspec.structs.replace(
            received,
            destino=sicres.Destino(
                codigo_entidad_registral_destino=destino.code,
                decodificacion_entidad_registral_destino=destino.name[:80] or None,
                codigo_unidad_tramitacion_destino=destino.unit or None,
                decodificacion_unidad_tramitacion_destino=destino.unit_name[:80] or None),
            control=msgspec.structs.replace(
                received.control, tipo_anotacion=sicres.TipoAnotacion.REENVIO,
                descripcion_tipo_anotacion=None)), received)
        xml = _export(lambda: forwarded)
        ref = await blob_store().put_bytes(xml)
        changes: dict[str, Any] = {}
        if row["direction"] == "outgoing":
            changes = {"counterpart": envio.destino, "counterpart_unit": envio.unidad,
                       "file_sha256": ref.sha256,
                       "tipo_anotacion": sicres.TipoAnotacion.REENVIO.value}
        await _move(tenant, row, Ac.RESEND, actor=actor, **changes)
        await _queue(tenant, exchange_id, "asiento", envio.destino, ref.sha256)
    return await get(tenant, exchange_id)


async def annul(tenant: TenantContext, exchange_id: int, *, actor: str) -> ExchangeOut:
    """Give up an outgoing exchange that was not delivered or came back."""
    async with atomic():
        await _move(tenant, await _row(tenant, exchange_id), Ac.ANNUL, actor=actor)
    return await get(tenant, exchange_id)


# ------------------------------------------------------------------------------ incoming


def _mensaje(received: sicres.FicheroIntercambio, tipo: sicres.TipoMensaje,
             **fields: Any) -> bytes:
    """A message from the registry a file was addressed to, back to its origin."""
    return sicres.export_mensaje(sicres.Mensaje(
        codigo_entidad_registral_origen=received.destino.codigo_entidad_registral_destino,
        codigo_entidad_registral_destino=received.origen.codigo_entidad_registral_origen,
        identificador_intercambio=received.control.identificador_intercambio,
        tipo_mensaje=tipo, **fields))


async def receive(tenant: TenantContext, data: bytes, *, actor: str) -> ExchangeOut | None:
    """Take a file delivered to this registry: a new exchange (recibido, ACK sent back), or
    one of ours coming back rejected (devuelto). A file already received is ignored."""
    try:
        received = sicres.import_asiento(data)
    except (sicres.SicresError, ValueError) as exc:
        raise InvalidExchange(f"Fichero SICRES no válido: {exc}") from None
    control = received.control
    identificador = control.identificador_intercambio
    refusal = None
    if control.tipo_anotacion != sicres.TipoAnotacion.RECHAZO:
        refusal = await _refused_anexo(received)  # outside the transaction: workers' time
    async with atomic():
        if control.tipo_anotacion == sicres.TipoAnotacion.RECHAZO:
            ours = await Exchange.select().where(
                scoped(Exchange, tenant) & (Exchange.direction == "outgoing")
                & (Exchange.identificador == identificador)).first()
            if ours is not None:
                if ours["state"] in (St.ENVIADO, St.ENVIADO_ACK, St.REENVIADO):
                    await _move(tenant, ours, Ac.RETURN, actor=actor,
                                motivo=control.descripcion_tipo_anotacion or "")
                return await get(tenant, ours["id"])
        ref = await blob_store().put_bytes(data)
        duplicate = await Exchange.select(Exchange.id).where(
            scoped(Exchange, tenant) & (Exchange.direction == "incoming")
            & (Exchange.identificador == identificador)
            & (Exchange.file_sha256 == ref.sha256)).first()
        if duplicate is not None:
            return None
        now = datetime.now(UTC)
        row = Exchange(tenant=tenant.id, direction="incoming", identificador=identificador,
                       state=sicres.transition(None, Ac.RECEIVE).value,
                       counterpart=received.origen.codigo_entidad_registral_origen,
                       counterpart_unit=received.origen.codigo_unidad_tramitacion_origen or "",
                       tipo_anotacion=control.tipo_anotacion.value, file_sha256=ref.sha256,
                       extracto=received.asunto.resumen,
                       origen_numero=received.origen.numero_registro_entrada,
                       created_at=now, updated_at=now)
        await row.save()
        await record(tenant.id, "registro.sir.receive", actor=actor, target=identificador,
                     detail={"exchange": row.id, "from": row.counterpart,
                             "sha256": ref.sha256, "hashes": {
                                 a.identificador_fichero: sicres.check_anexo_hash(a).value
                                 for a in received.anexos}})
        ack = await blob_store().put_bytes(_mensaje(received, sicres.TipoMensaje.ACK))
        await _queue(tenant, row.id, "mensaje", row.counterpart, ack.sha256)
        if refusal:
            await reject(tenant, row.id, refusal, actor="sir")
    return await get(tenant, row.id)


async def _refused_anexo(received: sicres.FicheroIntercambio) -> str | None:
    """Why a PDF anexo (``%PDF-`` in the bytes browsers sniff) fails the structure check,
    or None: a polyglot or a bomb from another administration is never registered."""
    for segment in received.anexos:
        content = segment.anexo or b""
        if b"%PDF-" not in content[:1024]:
            continue
        try:
            await check_pdf_structure(content)
        except RefusedContent as exc:
            return f"Anexo {segment.nombre_fichero_anexado} rechazado: {exc}"
    return None


async def _stored_anexos(received: sicres.FicheroIntercambio) -> list[StoredAnexo]:
    """The received anexos in the blob store, with their signature material and links."""
    positions = {a.identificador_fichero: i for i, a in enumerate(received.anexos)}
    stored = []
    for segment in received.anexos:
        try:
            mime = check_content((segment.anexo or b"")[:SNIFF_BYTES], segment.tipo_mime or "",
                                 segment.nombre_fichero_anexado)
        except ContentMismatch:  # kept as SIR delivered it; downloads are attachments
            mime = segment.tipo_mime or "application/octet-stream"
        ref = await blob_store().put_bytes(segment.anexo or b"")
        stored.append(StoredAnexo(
            sirmap.anexo_in(segment, mime), mime, ref.sha256, ref.size,
            extra=sirmap.anexo_extra(segment), sir_identificador=segment.identificador_fichero,
            signs=positions.get(segment.identificador_documento_firmado or "")))
    return stored


async def accept(tenant: TenantContext, exchange_id: int, *, actor: str) -> ExchangeOut:
    """Register a received exchange as an entrada and confirm it to the origin."""
    row = await _row(tenant, exchange_id)
    received = sicres.import_asiento(await blob_store().read_bytes(row["file_sha256"]))
    stored = await _stored_anexos(received)
    origin = services.SirOrigin(
        entidad_registral=received.origen.codigo_entidad_registral_origen,
        numero=received.origen.numero_registro_entrada,
        fecha=received.origen.fecha_hora_entrada.strftime(sicres.FECHA_FORMAT))
    async with atomic():
        row = await _row(tenant, exchange_id)
        if row["direction"] != "incoming":
            raise InvalidExchange("Solo se aceptan intercambios recibidos")
        oficina = received.destino.codigo_entidad_registral_destino
        units = await services.units_of(tenant)
        data = msgspec.structs.replace(sirmap.asiento_in(received),
                                       oficina=oficina if oficina in units else "")
        asiento = await services.register(tenant, data, channel="sir", actor=actor,
                                          origin=origin, stored=stored)
        await _move(tenant, row, Ac.ACCEPT, actor=actor, asiento=asiento.id)
        confirmation = await blob_store().put_bytes(_mensaje(
            received, sicres.TipoMensaje.CONFIRMACION,
            numero_registro_entrada_destino=asiento.numero,
            fecha_hora_entrada_destino=sirmap.local_naive(asiento.received_at)))
        await _queue(tenant, exchange_id, "mensaje", row["counterpart"], confirmation.sha256)
    return await get(tenant, exchange_id)


async def reject(tenant: TenantContext, exchange_id: int, motivo: str, *,
                 actor: str) -> ExchangeOut:
    """Refuse a received exchange: the file goes back to its origin with the motivo."""
    async with atomic():
        row = await _row(tenant, exchange_id)
        if row["direction"] != "incoming":
            raise InvalidExchange("Solo se rechazan intercambios recibidos")
        received = sicres.import_asiento(await blob_store().read_bytes(row["file_sha256"]))
        returned = msgspec.structs.replace(received, control=msgspec.structs.replace(
            received.control, tipo_anotacion=sicres.TipoAnotacion.RECHAZO,
            descripcion_tipo_anotacion=motivo[:80]))
        await _move(tenant, row, Ac.REJECT, actor=actor, motivo=motivo)
        ref = await blob_store().put_bytes(_export(lambda: returned))
        await _queue(tenant, exchange_id, "asiento", row["counterpart"], ref.sha256)
    return await get(tenant, exchange_id)


async def on_message(tenant: TenantContext, data: bytes) -> None:
    """Apply an ACK, confirmación or error to the outgoing exchange it names."""
    try:
        mensaje = sicres.import_mensaje(data)
    except (sicres.SicresError, ValueError):
        return  # nothing to attach an unreadable message to; the transport logged it
    async with atomic():
        row = await Exchange.select().where(
            scoped(Exchange, tenant) & (Exchange.direction == "outgoing")
            & (Exchange.identificador == mensaje.identificador_intercambio)).first()
        if row is None:
            return
        action = {sicres.TipoMensaje.ACK: Ac.ACK, sicres.TipoMensaje.CONFIRMACION: Ac.ACCEPT,
                  sicres.TipoMensaje.ERROR: Ac.ERROR}[mensaje.tipo_mensaje]
        if (St(row["state"]), action) not in sicres.SIR_TRANSITIONS:
            return  # e.g. an ACK overtaken by the confirmación: the later state stands
        values: dict[str, Any] = {}
        if action == Ac.ACCEPT:
            values = {"destino_numero": mensaje.numero_registro_entrada_destino or "",
                      "destino_fecha": mensaje.fecha_hora_entrada_destino.strftime(
                          sicres.FECHA_FORMAT) if mensaje.fecha_hora_entrada_destino else ""}
        elif action == Ac.ERROR:
            values = {"last_error": f"{mensaje.codigo_error}: "
                                    f"{mensaje.descripcion_mensaje or ''}"}
        await _move(tenant, row, action, actor="sir", **values)
