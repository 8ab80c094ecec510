"""ENI documento and expediente electrónico XML (NTI de Documento / Expediente electrónico).

Plain library code over msgspec Structs: build the metadata, emit XML that validates
against the official ENI v1.0 XSDs, and import ENI XML from other administrations
(parsed with `core.documents.xmlsafe`), round-tripping every field emitted here.

What is emitted (see docs/interoperability.md):
- `documento_xml`: `enidoc:documento` with the content embedded as `ValorBinario` (base64)
  or referenced (`referenciaFichero`), its metadatos and its firmas. A CSV signature
  (TF01) carries `ValorCSV` + `RegulacionGeneracionCSV`; a PAdES signature (TF06) lives in
  the PDF itself, so its firma is `FirmaConCertificado/ReferenciaFirma` pointing at the
  contenido node (`#CONTENIDO_<identificador>`); detached signatures travel as `FirmaBase64`.
- `indice_xml` / `expediente_xml`: the índice electrónico (documents with their huella and
  función resumen, fecha de incorporación, orden; nested carpetas and sub-expedientes) and
  its signature, which the caller computes beforehand: a CSV (TF01) or a detached CAdES
  (TF04, `FirmaBase64`) over `indice_contenido_c14n(...)`, the exclusive canonical form of
  the `IndiceContenido` element.
Not supported: `DatosXML` contents, embedded `ds:Signature` (XAdES inside the ENI XML) and
`VisualizacionIndice` (ignored on import).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Sequence
from datetime import datetime
from enum import IntEnum, StrEnum

import msgspec
from lxml import etree

from core.documents.xmlsafe import parse_xml

_ENI = "http://administracionelectronica.gob.es/ENI/XSD/v1.0"
NS_DOCUMENTO = f"{_ENI}/documento-e"
NS_DOCUMENTO_METADATOS = f"{_ENI}/documento-e/metadatos"
NS_DOCUMENTO_CONTENIDO = f"{_ENI}/documento-e/contenido"
NS_FIRMA = f"{_ENI}/firma"
NS_EXPEDIENTE = f"{_ENI}/expediente-e"
NS_EXPEDIENTE_METADATOS = f"{_ENI}/expediente-e/metadatos"
NS_INDICE = f"{_ENI}/expediente-e/indice-e"
NS_INDICE_CONTENIDO = f"{_ENI}/expediente-e/indice-e/contenido"
NS_DS = "http://www.w3.org/2000/09/xmldsig#"

VERSION_NTI_DOCUMENTO = NS_DOCUMENTO
VERSION_NTI_EXPEDIENTE = NS_EXPEDIENTE
IDENTIFICADOR_MAX_LENGTH = 52
INDICE_CONTENIDO_ID = "INDICE_CONTENIDO"
DEFAULT_MAX_BYTES = 64 * 1024 * 1024

_NSMAP = {
    "enidoc": NS_DOCUMENTO,
    "enidocmeta": NS_DOCUMENTO_METADATOS,
    "enifile": NS_DOCUMENTO_CONTENIDO,
    "enids": NS_FIRMA,
    "eniexp": NS_EXPEDIENTE,
    "eniexpmeta": NS_EXPEDIENTE_METADATOS,
    "eniexpind": NS_INDICE,
    "eniconexpind": NS_INDICE_CONTENIDO,
}
_DIR3 = re.compile(r"[A-Z0-9]{9}")
_IDENTIFICADOR = re.compile(r"ES_[A-Z0-9]{9}_[0-9]{4}_(?P<local>[A-Za-z0-9][A-Za-z0-9_-]*)")
_HASHES = {"SHA1": "sha1", "SHA256": "sha256", "SHA384": "sha384", "SHA512": "sha512"}
_HASHES_FOR_NEW_ENTRIES = ("SHA256", "SHA384", "SHA512")


class EniError(ValueError):
    """ENI data that cannot be emitted or an ENI XML that cannot be imported."""


class Origen(IntEnum):
    """OrigenCiudadanoAdministracion: 0 ciudadano, 1 administración."""

    CIUDADANO = 0
    ADMINISTRACION = 1


class EstadoElaboracion(StrEnum):
    ORIGINAL = "EE01"
    COPIA_CAMBIO_FORMATO = "EE02"
    COPIA_PAPEL = "EE03"
    COPIA_PARCIAL = "EE04"
    OTROS = "EE99"


class TipoDocumental(StrEnum):
    RESOLUCION = "TD01"
    ACUERDO = "TD02"
    CONTRATO = "TD03"
    CONVENIO = "TD04"
    DECLARACION = "TD05"
    COMUNICACION = "TD06"
    NOTIFICACION = "TD07"
    PUBLICACION = "TD08"
    ACUSE_RECIBO = "TD09"
    ACTA = "TD10"
    CERTIFICADO = "TD11"
    DILIGENCIA = "TD12"
    INFORME = "TD13"
    SOLICITUD = "TD14"
    DENUNCIA = "TD15"
    ALEGACION = "TD16"
    RECURSOS = "TD17"
    COMUNICACION_CIUDADANO = "TD18"
    FACTURA = "TD19"
    OTROS_INCAUTADOS = "TD20"
    OTROS = "TD99"


class TipoFirma(StrEnum):
    CSV = "TF01"
    XADES_INTERNALLY_DETACHED = "TF02"
    XADES_ENVELOPED = "TF03"
    CADES_DETACHED = "TF04"
    CADES_ATTACHED = "TF05"
    PADES = "TF06"


class EstadoExpediente(StrEnum):
    ABIERTO = "E01"
    CERRADO = "E02"
    INDICE_REMISION_CERRADO = "E03"


_COPIAS = (
    EstadoElaboracion.COPIA_CAMBIO_FORMATO,
    EstadoElaboracion.COPIA_PAPEL,
    EstadoElaboracion.COPIA_PARCIAL,
)
_INDICE_FIRMAS = (TipoFirma.CSV, TipoFirma.CADES_DETACHED)


def _enum(cls: type[StrEnum] | type[IntEnum], value: object, field: str) -> None:
    try:
        cls(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in cls)
        raise EniError(f"{field} {value!r} is not one of {allowed}") from None


def _require_datetime(value: object, field: str) -> None:
    if not isinstance(value, datetime):
        raise EniError(f"{field} must be a datetime, not {type(value).__name__}")


def check_identificador(value: str, *, expediente: bool = False) -> None:
    """Check `ES_<DIR3 órgano>_<AAAA>_<id específico>` (expedientes: `..._EXP_<id>`)."""
    if len(value) > IDENTIFICADOR_MAX_LENGTH:
        raise EniError(
            f"identificador {value!r} has {len(value)} characters, "
            f"at most {IDENTIFICADOR_MAX_LENGTH} are allowed"
        )
    match = _IDENTIFICADOR.fullmatch(value)
    if match is None:
        raise EniError(
            f"identificador {value!r} does not follow ES_<DIR3 órgano>_<AAAA>_<id específico>"
        )
    if expediente and not match["local"].startswith("EXP_"):
        raise EniError(f"identificador de expediente {value!r} must be ES_<DIR3>_<AAAA>_EXP_<id>")


def make_identificador(dir3: str, year: int, local_id: str, *, expediente: bool = False) -> str:
    """Build and check an ENI identificador; `expediente=True` adds the `EXP_` prefix."""
    if not 0 < year < 10000:
        raise EniError(f"year {year} is not a four-digit year")
    value = f"ES_{dir3}_{year:04d}_{'EXP_' if expediente else ''}{local_id}"
    check_identificador(value, expediente=expediente)
    return value


def _check_organos(organos: Sequence[str]) -> None:
    if not organos:
        raise EniError("at least one órgano (DIR3 code) is required")
    for organo in organos:
        if not isinstance(organo, str) or not _DIR3.fullmatch(organo):
            raise EniError(f"órgano {organo!r} is not a DIR3 code (9 uppercase letters/digits)")


def contenido_id(identificador: str) -> str:
    """The `Id` of a documento's `contenido` node, the target of in-content signatures."""
    return f"CONTENIDO_{identificador}"


class _Eni(msgspec.Struct, kw_only=True):
    """Validated on construction and again right before emission (fields are mutable)."""

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        raise NotImplementedError


class DocumentoEniMetadata(_Eni, kw_only=True):
    """Metadatos mínimos obligatorios of an ENI documento."""

    identificador: str
    organos: list[str]
    fecha_captura: datetime
    origen: Origen
    estado_elaboracion: EstadoElaboracion
    tipo_documental: TipoDocumental
    identificador_documento_origen: str | None = None
    version_nti: str = VERSION_NTI_DOCUMENTO

    def validate(self) -> None:
        check_identificador(self.identificador)
        _check_organos(self.organos)
        _require_datetime(self.fecha_captura, "fecha_captura")
        _enum(Origen, self.origen, "origen")
        _enum(EstadoElaboracion, self.estado_elaboracion, "estado_elaboracion")
        _enum(TipoDocumental, self.tipo_documental, "tipo_documental")
        origen_doc = self.identificador_documento_origen
        if self.estado_elaboracion in _COPIAS and not origen_doc:
            raise EniError(
                f"estado_elaboracion {self.estado_elaboracion} (copia) requires "
                "identificador_documento_origen"
            )
        if self.estado_elaboracion == EstadoElaboracion.ORIGINAL and origen_doc is not None:
            raise EniError("an original (EE01) has no identificador_documento_origen")


class FirmaEni(_Eni, kw_only=True):
    """One `enids:firma`: a CSV, a detached signature blob or a reference to the signature."""

    tipo: TipoFirma
    valor_csv: str | None = None
    regulacion_csv: str | None = None
    firma: bytes | None = None
    referencia: str | None = None
    id: str | None = None
    ref: str | None = None

    @classmethod
    def csv(cls, valor: str, regulacion: str) -> FirmaEni:
        """TF01: código seguro de verificación and the norm that regulates its generation."""
        return cls(tipo=TipoFirma.CSV, valor_csv=valor, regulacion_csv=regulacion)

    @classmethod
    def en_contenido(cls, identificador: str, tipo: TipoFirma = TipoFirma.PADES) -> FirmaEni:
        """A signature inside the content itself (PAdES): reference the contenido node."""
        target = contenido_id(identificador)
        return cls(tipo=tipo, referencia=f"#{target}", ref=target)

    def validate(self) -> None:
        _enum(TipoFirma, self.tipo, "tipo de firma")
        has_csv = self.valor_csv is not None or self.regulacion_csv is not None
        if self.tipo == TipoFirma.CSV:
            if not self.valor_csv or not self.regulacion_csv:
                raise EniError("a CSV signature (TF01) needs valor_csv and regulacion_csv")
            if self.firma is not None or self.referencia is not None:
                raise EniError("a CSV signature (TF01) carries no signature blob or reference")
            return
        if has_csv:
            raise EniError(f"valor_csv/regulacion_csv only apply to TF01, not {self.tipo}")
        if (self.firma is None) == (self.referencia is None):
            raise EniError(f"a {self.tipo} signature needs exactly one of firma or referencia")
        if self.tipo == TipoFirma.PADES and self.referencia is None:
            raise EniError("a PAdES signature (TF06) lives in the PDF: use a referencia")


class DocumentoEni(_Eni, kw_only=True):
    """An imported ENI documento: metadata, content (or its reference) and firmas."""

    metadatos: DocumentoEniMetadata
    nombre_formato: str
    contenido: bytes | None = None
    referencia_fichero: str | None = None
    firmas: list[FirmaEni] = []

    def validate(self) -> None:
        self.metadatos.validate()
        if not self.nombre_formato:
            raise EniError("nombre_formato (NTI catálogo de estándares) is required")
        if (self.contenido is None) == (self.referencia_fichero is None):
            raise EniError("a documento needs exactly one of contenido or referencia_fichero")
        for firma in self.firmas:
            firma.validate()

    def check_emittable(self) -> None:
        """What we emit: a PAdES firma points at our contenido node (`contenido_id`)."""
        self.validate()
        expected = f"#{contenido_id(self.metadatos.identificador)}"
        for firma in self.firmas:
            if firma.tipo == TipoFirma.PADES and firma.referencia != expected:
                raise EniError(f"a PAdES firma must reference the contenido node {expected!r}")


class ExpedienteEniMetadata(_Eni, kw_only=True):
    """Metadatos mínimos obligatorios of an ENI expediente."""

    identificador: str
    organos: list[str]
    fecha_apertura: datetime
    clasificacion: str
    estado: EstadoExpediente
    interesados: list[str] = []
    version_nti: str = VERSION_NTI_EXPEDIENTE

    def validate(self) -> None:
        check_identificador(self.identificador, expediente=True)
        _check_organos(self.organos)
        _require_datetime(self.fecha_apertura, "fecha_apertura")
        if not self.clasificacion or not self.clasificacion.strip():
            raise EniError("clasificacion (código SIA del procedimiento) is required")
        _enum(EstadoExpediente, self.estado, "estado")
        if any(not interesado.strip() for interesado in self.interesados):
            raise EniError("an interesado cannot be empty")


def _digest(funcion_resumen: str, content: bytes) -> bytes:
    name = _HASHES.get(funcion_resumen.upper().replace("-", "").replace("_", ""))
    if name is None:
        raise EniError(f"función resumen {funcion_resumen!r} is not supported")
    return hashlib.new(name, content).digest()


class IndiceEntry(_Eni, kw_only=True, tag="documento"):
    """A `DocumentoIndizado`: the documento, its huella (base64) and función resumen."""

    identificador_documento: str
    valor_huella: str
    funcion_resumen: str
    fecha_incorporacion: datetime | None = None
    orden: int | None = None

    @classmethod
    def for_content(
        cls,
        identificador_documento: str,
        content: bytes,
        *,
        fecha_incorporacion: datetime | None = None,
        orden: int | None = None,
        funcion_resumen: str = "SHA256",
    ) -> IndiceEntry:
        """Index `content` (the bytes of the documento as exchanged) with a new huella."""
        if funcion_resumen not in _HASHES_FOR_NEW_ENTRIES:
            raise EniError(f"new huellas use one of {', '.join(_HASHES_FOR_NEW_ENTRIES)}")
        huella = base64.b64encode(_digest(funcion_resumen, content)).decode("ascii")
        return cls(
            identificador_documento=identificador_documento,
            valor_huella=huella,
            funcion_resumen=funcion_resumen,
            fecha_incorporacion=fecha_incorporacion,
            orden=orden,
        )

    def matches(self, content: bytes) -> bool:
        """Whether `content` has this entry's huella (constant-time comparison)."""
        expected = base64.b64encode(_digest(self.funcion_resumen, content)).decode("ascii")
        return hmac.compare_digest(expected, self.valor_huella)

    def validate(self) -> None:
        check_identificador(self.identificador_documento)
        if not self.valor_huella or not self.funcion_resumen:
            raise EniError(
                f"{self.identificador_documento}: valor_huella and funcion_resumen are required"
            )
        if self.fecha_incorporacion is not None:
            _require_datetime(self.fecha_incorporacion, "fecha_incorporacion")
        if self.orden is not None and (
            not isinstance(self.orden, int) or isinstance(self.orden, bool) or self.orden < 0
        ):
            raise EniError(f"orden {self.orden!r} must be a non-negative integer")


class CarpetaIndizada(_Eni, kw_only=True, tag="carpeta"):
    identificador_carpeta: str
    elementos: list[IndiceElemento]

    def validate(self) -> None:
        if not self.identificador_carpeta:
            raise EniError("a carpeta needs an identificador_carpeta")
        _check_elementos(self.elementos, f"carpeta {self.identificador_carpeta}")


class IndiceContenido(_Eni, kw_only=True, tag="expediente"):
    """The content of an índice; nested inside another one it is an `ExpedienteIndizado`."""

    fecha_indice: datetime
    elementos: list[IndiceElemento]

    def validate(self) -> None:
        _require_datetime(self.fecha_indice, "fecha_indice")
        _check_elementos(self.elementos, "índice")


IndiceElemento = IndiceEntry | CarpetaIndizada | IndiceContenido


def _check_elementos(elementos: Sequence[IndiceElemento], where: str) -> None:
    if not elementos:
        raise EniError(f"the {where} must list at least one element")
    for elemento in elementos:
        elemento.validate()


class IndiceEni(_Eni, kw_only=True):
    """A signed índice electrónico."""

    contenido: IndiceContenido
    firmas: list[FirmaEni]

    def validate(self) -> None:
        self.contenido.validate()
        if not self.firmas:
            raise EniError("the índice must carry at least one firma")
        for firma in self.firmas:
            firma.validate()

    def check_emittable(self) -> None:
        """Signatures we emit on an índice: a CSV (TF01) or a detached CAdES blob (TF04)."""
        self.validate()
        for firma in self.firmas:
            if firma.tipo not in _INDICE_FIRMAS or firma.referencia is not None:
                raise EniError(
                    "the índice is signed with a CSV (TF01) or a detached CAdES blob (TF04), "
                    f"not {firma.tipo}" + (" by reference" if firma.referencia else "")
                )


class ExpedienteEni(_Eni, kw_only=True):
    metadatos: ExpedienteEniMetadata
    indice: IndiceEni

    def validate(self) -> None:
        self.metadatos.validate()
        self.indice.validate()


# --------------------------------------------------------------------------- emission


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _sub(parent: etree._Element, ns: str, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, _q(ns, tag))
    if text is not None:
        try:
            element.text = text
        except ValueError:
            raise EniError(f"{tag} {text!r} holds characters XML cannot carry") from None
    return element


def _root(ns: str, tag: str) -> etree._Element:
    return etree.Element(_q(ns, tag), nsmap=_NSMAP)


def _serialize(root: etree._Element) -> bytes:
    etree.cleanup_namespaces(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _firmas_element(parent: etree._Element, firmas: Sequence[FirmaEni]) -> None:
    container = _sub(parent, NS_FIRMA, "firmas")
    for firma in firmas:
        element = _sub(container, NS_FIRMA, "firma")
        if firma.id is not None:
            element.set("Id", firma.id)
        if firma.ref is not None:
            element.set("ref", firma.ref)
        _sub(element, NS_FIRMA, "TipoFirma", TipoFirma(firma.tipo).value)
        contenido = _sub(element, NS_FIRMA, "ContenidoFirma")
        if firma.tipo == TipoFirma.CSV:
            csv = _sub(contenido, NS_FIRMA, "CSV")
            _sub(csv, NS_FIRMA, "ValorCSV", firma.valor_csv)
            _sub(csv, NS_FIRMA, "RegulacionGeneracionCSV", firma.regulacion_csv)
        else:
            certificado = _sub(contenido, NS_FIRMA, "FirmaConCertificado")
            if firma.firma is not None:
                _sub(certificado, NS_FIRMA, "FirmaBase64", _b64(firma.firma))
            else:
                _sub(certificado, NS_FIRMA, "ReferenciaFirma", firma.referencia)


def documento_xml(
    metadata: DocumentoEniMetadata,
    content: bytes | None,
    nombre_formato: str,
    firmas: Sequence[FirmaEni] = (),
    *,
    referencia_fichero: str | None = None,
) -> bytes:
    """Emit an ENI documento; `content` is embedded in base64 unless `referencia_fichero`."""
    documento = DocumentoEni(
        metadatos=metadata,
        nombre_formato=nombre_formato,
        contenido=content,
        referencia_fichero=referencia_fichero,
        firmas=list(firmas),
    )
    documento.check_emittable()
    root = _root(NS_DOCUMENTO, "documento")
    contenido = _sub(root, NS_DOCUMENTO_CONTENIDO, "contenido")
    contenido.set("Id", contenido_id(metadata.identificador))
    if content is not None:
        _sub(contenido, NS_DOCUMENTO_CONTENIDO, "ValorBinario", _b64(content))
    else:
        _sub(contenido, NS_DOCUMENTO_CONTENIDO, "referenciaFichero", referencia_fichero)
    _sub(contenido, NS_DOCUMENTO_CONTENIDO, "NombreFormato", nombre_formato)
    meta = _sub(root, NS_DOCUMENTO_METADATOS, "metadatos")
    _sub(meta, NS_DOCUMENTO_METADATOS, "VersionNTI", metadata.version_nti)
    _sub(meta, NS_DOCUMENTO_METADATOS, "Identificador", metadata.identificador)
    for organo in metadata.organos:
        _sub(meta, NS_DOCUMENTO_METADATOS, "Organo", organo)
    _sub(meta, NS_DOCUMENTO_METADATOS, "FechaCaptura", metadata.fecha_captura.isoformat())
    _sub(
        meta,
        NS_DOCUMENTO_METADATOS,
        "OrigenCiudadanoAdministracion",
        "true" if metadata.origen == Origen.ADMINISTRACION else "false",
    )
    estado = _sub(meta, NS_DOCUMENTO_METADATOS, "EstadoElaboracion")
    _sub(
        estado,
        NS_DOCUMENTO_METADATOS,
        "ValorEstadoElaboracion",
        EstadoElaboracion(metadata.estado_elaboracion).value,
    )
    if metadata.identificador_documento_origen is not None:
        _sub(
            estado,
            NS_DOCUMENTO_METADATOS,
            "IdentificadorDocumentoOrigen",
            metadata.identificador_documento_origen,
        )
    _sub(
        meta,
        NS_DOCUMENTO_METADATOS,
        "TipoDocumental",
        TipoDocumental(metadata.tipo_documental).value,
    )
    if documento.firmas:
        _firmas_element(root, documento.firmas)
    return _serialize(root)


def _indice_contenido_element(
    parent: etree._Element, tag_ns: str, tag: str, contenido: IndiceContenido
) -> etree._Element:
    element = _sub(parent, tag_ns, tag)
    _sub(element, NS_INDICE_CONTENIDO, "FechaIndiceElectronico", contenido.fecha_indice.isoformat())
    _elementos(element, contenido.elementos)
    return element


def _elementos(parent: etree._Element, elementos: Sequence[IndiceElemento]) -> None:
    for elemento in elementos:
        if isinstance(elemento, IndiceEntry):
            doc = _sub(parent, NS_INDICE_CONTENIDO, "DocumentoIndizado")
            _sub(
                doc, NS_INDICE_CONTENIDO, "IdentificadorDocumento", elemento.identificador_documento
            )
            _sub(doc, NS_INDICE_CONTENIDO, "ValorHuella", elemento.valor_huella)
            _sub(doc, NS_INDICE_CONTENIDO, "FuncionResumen", elemento.funcion_resumen)
            if elemento.fecha_incorporacion is not None:
                _sub(
                    doc,
                    NS_INDICE_CONTENIDO,
                    "FechaIncorporacionExpediente",
                    elemento.fecha_incorporacion.isoformat(),
                )
            if elemento.orden is not None:
                _sub(doc, NS_INDICE_CONTENIDO, "OrdenDocumentoExpediente", str(elemento.orden))
        elif isinstance(elemento, CarpetaIndizada):
            carpeta = _sub(parent, NS_INDICE_CONTENIDO, "CarpetaIndizada")
            _sub(
                carpeta, NS_INDICE_CONTENIDO, "IdentificadorCarpeta", elemento.identificador_carpeta
            )
            _elementos(carpeta, elemento.elementos)
        else:
            _indice_contenido_element(parent, NS_INDICE_CONTENIDO, "ExpedienteIndizado", elemento)


def _indice_element(parent: etree._Element | None, indice: IndiceEni) -> etree._Element:
    indice.check_emittable()
    root = _root(NS_INDICE, "indice") if parent is None else _sub(parent, NS_INDICE, "indice")
    contenido = _indice_contenido_element(root, NS_INDICE, "IndiceContenido", indice.contenido)
    contenido.set("Id", INDICE_CONTENIDO_ID)
    _firmas_element(root, indice.firmas)
    return root


def indice_contenido_c14n(source: IndiceContenido | bytes) -> bytes:
    """The bytes a detached índice signature signs: exclusive C14N of `IndiceContenido`.

    Pass the `IndiceContenido` you are about to sign, or the XML of a received índice or
    expediente to get the exact bytes its signature covers.
    """
    if isinstance(source, bytes):
        root = parse_xml(source, max_bytes=DEFAULT_MAX_BYTES)
        element = root.find(f".//{_q(NS_INDICE, 'IndiceContenido')}")
        if element is None:
            raise EniError("no eniexpind:IndiceContenido in the XML")
    else:
        source.validate()
        holder = _root(NS_INDICE, "indice")
        element = _indice_contenido_element(holder, NS_INDICE, "IndiceContenido", source)
        element.set("Id", INDICE_CONTENIDO_ID)
    return etree.tostring(element, method="c14n", exclusive=True, with_comments=False)


def indice_xml(contenido: IndiceContenido, firmas: Sequence[FirmaEni]) -> bytes:
    """Emit a signed `eniexpind:indice`; see the module docstring for supported firmas."""
    indice = IndiceEni(contenido=contenido, firmas=list(firmas))
    return _serialize(_indice_element(None, indice))


def expediente_xml(
    metadata: ExpedienteEniMetadata, contenido: IndiceContenido, firmas: Sequence[FirmaEni]
) -> bytes:
    """Emit an ENI expediente: its signed índice and its metadatos."""
    expediente = ExpedienteEni(
        metadatos=metadata, indice=IndiceEni(contenido=contenido, firmas=list(firmas))
    )
    root = _root(NS_EXPEDIENTE, "expediente")
    _indice_element(root, expediente.indice)
    meta = _sub(root, NS_EXPEDIENTE_METADATOS, "metadatosExp")
    _sub(meta, NS_EXPEDIENTE_METADATOS, "VersionNTI", metadata.version_nti)
    _sub(meta, NS_EXPEDIENTE_METADATOS, "Identificador", metadata.identificador)
    for organo in metadata.organos:
        _sub(meta, NS_EXPEDIENTE_METADATOS, "Organo", organo)
    _sub(
        meta,
        NS_EXPEDIENTE_METADATOS,
        "FechaAperturaExpediente",
        metadata.fecha_apertura.isoformat(),
    )
    _sub(meta, NS_EXPEDIENTE_METADATOS, "Clasificacion", metadata.clasificacion)
    _sub(meta, NS_EXPEDIENTE_METADATOS, "Estado", EstadoExpediente(metadata.estado).value)
    for interesado in metadata.interesados:
        _sub(meta, NS_EXPEDIENTE_METADATOS, "Interesado", interesado)
    return _serialize(root)


# --------------------------------------------------------------------------- import


def _all(parent: etree._Element, ns: str, tag: str) -> list[etree._Element]:
    return parent.findall(_q(ns, tag))


def _opt(parent: etree._Element, ns: str, tag: str) -> etree._Element | None:
    found = _all(parent, ns, tag)
    if len(found) > 1:
        raise EniError(f"{tag} appears {len(found)} times, at most once is allowed")
    return found[0] if found else None


def _req(parent: etree._Element, ns: str, tag: str) -> etree._Element:
    element = _opt(parent, ns, tag)
    if element is None:
        raise EniError(f"missing required element {tag} in {etree.QName(parent).localname}")
    return element


def _text(element: etree._Element | None) -> str | None:
    return None if element is None else (element.text or "")


def _req_text(parent: etree._Element, ns: str, tag: str) -> str:
    return _req(parent, ns, tag).text or ""


def _datetime(text: str, field: str) -> datetime:
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise EniError(f"{field} {text!r} is not an xsd:dateTime") from None


def _req_datetime(parent: etree._Element, ns: str, tag: str) -> datetime:
    return _datetime(_req_text(parent, ns, tag), tag)


def _base64(text: str, field: str) -> bytes:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except binascii.Error:
        raise EniError(f"{field} is not valid base64") from None


def _root_of(xml: bytes, ns: str, tag: str, max_bytes: int) -> etree._Element:
    root = parse_xml(xml, max_bytes=max_bytes)
    if root.tag != _q(ns, tag):
        raise EniError(f"expected a {{{ns}}}{tag} root element, found {root.tag}")
    return root


def _firmas_from(parent: etree._Element) -> list[FirmaEni]:
    container = _opt(parent, NS_FIRMA, "firmas")
    if container is None:
        return []
    firmas = []
    for element in _all(container, NS_FIRMA, "firma"):
        tipo = _req_text(element, NS_FIRMA, "TipoFirma")
        _enum(TipoFirma, tipo, "TipoFirma")
        contenido = _req(element, NS_FIRMA, "ContenidoFirma")
        csv = _opt(contenido, NS_FIRMA, "CSV")
        fields: dict[str, object] = {
            "tipo": TipoFirma(tipo),
            "id": element.get("Id"),
            "ref": element.get("ref"),
        }
        if csv is not None:
            fields["valor_csv"] = _req_text(csv, NS_FIRMA, "ValorCSV")
            fields["regulacion_csv"] = _req_text(csv, NS_FIRMA, "RegulacionGeneracionCSV")
        else:
            certificado = _req(contenido, NS_FIRMA, "FirmaConCertificado")
            if _opt(certificado, NS_DS, "Signature") is not None:
                raise EniError("embedded ds:Signature (XAdES inside the ENI XML) is not supported")
            blob = _text(_opt(certificado, NS_FIRMA, "FirmaBase64"))
            fields["firma"] = None if blob is None else _base64(blob, "FirmaBase64")
            fields["referencia"] = _text(_opt(certificado, NS_FIRMA, "ReferenciaFirma"))
        firmas.append(FirmaEni(**fields))  # type: ignore[arg-type]
    return firmas


def _bool(text: str, field: str) -> bool:
    value = text.strip()
    if value not in ("true", "false", "1", "0"):
        raise EniError(f"{field} {text!r} is not an xsd:boolean")
    return value in ("true", "1")


def parse_documento(xml: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> DocumentoEni:
    """Import an ENI documento (safe parsing; raises EniError or an XmlError)."""
    root = _root_of(xml, NS_DOCUMENTO, "documento", max_bytes)
    contenido = _req(root, NS_DOCUMENTO_CONTENIDO, "contenido")
    if _opt(contenido, NS_DOCUMENTO_CONTENIDO, "DatosXML") is not None:
        raise EniError("DatosXML contents are not supported; expected ValorBinario")
    binario = _text(_opt(contenido, NS_DOCUMENTO_CONTENIDO, "ValorBinario"))
    meta = _req(root, NS_DOCUMENTO_METADATOS, "metadatos")
    estado = _req(meta, NS_DOCUMENTO_METADATOS, "EstadoElaboracion")
    valor_estado = _req_text(estado, NS_DOCUMENTO_METADATOS, "ValorEstadoElaboracion")
    tipo_documental = _req_text(meta, NS_DOCUMENTO_METADATOS, "TipoDocumental")
    _enum(EstadoElaboracion, valor_estado, "EstadoElaboracion")
    _enum(TipoDocumental, tipo_documental, "TipoDocumental")
    origen = _bool(
        _req_text(meta, NS_DOCUMENTO_METADATOS, "OrigenCiudadanoAdministracion"),
        "OrigenCiudadanoAdministracion",
    )
    return DocumentoEni(
        metadatos=DocumentoEniMetadata(
            version_nti=_req_text(meta, NS_DOCUMENTO_METADATOS, "VersionNTI").strip(),
            identificador=_req_text(meta, NS_DOCUMENTO_METADATOS, "Identificador"),
            organos=[e.text or "" for e in _all(meta, NS_DOCUMENTO_METADATOS, "Organo")],
            fecha_captura=_req_datetime(meta, NS_DOCUMENTO_METADATOS, "FechaCaptura"),
            origen=Origen.ADMINISTRACION if origen else Origen.CIUDADANO,
            estado_elaboracion=EstadoElaboracion(valor_estado),
            identificador_documento_origen=_text(
                _opt(estado, NS_DOCUMENTO_METADATOS, "IdentificadorDocumentoOrigen")
            ),
            tipo_documental=TipoDocumental(tipo_documental),
        ),
        nombre_formato=_req_text(contenido, NS_DOCUMENTO_CONTENIDO, "NombreFormato"),
        contenido=None if binario is None else _base64(binario, "ValorBinario"),
        referencia_fichero=_text(_opt(contenido, NS_DOCUMENTO_CONTENIDO, "referenciaFichero")),
        firmas=_firmas_from(root),
    )


def _elementos_from(parent: etree._Element) -> list[IndiceElemento]:
    elementos: list[IndiceElemento] = []
    for child in parent:
        name = etree.QName(child)
        if name.namespace != NS_INDICE_CONTENIDO:
            raise EniError(f"unexpected element {child.tag} in the índice")
        if name.localname == "DocumentoIndizado":
            orden = _text(_opt(child, NS_INDICE_CONTENIDO, "OrdenDocumentoExpediente"))
            if orden is not None and not orden.strip().isdigit():
                raise EniError(f"OrdenDocumentoExpediente {orden!r} is not a number")
            fecha = _text(_opt(child, NS_INDICE_CONTENIDO, "FechaIncorporacionExpediente"))
            elementos.append(
                IndiceEntry(
                    identificador_documento=_req_text(
                        child, NS_INDICE_CONTENIDO, "IdentificadorDocumento"
                    ),
                    valor_huella=_req_text(child, NS_INDICE_CONTENIDO, "ValorHuella"),
                    funcion_resumen=_req_text(child, NS_INDICE_CONTENIDO, "FuncionResumen"),
                    fecha_incorporacion=None
                    if fecha is None
                    else _datetime(fecha, "FechaIncorporacionExpediente"),
                    orden=None if orden is None else int(orden),
                )
            )
        elif name.localname == "CarpetaIndizada":
            elementos.append(
                CarpetaIndizada(
                    identificador_carpeta=_req_text(
                        child, NS_INDICE_CONTENIDO, "IdentificadorCarpeta"
                    ),
                    elementos=_elementos_from(child),
                )
            )
        elif name.localname == "ExpedienteIndizado":
            elementos.append(_indice_contenido_from(child))
        elif name.localname not in ("FechaIndiceElectronico", "IdentificadorCarpeta"):
            raise EniError(f"unexpected element {name.localname} in the índice")
    return elementos


def _indice_contenido_from(element: etree._Element) -> IndiceContenido:
    return IndiceContenido(
        fecha_indice=_req_datetime(element, NS_INDICE_CONTENIDO, "FechaIndiceElectronico"),
        elementos=_elementos_from(element),
    )


def _indice_from(element: etree._Element) -> IndiceEni:
    contenido = _req(element, NS_INDICE, "IndiceContenido")
    return IndiceEni(contenido=_indice_contenido_from(contenido), firmas=_firmas_from(element))


def parse_indice(xml: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> IndiceEni:
    """Import a standalone ENI índice electrónico."""
    return _indice_from(_root_of(xml, NS_INDICE, "indice", max_bytes))


def parse_expediente(xml: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ExpedienteEni:
    """Import an ENI expediente (índice + metadatos); `VisualizacionIndice` is ignored."""
    root = _root_of(xml, NS_EXPEDIENTE, "expediente", max_bytes)
    meta = _req(root, NS_EXPEDIENTE_METADATOS, "metadatosExp")
    estado = _req_text(meta, NS_EXPEDIENTE_METADATOS, "Estado")
    _enum(EstadoExpediente, estado, "Estado")
    return ExpedienteEni(
        metadatos=ExpedienteEniMetadata(
            version_nti=_req_text(meta, NS_EXPEDIENTE_METADATOS, "VersionNTI").strip(),
            identificador=_req_text(meta, NS_EXPEDIENTE_METADATOS, "Identificador"),
            organos=[e.text or "" for e in _all(meta, NS_EXPEDIENTE_METADATOS, "Organo")],
            fecha_apertura=_req_datetime(meta, NS_EXPEDIENTE_METADATOS, "FechaAperturaExpediente"),
            clasificacion=_req_text(meta, NS_EXPEDIENTE_METADATOS, "Clasificacion"),
            estado=EstadoExpediente(estado),
            interesados=[e.text or "" for e in _all(meta, NS_EXPEDIENTE_METADATOS, "Interesado")],
        ),
        indice=_indice_from(_req(root, NS_INDICE, "indice")),
    )
