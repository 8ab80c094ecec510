"""ENI documento / expediente / índice: XSD validity, round trips, refusals."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import msgspec
import pytest
import xmlschema
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from core.data import XSD as XSD_ROOT
from core.documents.eni import (
    INDICE_CONTENIDO_ID,
    NS_DOCUMENTO_CONTENIDO,
    NS_DOCUMENTO_METADATOS,
    NS_EXPEDIENTE_METADATOS,
    NS_FIRMA,
    CarpetaIndizada,
    DocumentoEni,
    DocumentoEniMetadata,
    EniError,
    EstadoElaboracion,
    EstadoExpediente,
    ExpedienteEni,
    ExpedienteEniMetadata,
    FirmaEni,
    IndiceContenido,
    IndiceEni,
    IndiceEntry,
    Origen,
    TipoDocumental,
    TipoFirma,
    check_identificador,
    documento_xml,
    expediente_xml,
    indice_contenido_c14n,
    indice_xml,
    make_identificador,
    parse_documento,
    parse_expediente,
    parse_indice,
)
from core.documents.xmlsafe import UnsafeXmlError

XSD = XSD_ROOT / "eni"
SCHEMAS = {
    "documento": "documento-e/documentoEni.xsd",
    "metadatos": "documento-e/metadatos/metadatosDocumentoEni.xsd",
    "contenido": "documento-e/contenido/contenidoDocumentoEni.xsd",
    "firmas": "firma/firmasEni.xsd",
    "expediente": "expediente-e/expedienteEni.xsd",
    "metadatosExp": "expediente-e/metadatos/MetadatosExpedienteEni.xsd",
    "indice": "expediente-e/indice-e/IndiceExpedienteEni.xsd",
}
MADRID = ZoneInfo("Europe/Madrid")
SORIA = "L01421737"  # demo DIR3-shaped code for Soria (INE 42173); not an official lookup
DOC_ID = "ES_L01421737_2025_RES0000000000000000000000000001"
EXP_ID = "ES_L01421737_2025_EXP_0000000000000000000000000042"
PDF = b"%PDF-1.7\n% stand-in bytes \xe2\x82\xac\n%%EOF\n"


@pytest.fixture(scope="session")
def schemas() -> dict[str, xmlschema.XMLSchema]:
    """Every ENI XSD compiled once per test session."""
    return {name: xmlschema.XMLSchema(str(XSD / path), allow="local")
            for name, path in SCHEMAS.items()}


def child(xml: bytes, ns: str, tag: str) -> bytes:
    """A sub-tree of an emitted XML as a standalone document."""
    element = etree.fromstring(xml).find(f".//{{{ns}}}{tag}")
    assert element is not None
    return etree.tostring(element)


def metadata(**changes: object) -> DocumentoEniMetadata:
    fields: dict[str, object] = {
        "identificador": DOC_ID,
        "organos": [SORIA, "L01421345"],
        "fecha_captura": datetime(2025, 3, 14, 9, 30, 15, 250000, tzinfo=MADRID),
        "origen": Origen.ADMINISTRACION,
        "estado_elaboracion": EstadoElaboracion.ORIGINAL,
        "tipo_documental": TipoDocumental.RESOLUCION,
    }
    fields.update(changes)
    return DocumentoEniMetadata(**fields)  # type: ignore[arg-type]


def expediente_metadata(**changes: object) -> ExpedienteEniMetadata:
    fields: dict[str, object] = {
        "identificador": EXP_ID,
        "organos": [SORIA],
        "fecha_apertura": datetime(2025, 1, 7, 8, 0, tzinfo=MADRID),
        "clasificacion": "2002187",
        "estado": EstadoExpediente.CERRADO,
        "interesados": ["12345678Z", "Peña Muñoz, José (€ 5)"],
    }
    fields.update(changes)
    return ExpedienteEniMetadata(**fields)  # type: ignore[arg-type]


def indice_contenido() -> IndiceContenido:
    other = "ES_L01421737_2025_INF7"
    return IndiceContenido(
        fecha_indice=datetime(2025, 4, 1, 12, 0, tzinfo=UTC),
        elementos=[
            IndiceEntry.for_content(DOC_ID, PDF, orden=1,
                                    fecha_incorporacion=datetime(2025, 3, 14, 10, tzinfo=MADRID)),
            CarpetaIndizada(identificador_carpeta="Alegaciones", elementos=[
                IndiceEntry.for_content(other, b"informe", orden=2, funcion_resumen="SHA512"),
                CarpetaIndizada(identificador_carpeta="Anexos", elementos=[
                    IndiceEntry.for_content(other, b"anexo")]),
            ]),
            IndiceContenido(fecha_indice=datetime(2024, 12, 1), elementos=[
                IndiceEntry.for_content(other, b"sub-expediente", orden=3)]),
        ],
    )


CSV_FIRMA = FirmaEni.csv("42ABCDEFGHJKMNPQRSTVWXYZ0", "Decreto de Alcaldía 12/2025 (BOP Soria)")
CADES = FirmaEni(tipo=TipoFirma.CADES_DETACHED, firma=b"0\x82\x01\x00 detached", ref="X")


def documento_variants() -> dict[str, tuple[DocumentoEniMetadata, DocumentoEni]]:
    pades = FirmaEni.en_contenido(DOC_ID)
    copia = metadata(estado_elaboracion=EstadoElaboracion.COPIA_CAMBIO_FORMATO,
                     identificador_documento_origen="ES_E00003901_2024_ORIGINAL9",
                     origen=Origen.CIUDADANO, tipo_documental=TipoDocumental.SOLICITUD)
    return {
        "pades+csv": DocumentoEni(metadatos=metadata(), nombre_formato="PDF", contenido=PDF,
                                  firmas=[pades, CSV_FIRMA]),
        "cades-copia": DocumentoEni(metadatos=copia, nombre_formato="XML",
                                    contenido="<a>ñ</a>".encode(), firmas=[CADES]),
        "referenciado": DocumentoEni(metadatos=metadata(estado_elaboracion="EE99"),
                                     nombre_formato="PDF", referencia_fichero="docs/1.pdf",
                                     firmas=[FirmaEni(tipo=TipoFirma.XADES_ENVELOPED,
                                                      referencia="docs/1.xsig", id="F1")]),
        "sin-firmas": DocumentoEni(metadatos=metadata(), nombre_formato="TXT", contenido=b""),
    }


def emit(documento: DocumentoEni) -> bytes:
    return documento_xml(documento.metadatos, documento.contenido, documento.nombre_formato,
                         documento.firmas, referencia_fichero=documento.referencia_fichero)


# --------------------------------------------------------------------------- identificador


def test_make_identificador() -> None:
    assert make_identificador(SORIA, 2025, "RES1") == "ES_L01421737_2025_RES1"
    assert make_identificador(SORIA, 2025, "1", expediente=True) == "ES_L01421737_2025_EXP_1"
    longest = make_identificador(SORIA, 2025, "X" * 34)
    assert len(longest) == 52
    check_identificador(EXP_ID, expediente=True)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((SORIA, 2025, "X" * 35), "53 characters, at most 52"),
        (("l01421737", 2025, "A"), "does not follow"),
        (("L0142173", 2025, "A"), "does not follow"),
        ((SORIA, 2025, "with space"), "does not follow"),
        ((SORIA, 2025, "_leading"), "does not follow"),
        ((SORIA, 2025, ""), "does not follow"),
        ((SORIA, 12025, "A"), "four-digit year"),
    ],
)
def test_make_identificador_refuses(args: tuple[str, int, str], message: str) -> None:
    with pytest.raises(EniError, match=message):
        make_identificador(*args)


def test_expediente_identificador_needs_exp_prefix() -> None:
    with pytest.raises(EniError, match="EXP_"):
        check_identificador(DOC_ID, expediente=True)
    with pytest.raises(EniError, match="EXP_"):
        expediente_metadata(identificador=DOC_ID)


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"identificador": "ES_L01421737_2025_" + "X" * 40}, "at most 52"),
        ({"organos": []}, "at least one órgano"),
        ({"organos": ["Soria"]}, "not a DIR3 code"),
        ({"estado_elaboracion": "EE05"}, "estado_elaboracion 'EE05' is not one of EE01"),
        ({"tipo_documental": "TD42"}, "tipo_documental 'TD42'"),
        ({"origen": 2}, "origen 2"),
        ({"fecha_captura": "2025-01-01"}, "fecha_captura must be a datetime"),
        ({"estado_elaboracion": EstadoElaboracion.COPIA_PARCIAL}, "requires identificador_doc"),
        ({"identificador_documento_origen": DOC_ID}, "original"),
    ],
)
def test_invalid_documento_metadata_is_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(EniError, match=message):
        metadata(**changes)


def test_invalid_data_mutated_after_construction_is_refused_before_emission() -> None:
    meta = metadata()
    meta.organos = []
    with pytest.raises(EniError, match="órgano"):
        documento_xml(meta, PDF, "PDF", [CSV_FIRMA])
    exp = expediente_metadata()
    exp.estado = "E09"  # type: ignore[assignment]
    with pytest.raises(EniError, match="estado 'E09'"):
        expediente_xml(exp, indice_contenido(), [CSV_FIRMA])


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"tipo": TipoFirma.CSV, "valor_csv": "X"}, "needs valor_csv and regulacion_csv"),
        ({"tipo": TipoFirma.CSV, "valor_csv": "X", "regulacion_csv": "R", "firma": b"x"},
         "no signature blob"),
        ({"tipo": TipoFirma.CADES_DETACHED, "valor_csv": "X", "firma": b"x"}, "only apply to"),
        ({"tipo": TipoFirma.CADES_DETACHED}, "exactly one of firma or referencia"),
        ({"tipo": TipoFirma.CADES_DETACHED, "firma": b"x", "referencia": "#a"}, "exactly one"),
        ({"tipo": TipoFirma.PADES, "firma": b"x"}, "lives in the PDF"),
        ({"tipo": "TF07", "referencia": "#a"}, "TF07"),
    ],
)
def test_invalid_firma_is_refused(fields: dict[str, object], message: str) -> None:
    with pytest.raises(EniError, match=message):
        FirmaEni(**fields)  # type: ignore[arg-type]


def test_documento_content_rules() -> None:
    with pytest.raises(EniError, match="exactly one of contenido or referencia_fichero"):
        documento_xml(metadata(), PDF, "PDF", referencia_fichero="x.pdf")
    with pytest.raises(EniError, match="exactly one of contenido or referencia_fichero"):
        documento_xml(metadata(), None, "PDF")
    with pytest.raises(EniError, match="nombre_formato"):
        documento_xml(metadata(), PDF, "")
    with pytest.raises(EniError, match="must reference the contenido node"):
        documento_xml(metadata(), PDF, "PDF",
                      [FirmaEni(tipo=TipoFirma.PADES, referencia="#elsewhere")])
    with pytest.raises(EniError, match="characters XML cannot carry"):
        documento_xml(metadata(), PDF, "PDF\x00")


def test_indice_rules() -> None:
    with pytest.raises(EniError, match="at least one element"):
        IndiceContenido(fecha_indice=datetime(2025, 1, 1), elementos=[])
    with pytest.raises(EniError, match="carpeta Vacía"):
        CarpetaIndizada(identificador_carpeta="Vacía", elementos=[])
    with pytest.raises(EniError, match="at least one firma"):
        indice_xml(indice_contenido(), [])
    with pytest.raises(EniError, match="not TF06 by reference"):
        expediente_xml(expediente_metadata(), indice_contenido(),
                       [FirmaEni.en_contenido(DOC_ID)])
    with pytest.raises(EniError, match="orden"):
        IndiceEntry(identificador_documento=DOC_ID, valor_huella="x", funcion_resumen="SHA256",
                    orden=-1)
    with pytest.raises(EniError, match="new huellas use one of"):
        IndiceEntry.for_content(DOC_ID, PDF, funcion_resumen="SHA1")
    with pytest.raises(EniError, match="not supported"):
        IndiceEntry(identificador_documento=DOC_ID, valor_huella="x",
                    funcion_resumen="MD5").matches(PDF)


@pytest.mark.parametrize("changes", [{"clasificacion": " "}, {"interesados": [""]},
                                     {"organos": []}])
def test_invalid_expediente_metadata_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(EniError):
        expediente_metadata(**changes)


# --------------------------------------------------------------------------- documento


@pytest.mark.parametrize("variant", list(documento_variants()))
def test_documento_validates_against_the_xsds(
    variant: str, schemas: dict[str, xmlschema.XMLSchema]
) -> None:
    xml = emit(documento_variants()[variant])
    schemas["documento"].validate(xml)
    schemas["metadatos"].validate(child(xml, NS_DOCUMENTO_METADATOS, "metadatos"))
    schemas["contenido"].validate(child(xml, NS_DOCUMENTO_CONTENIDO, "contenido"))
    if documento_variants()[variant].firmas:
        schemas["firmas"].validate(child(xml, NS_FIRMA, "firmas"))


@pytest.mark.parametrize("variant", list(documento_variants()))
def test_documento_round_trip(variant: str) -> None:
    documento = documento_variants()[variant]
    assert parse_documento(emit(documento)) == documento


def test_documento_content_is_embedded_in_base64() -> None:
    xml = emit(documento_variants()["pades+csv"])
    valor = etree.fromstring(xml).find(f".//{{{NS_DOCUMENTO_CONTENIDO}}}ValorBinario")
    assert base64.b64decode(valor.text) == PDF
    assert b"<enids:ReferenciaFirma>#CONTENIDO_" + DOC_ID.encode() in xml
    assert b"<enidocmeta:OrigenCiudadanoAdministracion>true<" in xml


def test_foreign_documento_with_other_prefixes_is_imported() -> None:
    foreign = f"""<?xml version="1.0" encoding="ISO-8859-1"?>
<d:documento xmlns:d="{_ns('documento-e')}" xmlns:m="{_ns('documento-e/metadatos')}"
  xmlns:c="{_ns('documento-e/contenido')}" xmlns:f="{_ns('firma')}">
 <c:contenido Id="CONTENT_ID_1">
  <c:ValorBinario>
   {base64.encodebytes(PDF).decode()}
  </c:ValorBinario>
  <c:NombreFormato>pdf</c:NombreFormato>
 </c:contenido>
 <m:metadatos>
  <m:VersionNTI> {_ns('documento-e')} </m:VersionNTI>
  <m:Identificador>{DOC_ID}</m:Identificador>
  <m:Organo>{SORIA}</m:Organo>
  <m:FechaCaptura>2025-03-14T08:30:15Z</m:FechaCaptura>
  <m:OrigenCiudadanoAdministracion>0</m:OrigenCiudadanoAdministracion>
  <m:EstadoElaboracion>
   <m:ValorEstadoElaboracion>EE03</m:ValorEstadoElaboracion>
   <m:IdentificadorDocumentoOrigen>papel-123</m:IdentificadorDocumentoOrigen>
  </m:EstadoElaboracion>
  <m:TipoDocumental>TD16</m:TipoDocumental>
 </m:metadatos>
 <f:firmas><f:firma Id="SIGNATURE_ID_1" ref="#CONTENT_ID_1"><f:TipoFirma>TF06</f:TipoFirma>
  <f:ContenidoFirma><f:FirmaConCertificado><f:ReferenciaFirma>#CONTENT_ID_1</f:ReferenciaFirma>
  </f:FirmaConCertificado></f:ContenidoFirma></f:firma></f:firmas>
</d:documento>""".encode("iso-8859-1")
    documento = parse_documento(foreign)
    assert documento.contenido == PDF
    assert documento.metadatos.fecha_captura == datetime(2025, 3, 14, 8, 30, 15, tzinfo=UTC)
    assert documento.metadatos.origen is Origen.CIUDADANO
    assert documento.metadatos.estado_elaboracion is EstadoElaboracion.COPIA_PAPEL
    assert documento.metadatos.tipo_documental is TipoDocumental.ALEGACION
    assert documento.firmas == [FirmaEni(tipo=TipoFirma.PADES, referencia="#CONTENT_ID_1",
                                         id="SIGNATURE_ID_1", ref="#CONTENT_ID_1")]


def _ns(suffix: str) -> str:
    return f"http://administracionelectronica.gob.es/ENI/XSD/v1.0/{suffix}"


def _tamper(xml: bytes, old: bytes, new: bytes) -> bytes:
    assert old in xml
    return xml.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (b"<enidocmeta:TipoDocumental>TD01<", b"<enidocmeta:TipoDocumental>TD42<", "TD42"),
        (b">EE01<", b">EE05<", "EE05"),
        (b">true<", b">maybe<", "xsd:boolean"),
        (b"<enidocmeta:FechaCaptura>2025", b"<enidocmeta:FechaCaptura>yesterday 2025",
         "xsd:dateTime"),
        (b"<enifile:ValorBinario>", b"<enifile:ValorBinario>*", "not valid base64"),
        (b"<enidocmeta:Organo>L01421345</enidocmeta:Organo>", b"", None),
        (b"<enidocmeta:Identificador>", b"<enidocmeta:Identificador>X", "does not follow"),
        (b"enidoc:documento xmlns", b"enidoc:documentos xmlns", "root element"),
    ],
)
def test_invalid_documento_xml_is_refused(old: bytes, new: bytes, message: str | None) -> None:
    xml = emit(documento_variants()["pades+csv"])
    tampered = _tamper(xml, old, new)
    if old == b"enidoc:documento xmlns":
        tampered = tampered.replace(b"</enidoc:documento>", b"</enidoc:documentos>")
    if message is None:  # dropping one of two órganos stays valid
        assert parse_documento(tampered).metadatos.organos == [SORIA]
        return
    with pytest.raises(EniError, match=message):
        parse_documento(tampered)


def test_unsupported_documento_forms_are_refused_clearly() -> None:
    xml = emit(documento_variants()["pades+csv"])
    datos_xml = _tamper(xml, b"<enifile:ValorBinario>JVBER", b"<enifile:DatosXML/><x>")
    datos_xml = datos_xml.replace(b"</enifile:ValorBinario>", b"</x>")
    with pytest.raises(EniError, match="DatosXML"):
        parse_documento(datos_xml)
    signature = _tamper(
        xml, b"<enids:ReferenciaFirma>#CONTENIDO_" + DOC_ID.encode() + b"</enids:ReferenciaFirma>",
        b'<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/>')
    with pytest.raises(EniError, match="ds:Signature"):
        parse_documento(signature)
    missing = _tamper(xml, b"<enifile:NombreFormato>PDF</enifile:NombreFormato>", b"")
    with pytest.raises(EniError, match="missing required element NombreFormato"):
        parse_documento(missing)
    twice = _tamper(xml, b"<enidocmeta:TipoDocumental>TD01</enidocmeta:TipoDocumental>",
                    b"<enidocmeta:TipoDocumental>TD01</enidocmeta:TipoDocumental>" * 2)
    with pytest.raises(EniError, match="at most once"):
        parse_documento(twice)


def test_documento_import_is_safe_and_bounded() -> None:
    xml = emit(documento_variants()["pades+csv"])
    xxe = xml.replace(b"?>", b'?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>', 1)
    with pytest.raises(UnsafeXmlError):
        parse_documento(xxe)
    with pytest.raises(UnsafeXmlError, match="exceeds"):
        parse_documento(xml, max_bytes=100)


# --------------------------------------------------------------------------- expediente


def test_expediente_and_indice_validate_against_the_xsds(
    schemas: dict[str, xmlschema.XMLSchema]
) -> None:
    xml = expediente_xml(expediente_metadata(), indice_contenido(), [CADES, CSV_FIRMA])
    schemas["expediente"].validate(xml)
    schemas["metadatosExp"].validate(child(xml, NS_EXPEDIENTE_METADATOS, "metadatosExp"))
    schemas["firmas"].validate(child(xml, NS_FIRMA, "firmas"))
    schemas["indice"].validate(indice_xml(indice_contenido(), [CSV_FIRMA]))


@pytest.mark.parametrize("estado", list(EstadoExpediente))
def test_expediente_round_trip(estado: EstadoExpediente) -> None:
    meta = expediente_metadata(estado=estado)
    parsed = parse_expediente(expediente_xml(meta, indice_contenido(), [CADES, CSV_FIRMA]))
    assert parsed == ExpedienteEni(
        metadatos=meta, indice=IndiceEni(contenido=indice_contenido(), firmas=[CADES, CSV_FIRMA]))
    assert parse_indice(indice_xml(indice_contenido(), [CSV_FIRMA])) == IndiceEni(
        contenido=indice_contenido(), firmas=[CSV_FIRMA])


def test_expediente_survives_a_json_round_trip() -> None:
    expediente = parse_expediente(
        expediente_xml(expediente_metadata(), indice_contenido(), [CSV_FIRMA]))
    encoded = msgspec.json.encode(expediente)
    assert msgspec.json.decode(encoded, type=ExpedienteEni) == expediente


def test_indice_huellas_identify_the_content() -> None:
    entry = IndiceEntry.for_content(DOC_ID, PDF)
    assert entry.valor_huella == base64.b64encode(hashlib.sha256(PDF).digest()).decode()
    assert entry.matches(PDF)
    assert not entry.matches(PDF + b" ")
    legacy = IndiceEntry(identificador_documento=DOC_ID, funcion_resumen="SHA-1",
                         valor_huella=base64.b64encode(hashlib.sha1(PDF).digest()).decode())
    assert legacy.matches(PDF)


def test_detached_indice_signature_covers_the_canonical_indice_contenido() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    contenido = indice_contenido()
    signed_bytes = indice_contenido_c14n(contenido)
    assert signed_bytes.startswith(b"<eniexpind:IndiceContenido ")
    assert f'Id="{INDICE_CONTENIDO_ID}"'.encode() in signed_bytes
    firma = FirmaEni(tipo=TipoFirma.CADES_DETACHED, ref=INDICE_CONTENIDO_ID,
                     firma=key.sign(signed_bytes, ec.ECDSA(hashes.SHA256())))
    xml = expediente_xml(expediente_metadata(), contenido, [firma])
    assert indice_contenido_c14n(xml) == signed_bytes
    assert indice_contenido_c14n(indice_xml(contenido, [firma])) == signed_bytes

    received = parse_expediente(xml).indice.firmas[0].firma
    assert received is not None
    key.public_key().verify(received, indice_contenido_c14n(xml), ec.ECDSA(hashes.SHA256()))
    huella = contenido.elementos[0].valor_huella.encode()  # type: ignore[union-attr]
    tampered = _tamper(xml, huella, base64.b64encode(b"\x00" * 32))
    with pytest.raises(InvalidSignature):
        key.public_key().verify(received, indice_contenido_c14n(tampered),
                                ec.ECDSA(hashes.SHA256()))


def test_indice_c14n_of_xml_without_indice_is_refused() -> None:
    with pytest.raises(EniError, match="no eniexpind:IndiceContenido"):
        indice_contenido_c14n(emit(documento_variants()["sin-firmas"]))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (b">E02<", b">E04<", "E04"),
        (b"<eniconexpind:OrdenDocumentoExpediente>1<", b"<eniconexpind:OrdenDocumentoExpediente>"
         b"primero<", "not a number"),
        (b"<eniconexpind:DocumentoIndizado>", b"<eniconexpind:Extra/><eniconexpind:DocumentoIndi"
         b"zado>", "unexpected element Extra"),
        (b"<eniexpmeta:FechaAperturaExpediente>2025", b"<eniexpmeta:FechaAperturaExpediente>x",
         "xsd:dateTime"),
    ],
)
def test_invalid_expediente_xml_is_refused(old: bytes, new: bytes, message: str) -> None:
    xml = expediente_xml(expediente_metadata(), indice_contenido(), [CSV_FIRMA])
    with pytest.raises(EniError, match=message):
        parse_expediente(_tamper(xml, old, new))


def test_foreign_indice_signature_types_are_imported_but_not_re_emitted() -> None:
    xml = expediente_xml(expediente_metadata(), indice_contenido(), [CADES])
    foreign = _tamper(xml, b">TF04<", b">TF02<")
    indice = parse_expediente(foreign).indice
    assert indice.firmas[0].tipo is TipoFirma.XADES_INTERNALLY_DETACHED
    with pytest.raises(EniError, match="not TF02"):
        indice_xml(indice.contenido, indice.firmas)


# --------------------------------------------------------------------------- properties

xml_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn"),
                                 include_characters="\t\n\r"),
                   min_size=1, max_size=40).filter(str.strip)
local_ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,20}", fullmatch=True)
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes)))
datetimes = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1),
                         timezones=st.none() | offsets)


@settings(max_examples=60, deadline=None)
@given(local=local_ids, year=st.integers(1990, 2099), fecha=datetimes,
       origen=st.sampled_from(Origen), tipo=st.sampled_from(TipoDocumental),
       contenido=st.binary(max_size=200), interesados=st.lists(xml_text, max_size=3),
       clasificacion=xml_text)
def test_round_trip_property(local: str, year: int, fecha: datetime, origen: Origen,
                             tipo: TipoDocumental, contenido: bytes, interesados: list[str],
                             clasificacion: str) -> None:
    identificador = make_identificador(SORIA, year, local)
    meta = metadata(identificador=identificador, fecha_captura=fecha, origen=origen,
                    tipo_documental=tipo)
    documento = DocumentoEni(metadatos=meta, nombre_formato="PDF", contenido=contenido,
                             firmas=[FirmaEni.en_contenido(identificador)])
    assert parse_documento(emit(documento)) == documento
    exp = expediente_metadata(identificador=make_identificador(SORIA, year, local, expediente=True),
                              fecha_apertura=fecha, interesados=interesados,
                              clasificacion=clasificacion)
    parsed = parse_expediente(expediente_xml(exp, indice_contenido(), [CSV_FIRMA]))
    assert parsed.metadatos == exp
