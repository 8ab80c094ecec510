"""The whole path in one test: a citizen's solicitud in the sede → an entrada of the
registro → the expediente it opens → a resolución signed by the alcalde and the secretario
and numbered in the libro → the índice signed at closing → an ENI remisión that validates
against the official XSDs; the citizen follows it in the carpeta ciudadana."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

from expedientes_tools import add_licencia, eni_schema, sign_pending
from lxml import etree

from core.documents.eni import indice_contenido_c14n, parse_documento, parse_expediente
from core.identity.citizens import open_citizen_session
from core.identity.providers import ExternalIdentity
from core.identity.sessions import SESSION_COOKIE
from core.signing.samples import sample_pdf
from core.tenancy.services import add_unit
from core.testing import csrf_headers
from plugins.expedientes import busqueda, documentos, services
from plugins.expedientes.indice import cades_intact
from plugins.expedientes.schemas import Busqueda

HTML = {"accept": "text/html"}


async def test_from_the_sede_to_an_eni_remision(client, sealed_entidad, staff, drain):
    tenant, alcalde, secretario = await sealed_entidad(plugins=("registro", "expedientes"))
    await add_unit(tenant.id, tenant.dir3, tenant.name)
    await add_unit(tenant.id, "O" + tenant.dir3[1:], "Oficina de registro", is_office=True)
    licencia = await add_licencia(tenant)

    # The citizen presents the solicitud in the sede.
    client.cookies.set(SESSION_COOKIE, await open_citizen_session(ExternalIdentity(
        provider="clave", audience="citizen", nif="12345678Z", name="Ana Pérez Gil"),
        "127.0.0.1", tenant.id))
    catalogue = await client.get(f"/sede/{tenant.slug}/tramites/", headers=HTML)
    assert "Solicitudes en los procedimientos de la entidad" in catalogue.text
    listing = await client.get(f"/sede/{tenant.slug}/expedientes/", headers=HTML)
    assert "Licencia de obra menor" in listing.text and "Estimatorio" in listing.text
    form = await client.get(f"/sede/{tenant.slug}/expedientes/{licencia.id}/solicitud",
                            headers=HTML)
    assert form.status_code == 200 and 'value="Ana"' in form.text
    presented = await client.post(
        f"/sede/{tenant.slug}/expedientes/{licencia.id}/solicitud",
        headers={**HTML, **await csrf_headers(client)},
        data={"name": "Ana", "first_surname": "Pérez", "second_surname": "Gil",
              "asunto": "Cambio de ventanas en calle Real 12", "expone": "Que es propietaria.",
              "solicita": "Licencia de obra menor."},
        files={"anexos": ("presupuesto.pdf", sample_pdf("Presupuesto"), "application/pdf")})
    assert presented.status_code == 201, presented.text
    assert "Número de registro" in presented.text
    await drain()  # justificante, distribution to the unit, the expediente opened

    [summary] = await busqueda.search(tenant, Busqueda())
    exp = await services.get(tenant, summary.id)
    assert exp.origin == "registro" and exp.registro_ref in presented.text
    assert exp.subject.endswith("Cambio de ventanas en calle Real 12")
    assert [(i.nif, i.name) for i in exp.interesados] == [("12345678Z", "Ana Pérez Gil")]
    docs = await documentos.list_documents(tenant, exp.id)
    assert docs[0].title == "presupuesto.pdf" and docs[0].source == "registro"
    carpeta = await client.get(f"/sede/{tenant.slug}/carpeta/", headers=HTML)
    assert exp.code in carpeta.text and "Abierto" in carpeta.text

    # Staff resolve: the alcalde signs, the secretario takes note; the libro numbers it.
    http, _ = await staff(tenant, "secretario")
    headers = await csrf_headers(http)
    api = f"/api/v1/{tenant.slug}/expedientes"
    concesion = next(p.id for p in licencia.plantillas if p.code == "concesion")
    drafted = await http.post(f"{api}/{exp.id}/resoluciones", headers=headers,
                              json={"plantilla_id": concesion})
    sent = await http.post(f"{api}/resoluciones/{drafted.json()['id']}/firma", headers=headers,
                           json={})
    assert sent.status_code == 200, sent.text
    await sign_pending(tenant, alcalde)
    await sign_pending(tenant, secretario)
    await drain()
    resolucion = (await http.get(f"{api}/resoluciones/{drafted.json()['id']}")).json()
    year = datetime.now(UTC).year
    assert resolucion["state"] == "firmada" and resolucion["numero"] == f"{year}/0001"
    libro = (await http.get(f"{api}/libro/{year}")).json()
    assert [e["expediente_code"] for e in libro] == [exp.code]

    # Closing signs the índice; the remisión is an ENI package valid against the XSDs.
    closed = await http.post(f"{api}/{exp.id}/cierre", headers=headers)
    assert closed.status_code == 200 and closed.json()["state"] == "E02"
    package = await http.post(f"{api}/{exp.id}/remision", headers=headers)
    assert package.status_code == 200
    with zipfile.ZipFile(io.BytesIO(package.content)) as archive:
        xml = archive.read("expediente.xml")
        eni_schema("expediente").validate(etree.fromstring(xml))
        remitted = parse_expediente(xml)
        assert remitted.metadatos.identificador == exp.identificador
        assert remitted.metadatos.interesados == ["12345678Z"]
        assert cades_intact(remitted.indice.firmas[0].firma, indice_contenido_c14n(xml))
        entries = remitted.indice.contenido.elementos
        assert len(entries) == len(await documentos.list_documents(tenant, exp.id)) == 3
        for entry in entries:
            documento_xml = archive.read(f"documentos/{entry.identificador_documento}.xml")
            eni_schema("documento").validate(etree.fromstring(documento_xml))
            assert entry.matches(parse_documento(documento_xml).contenido)
        tipos = {parse_documento(archive.read(f"documentos/{e.identificador_documento}.xml")
                                 ).metadatos.tipo_documental for e in entries}
        assert {"TD01", "TD99"} <= tipos  # the resolución and the citizen's document
    carpeta = await client.get(f"/sede/{tenant.slug}/carpeta/", headers=HTML)
    assert "Índice para remisión cerrado" in carpeta.text
