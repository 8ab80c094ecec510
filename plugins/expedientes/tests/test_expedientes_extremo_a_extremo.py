"""The whole path in one test: a citizen's instancia general in the sede → an entrada of
the registro → the expediente staff open from it in their bandeja → a resolución drafted
from a template, signed by the alcalde and then the secretario (PAdES, checked by poppler's
pdfsig against the test PKI's root) and numbered in the libro, exported as a sealed PDF →
the índice signed at closing → an ENI remisión whose documentos, expediente and índice
validate against the official XSDs → that ZIP received by another entity of the platform,
which can remit it again unchanged. The citizen follows it in the carpeta ciudadana."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import UTC, datetime

from expedientes_tools import add_licencia, eni_schema, openssl_cades_signer, sign_pending
from lxml import etree

from core.documents.eni import (
    NS_INDICE,
    indice_contenido_c14n,
    parse_documento,
    parse_expediente,
    parse_indice,
)
from core.identity.citizens import open_citizen_session
from core.identity.providers import ExternalIdentity
from core.identity.sessions import SESSION_COOKIE
from core.signing.samples import sample_pdf
from core.tenancy.services import add_unit
from core.testing import csrf_headers
from plugins.expedientes import asientos, documentos, services
from plugins.expedientes.indice import cades_intact
from tests.signing.signing_tools import pdfsig_runner

HTML = {"accept": "text/html"}
VALID = {"Signature Validation": "Signature is Valid.",
         "Certificate Validation": "Certificate is Trusted."}


def _pdfsig_ok(report: list[dict[str, str]]) -> list[str]:
    """The signers' common names, once every signature is valid and trusted."""
    for signature in report:
        assert {k: signature.get(k) for k in VALID} == VALID, signature
        assert signature["coverage"] != "Signature does not cover the entire document", signature
    return [s["Signer Certificate Common Name"] for s in report]


def _indice_of(expediente_xml: bytes) -> etree._Element:
    return etree.fromstring(expediente_xml).find(f"{{{NS_INDICE}}}indice")


async def test_from_an_instancia_general_to_an_eni_expediente_received_elsewhere(
        client, sealed_entidad, entidad, staff, drain, concejo_kernel, tmp_path):
    tenant, alcalde, secretario = await sealed_entidad(plugins=("registro", "expedientes"))
    await add_unit(tenant.id, tenant.dir3, tenant.name)
    await add_unit(tenant.id, "O" + tenant.dir3[1:], "Oficina de registro", is_office=True)
    licencia = await add_licencia(tenant)
    root = concejo_kernel.settings.data_path / "pki" / "root.pem"
    pdfsig = pdfsig_runner(root, tmp_path)

    # A logged-in citizen presents an instancia general in the sede: an entrada.
    client.cookies.set(SESSION_COOKIE, await open_citizen_session(ExternalIdentity(
        provider="clave", audience="citizen", nif="12345678Z", name="Ana Pérez Gil"),
        "127.0.0.1", tenant.id))
    form = await client.get(f"/sede/{tenant.slug}/registro/instancia", headers=HTML)
    assert form.status_code == 200 and 'value="Ana"' in form.text
    presented = await client.post(
        f"/sede/{tenant.slug}/registro/instancia",
        headers={**HTML, **await csrf_headers(client)},
        data={"nombre": "Ana", "apellido1": "Pérez", "apellido2": "Gil",
              "email": "ana@example.org", "extracto": "Licencia para cambiar las ventanas",
              "expone": "Que es propietaria de la vivienda de calle Real 12.",
              "solicita": "Licencia de obra menor.", "unidad_destino": tenant.dir3},
        files={"anexos": ("presupuesto.pdf", sample_pdf("Presupuesto"), "application/pdf")})
    assert presented.status_code in (302, 303), presented.text
    await drain()  # the justificante; distribution to the unit's inbox
    receipt = await client.get(presented.headers["location"], headers=HTML)
    assert receipt.status_code == 200

    # Staff of the unit find it in their bandeja and open an expediente from it.
    http, user_id = await staff(tenant, "secretario")
    await services.set_adscripciones(tenant, user_id, [tenant.dir3], actor="test")
    headers = {**HTML, **await csrf_headers(http)}
    base, api = f"/{tenant.slug}/expedientes", f"/api/v1/{tenant.slug}/expedientes"
    [entrada] = await asientos.inbox(tenant, user_id)
    bandeja = await http.get(f"{base}/", headers=HTML)
    assert entrada.extracto == "Licencia para cambiar las ventanas"
    assert f"{base}/registro/{entrada.id}/expediente" in bandeja.text
    opened = await http.post(f"{base}/registro/{entrada.id}/expediente", headers=headers,
                             data={"procedimiento_id": str(licencia.id)})
    assert opened.status_code in (302, 303), opened.text
    page = opened.headers["location"]
    exp = await services.get(tenant, int(page.rsplit("/", 1)[1]))
    assert exp.origin == "registro" and exp.registro_ref in receipt.text
    assert [(i.nif, i.name) for i in exp.interesados] == [("12345678Z", "Ana Pérez Gil")]
    assert [t.title for t in exp.tareas] == ["Informe técnico"]
    docs = await documentos.list_documents(tenant, exp.id)
    assert [(d.title, d.source) for d in docs] == [
        ("presupuesto.pdf", "registro"),
        (f"Justificante de registro {exp.registro_ref}", "registro")]
    bandeja = (await http.get(f"{base}/", headers=HTML)).text  # my tasks, my unit's
    mis_tareas, _, de_mi_unidad = bandeja.partition("Expedientes abiertos de mi unidad")
    assert "Informe técnico" in mis_tareas and exp.code in mis_tareas
    assert f'{base}/{exp.id}">{exp.code}</a>' in de_mi_unidad
    carpeta = await client.get(f"/sede/{tenant.slug}/carpeta/", headers=HTML)
    assert exp.code in carpeta.text and "Abierto" in carpeta.text

    # A resolución from the procedure's template, signed by the alcalde then the secretario.
    concesion = next(p.id for p in licencia.plantillas if p.code == "concesion")
    drafted = await http.post(f"{page}/resoluciones", headers=headers,
                              data={"plantilla_id": str(concesion), "title": "", "body": ""})
    assert drafted.status_code in (302, 303), drafted.text
    [draft] = (await http.get(f"{api}/{exp.id}/resoluciones")).json()
    assert "Ana Pérez Gil" in draft["body"] and draft["state"] == "borrador"
    sent = await http.post(f"{base}/resoluciones/{draft['id']}/firma", headers=headers)
    assert sent.status_code in (302, 303), sent.text
    await sign_pending(tenant, secretario)  # not yet theirs: the alcalde signs first
    assert (await http.get(f"{api}/resoluciones/{draft['id']}")).json()["state"] == "en_firma"
    await sign_pending(tenant, alcalde)
    await sign_pending(tenant, secretario)
    await drain()
    resolucion = (await http.get(f"{api}/resoluciones/{draft['id']}")).json()
    year = datetime.now(UTC).year
    assert resolucion["state"] == "firmada" and resolucion["numero"] == f"{year}/0001"
    signed = (await http.get(f"{api}/{exp.id}/documentos/{resolucion['document_id']}"
                             "/contenido")).content
    alcaldesa, secretaria = _pdfsig_ok(pdfsig(signed))  # in the flow's order
    assert "ALCALDESA" in alcaldesa.upper() and "SECRETARIO" in secretaria.upper()
    libro = (await http.get(f"{api}/libro/{year}")).json()
    assert [(e["numero"], e["expediente_code"]) for e in libro] == [(f"{year}/0001", exp.code)]
    assert libro[0]["sha256"] == hashlib.sha256(signed).hexdigest()
    libro_pdf = await http.post(f"{base}/libro/{year}/pdf", headers=headers)
    assert libro_pdf.headers["content-type"] == "application/pdf"
    [seal] = _pdfsig_ok(pdfsig(libro_pdf.content))
    assert seal == f"SELLO DE {tenant.name.upper()}"  # the entity's seal (dev PKI)
    view = await http.get(page, headers=HTML)
    assert f"Resolución {year}/0001 firmada" in view.text  # the timeline
    for document in ("presupuesto.pdf", f"Justificante de registro {exp.registro_ref}",
                     "Decreto de concesión de licencia de obra menor"):
        assert document in view.text, document

    # Closing signs the índice with the seal; the remisión validates against the XSDs.
    closed = await http.post(f"{page}/cierre", headers=headers)
    assert closed.status_code in (302, 303), closed.text
    indice_xml = (await http.get(f"{api}/{exp.id}/indice")).content
    eni_schema("indice").validate(etree.fromstring(indice_xml))
    sealed_by = openssl_cades_signer(parse_indice(indice_xml).firmas[0].firma,
                                     indice_contenido_c14n(indice_xml), root, tmp_path)
    assert f"SELLO DE {tenant.name.upper()}" in sealed_by, sealed_by
    package = await http.post(f"{page}/remision", headers=headers)
    assert package.headers["content-type"] == "application/zip"
    listed = await documentos.list_documents(tenant, exp.id)
    assert len(listed) == 3  # the citizen's presupuesto, the justificante, the resolución
    with zipfile.ZipFile(io.BytesIO(package.content)) as archive:
        xml = archive.read("expediente.xml")
        eni_schema("expediente").validate(etree.fromstring(xml))
        eni_schema("indice").validate(_indice_of(xml))
        remitted = parse_expediente(xml)
        assert remitted.metadatos.identificador == exp.identificador
        assert remitted.metadatos.interesados == ["12345678Z"]
        assert cades_intact(remitted.indice.firmas[0].firma, indice_contenido_c14n(xml))
        entries = remitted.indice.contenido.elementos
        assert [e.identificador_documento for e in entries] == [d.identificador for d in listed]
        for entry in entries:
            documento_xml = archive.read(f"documentos/{entry.identificador_documento}.xml")
            eni_schema("documento").validate(etree.fromstring(documento_xml))
            assert entry.matches(parse_documento(documento_xml).contenido)
    carpeta = await client.get(f"/sede/{tenant.slug}/carpeta/", headers=HTML)
    assert "Índice para remisión cerrado" in carpeta.text

    # Another entity of the platform receives the ZIP in its staff pages.
    other = await entidad()
    other_http, _ = await staff(other, "secretario")
    received = await other_http.post(
        f"/{other.slug}/expedientes/importar",
        headers={**HTML, **await csrf_headers(other_http)}, data={"subject": exp.subject},
        files={"paquete": ("expediente.zip", package.content, "application/zip")})
    assert received.status_code in (302, 303), received.text
    copy = await services.get(other, int(received.headers["location"].rsplit("/", 1)[1]))
    assert (copy.identificador, copy.state, copy.origin) == (exp.identificador, "E03",
                                                            "importado")
    assert [(d.identificador, d.sha256) for d in await documentos.list_documents(
        other, copy.id)] == [(d.identificador, d.sha256) for d in listed]
    again = await other_http.post(f"/api/v1/{other.slug}/expedientes/{copy.id}/remision",
                                  headers=await csrf_headers(other_http))
    assert again.status_code == 200, again.text
    with zipfile.ZipFile(io.BytesIO(again.content)) as archive:
        xml = archive.read("expediente.xml")
        eni_schema("expediente").validate(etree.fromstring(xml))
        assert etree.tostring(_indice_of(xml), method="c14n", exclusive=True) == \
            etree.tostring(_indice_of(package_xml(package.content)), method="c14n",
                           exclusive=True)
    assert (await services.get(tenant, exp.id)).state == "E03"  # the original, untouched


def package_xml(package: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return archive.read("expediente.xml")
