"""SIR between two Concejo entities: every field survives the round trip; the states of
each exchange follow the SIR state machine; limits are checked before anything is sent."""

from __future__ import annotations

import msgspec
import pytest
import xmlschema
from lxml import etree

from core.audit.tables import AuditEntry
from core.data import XSD as XSD_ROOT
from core.numbering import Counter
from core.testing import csrf_headers
from plugins.registro import services, sicres, sir, sirmap
from plugins.registro.schemas import AnexoIn, InteresadoIn, Persona, SirEnvio
from plugins.registro.tables import Anexo, Exchange
from plugins.registro.tests.conftest import PDF, solicitud
from plugins.registro.tests.sicres_files import regional_file, vendor_file
from plugins.registro.tests.test_sicres import fichero_id, full
from tests.hostile.corrupt_pdfs import HOSTILE

XSD = XSD_ROOT / "sicres3"
XSIG = (b'<?xml version="1.0"?><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
        b"<ds:SignedInfo/></ds:Signature>")
KEPT = ("extracto", "interesados", "expone", "solicita", "documentacion_fisica",
        "observaciones", "tipo_transporte", "numero_transporte", "referencia_externa",
        "numero_expediente", "codigo_asunto", "unidad_origen")
ANEXO_KEPT = ("position", "filename", "mime", "size", "sha256", "validez", "tipo_documento",
              "notes", "signs")


@pytest.fixture(scope="module")
def intercambio_xsd() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(XSD / "SICRES3_INTERCAMBIO_APL.xsd"), allow="local")


def complete(destino_unit: str, origen_unit: str):
    """An entrada with every field the registro keeps, a signed PDF among its anexos."""
    persona = {"country": "724", "province": "42", "municipality": "42134",
               "address": "Calle Mayor, 1, 2º Izq.", "postal_code": "42110",
               "email": "jose@example.org", "phone": "+34 975 000 000",
               "deh": "12345678Z@dehu.example", "preferred_channel": "03"}
    return solicitud(
        extracto="Solicitud de licencia de obra menor — tasa 35,50 €",
        interesados=[
            InteresadoIn(document="12345678Z", name="José María", first_surname="Peña",
                         second_surname="Muñoz", notes="Actúa mediante representación",
                         representante=Persona(document="B42000000",
                                               business_name="Gestoría Ñandú, S.L.",
                                               **{**persona, "preferred_channel": "01"}),
                         **persona),
            InteresadoIn(document="X1234567L", name="Zoë", first_surname="Ångström")],
        unidad_destino=destino_unit, unidad_origen=origen_unit,
        expone="Que deseo reformar la cocina.\r\n\tPresupuesto: 3.000 €",
        solicita="Licencia de obra menor", documentacion_fisica="2",
        observaciones="Con documentación en papel", tipo_transporte="05",
        numero_transporte="ventanilla 3", referencia_externa="EXT/2026/7",
        numero_expediente="ES_L01421737_2026_EXP_0042", codigo_asunto="LIC-OBRA-MENOR",
        anexos=[AnexoIn(filename="solicitud.pdf", content=PDF, validez="04",
                        notes="Firmado por el interesado"),
                AnexoIn(filename="solicitud.xsig", content=XSIG, tipo_documento="03",
                        validez="02", signs=0)])


async def exchanges(entity, direction: str) -> list:
    return await sir.list_exchanges(entity.tenant, direction)


async def test_round_trip_between_two_entities_keeps_every_field(
        client, make_entity, staff, drain, intercambio_xsd):
    a, b = await make_entity(), await make_entity()
    original = await services.register(a.tenant, complete(a.urbanismo, b.intervencion),
                                       channel="presencial", actor="t")
    await staff(client, a.tenant, "registro")
    sent = await client.post(f"{a.api}/sir/enviar/{original.id}",
                             json={"destino": b.oficina, "unidad": b.urbanismo},
                             headers=await csrf_headers(client))
    assert sent.status_code == 201, sent.text
    assert sent.json()["state"] in ("pendiente_envio", "enviado", "enviado_ack")  # the job
    # may already have delivered it by the time the answer is written
    await drain()
    (outgoing,) = await exchanges(a, "outgoing")
    assert outgoing.state == "enviado_ack"  # delivered, and B's ACK came back
    (incoming,) = await exchanges(b, "incoming")
    assert (incoming.state, incoming.identificador) == ("recibido", outgoing.identificador)
    assert incoming.counterpart == a.oficina and incoming.origen_numero == original.numero
    _, sent_file = await sir.file_of(a.tenant, outgoing.id)
    _, received_file = await sir.file_of(b.tenant, incoming.id)
    assert received_file == sent_file
    intercambio_xsd.validate(received_file)

    accepted = await sir.accept(b.tenant, incoming.id, actor="t")
    assert accepted.state == "aceptado" and accepted.asiento_id
    copy = await services.get(b.tenant, accepted.asiento_id)
    for name in KEPT:
        assert getattr(copy, name) == getattr(original, name), name
    assert [[getattr(x, n) for n in ANEXO_KEPT] for x in copy.anexos] == \
        [[getattr(x, n) for n in ANEXO_KEPT] for x in original.anexos]
    assert (copy.channel, copy.direction, copy.unidad_destino) == ("sir", "entrada",
                                                                   b.urbanismo)
    assert copy.distribution_state == "distribuido"  # straight to Urbanismo's inbox
    assert (copy.origen_entidad_registral, copy.origen_numero) == (a.oficina, original.numero)
    assert copy.origen_fecha == sicres.import_asiento(sent_file).origen.fecha_hora_entrada \
        .strftime(sicres.FECHA_FORMAT)
    await drain()
    (outgoing,) = await exchanges(a, "outgoing")
    assert outgoing.state == "aceptado" and outgoing.destino_numero == copy.numero
    assert not (await services.get(b.tenant, copy.id)).justificante_ready  # A issued it


async def test_a_foreign_file_keeps_signatures_and_links_when_sent_on(make_entity, drain):
    b, c = await make_entity(), await make_entity()
    foreign = full()
    foreign = msgspec.structs.replace(foreign, destino=sicres.Destino(
        codigo_entidad_registral_destino=b.oficina, codigo_unidad_tramitacion_destino=b.urbanismo))
    received = await sir.receive(b.tenant, sicres.export_asiento(foreign), actor="t")
    assert received is not None and received.state == "recibido"
    assert await sir.receive(b.tenant, sicres.export_asiento(foreign), actor="t") is None
    accepted = await sir.accept(b.tenant, received.id, actor="t")
    copy = await services.get(b.tenant, accepted.asiento_id)
    assert [sirmap.interesado_segment(i) for i in copy.interesados] == foreign.interesados
    assert copy.extracto == foreign.asunto.resumen and copy.expone == foreign.formulario.expone
    assert len(copy.interesados) == 2 and copy.interesados[0].representante.business_name == \
        "Gestoría Ñandú, S.L."
    forwarded = await sir.send(b.tenant, copy.id, SirEnvio(destino=c.oficina), actor="t")
    await drain()
    (at_c,) = await exchanges(c, "incoming")
    _, data = await sir.file_of(c.tenant, at_c.id)
    again = sicres.import_asiento(data)
    assert again.control.identificador_intercambio == forwarded.identificador
    assert again.interesados == foreign.interesados
    assert again.asunto == foreign.asunto and again.formulario == foreign.formulario
    for kept, sent in zip(again.anexos, foreign.anexos, strict=True):
        for name in ("nombre_fichero_anexado", "validez_documento", "tipo_documento",
                     "certificado", "firma_documento", "timestamp",
                     "validacion_ocsp_certificado", "hash", "anexo", "observaciones"):
            assert getattr(kept, name) == getattr(sent, name), name
    signature = again.anexos[1]
    assert signature.identificador_documento_firmado == again.anexos[0].identificador_fichero


async def test_rejected_exchange_comes_back_and_is_resent_elsewhere(make_entity, drain):
    a, b, c = await make_entity(), await make_entity(), await make_entity()
    asiento = await services.register(a.tenant, solicitud(), channel="presencial", actor="t")
    sent = await sir.send(a.tenant, asiento.id, SirEnvio(destino=b.oficina), actor="t")
    await drain()
    (incoming,) = await exchanges(b, "incoming")
    rejected = await sir.reject(b.tenant, incoming.id, "No es competencia de esta entidad",
                                actor="t")
    assert rejected.state == "rechazado" and rejected.allowed_actions == []
    await drain()
    back = await sir.get(a.tenant, sent.id)
    assert (back.state, back.motivo) == ("devuelto", "No es competencia de esta entidad")
    with pytest.raises(sir.InvalidExchange, match="cannot accept"):
        await sir.accept(b.tenant, incoming.id, actor="t")
    resent = await sir.resend(a.tenant, sent.id, SirEnvio(destino=c.oficina), actor="t")
    assert (resent.state, resent.counterpart, resent.tipo_anotacion) == ("reenviado",
                                                                        c.oficina, "03")
    await drain()
    (at_c,) = await exchanges(c, "incoming")
    assert at_c.identificador == sent.identificador and at_c.tipo_anotacion == "03"
    await sir.accept(c.tenant, at_c.id, actor="t")
    await drain()
    assert (await sir.get(a.tenant, sent.id)).state == "aceptado"


async def test_limits_are_checked_before_anything_is_saved(client, make_entity, staff):
    a = await make_entity({"max_anexos": 10})
    many = [AnexoIn(filename=f"doc{i}.pdf", content=PDF + bytes([i])) for i in range(6)]
    asiento = await services.register(a.tenant, solicitud(anexos=many), channel="presencial",
                                      actor="t")
    await staff(client, a.tenant, "registro")
    response = await client.post(f"{a.api}/sir/enviar/{asiento.id}",
                                 json={"destino": "O00000001"},
                                 headers=await csrf_headers(client))
    assert response.status_code == 422
    assert "6 anexos, at most 5" in response.json()["detail"]
    assert await Exchange.count().where(Exchange.tenant == a.tenant.id) == 0
    assert await Counter.count().where((Counter.tenant == a.tenant.id)
                                       & (Counter.series == "registro.sir")) == 0


async def test_an_unknown_destination_fails_and_can_be_annulled(make_entity, drain):
    a = await make_entity()
    asiento = await services.register(a.tenant, solicitud(), channel="presencial", actor="t")
    sent = await sir.send(a.tenant, asiento.id, SirEnvio(destino="O99999999"), actor="t")
    await drain()
    failed = await sir.get(a.tenant, sent.id)
    assert failed.state == "enviado_error" and "O99999999" in failed.last_error
    assert failed.attempts == 1 and set(failed.allowed_actions) == {"send", "annul"}
    await sir.retry(a.tenant, sent.id, actor="t")
    await drain()
    assert (await sir.get(a.tenant, sent.id)).attempts == 2
    with pytest.raises(sir.InvalidExchange, match="en curso"):
        await sir.send(a.tenant, asiento.id, SirEnvio(destino="O99999998"), actor="t")
    assert (await sir.annul(a.tenant, sent.id, actor="t")).state == "anulado"


async def test_unsafe_or_broken_files_are_refused(client, make_entity, staff):
    b = await make_entity()
    await staff(client, b.tenant, "registro")
    headers = {**await csrf_headers(client), "content-type": "application/xml"}
    xxe = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
           b"<Fichero_Intercambio_SICRES_3>&e;</Fichero_Intercambio_SICRES_3>")
    bad_hash = sicres.export_asiento(full())
    bad_hash = bad_hash.replace(b"<Anexo>", b"<Anexo>AAAA", 1)
    for body in (xxe, b"<nada/>"):
        response = await client.post(f"{b.api}/sir/recibir", content=body, headers=headers)
        assert response.status_code == 422, response.text
        assert "Fichero SICRES no válido" in response.json()["detail"]
    assert await Exchange.count().where(Exchange.tenant == b.tenant.id) == 0
    # a Hash that does not match is recorded, never a reason to refuse the asiento
    response = await client.post(f"{b.api}/sir/recibir", content=bad_hash, headers=headers)
    assert response.status_code == 201, response.text
    (entry,) = await AuditEntry.select(AuditEntry.detail).where(
        (AuditEntry.tenant == b.tenant.id) & (AuditEntry.action == "registro.sir.receive"))
    assert list(_json(entry["detail"])["hashes"].values()) == ["no_coincide", "valido"]


async def test_other_tenants_exchanges_answer_404(client, make_entity, staff, drain):
    a, b = await make_entity(), await make_entity()
    asiento = await services.register(a.tenant, solicitud(), channel="presencial", actor="t")
    sent = await sir.send(a.tenant, asiento.id, SirEnvio(destino="O99999999"), actor="t")
    await staff(client, b.tenant, "secretario")
    headers = await csrf_headers(client)
    for response in (
        await client.get(f"{b.api}/sir/{sent.id}"),
        await client.get(f"{b.api}/sir/{sent.id}/fichero"),
        await client.post(f"{b.api}/sir/{sent.id}/anular", headers=headers),
        await client.post(f"{b.api}/sir/enviar/{asiento.id}", json={"destino": b.oficina},
                          headers=headers),
    ):
        assert response.status_code == 404, response.text


async def test_rejecting_from_the_sir_page_needs_a_reason(client, make_entity, staff, drain):
    a, b = await make_entity(), await make_entity()
    asiento = await services.register(a.tenant, solicitud(), channel="presencial", actor="t")
    await sir.send(a.tenant, asiento.id, SirEnvio(destino=b.oficina), actor="t")
    await drain()
    (incoming,) = await exchanges(b, "incoming")
    await staff(client, b.tenant, "secretario")
    page = f"/{b.slug}/registro/sir/{incoming.id}/rechazar"
    headers = {"accept": "text/html", **await csrf_headers(client)}
    empty = await client.post(page, headers=headers, data={"motivo": "  "})
    assert empty.status_code == 422 and "«Motivo» debe tener al menos 3" in empty.text
    short = await client.post(page, headers=headers, data={"motivo": "No"})
    assert short.status_code == 422
    assert f'id="motivo{incoming.id}" name="motivo" value="No"' in short.text
    assert (await sir.get(b.tenant, incoming.id)).state == "recibido"
    done = await client.post(page, headers=headers, data={"motivo": "No es competencia"})
    assert done.status_code in (302, 303)
    assert (await sir.get(b.tenant, incoming.id)).state == "rechazado"
    listing = await client.get(f"/{b.slug}/registro/sir", headers={"accept": "text/html"})
    assert "<td>Rechazado · No es competencia</td>" in listing.text  # in words, not the code


BASE64 = {"Timestamp_Entrada", "Certificado", "Firma_Documento", "TimeStamp",
          "Validacion_OCSP_Certificado", "Hash", "Anexo"}


def _json(value) -> dict:
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else value


def _elements(data: bytes, *skip: str) -> list[tuple[str, str]]:
    """Every leaf element with text of a SICRES file as (path, text), but those under
    ``skip`` (base64 unwrapped: senders wrap it at different widths)."""
    root = etree.fromstring(data)
    tree = root.getroottree()
    return [(tree.getpath(e), "".join(e.text.split()) if e.tag in BASE64 else e.text.strip())
            for e in root.iter() if not len(e) and (e.text or "").strip()
            and not any(s in tree.getpath(e) for s in skip)]


async def _received_and_accepted(entity, data: bytes):
    received = await sir.receive(entity.tenant, data, actor="t")
    assert received is not None and received.state == "recibido"
    accepted = await sir.accept(entity.tenant, received.id, actor="t")
    return received, await services.get(entity.tenant, accepted.asiento_id)


@pytest.mark.parametrize("shape", [regional_file, vendor_file], ids=["regional", "vendor"])
async def test_a_real_file_is_accepted_and_sent_on_whole(
        make_entity, drain, intercambio_xsd, shape):
    b, c = await make_entity(), await make_entity()
    data = shape(b.oficina, b.urbanismo)
    intercambio_xsd.validate(data)
    _, copy = await _received_and_accepted(b, data)
    original = sicres.import_asiento(data)
    checks = [sicres.check_anexo_hash(a).value for a in original.anexos]
    assert [_json(a["sir_extra"])["hash_check"] for a in (await Anexo.select().where(
        Anexo.asiento == copy.id).order_by(Anexo.position))] == checks
    assert checks[0] == "valido"
    await sir.send(b.tenant, copy.id, SirEnvio(destino=c.oficina), actor="t")
    await drain()
    (at_c,) = await exchanges(c, "incoming")
    _, sent_on = await sir.file_of(c.tenant, at_c.id)
    intercambio_xsd.validate(sent_on)
    # B is now the origin (its number, date and user) and C the destination; every other
    # field is the one A sent.
    ours = ("Codigo_Entidad_Registral_Origen", "Decodificacion_Entidad_Registral_Origen",
            "Numero_Registro_Entrada", "Fecha_Hora_Entrada", "De_Destino", "Nombre_Usuario",
            "Contacto_Usuario", "Identificador_Intercambio", "Identificador_Fichero",
            "Aplicacion_Version_Emisora")
    assert _elements(sent_on, *ours) == _elements(data, *ours)


async def test_a_forwarded_real_file_keeps_every_field(make_entity, drain, intercambio_xsd):
    b, c = await make_entity(), await make_entity()
    data = regional_file(b.oficina, b.urbanismo)
    received = await sir.receive(b.tenant, data, actor="t")
    await sir.resend(b.tenant, received.id, SirEnvio(destino=c.oficina, unidad=c.urbanismo),
                     actor="t")
    await drain()
    (at_c,) = await exchanges(c, "incoming")
    _, forwarded = await sir.file_of(c.tenant, at_c.id)
    intercambio_xsd.validate(forwarded)
    kept = [e for e in _elements(data, "De_Destino") if not e[0].endswith("/Tipo_Anotacion")]
    assert [e for e in _elements(forwarded, "De_Destino")
            if not e[0].endswith("/Tipo_Anotacion")] == kept
    again = sicres.import_asiento(forwarded)
    assert again.control.tipo_anotacion == sicres.TipoAnotacion.REENVIO
    assert again.control.descripcion_tipo_anotacion == "Envío de registro de salida"
    assert again.control.tipo_registro == sicres.TipoRegistro.SALIDA
    assert again.origen.decodificacion_unidad_tramitacion_origen == \
        "Servicio Territorial de Carreteras"
    assert (again.destino.codigo_entidad_registral_destino,
            again.destino.codigo_unidad_tramitacion_destino) == (c.oficina, c.urbanismo)


def test_names_travel_on_with_their_codes():
    received = sicres.import_asiento(regional_file("O00000001", "L00000001"))
    built = msgspec.structs.replace(received, destino=sicres.Destino(
        codigo_entidad_registral_destino="O00000001",
        codigo_unidad_tramitacion_destino="L00000002"), control=msgspec.structs.replace(
        received.control, descripcion_tipo_anotacion=None,
        tipo_registro=sicres.TipoRegistro.ENTRADA))
    carried = sirmap.carried_over(built, received)
    assert carried.destino.decodificacion_entidad_registral_destino == \
        "Registro del Ayuntamiento"
    assert carried.destino.decodificacion_unidad_tramitacion_destino is None  # another unit
    assert carried.control == received.control


@pytest.mark.parametrize("kind", ["pdf-then-html", "object-bomb"])
async def test_a_hostile_pdf_anexo_rejects_the_exchange(make_entity, kind):
    """As a transport delivers it: rejected at once, the motivo naming the anexo; nothing of
    it registered (the file goes back to its origin, Tipo_Anotacion 04)."""
    b = await make_entity()
    hostile = sicres.make_anexo("solicitud.pdf", HOSTILE[kind](), "application/pdf",
                                identificador_fichero=fichero_id(1))
    data = sicres.export_asiento(msgspec.structs.replace(full(), anexos=[hostile]))
    exchange = await sir.receive(b.tenant, data, actor="sir")
    assert exchange is not None
    assert (exchange.state, exchange.allowed_actions) == ("rechazado", [])
    assert exchange.motivo.startswith("Anexo solicitud.pdf rechazado: ")
    assert "PDF" in exchange.motivo
    assert await Anexo.count().where(Anexo.tenant == b.tenant.id) == 0
    with pytest.raises(sir.InvalidExchange, match="cannot accept"):
        await sir.accept(b.tenant, exchange.id, actor="t")
