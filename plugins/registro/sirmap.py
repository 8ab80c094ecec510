"""Mapping between asientos and SICRES 3 exchange files (pure functions, no database).

Every field of a received file that the asiento keeps maps back to the same field when the
asiento is sent on: interesados and representatives with their contact details, anexos
with validity, type, notes, signatures and the signed-document link, the transport, the
physical documentation flag, the observations and the generic form (expone / solicita).
An anexo keeps the Hash it came with (and whether it came without content). What the
asiento does not model (the names of registries and units, Tipo_Registro, the
Descripcion_Tipo_Anotacion, the registry where it began) is taken from the received file
by `carried_over` when the asiento is sent on.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

import msgspec

from core.calendar import MADRID
from plugins.registro import sicres
from plugins.registro.schemas import AnexoIn, AsientoIn, AsientoOut, InteresadoIn, Persona

#: Persona field → SICRES Interesado field stem (``<stem>_interesado`` / ``_representante``).
_PERSON = {
    "document_type": "tipo_documento_identificacion", "document": "documento_identificacion",
    "business_name": "razon_social", "name": "nombre", "first_surname": "primer_apellido",
    "second_surname": "segundo_apellido", "country": "pais", "province": "provincia",
    "municipality": "municipio", "address": "direccion", "postal_code": "codigo_postal",
    "email": "correo_electronico", "phone": "telefono_contacto",
    "deh": "direccion_electronica_habilitada",
    "preferred_channel": "canal_preferente_comunicacion",
}
_EXTRA = ("certificado", "firma_documento", "timestamp", "validacion_ocsp_certificado", "hash")
HASH_CHECK = "hash_check"  # sir_extra key: sicres.HashCheck of the received Hash


def _or_none(value: str) -> str | None:
    return value or None


def _value(value: Any) -> str:
    if value is None:
        return ""
    return str(value.value) if hasattr(value, "value") else str(value)


_CODES = {"document_type": sicres.TipoDocumentoIdentificacion,
          "preferred_channel": sicres.CanalPreferente}


def interesado_segment(interesado: InteresadoIn) -> sicres.Interesado:
    fields: dict[str, Any] = {"observaciones": _or_none(interesado.notes)}
    for who, persona in (("interesado", interesado), ("representante",
                                                       interesado.representante)):
        for ours, stem in _PERSON.items():
            value = getattr(persona, ours) if persona else ""
            fields[f"{stem}_{who}"] = _CODES[ours](value) if value and ours in _CODES \
                else _or_none(value)
    return sicres.Interesado(**fields)


def interesado_of(segment: sicres.Interesado) -> InteresadoIn:
    def persona(who: str) -> dict[str, str]:
        return {ours: _value(getattr(segment, f"{stem}_{who}")) for ours, stem in _PERSON.items()}

    representante = persona("representante")
    return InteresadoIn(**persona("interesado"), notes=segment.observaciones or "",
                        representante=Persona(**representante) if any(
                            representante.values()) else None)


def local_naive(moment: datetime) -> datetime:
    """SICRES time: the seat's wall clock, whole seconds, no zone."""
    return moment.astimezone(MADRID).replace(tzinfo=None, microsecond=0)


class Party(msgspec.Struct, frozen=True, kw_only=True):
    """A registry (entidad registral) and optionally a unit, with their names."""

    code: str
    name: str = ""
    unit: str = ""
    unit_name: str = ""


def anexo_segments(identificador: str, anexos: list[tuple[dict[str, Any], bytes]]
                   ) -> list[sicres.Anexo]:
    """Anexo segments for (anexo row, content) pairs, named under ``identificador``."""
    names: dict[int, str] = {}
    for sequence, (row, _) in enumerate(anexos, start=1):
        extension = row["filename"].rsplit(".", 1)[-1] if "." in row["filename"] else "bin"
        names[row["position"]] = sicres.make_identificador_fichero(
            identificador, sicres.TipoDocumentoAnexo(row["tipo_documento"]), sequence,
            extension)
    segments = []
    for row, content in anexos:
        segment = sicres.make_anexo(
            row["filename"], content, row["mime"], identificador_fichero=names[row["position"]],
            tipo_documento=sicres.TipoDocumentoAnexo(row["tipo_documento"]),
            validez_documento=sicres.ValidezDocumento(row["validez"]) if row["validez"]
            else None, observaciones=_or_none(row["notes"]))
        received = _json(row["sir_extra"])
        extra: dict[str, Any] = {k: base64.b64decode(v) for k, v in received.items()
                                 if k in _EXTRA}
        if received.get(HASH_CHECK) == sicres.HashCheck.SIN_CONTENIDO:
            extra["anexo"] = None
        segments.append(msgspec.structs.replace(
            segment, identificador_documento_firmado=names.get(row["signs"])
            if row["signs"] is not None else None, **extra))
    return segments


def _json(value: Any) -> dict[str, Any]:
    return (msgspec.json.decode(value) if isinstance(value, str | bytes) else value) or {}


def fichero(asiento: AsientoOut, *, identificador: str, origen: Party, destino: Party,
            inicio: Party, anexos: list[sicres.Anexo], user: str = "", contact: str = "",
            anotacion: sicres.TipoAnotacion = sicres.TipoAnotacion.ENVIO,
            descripcion: str = "") -> sicres.FicheroIntercambio:
    """The exchange file of an asiento registered by ``origen``, sent to ``destino``."""
    return sicres.FicheroIntercambio(
        origen=sicres.OrigenRemitente(
            codigo_entidad_registral_origen=origen.code,
            decodificacion_entidad_registral_origen=_or_none(origen.name[:80]),
            numero_registro_entrada=asiento.numero,
            fecha_hora_entrada=local_naive(asiento.received_at),
            codigo_unidad_tramitacion_origen=_or_none(origen.unit),
            decodificacion_unidad_tramitacion_origen=_or_none(origen.unit_name[:80])),
        destino=sicres.Destino(
            codigo_entidad_registral_destino=destino.code,
            decodificacion_entidad_registral_destino=_or_none(destino.name[:80]),
            codigo_unidad_tramitacion_destino=_or_none(destino.unit),
            decodificacion_unidad_tramitacion_destino=_or_none(destino.unit_name[:80])),
        interesados=[interesado_segment(i) for i in asiento.interesados],
        asunto=sicres.Asunto(resumen=asiento.extracto,
                             codigo_asunto_segun_destino=_or_none(asiento.codigo_asunto),
                             referencia_externa=_or_none(asiento.referencia_externa),
                             numero_expediente=_or_none(asiento.numero_expediente)),
        anexos=anexos,
        control=sicres.InternosControl(
            tipo_transporte_entrada=sicres.TipoTransporte(asiento.tipo_transporte)
            if asiento.tipo_transporte else None,
            numero_transporte_entrada=_or_none(asiento.numero_transporte),
            nombre_usuario=_or_none(user[:80]), contacto_usuario=_or_none(contact[:160]),
            identificador_intercambio=identificador, tipo_anotacion=anotacion,
            descripcion_tipo_anotacion=_or_none(descripcion[:80]),
            tipo_registro=sicres.TipoRegistro.ENTRADA if asiento.direction == "entrada"
            else sicres.TipoRegistro.SALIDA,
            documentacion_fisica=sicres.DocumentacionFisica(asiento.documentacion_fisica),
            observaciones_apunte=_or_none(asiento.observaciones),
            codigo_entidad_registral_inicio=inicio.code,
            decodificacion_entidad_registral_inicio=_or_none(inicio.name[:80])),
        formulario=sicres.FormularioGenerico(expone=asiento.expone, solicita=asiento.solicita))


def asiento_in(received: sicres.FicheroIntercambio) -> AsientoIn:
    """The entrada a destination registry records for a received file (anexos apart)."""
    control, asunto = received.control, received.asunto
    return AsientoIn(
        direction="entrada", extracto=asunto.resumen,
        interesados=[interesado_of(i) for i in received.interesados],
        unidad_origen=received.origen.codigo_unidad_tramitacion_origen or "",
        unidad_destino=received.destino.codigo_unidad_tramitacion_destino or "",
        expone=received.formulario.expone, solicita=received.formulario.solicita,
        documentacion_fisica=control.documentacion_fisica.value,
        observaciones=control.observaciones_apunte or "",
        tipo_transporte=_value(control.tipo_transporte_entrada),
        numero_transporte=control.numero_transporte_entrada or "",
        referencia_externa=asunto.referencia_externa or "",
        numero_expediente=asunto.numero_expediente or "",
        codigo_asunto=asunto.codigo_asunto_segun_destino or "")


def anexo_in(segment: sicres.Anexo, mime: str) -> AnexoIn:
    return AnexoIn(filename=segment.nombre_fichero_anexado, content=segment.anexo or b"",
                   mime=mime,
                   validez=_value(segment.validez_documento),
                   tipo_documento=segment.tipo_documento.value,
                   notes=segment.observaciones or "")


def anexo_extra(segment: sicres.Anexo) -> dict[str, str]:
    """The signature material and Hash of a received anexo, kept as base64 for sending it
    on, and what checking the Hash found."""
    extra = {name: base64.b64encode(getattr(segment, name)).decode()
             for name in _EXTRA if getattr(segment, name) is not None}
    return {**extra, HASH_CHECK: sicres.check_anexo_hash(segment).value}


def _named(built: msgspec.Struct, received: msgspec.Struct, pairs: dict[str, str]
           ) -> dict[str, Any]:
    """The received decodificaciones (name field → code field) of the codes that stay."""
    return {name: getattr(received, name) for name, code in pairs.items()
            if getattr(built, name) is None and getattr(received, name) is not None
            and getattr(built, code) == getattr(received, code)}


_ORIGEN_NAMES = {"decodificacion_entidad_registral_origen": "codigo_entidad_registral_origen",
                 "decodificacion_unidad_tramitacion_origen": "codigo_unidad_tramitacion_origen"}
_DESTINO_NAMES = {
    "decodificacion_entidad_registral_destino": "codigo_entidad_registral_destino",
    "decodificacion_unidad_tramitacion_destino": "codigo_unidad_tramitacion_destino"}


def carried_over(built: sicres.FicheroIntercambio, received: sicres.FicheroIntercambio
                 ) -> sicres.FicheroIntercambio:
    """``built`` with what ``received`` said and the asiento does not keep.

    A name travels on while the code it names does; Tipo_Registro, the
    Descripcion_Tipo_Anotacion (unless ``built`` has its own), the test flag and the
    registry where the asiento began are the received ones.
    """
    control = received.control
    return msgspec.structs.replace(
        built,
        origen=msgspec.structs.replace(
            built.origen, **_named(built.origen, received.origen, _ORIGEN_NAMES)),
        destino=msgspec.structs.replace(
            built.destino, **_named(built.destino, received.destino, _DESTINO_NAMES)),
        control=msgspec.structs.replace(
            built.control, tipo_registro=control.tipo_registro,
            descripcion_tipo_anotacion=built.control.descripcion_tipo_anotacion
            or control.descripcion_tipo_anotacion,
            indicador_prueba=control.indicador_prueba,
            codigo_entidad_registral_inicio=control.codigo_entidad_registral_inicio,
            decodificacion_entidad_registral_inicio=(
                control.decodificacion_entidad_registral_inicio)))
