"""SICRES 3 exchange and message files, SIR limits and the SIR state machine."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import msgspec
import pytest
import xmlschema
from hypothesis import given, settings
from hypothesis import strategies as st

from core.data import XSD as XSD_ROOT
from core.documents.xmlsafe import UnsafeXmlError, strip_controls
from core.signing.samples import sample_pdf
from plugins.registro.sicres import (
    MAX_ANEXO_BYTES,
    SIR_TRANSITIONS,
    Anexo,
    Asunto,
    CanalPreferente,
    Destino,
    DocumentacionFisica,
    FicheroIntercambio,
    FormularioGenerico,
    HashCheck,
    IllegalTransitionError,
    Interesado,
    InternosControl,
    Mensaje,
    OrigenRemitente,
    SicresError,
    SirAction,
    SirLimitsError,
    SirState,
    TipoAnotacion,
    TipoDocumentoAnexo,
    TipoDocumentoIdentificacion,
    TipoMensaje,
    TipoRegistro,
    TipoTransporte,
    ValidezDocumento,
    allowed_actions,
    check_anexo_hash,
    check_sir_limits,
    export_asiento,
    export_mensaje,
    import_asiento,
    import_mensaje,
    make_anexo,
    make_identificador_fichero,
    make_identificador_intercambio,
    transition,
)
from plugins.registro.tests.sicres_files import PDF as REAL_PDF
from plugins.registro.tests.sicres_files import regional_file, vendor_file

XSD = XSD_ROOT / "sicres3"
OFICINA_ORIGEN = "O00012345"  # demo office codes, not official DIR3 entries
OFICINA_DESTINO = "O00067890"
ID_INTERCAMBIO = make_identificador_intercambio(OFICINA_ORIGEN, 2025, 1234)
PDF = sample_pdf("Solicitud de José Peña: 5 €")  # real: received PDFs are checked
MB = 1024 * 1024
S, A = SirState, SirAction
Builder = Callable[[], FicheroIntercambio]


@pytest.fixture(scope="session")
def intercambio_xsd() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(XSD / "SICRES3_INTERCAMBIO_APL.xsd"), allow="local")


@pytest.fixture(scope="session")
def mensaje_xsd() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(XSD / "SICRES3_MENSAJE_APL.xsd"), allow="local")


def fichero_id(sequence: int, extension: str = "pdf") -> str:
    return make_identificador_fichero(ID_INTERCAMBIO, TipoDocumentoAnexo.ADJUNTO, sequence,
                                      extension)


def control(**changes: object) -> InternosControl:
    fields: dict[str, object] = {
        "identificador_intercambio": ID_INTERCAMBIO,
        "tipo_anotacion": TipoAnotacion.ENVIO,
        "tipo_registro": TipoRegistro.ENTRADA,
        "documentacion_fisica": DocumentacionFisica.NO_ACOMPANA,
        "codigo_entidad_registral_inicio": OFICINA_ORIGEN,
    }
    fields.update(changes)
    return InternosControl(**fields)  # type: ignore[arg-type]


def minimal(**changes: object) -> FicheroIntercambio:
    fields: dict[str, object] = {
        "origen": OrigenRemitente(codigo_entidad_registral_origen=OFICINA_ORIGEN,
                                  numero_registro_entrada="REGAGE25e00000001",
                                  fecha_hora_entrada=datetime(2025, 3, 14, 9, 30, 15)),
        "destino": Destino(codigo_entidad_registral_destino=OFICINA_DESTINO),
        "interesados": [Interesado(razon_social_interesado="Cooperativa Agraria")],
        "asunto": Asunto(resumen="Instancia general"),
        "control": control(),
    }
    fields.update(changes)
    return FicheroIntercambio(**fields)  # type: ignore[arg-type]


def full() -> FicheroIntercambio:
    """Every field of every segment set, with accents, ñ and €."""
    solicitud = make_anexo("solicitud.pdf", PDF, "application/pdf",
                           identificador_fichero=fichero_id(1),
                           validez_documento=ValidezDocumento.ORIGINAL,
                           observaciones="Firmado por el interesado")
    firma = msgspec.structs.replace(
        make_anexo("solicitud.xsig", b"<xades/>", "text/xml",
                   identificador_fichero=fichero_id(2, "xsig"),
                   tipo_documento=TipoDocumentoAnexo.FICHERO_TECNICO,
                   validez_documento=ValidezDocumento.COPIA_COMPULSADA),
        certificado=b"0\x82 cert", firma_documento=b"0\x82 cms", timestamp=b"0\x82 tst",
        validacion_ocsp_certificado=b"0\x82 ocsp",
        identificador_documento_firmado=fichero_id(1))
    return FicheroIntercambio(
        origen=OrigenRemitente(
            codigo_entidad_registral_origen=OFICINA_ORIGEN,
            decodificacion_entidad_registral_origen="Oficina de asistencia de Ólvega",
            numero_registro_entrada="REGAGE25e00000001",
            fecha_hora_entrada=datetime(2025, 3, 14, 9, 30, 15),
            timestamp_entrada=b"\x30\x82\x01 RFC 3161 token",
            codigo_unidad_tramitacion_origen="L01421345",
            decodificacion_unidad_tramitacion_origen="Ayuntamiento de Ólvega (demo)"),
        destino=Destino(
            codigo_entidad_registral_destino=OFICINA_DESTINO,
            decodificacion_entidad_registral_destino="Registro de la Diputación (demo)",
            codigo_unidad_tramitacion_destino="L01421737",
            decodificacion_unidad_tramitacion_destino="Ayuntamiento de Soria (demo)"),
        interesados=[
            Interesado(
                tipo_documento_identificacion_interesado=TipoDocumentoIdentificacion.NIF,
                documento_identificacion_interesado="12345678Z",
                nombre_interesado="José María", primer_apellido_interesado="Peña",
                segundo_apellido_interesado="Muñoz",
                tipo_documento_identificacion_representante=TipoDocumentoIdentificacion.CIF,
                documento_identificacion_representante="B42000000",
                razon_social_representante="Gestoría Ñandú, S.L.",
                nombre_representante="Begoña", primer_apellido_representante="Ibáñez",
                segundo_apellido_representante="Güell",
                pais_interesado="724", provincia_interesado="42", municipio_interesado="42134",
                direccion_interesado="Calle Mayor, 1, 2º Izq.", codigo_postal_interesado="42110",
                correo_electronico_interesado="jose@example.org",
                telefono_contacto_interesado="+34 975 000 000",
                direccion_electronica_habilitada_interesado="12345678Z@dehu.example",
                canal_preferente_comunicacion_interesado=CanalPreferente.COMPARECENCIA_ELECTRONICA,
                pais_representante="724", provincia_representante="42",
                municipio_representante="42173", direccion_representante="Plaza Mayor, 9",
                codigo_postal_representante="42001",
                correo_electronico_representante="gestoria@example.org",
                telefono_contacto_representante="975 111 111",
                direccion_electronica_habilitada_representante="B42000000@dehu.example",
                canal_preferente_comunicacion_representante=CanalPreferente.DIRECCION_POSTAL,
                observaciones="Actúa mediante representación (poder nº 7)"),
            Interesado(tipo_documento_identificacion_interesado=TipoDocumentoIdentificacion.NIE,
                       documento_identificacion_interesado="X1234567L",
                       nombre_interesado="Zoë", primer_apellido_interesado="Ångström"),
        ],
        asunto=Asunto(resumen="Solicitud de licencia de obra menor — tasa 35,50 €",
                      codigo_asunto_segun_destino="LIC-OBRA-MENOR", referencia_externa="EXT/2025/7",
                      numero_expediente="ES_L01421737_2025_EXP_0042"),
        anexos=[solicitud, firma],
        control=control(tipo_transporte_entrada=TipoTransporte.EN_MANO,
                        numero_transporte_entrada="ventanilla 3",
                        nombre_usuario="Íñigo Funcionario", contacto_usuario="registro@example.org",
                        aplicacion_version_emisora="CNC1", descripcion_tipo_anotacion="Envío SIR",
                        tipo_registro=TipoRegistro.SALIDA,
                        documentacion_fisica=DocumentacionFisica.ACOMPANA_COMPLEMENTARIA,
                        observaciones_apunte="Con documentación en papel",
                        indicador_prueba=True,
                        decodificacion_entidad_registral_inicio="Oficina de Ólvega"),
        formulario=FormularioGenerico(
            expone="Que deseo reformar la cocina.\r\n\tPresupuesto: 3.000 €",
            solicita="Licencia de obra menor; señalización en vía pública"),
    )


# --------------------------------------------------------------------------- XSD + round trip


@pytest.mark.parametrize("build", [minimal, full], ids=["minimal", "full"])
def test_export_validates_against_the_xsd(
    build: Builder, intercambio_xsd: xmlschema.XMLSchema
) -> None:
    intercambio_xsd.validate(export_asiento(build()))


@pytest.mark.parametrize("build", [minimal, full], ids=["minimal", "full"])
def test_round_trip_keeps_every_field(build: Builder) -> None:
    exchange = build()
    exported = export_asiento(exchange)
    imported = import_asiento(exported)
    assert imported == exchange
    assert export_asiento(imported) == exported


def test_export_shape() -> None:
    exported = export_asiento(full())
    assert exported.startswith(
        b"<?xml version='1.0' encoding='UTF-8'?>\n<Fichero_Intercambio_SICRES_3>")
    assert b"<Fecha_Hora_Entrada>20250314093015</Fecha_Hora_Entrada>" in exported
    resumen = "<Resumen>Solicitud de licencia de obra menor — tasa 35,50 €</Resumen>"
    assert resumen.encode() in exported
    assert b"<Indicador_Prueba>1</Indicador_Prueba>" in exported
    assert b"<TimeStamp>" in exported and b"<Tipo_MIME>text/xml</Tipo_MIME>" in exported
    digest = base64.b64encode(hashlib.sha256(PDF).digest())
    assert b"<Hash>" + digest + b"</Hash>" in exported


names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cn")),
                min_size=1, max_size=30).filter(strip_controls)
whole_seconds = st.datetimes(min_value=datetime(1000, 1, 1)).map(
    lambda d: d.replace(microsecond=0))


@settings(max_examples=50, deadline=None)
@given(resumen=names, nombre=names, expone=st.text(max_size=300),
       sequence=st.integers(0, 10**8 - 1), fecha=whole_seconds)
def test_round_trip_property(resumen: str, nombre: str, expone: str, sequence: int,
                             fecha: datetime) -> None:
    """Any text survives, minus the C0 controls XML cannot carry."""
    exchange = minimal(
        origen=OrigenRemitente(codigo_entidad_registral_origen=OFICINA_ORIGEN,
                               numero_registro_entrada="1", fecha_hora_entrada=fecha),
        interesados=[Interesado(nombre_interesado=nombre, primer_apellido_interesado=nombre)],
        asunto=Asunto(resumen=resumen),
        control=control(identificador_intercambio=make_identificador_intercambio(
            OFICINA_ORIGEN, fecha.year, sequence)),
        formulario=FormularioGenerico(expone=expone))
    imported = import_asiento(export_asiento(exchange))
    assert imported.asunto.resumen == strip_controls(resumen)
    assert imported.interesados[0].nombre_interesado == strip_controls(nombre)
    assert imported.formulario.expone == strip_controls(expone)
    assert imported.origen.fecha_hora_entrada == fecha
    assert export_asiento(import_asiento(export_asiento(imported))) == export_asiento(imported)


# --------------------------------------------------------------------------- import safety


def test_control_characters_are_stripped_on_import() -> None:
    exported = export_asiento(minimal(formulario=FormularioGenerico(expone="EXPONE",
                                                                    solicita="SOLICITA")))
    dirty = (exported.replace(b"Instancia general", b"Instancia\x0b gen\x01eral&#x7;&#12;")
             .replace(b"EXPONE", b"Que\x08 expongo\t\xc3\xb1\n&#31;fin")
             .replace(b"SOLICITA", b"Solicito&#0;&#x1F; \xe2\x82\xac"))
    imported = import_asiento(dirty)
    assert imported.asunto.resumen == "Instancia general"
    assert imported.formulario.expone == "Que expongo\tñ\nfin"
    assert imported.formulario.solicita == "Solicito €"


def test_control_characters_are_stripped_on_export() -> None:
    exported = export_asiento(minimal(asunto=Asunto(resumen="Inst\x0bancia\x00")))
    assert b"<Resumen>Instancia</Resumen>" in exported


def test_tampered_anexo_content_is_read_and_reported() -> None:
    exported = export_asiento(full())
    original = base64.b64encode(PDF)
    tampered = exported.replace(original, base64.b64encode(PDF.replace(b"5", b"9")))
    assert tampered != exported
    imported = import_asiento(tampered)
    assert [check_anexo_hash(a) for a in imported.anexos] == [HashCheck.NO_COINCIDE,
                                                               HashCheck.VALIDO]
    assert imported.anexos[0].hash == full().anexos[0].hash  # kept as received


def test_anexo_hash_forms() -> None:
    anexo = make_anexo("a.pdf", PDF, "application/pdf", identificador_fichero="A1")
    assert check_anexo_hash(anexo) == HashCheck.VALIDO
    forms = [hashlib.sha512(PDF).digest(), hashlib.sha1(PDF).digest(),
             hashlib.sha1(PDF).hexdigest().encode(), hashlib.sha256(PDF).hexdigest().upper()
             .encode(), hashlib.sha512(PDF).hexdigest().encode()]
    for form in forms:
        assert check_anexo_hash(msgspec.structs.replace(anexo, hash=form)) == \
            HashCheck.VALIDO, form
    wrong = msgspec.structs.replace(anexo, hash=hashlib.sha256(b"other").digest())
    assert check_anexo_hash(wrong) == HashCheck.NO_COINCIDE
    assert check_anexo_hash(msgspec.structs.replace(anexo, hash=b"md5?")) == \
        HashCheck.NO_VERIFICABLE
    assert check_anexo_hash(msgspec.structs.replace(anexo, anexo=None)) == \
        HashCheck.SIN_CONTENIDO
    for kept in (wrong, msgspec.structs.replace(anexo, hash=forms[2])):  # sent on as it came
        assert import_asiento(export_asiento(minimal(anexos=[kept]))).anexos == [kept]


# --------------------------------------------------------------------------- real files


@pytest.mark.parametrize("shape", [regional_file, vendor_file], ids=["regional", "vendor"])
def test_real_files_are_valid_and_read_whole(
    shape: Callable[[str, str], bytes], intercambio_xsd: xmlschema.XMLSchema
) -> None:
    data = shape(OFICINA_DESTINO, "L01421737")
    intercambio_xsd.validate(data)
    imported = import_asiento(data)
    again = export_asiento(imported)
    intercambio_xsd.validate(again)
    assert import_asiento(again) == imported


def test_empty_elements_are_absent() -> None:
    regional = import_asiento(regional_file(OFICINA_DESTINO, "L01421737"))
    (interesado,) = regional.interesados
    assert interesado.razon_social_interesado is None
    assert interesado.canal_preferente_comunicacion_interesado is None
    assert interesado.tipo_documento_identificacion_representante is None
    assert regional.origen.timestamp_entrada is None
    assert regional.anexos[0].validez_documento is None
    assert regional.anexos[0].identificador_documento_firmado is None
    assert regional.control.tipo_transporte_entrada is None
    assert regional.formulario == FormularioGenerico()
    vendor = import_asiento(vendor_file(OFICINA_DESTINO, "L01421737"))
    assert vendor.interesados[0].canal_preferente_comunicacion_interesado is None
    assert b"<Razon_Social_Interesado" not in export_asiento(regional)


def test_an_administration_interesado_needs_only_its_code() -> None:
    (interesado,) = import_asiento(regional_file(OFICINA_DESTINO, "L01421737")).interesados
    assert (interesado.tipo_documento_identificacion_interesado,
            interesado.documento_identificacion_interesado) == (
        TipoDocumentoIdentificacion.CODIGO_ORIGEN, "A08002222")
    with pytest.raises(SicresError, match="Razon_Social_Interesado"):
        Interesado(tipo_documento_identificacion_interesado=TipoDocumentoIdentificacion.NIF,
                   documento_identificacion_interesado="12345678Z")


def test_real_hashes_are_checked_and_kept() -> None:
    regional = import_asiento(regional_file(OFICINA_DESTINO, "L01421737"))
    assert regional.anexos[0].hash == hashlib.sha1(REAL_PDF).hexdigest().encode()
    assert check_anexo_hash(regional.anexos[0]) == HashCheck.VALIDO
    vendor = import_asiento(vendor_file(OFICINA_DESTINO, "L01421737"))
    assert [check_anexo_hash(a) for a in vendor.anexos] == [HashCheck.VALIDO,
                                                             HashCheck.SIN_CONTENIDO]
    assert vendor.anexos[1].anexo is None
    assert b"<Anexo>" not in export_asiento(vendor).split(b"plano.pdf")[1]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE Fichero_Intercambio_SICRES_3 [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
]>
<Fichero_Intercambio_SICRES_3><De_Asunto><Resumen>&e;</Resumen></De_Asunto>
</Fichero_Intercambio_SICRES_3>"""


def xxe(root: bytes) -> bytes:
    return (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<" + root + b"><Resumen>&x;</Resumen></" + root + b">")


@pytest.mark.parametrize("document", [BILLION_LAUGHS, xxe(b"Fichero_Intercambio_SICRES_3")],
                         ids=["billion-laughs", "xxe"])
def test_malicious_exchange_files_are_refused(document: bytes) -> None:
    with pytest.raises(UnsafeXmlError):
        import_asiento(document)


def test_malicious_or_huge_messages_are_refused() -> None:
    with pytest.raises(UnsafeXmlError):
        import_mensaje(xxe(b"De_Mensaje"))
    with pytest.raises(UnsafeXmlError, match="exceeds"):
        import_mensaje(b"<De_Mensaje>" + b" " * 70_000 + b"</De_Mensaje>")
    with pytest.raises(UnsafeXmlError, match="exceeds"):
        import_asiento(export_asiento(full()), max_bytes=1_000)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (b"<Fecha_Hora_Entrada>20250314093015<", b"<Fecha_Hora_Entrada>2025-03-14 09:30<",
         "not yyyyMMddHHmmss"),
        (b"<Fecha_Hora_Entrada>20250314093015<", b"<Fecha_Hora_Entrada>20250231093015<",
         "not a valid date"),
        (b"<Tipo_Registro>0<", b"<Tipo_Registro>2<", "Tipo_Registro"),
        (b"<Indicador_Prueba>0<", b"<Indicador_Prueba>no<", "neither 0 nor 1"),
        (b"<Resumen>Instancia general<", b"<Resumen>" + b"x" * 241 + b"<", "length <= 240"),
        (b"<Resumen>Instancia general</Resumen>", b"<Resumen>a</Resumen><Resumen>b</Resumen>",
         "more than once"),
        (b"<Resumen>Instancia general</Resumen>", b"<Resumen>a</Resumen><Extra/>",
         "unexpected element Extra"),
        (b"<Resumen>Instancia general<", b"<Resumen><b>x</b><", "holds elements"),
        (b"<De_Asunto><Resumen>Instancia general</Resumen></De_Asunto>", b"",
         "missing required field `De_Asunto`"),
        (b"<Anexo>", b"<Anexo>!", "not valid base64"),
        (b"<Identificador_Intercambio>O00012345_25_", b"<Identificador_Intercambio>O-1_25_",
         "Identificador_Intercambio"),
        (b"Fichero_Intercambio_SICRES_3>", b"Fichero_Intercambio_SICRES_4>", "root element"),
    ],
)
def test_invalid_exchange_files_are_refused(old: bytes, new: bytes, message: str) -> None:
    exported = export_asiento(minimal(anexos=[make_anexo(
        "a.pdf", PDF, "application/pdf", identificador_fichero="A1")]))
    assert old in exported
    with pytest.raises(SicresError, match=message):
        import_asiento(exported.replace(old, new))


# --------------------------------------------------------------------------- model rules


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: OrigenRemitente(codigo_entidad_registral_origen="O1", numero_registro_entrada="1",
                                 fecha_hora_entrada=datetime(2025, 1, 1, tzinfo=UTC)),
         "naive datetime"),
        (lambda: OrigenRemitente(codigo_entidad_registral_origen="O1", numero_registro_entrada="1",
                                 fecha_hora_entrada=datetime(2025, 1, 1, 0, 0, 0, 5)),
         "whole seconds"),
        (lambda: Interesado(nombre_interesado="Ana"), "Primer_Apellido"),
        (lambda: Interesado(razon_social_interesado="X", documento_identificacion_interesado="1"),
         "go together"),
        (lambda: Interesado(razon_social_interesado="X",
                            tipo_documento_identificacion_representante="N"), "go together"),
        (lambda: control(tipo_anotacion=TipoAnotacion.RECHAZO), "motivo"),
        (lambda: minimal(anexos=[make_anexo("a.pdf", PDF, "application/pdf",
                                            identificador_fichero="A")] * 2), "unique"),
        (lambda: minimal(anexos=[msgspec.structs.replace(
            make_anexo("a.xsig", b"<x/>", "text/xml", identificador_fichero="A"),
            identificador_documento_firmado="B")]), "not an anexo of this asiento"),
    ],
)
def test_inconsistent_segments_are_refused(build: Callable[[], object], message: str) -> None:
    with pytest.raises(SicresError, match=message):
        build()


def test_xsd_facets_are_checked_before_emission() -> None:
    too_long = minimal(interesados=[Interesado(nombre_interesado="N" * 31,
                                               primer_apellido_interesado="A")])
    with pytest.raises(SicresError, match=r"length <= 30 - at `\$.De_Interesado\[0\]"):
        export_asiento(too_long)
    with pytest.raises(SicresError, match=r"length >= 1 - at `\$.De_Interesado`"):
        export_asiento(minimal(interesados=[]))
    with pytest.raises(SicresError, match="Tipo_Anotacion"):
        export_asiento(minimal(control=msgspec.structs.replace(control(), tipo_anotacion="09")))


def test_identifiers() -> None:
    longest = make_identificador_intercambio("A" * 21, 2025, 99_999_999)
    assert longest == "A" * 21 + "_25_99999999" and len(longest) == 33
    assert ID_INTERCAMBIO == "O00012345_25_00001234"
    assert fichero_id(7) == "O00012345_25_00001234_02_0007.pdf"
    with pytest.raises(SicresError, match="1-21 letters"):
        make_identificador_intercambio("A" * 22, 2025, 1)
    with pytest.raises(SicresError, match="8 digits"):
        make_identificador_intercambio("A", 2025, 10**8)
    with pytest.raises(SicresError, match="exceeds 50"):
        make_identificador_fichero("A" * 21 + "_25_00000001", TipoDocumentoAnexo.ADJUNTO, 1,
                                   "abcdefghi")


# --------------------------------------------------------------------------- SIR limits


def anexo(nombre: str, size: int, mime: str | None = "application/pdf") -> Anexo:
    content = b"\0" * size
    return Anexo(nombre_fichero_anexado=nombre, identificador_fichero=nombre,
                 tipo_documento=TipoDocumentoAnexo.ADJUNTO,
                 hash=hashlib.sha256(content).digest(), tipo_mime=mime, anexo=content)


def test_limits_accept_the_maximum() -> None:
    check_sir_limits([anexo(f"{i}.pdf", 3 * MB) for i in range(5)])
    check_sir_limits([anexo("big.pdf", MAX_ANEXO_BYTES), anexo("b.png", 5 * MB, "image/png")])
    check_sir_limits([anexo(f"x.{ext}", 1, None) for ext in ("JPG", "odt", "docx", "tiff", "xsig")])


def test_limits_list_every_violation() -> None:
    anexos = [
        anexo("huge.pdf", MAX_ANEXO_BYTES + 1),
        anexo("virus.exe", 1, None),
        anexo("foto.png", 1, "application/pdf"),
        anexo("sin-extension", 1, None),
        anexo("informe.pdf", 5 * MB),
        anexo("plano.svg", 1, "image/svg+xml"),
    ]
    with pytest.raises(SirLimitsError) as caught:
        check_sir_limits(anexos)
    violations = caught.value.violations
    assert len(violations) == 6
    assert violations[0] == "6 anexos, at most 5 are allowed"
    assert "huge.pdf: 10485761 bytes, at most 10485760 per anexo" in violations
    assert any(v.startswith("virus.exe: extension '.exe' is not accepted") for v in violations)
    assert "foto.png: MIME type application/pdf does not match '.png'" in violations
    assert any(v.startswith("sin-extension: extension '.'") for v in violations)
    assert violations[-1] == f"{MAX_ANEXO_BYTES + 1 + 5 * MB + 4} bytes of anexos in all, " \
                             f"at most {15 * MB}"
    assert "huge.pdf" in str(caught.value)


def test_export_enforces_the_limits() -> None:
    with pytest.raises(SirLimitsError, match="7 anexos"):
        export_asiento(minimal(anexos=[anexo(f"{i}.pdf", 1) for i in range(7)]))


def test_make_anexo_checks_the_full_mime_type() -> None:
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    made = make_anexo("memoria.docx", b"PK\x03\x04", docx, identificador_fichero="M1")
    assert made.tipo_mime is None  # Tipo_MIME holds 20 characters: checked, then left out
    assert made.hash == hashlib.sha256(b"PK\x03\x04").digest()
    with pytest.raises(SirLimitsError, match=r"does not match '\.docx'"):
        make_anexo("memoria.docx", b"PK", "application/pdf", identificador_fichero="M1")
    with pytest.raises(SirLimitsError, match=r"'\.bat'"):
        make_anexo("x.bat", b"", "text/plain", identificador_fichero="M1")


# --------------------------------------------------------------------------- mensajes


def mensajes() -> dict[str, Mensaje]:
    base = {"codigo_entidad_registral_origen": OFICINA_DESTINO,
            "codigo_entidad_registral_destino": OFICINA_ORIGEN,
            "identificador_intercambio": ID_INTERCAMBIO}
    return {
        "ack": Mensaje(**base, tipo_mensaje=TipoMensaje.ACK),
        "confirmacion": Mensaje(**base, tipo_mensaje=TipoMensaje.CONFIRMACION,
                                numero_registro_entrada_destino="REGAGE25e00000099",
                                fecha_hora_entrada_destino=datetime(2025, 3, 14, 10, 0, 1),
                                descripcion_mensaje="Aceptado en el Registro de Soria (€, ñ)"),
        "error": Mensaje(**base, tipo_mensaje=TipoMensaje.ERROR, codigo_error="0039",
                         descripcion_mensaje="Anexo corrupto", indicador_prueba=True,
                         identificador_fichero=[fichero_id(i) for i in range(1, 11)]),
    }


@pytest.mark.parametrize("kind", ["ack", "confirmacion", "error"])
def test_mensaje_validates_and_round_trips(kind: str, mensaje_xsd: xmlschema.XMLSchema) -> None:
    mensaje = mensajes()[kind]
    exported = export_mensaje(mensaje)
    mensaje_xsd.validate(exported)
    assert import_mensaje(exported) == mensaje
    assert export_mensaje(import_mensaje(exported)) == exported


def test_mensaje_rules() -> None:
    base = {"codigo_entidad_registral_origen": "O1", "codigo_entidad_registral_destino": "O2",
            "identificador_intercambio": ID_INTERCAMBIO}
    with pytest.raises(SicresError, match="Codigo_Error"):
        Mensaje(**base, tipo_mensaje=TipoMensaje.ERROR)
    with pytest.raises(SicresError, match="Codigo_Error"):
        Mensaje(**base, tipo_mensaje=TipoMensaje.ACK, codigo_error="0001")
    with pytest.raises(SicresError, match="Numero_Registro_Entrada_Destino"):
        Mensaje(**base, tipo_mensaje=TipoMensaje.CONFIRMACION)
    eleven = Mensaje(**base, tipo_mensaje=TipoMensaje.ACK,
                     identificador_fichero=[str(i) for i in range(11)])
    with pytest.raises(SicresError, match="length <= 10"):
        export_mensaje(eleven)
    exported = export_mensaje(mensajes()["ack"]).replace(b">01<", b">07<")
    with pytest.raises(SicresError, match="Tipo_Mensaje"):
        import_mensaje(exported)


# --------------------------------------------------------------------------- SIR states


def run(state: SirState | None, *steps: SirAction | tuple[SirAction, str]) -> SirState | None:
    for step in steps:
        action, motivo = step if isinstance(step, tuple) else (step, None)
        state = transition(state, action, motivo=motivo)
    return state


def test_outgoing_paths() -> None:
    assert run(S.PENDIENTE_ENVIO, A.SEND, A.ACK, A.ACCEPT) is S.ACEPTADO
    assert run(S.PENDIENTE_ENVIO, A.SEND, A.ERROR, A.SEND, A.ACK, A.ACCEPT) is S.ACEPTADO
    assert run(S.PENDIENTE_ENVIO, A.SEND, A.ACK, (A.RETURN, "No es competente"),
               A.RESEND, A.ACK, A.ACCEPT) is S.ACEPTADO
    assert run(S.PENDIENTE_ENVIO, A.SEND, A.ACK, A.RETURN, A.ANNUL) is S.ANULADO
    assert run(S.PENDIENTE_ENVIO, A.SEND, A.ERROR, A.ANNUL) is S.ANULADO


def test_incoming_paths() -> None:
    assert run(None, A.RECEIVE, A.ACCEPT) is S.ACEPTADO
    assert run(None, A.RECEIVE, (A.REJECT, "Documentación ilegible")) is S.RECHAZADO
    assert run(None, A.RECEIVE, A.RESEND, A.ACK, A.ACCEPT) is S.ACEPTADO


@pytest.mark.parametrize(
    ("state", "action"),
    [(S.ACEPTADO, A.SEND), (S.RECHAZADO, A.RESEND), (S.ANULADO, A.SEND), (None, A.SEND),
     (S.PENDIENTE_ENVIO, A.ACK), (S.ENVIADO, A.SEND), (S.RECIBIDO, A.RETURN),
     (S.ENVIADO_ACK, A.ANNUL), (S.RECIBIDO, A.RECEIVE)],
)
def test_illegal_transitions_are_refused(state: SirState | None, action: SirAction) -> None:
    with pytest.raises(IllegalTransitionError, match=f"cannot {action}"):
        transition(state, action)


def test_illegal_transition_names_what_is_allowed() -> None:
    with pytest.raises(IllegalTransitionError,
                       match=r"state pendiente_envio \(allowed: send, annul\)"):
        transition(S.PENDIENTE_ENVIO, A.ACCEPT)
    with pytest.raises(IllegalTransitionError, match="none: it is a final state"):
        transition(S.ANULADO, A.SEND)
    with pytest.raises(IllegalTransitionError, match="state nuevo"):
        transition(None, A.ACCEPT)


def test_motivo_rules() -> None:
    for motivo in (None, "", "   "):
        with pytest.raises(IllegalTransitionError, match="requires a motivo"):
            transition(S.RECIBIDO, A.REJECT, motivo=motivo)
    with pytest.raises(IllegalTransitionError, match="does not apply to send"):
        transition(S.PENDIENTE_ENVIO, A.SEND, motivo="porque sí")
    assert transition(S.ENVIADO_ACK, A.RETURN) is S.DEVUELTO


def test_the_state_machine_is_complete() -> None:
    """Every state is reachable, and only aceptado, rechazado and anulado are final."""
    reached: set[SirState | None] = {None, S.PENDIENTE_ENVIO}
    frontier = list(reached)
    while frontier:
        state = frontier.pop()
        for action in allowed_actions(state):
            target = transition(state, action, motivo="motivo" if action == A.REJECT else None)
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == {None, *SirState}
    finals = {state for state in SirState if not allowed_actions(state)}
    assert finals == {S.ACEPTADO, S.RECHAZADO, S.ANULADO}
    for (state, action), target in SIR_TRANSITIONS.items():
        assert target is not None and isinstance(action, SirAction)
        assert state is None or isinstance(state, SirState)


@given(st.sampled_from([None, *SirState]), st.sampled_from(SirAction))
def test_transition_is_exactly_the_table(state: SirState | None, action: SirAction) -> None:
    motivo = "motivo" if action == A.REJECT else None
    if (state, action) in SIR_TRANSITIONS:
        assert transition(state, action, motivo=motivo) is SIR_TRANSITIONS[(state, action)]
    else:
        with pytest.raises(IllegalTransitionError):
            transition(state, action, motivo=motivo)


def test_sicres_structs_round_trip_through_json() -> None:
    """The lead stores exchanges as job payloads: msgspec JSON keeps every field."""
    exchange = full()
    assert msgspec.json.decode(msgspec.json.encode(exchange), type=FicheroIntercambio) == exchange


def test_timezone_aware_mensaje_dates_are_refused() -> None:
    with pytest.raises(SicresError, match="naive"):
        Mensaje(codigo_entidad_registral_origen="O1", codigo_entidad_registral_destino="O2",
                identificador_intercambio=ID_INTERCAMBIO, tipo_mensaje=TipoMensaje.CONFIRMACION,
                numero_registro_entrada_destino="1",
                fecha_hora_entrada_destino=datetime(2025, 1, 1,
                                                    tzinfo=timezone(timedelta(hours=1))))
