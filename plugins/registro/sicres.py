"""SICRES 3: the files registries exchange through SIR, their limits and the SIR states.

- `FicheroIntercambio` mirrors `Fichero_Intercambio_SICRES_3` segment by segment (field
  order = XSD order, element names from the field names); `export_asiento` emits it
  (valid against `SICRES3_INTERCAMBIO_APL.xsd`), `import_asiento` reads one safely
  (`core.documents.xmlsafe`: no DTD, size limit), strips C0 control characters, reads an
  empty element (`<X/>`, which the XSD allows) as an absent one and keeps every field, so
  `export_asiento(import_asiento(export_asiento(x))) == export_asiento(x)`.
- `check_anexo_hash` verifies an anexo's Hash in every form registries write (binary or
  hex SHA-1/256/512, an anexo sent without content); a Hash is kept as received and never
  makes a file unreadable: the result is recorded instead.
- `Mensaje` mirrors `De_Mensaje` (`SICRES3_MENSAJE_APL.xsd`): ACK, confirmación, error.
- `check_sir_limits` lists every violation of SIR's attachment limits.
- `SIR_TRANSITIONS` + `transition` are the SIR state machine as data + a pure function.

Dates travel as `yyyyMMddHHmmss` local wall-clock time: the Structs hold naive datetimes
with whole seconds. Text fields lose C0 control characters (tab, LF, CR stay) both ways.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import Enum, StrEnum
from functools import cache
from types import MappingProxyType
from typing import Annotated, Any, TypeVar, cast

import msgspec
from lxml import etree

from core.documents.xmlsafe import parse_xml, strip_controls

ROOT_INTERCAMBIO = "Fichero_Intercambio_SICRES_3"
ROOT_MENSAJE = "De_Mensaje"
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
MAX_ANEXOS = 5
MAX_ANEXO_BYTES = 10 * 1024 * 1024
MAX_TOTAL_BYTES = 15 * 1024 * 1024
FECHA_FORMAT = "%Y%m%d%H%M%S"

S2 = Annotated[str, msgspec.Meta(max_length=2)]
S4 = Annotated[str, msgspec.Meta(max_length=4)]
S5 = Annotated[str, msgspec.Meta(max_length=5)]
S16 = Annotated[str, msgspec.Meta(max_length=16)]
S17 = Annotated[str, msgspec.Meta(max_length=17)]
S20 = Annotated[str, msgspec.Meta(max_length=20)]
S30 = Annotated[str, msgspec.Meta(max_length=30)]
S50 = Annotated[str, msgspec.Meta(max_length=50)]
S80 = Annotated[str, msgspec.Meta(max_length=80)]
S160 = Annotated[str, msgspec.Meta(max_length=160)]
S1024 = Annotated[str, msgspec.Meta(max_length=1024)]
S4000 = Annotated[str, msgspec.Meta(max_length=4000)]
Codigo = Annotated[str, msgspec.Meta(min_length=1, max_length=21)]
Numero = Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
_ID_INTERCAMBIO = r"^[A-Za-z0-9]{1,21}_[0-9]{2}_[0-9]{8}$"
IdentificadorIntercambio = Annotated[str, msgspec.Meta(pattern=_ID_INTERCAMBIO)]
IdentificadorFichero = Annotated[str, msgspec.Meta(min_length=1, max_length=50)]

_ALLOWED_TYPES: Mapping[str, frozenset[str]] = MappingProxyType({
    "jpg": frozenset({"image/jpeg"}),
    "jpeg": frozenset({"image/jpeg"}),
    "odt": frozenset({"application/vnd.oasis.opendocument.text"}),
    "odp": frozenset({"application/vnd.oasis.opendocument.presentation"}),
    "ods": frozenset({"application/vnd.oasis.opendocument.spreadsheet"}),
    "odg": frozenset({"application/vnd.oasis.opendocument.graphics"}),
    "docx": frozenset(
        {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}),
    "xlsx": frozenset({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    "pptx": frozenset(
        {"application/vnd.openxmlformats-officedocument.presentationml.presentation"}),
    "pdf": frozenset({"application/pdf"}),
    "png": frozenset({"image/png"}),
    "rtf": frozenset({"application/rtf", "text/rtf"}),
    "svg": frozenset({"image/svg+xml"}),
    "tiff": frozenset({"image/tiff"}),
    "txt": frozenset({"text/plain"}),
    "xsig": frozenset({"application/xml", "text/xml"}),
    "xml": frozenset({"application/xml", "text/xml"}),
})
_HASH_BY_DIGEST_SIZE = {20: "sha1", 32: "sha256", 64: "sha512"}
_XML_NAMES = {
    "timestamp": "TimeStamp",
    "tipo_mime": "Tipo_MIME",
    "validacion_ocsp_certificado": "Validacion_OCSP_Certificado",
}


class SicresError(ValueError):
    """A SICRES 3 exchange that cannot be emitted or imported."""


class SirLimitsError(SicresError):
    """Attachments beyond SIR's limits; `violations` lists every one."""

    def __init__(self, violations: Sequence[str]) -> None:
        self.violations = list(violations)
        super().__init__("SIR limits exceeded: " + "; ".join(self.violations))


class IllegalTransitionError(SicresError):
    """An action the SIR state machine does not allow in the current state."""


class TipoDocumentoIdentificacion(StrEnum):
    NIF = "N"
    CIF = "C"
    PASAPORTE = "P"
    NIE = "E"
    OTROS_PERSONA_FISICA = "X"
    CODIGO_ORIGEN = "O"


class CanalPreferente(StrEnum):
    DIRECCION_POSTAL = "01"
    DIRECCION_ELECTRONICA_HABILITADA = "02"
    COMPARECENCIA_ELECTRONICA = "03"


class ValidezDocumento(StrEnum):
    COPIA = "01"
    COPIA_COMPULSADA = "02"
    COPIA_ORIGINAL = "03"
    ORIGINAL = "04"


class TipoDocumentoAnexo(StrEnum):
    FORMULARIO = "01"
    ADJUNTO = "02"
    FICHERO_TECNICO = "03"


class TipoTransporte(StrEnum):
    SERVICIO_MENSAJEROS = "01"
    CORREO_POSTAL = "02"
    CORREO_POSTAL_CERTIFICADO = "03"
    BUROFAX = "04"
    EN_MANO = "05"
    FAX = "06"
    OTROS = "07"


class TipoAnotacion(StrEnum):
    PENDIENTE = "01"
    ENVIO = "02"
    REENVIO = "03"
    RECHAZO = "04"


class TipoRegistro(StrEnum):
    ENTRADA = "0"
    SALIDA = "1"


class DocumentacionFisica(StrEnum):
    ACOMPANA_REQUERIDA = "1"
    ACOMPANA_COMPLEMENTARIA = "2"
    NO_ACOMPANA = "3"


class HashCheck(StrEnum):
    """What checking a received anexo's Hash against its content found."""

    VALIDO = "valido"
    NO_COINCIDE = "no_coincide"
    NO_VERIFICABLE = "no_verificable"  # a Hash in no form we know
    SIN_CONTENIDO = "sin_contenido"  # the anexo came without its content


class TipoMensaje(StrEnum):
    ACK = "01"
    CONFIRMACION = "02"
    ERROR = "03"


def _xml_name(field: str) -> str:
    return _XML_NAMES.get(field) or "_".join(part.capitalize() for part in field.split("_"))


def _check_fecha(value: datetime | None, name: str) -> None:
    if value is None:
        return
    if not isinstance(value, datetime):
        raise SicresError(f"{name} must be a datetime")
    if value.tzinfo is not None or value.microsecond:
        raise SicresError(
            f"{name} travels as yyyyMMddHHmmss local time: pass a naive datetime in whole "
            f"seconds, not {value.isoformat()}")


class _Segment(msgspec.Struct, kw_only=True, rename=_xml_name, forbid_unknown_fields=True):
    """A SICRES segment: fields in XSD order, element name = capitalised field name."""


class OrigenRemitente(_Segment, kw_only=True):
    """De_Origen_o_Remitente."""

    codigo_entidad_registral_origen: Codigo
    decodificacion_entidad_registral_origen: S80 | None = None
    numero_registro_entrada: Numero
    fecha_hora_entrada: datetime
    timestamp_entrada: bytes | None = None
    codigo_unidad_tramitacion_origen: Codigo | None = None
    decodificacion_unidad_tramitacion_origen: S80 | None = None

    def __post_init__(self) -> None:
        _check_fecha(self.fecha_hora_entrada, "Fecha_Hora_Entrada")


class Destino(_Segment, kw_only=True):
    """De_Destino."""

    codigo_entidad_registral_destino: Codigo
    decodificacion_entidad_registral_destino: S80 | None = None
    codigo_unidad_tramitacion_destino: Codigo | None = None
    decodificacion_unidad_tramitacion_destino: S80 | None = None


class Interesado(_Segment, kw_only=True):
    """De_Interesado: the interesado, the representative and their contact details."""

    tipo_documento_identificacion_interesado: TipoDocumentoIdentificacion | None = None
    documento_identificacion_interesado: S17 | None = None
    razon_social_interesado: S80 | None = None
    nombre_interesado: S30 | None = None
    primer_apellido_interesado: S30 | None = None
    segundo_apellido_interesado: S30 | None = None
    tipo_documento_identificacion_representante: TipoDocumentoIdentificacion | None = None
    documento_identificacion_representante: S17 | None = None
    razon_social_representante: S80 | None = None
    nombre_representante: S30 | None = None
    primer_apellido_representante: S30 | None = None
    segundo_apellido_representante: S30 | None = None
    pais_interesado: S4 | None = None
    provincia_interesado: S2 | None = None
    municipio_interesado: S5 | None = None
    direccion_interesado: S160 | None = None
    codigo_postal_interesado: S5 | None = None
    correo_electronico_interesado: S160 | None = None
    telefono_contacto_interesado: S20 | None = None
    direccion_electronica_habilitada_interesado: S160 | None = None
    canal_preferente_comunicacion_interesado: CanalPreferente | None = None
    pais_representante: S4 | None = None
    provincia_representante: S2 | None = None
    municipio_representante: S5 | None = None
    direccion_representante: S160 | None = None
    codigo_postal_representante: S5 | None = None
    correo_electronico_representante: S160 | None = None
    telefono_contacto_representante: S20 | None = None
    direccion_electronica_habilitada_representante: S160 | None = None
    canal_preferente_comunicacion_representante: CanalPreferente | None = None
    observaciones: S160 | None = None

    def __post_init__(self) -> None:
        administration = (self.tipo_documento_identificacion_interesado
                          == TipoDocumentoIdentificacion.CODIGO_ORIGEN)
        if not (self.razon_social_interesado or administration
                or (self.nombre_interesado and self.primer_apellido_interesado)):
            raise SicresError("an interesado needs Razon_Social_Interesado, "
                              "Nombre_Interesado + Primer_Apellido_Interesado, or to be an "
                              "administration (Tipo_Documento_Identificacion O + its code)")
        for who in ("interesado", "representante"):
            tipo = getattr(self, f"tipo_documento_identificacion_{who}")
            documento = getattr(self, f"documento_identificacion_{who}")
            if (tipo is None) != (documento is None):
                raise SicresError(f"Tipo_Documento_Identificacion_{who.capitalize()} and "
                                  f"Documento_Identificacion_{who.capitalize()} go together")


class Asunto(_Segment, kw_only=True):
    """De_Asunto: resumen (extracto), código de asunto, referencia externa, expediente."""

    resumen: Annotated[str, msgspec.Meta(min_length=1, max_length=240)]
    codigo_asunto_segun_destino: S16 | None = None
    referencia_externa: S16 | None = None
    numero_expediente: S80 | None = None


class Anexo(_Segment, kw_only=True):
    """De_Anexo. `hash` as written by its sender (ours: the binary SHA-256 of `anexo`);
    `anexo` is None when the file came without the content."""

    nombre_fichero_anexado: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
    identificador_fichero: IdentificadorFichero
    validez_documento: ValidezDocumento | None = None
    tipo_documento: TipoDocumentoAnexo
    certificado: bytes | None = None
    firma_documento: bytes | None = None
    timestamp: bytes | None = None
    validacion_ocsp_certificado: bytes | None = None
    hash: bytes
    tipo_mime: S20 | None = None
    anexo: bytes | None = None
    identificador_documento_firmado: S50 | None = None
    observaciones: S50 | None = None


class InternosControl(_Segment, kw_only=True):
    """De_Internos_Control."""

    tipo_transporte_entrada: TipoTransporte | None = None
    numero_transporte_entrada: S20 | None = None
    nombre_usuario: S80 | None = None
    contacto_usuario: S160 | None = None
    identificador_intercambio: IdentificadorIntercambio
    aplicacion_version_emisora: S4 | None = None
    tipo_anotacion: TipoAnotacion
    descripcion_tipo_anotacion: S80 | None = None
    tipo_registro: TipoRegistro
    documentacion_fisica: DocumentacionFisica
    observaciones_apunte: S50 | None = None
    indicador_prueba: bool = False
    codigo_entidad_registral_inicio: Codigo
    decodificacion_entidad_registral_inicio: S80 | None = None

    def __post_init__(self) -> None:
        if self.tipo_anotacion == TipoAnotacion.RECHAZO and not self.descripcion_tipo_anotacion:
            raise SicresError("a rechazo (Tipo_Anotacion 04) needs its motivo in "
                              "Descripcion_Tipo_Anotacion")


class FormularioGenerico(_Segment, kw_only=True):
    """De_Formulario_Generico."""

    expone: S4000 = ""
    solicita: S4000 = ""


class FicheroIntercambio(
    msgspec.Struct,
    kw_only=True,
    forbid_unknown_fields=True,
    rename={
        "origen": "De_Origen_o_Remitente",
        "destino": "De_Destino",
        "interesados": "De_Interesado",
        "asunto": "De_Asunto",
        "anexos": "De_Anexo",
        "control": "De_Internos_Control",
        "formulario": "De_Formulario_Generico",
    },
):
    """Fichero_Intercambio_SICRES_3: one asiento travelling between registries."""

    origen: OrigenRemitente
    destino: Destino
    interesados: Annotated[list[Interesado], msgspec.Meta(min_length=1)]
    asunto: Asunto
    anexos: list[Anexo] = []
    control: InternosControl
    formulario: FormularioGenerico = msgspec.field(default_factory=FormularioGenerico)

    def __post_init__(self) -> None:
        identificadores = [anexo.identificador_fichero for anexo in self.anexos]
        if len(set(identificadores)) != len(identificadores):
            raise SicresError("Identificador_Fichero must be unique within an asiento")
        for anexo in self.anexos:
            firmado = anexo.identificador_documento_firmado
            if firmado is not None and firmado not in identificadores:
                raise SicresError(f"anexo {anexo.identificador_fichero} signs {firmado!r}, "
                                  "which is not an anexo of this asiento")


class Mensaje(_Segment, kw_only=True):
    """De_Mensaje: ACK, confirmación (with the destination's entry) or error."""

    codigo_entidad_registral_origen: Codigo
    codigo_entidad_registral_destino: Codigo
    identificador_intercambio: IdentificadorIntercambio
    tipo_mensaje: TipoMensaje
    descripcion_mensaje: S1024 | None = None
    numero_registro_entrada_destino: S20 | None = None
    fecha_hora_entrada_destino: datetime | None = None
    indicador_prueba: bool = False
    identificador_fichero: Annotated[list[S50], msgspec.Meta(max_length=10)] = []
    codigo_error: S4 | None = None

    def __post_init__(self) -> None:
        _check_fecha(self.fecha_hora_entrada_destino, "Fecha_Hora_Entrada_Destino")
        if (self.tipo_mensaje == TipoMensaje.ERROR) != (self.codigo_error is not None):
            raise SicresError("Codigo_Error is required in, and only in, an error message (03)")
        if self.tipo_mensaje == TipoMensaje.CONFIRMACION and not (
                self.numero_registro_entrada_destino and self.fecha_hora_entrada_destino):
            raise SicresError("a confirmación (02) carries Numero_Registro_Entrada_Destino "
                              "and Fecha_Hora_Entrada_Destino")


# --------------------------------------------------------------------------- identifiers


def make_identificador_intercambio(codigo_entidad_registral: str, year: int, sequence: int) -> str:
    """`<código entidad registral origen>_<yy>_<8-digit sequence>` (at most 33 chars)."""
    if not 0 <= sequence < 10**8:
        raise SicresError(f"sequence {sequence} does not fit in 8 digits")
    value = f"{codigo_entidad_registral}_{year % 100:02d}_{sequence:08d}"
    if not re.match(_ID_INTERCAMBIO, value):
        raise SicresError(f"código entidad registral {codigo_entidad_registral!r} must be "
                          "1-21 letters or digits")
    return value


def make_identificador_fichero(
    identificador_intercambio: str, tipo: TipoDocumentoAnexo, sequence: int, extension: str
) -> str:
    """`<identificador intercambio>_<tipo documento>_<4-digit sequence>.<ext>` (≤ 50 chars)."""
    value = f"{identificador_intercambio}_{TipoDocumentoAnexo(tipo).value}_{sequence:04d}" \
            f".{extension.lower()}"
    if len(value) > 50 or not 0 <= sequence < 10**4:
        raise SicresError(f"Identificador_Fichero {value!r} exceeds 50 characters or 4 digits")
    return value


# --------------------------------------------------------------------------- anexos


def _extension(nombre: str) -> str:
    return nombre.rsplit(".", 1)[1].lower() if "." in nombre else ""


def _type_violation(nombre: str, mime: str | None) -> str | None:
    extension = _extension(nombre)
    allowed = _ALLOWED_TYPES.get(extension)
    if allowed is None:
        return (f"{nombre}: extension '.{extension}' is not accepted by SIR "
                f"(accepted: {', '.join(sorted(_ALLOWED_TYPES))})")
    if mime is not None and mime.lower() not in allowed:
        return f"{nombre}: MIME type {mime} does not match '.{extension}'"
    return None


def make_anexo(
    nombre: str,
    contenido: bytes,
    mime: str,
    *,
    identificador_fichero: str,
    tipo_documento: TipoDocumentoAnexo = TipoDocumentoAnexo.ADJUNTO,
    validez_documento: ValidezDocumento | None = None,
    observaciones: str | None = None,
) -> Anexo:
    """An anexo with its SHA-256 hash; `mime` must match the extension.

    Tipo_MIME holds at most 20 characters in SICRES 3, so longer types (OOXML, ODF) are
    checked here and then left out of the file.
    """
    violation = _type_violation(nombre, mime)
    if violation is not None:
        raise SirLimitsError([violation])
    return Anexo(nombre_fichero_anexado=nombre, identificador_fichero=identificador_fichero,
                 validez_documento=validez_documento, tipo_documento=tipo_documento,
                 hash=hashlib.sha256(contenido).digest(),
                 tipo_mime=mime if len(mime) <= 20 else None, anexo=contenido,
                 observaciones=observaciones)


def check_anexo_hash(anexo: Anexo) -> HashCheck:
    """Check `anexo.hash` against its content, in the forms registries write it.

    The Hash may be the binary SHA-1, SHA-256 or SHA-512 digest, or the same digest
    written as hexadecimal text (which then travels as base64 of that text).
    """
    if anexo.anexo is None:
        return HashCheck.SIN_CONTENIDO
    written, text = anexo.hash, anexo.hash.strip()
    if re.fullmatch(rb"[0-9A-Fa-f]+", text) and len(text) / 2 in _HASH_BY_DIGEST_SIZE:
        written = bytes.fromhex(text.decode("ascii"))
    algorithm = _HASH_BY_DIGEST_SIZE.get(len(written))
    if algorithm is None:
        return HashCheck.NO_VERIFICABLE
    if hmac.compare_digest(hashlib.new(algorithm, anexo.anexo).digest(), written):
        return HashCheck.VALIDO
    return HashCheck.NO_COINCIDE


def check_sir_limits(anexos: Sequence[Anexo]) -> None:
    """Raise SirLimitsError listing every violation of SIR's attachment rules.

    At most 5 anexos, 10 MB each, 15 MB in all (MB = 2^20 bytes), and only the accepted
    types, by extension and, when Tipo_MIME is present, by MIME type as well.
    """
    violations = []
    if len(anexos) > MAX_ANEXOS:
        violations.append(f"{len(anexos)} anexos, at most {MAX_ANEXOS} are allowed")
    for anexo in anexos:
        if len(anexo.anexo or b"") > MAX_ANEXO_BYTES:
            violations.append(f"{anexo.nombre_fichero_anexado}: {len(anexo.anexo or b'')} "
                              f"bytes, at most {MAX_ANEXO_BYTES} per anexo")
        violation = _type_violation(anexo.nombre_fichero_anexado, anexo.tipo_mime)
        if violation is not None:
            violations.append(violation)
    total = sum(len(anexo.anexo or b"") for anexo in anexos)
    if total > MAX_TOTAL_BYTES:
        violations.append(f"{total} bytes of anexos in all, at most {MAX_TOTAL_BYTES}")
    if violations:
        raise SirLimitsError(violations)


# --------------------------------------------------------------------------- XML codec

_S = TypeVar("_S", bound=msgspec.Struct)


def _text(value: object) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime):
        return value.strftime(FECHA_FORMAT)
    return strip_controls(str(value))


def _fill(parent: etree._Element, struct: msgspec.Struct) -> None:
    for field in msgspec.structs.fields(struct):
        value = getattr(struct, field.name)
        for item in value if isinstance(value, list) else [value]:
            if item is None:
                continue
            element = etree.SubElement(parent, field.encode_name)
            if isinstance(item, msgspec.Struct):
                _fill(element, item)
            else:
                element.text = _text(item)


def _convert(data: Any, cls: type[_S], what: str) -> _S:
    try:
        return msgspec.convert(data, cls)
    except msgspec.ValidationError as exc:
        raise SicresError(f"invalid {what}: {exc}") from None


def _export(root_name: str, value: msgspec.Struct) -> bytes:
    _convert(msgspec.to_builtins(value), type(value), root_name)  # every XSD facet we model
    root = etree.Element(root_name)
    _fill(root, value)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _decode(element: etree._Element, kind: msgspec.inspect.Type) -> object:
    if isinstance(kind, msgspec.inspect.StructType):
        return _read(element, kind)
    if len(element):
        raise SicresError(f"{element.tag} holds elements where text is expected")
    text = element.text or ""
    if isinstance(kind, msgspec.inspect.BytesType):
        try:
            return base64.b64decode("".join(text.split()), validate=True)
        except binascii.Error:
            raise SicresError(f"{element.tag} is not valid base64") from None
    if isinstance(kind, msgspec.inspect.DateTimeType):
        if not re.fullmatch(r"[0-9]{14}", text):
            raise SicresError(f"{element.tag} {text!r} is not yyyyMMddHHmmss")
        try:
            return datetime.strptime(text, FECHA_FORMAT)
        except ValueError:
            raise SicresError(f"{element.tag} {text!r} is not a valid date and time") from None
    if isinstance(kind, msgspec.inspect.BoolType):
        if text not in ("0", "1"):
            raise SicresError(f"{element.tag} {text!r} is neither 0 nor 1")
        return text == "1"
    return text


def _unwrap(kind: msgspec.inspect.Type) -> msgspec.inspect.Type:
    if isinstance(kind, msgspec.inspect.UnionType):
        (kind,) = (t for t in kind.types if not isinstance(t, msgspec.inspect.NoneType))
    return kind


def _read(element: etree._Element, kind: msgspec.inspect.StructType) -> dict[str, Any]:
    fields = {field.encode_name: _unwrap(field.type) for field in kind.fields}
    data: dict[str, Any] = {}
    for child in element:
        field = fields.get(child.tag)
        if field is None:
            raise SicresError(f"unexpected element {child.tag} in {element.tag}")
        item = field.item_type if isinstance(field, msgspec.inspect.ListType) else field
        if not isinstance(item, msgspec.inspect.StructType) and not len(child) \
                and not child.text:
            continue  # <X/>: the XSD allows it empty, and empty means absent
        if isinstance(field, msgspec.inspect.ListType):
            data.setdefault(child.tag, []).append(_decode(child, field.item_type))
        elif child.tag in data:
            raise SicresError(f"{child.tag} appears more than once in {element.tag}")
        else:
            data[child.tag] = _decode(child, field)
    return data


@cache
def _type_info(cls: type[msgspec.Struct]) -> msgspec.inspect.StructType:
    return cast(msgspec.inspect.StructType, msgspec.inspect.type_info(cls))


def _import(data: bytes, root_name: str, cls: type[_S], max_bytes: int) -> _S:
    root = parse_xml(data, max_bytes=max_bytes, strip_control_chars=True)
    if root.tag != root_name:
        raise SicresError(f"expected a {root_name} root element, found {root.tag}")
    return _convert(_read(root, _type_info(cls)), cls, root_name)


def export_asiento(exchange: FicheroIntercambio) -> bytes:
    """Emit a Fichero_Intercambio_SICRES_3 after checking SIR limits and facets.

    Hashes are written as they are: ours are computed by `make_anexo`, a received one is
    sent on as it came (its check is recorded when it is received).
    """
    check_sir_limits(exchange.anexos)
    return _export(ROOT_INTERCAMBIO, exchange)


def import_asiento(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> FicheroIntercambio:
    """Read a Fichero_Intercambio_SICRES_3 safely (`check_anexo_hash` says what each anexo's
    Hash is worth)."""
    return _import(data, ROOT_INTERCAMBIO, FicheroIntercambio, max_bytes)


def export_mensaje(mensaje: Mensaje) -> bytes:
    """Emit a De_Mensaje (SICRES3_MENSAJE_APL.xsd)."""
    return _export(ROOT_MENSAJE, mensaje)


def import_mensaje(data: bytes, *, max_bytes: int = 64 * 1024) -> Mensaje:
    """Read a De_Mensaje safely."""
    return _import(data, ROOT_MENSAJE, Mensaje, max_bytes)


# --------------------------------------------------------------------------- SIR states


class SirState(StrEnum):
    PENDIENTE_ENVIO = "pendiente_envio"
    ENVIADO = "enviado"
    ENVIADO_ACK = "enviado_ack"
    ENVIADO_ERROR = "enviado_error"
    DEVUELTO = "devuelto"
    ACEPTADO = "aceptado"
    REENVIADO = "reenviado"
    RECHAZADO = "rechazado"
    RECIBIDO = "recibido"
    ANULADO = "anulado"


class SirAction(StrEnum):
    SEND = "send"
    ACK = "ack"
    ERROR = "error"
    ACCEPT = "accept"
    REJECT = "reject"
    RESEND = "resend"
    RETURN = "return"
    RECEIVE = "receive"
    ANNUL = "annul"


_St, _Ac = SirState, SirAction
# (state, action) -> next state; `None` is an asiento not yet known to our registry.
# Outgoing: pendiente_envio -> enviado -> (ACK) -> aceptado | devuelto (destination
# rejected it) -> reenviado (to another destination) ...; an error can be retried.
# Incoming: recibido -> aceptado | rechazado (with motivo) | reenviado (wrong destination).
SIR_TRANSITIONS: Mapping[tuple[SirState | None, SirAction], SirState] = MappingProxyType({
    (None, _Ac.RECEIVE): _St.RECIBIDO,
    (_St.PENDIENTE_ENVIO, _Ac.SEND): _St.ENVIADO,
    (_St.PENDIENTE_ENVIO, _Ac.ANNUL): _St.ANULADO,
    (_St.ENVIADO, _Ac.ACK): _St.ENVIADO_ACK,
    (_St.ENVIADO, _Ac.ERROR): _St.ENVIADO_ERROR,
    (_St.ENVIADO, _Ac.ACCEPT): _St.ACEPTADO,
    (_St.ENVIADO, _Ac.RETURN): _St.DEVUELTO,
    (_St.REENVIADO, _Ac.ACK): _St.ENVIADO_ACK,
    (_St.REENVIADO, _Ac.ERROR): _St.ENVIADO_ERROR,
    (_St.REENVIADO, _Ac.ACCEPT): _St.ACEPTADO,
    (_St.REENVIADO, _Ac.RETURN): _St.DEVUELTO,
    (_St.ENVIADO_ACK, _Ac.ACCEPT): _St.ACEPTADO,
    (_St.ENVIADO_ACK, _Ac.RETURN): _St.DEVUELTO,
    (_St.ENVIADO_ERROR, _Ac.SEND): _St.ENVIADO,
    (_St.ENVIADO_ERROR, _Ac.ANNUL): _St.ANULADO,
    (_St.DEVUELTO, _Ac.RESEND): _St.REENVIADO,
    (_St.DEVUELTO, _Ac.ANNUL): _St.ANULADO,
    (_St.RECIBIDO, _Ac.ACCEPT): _St.ACEPTADO,
    (_St.RECIBIDO, _Ac.REJECT): _St.RECHAZADO,
    (_St.RECIBIDO, _Ac.RESEND): _St.REENVIADO,
})


def allowed_actions(state: SirState | None) -> list[SirAction]:
    """The actions SIR allows from `state` (empty for aceptado, rechazado, anulado)."""
    return [action for (origin, action) in SIR_TRANSITIONS if origin == state]


def transition(
    state: SirState | None, action: SirAction, *, motivo: str | None = None
) -> SirState:
    """The state after `action`; reject needs a motivo, which only reject/return accept."""
    if action == SirAction.REJECT and not (motivo and motivo.strip()):
        raise IllegalTransitionError("rejecting an asiento requires a motivo")
    if motivo is not None and action not in (SirAction.REJECT, SirAction.RETURN):
        raise IllegalTransitionError(f"a motivo does not apply to {action}")
    target = SIR_TRANSITIONS.get((state, action))
    if target is None:
        allowed = ", ".join(allowed_actions(state)) or "none: it is a final state"
        raise IllegalTransitionError(
            f"cannot {action} an asiento in state {state or 'nuevo'} (allowed: {allowed})")
    return target
