"""Documents of an expediente, resoluciones in the libro, closing with the signed índice
and the ENI remisión (validated against the official XSDs)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import zipfile
from datetime import UTC, datetime

from expedientes_tools import LICENCIA, add_licencia, eni_schema, sign_pending
from lxml import etree

from core.db import atomic
from core.documents.eni import (
    TipoFirma,
    indice_contenido_c14n,
    parse_documento,
    parse_expediente,
    parse_indice,
)
from core.numbering import next_number
from core.signing import flows
from core.signing.samples import sample_pdf
from core.signing.schemas import SignatureFlowCompleted
from core.signing.trust import trust_roots
from core.signing.validation import async_validate_pdf
from core.testing import csrf_headers
from plugins.expedientes import documentos, resoluciones, services
from plugins.expedientes.indice import cades_intact
from plugins.expedientes.schemas import EnvioFirma, ExpedienteIn, ResolucionIn

ANA = {"nif": "12345678Z", "name": "Ana Pérez Gil"}


def api(tenant, path=""):
    return f"/api/v1/{tenant.slug}/expedientes/{path}"


async def _expediente(client, tenant, procedimiento_id):
    response = await client.post(api(tenant), headers=await csrf_headers(client), json={
        "procedimiento_id": procedimiento_id, "subject": "Cambio de ventanas",
        "interesados": [ANA]})
    assert response.status_code == 201, response.text
    return response.json()


async def _upload(client, tenant, expediente_id, content, filename="plano.pdf"):
    return await client.post(api(tenant, f"{expediente_id}/documentos"), content=content,
                             params={"filename": filename, "title": "Plano de la obra",
                                     "tipo_documental": "TD99"},
                             headers={**await csrf_headers(client),
                                      "content-type": "application/pdf"})


def _plantilla(procedure, code):
    return next(p.id for p in procedure.plantillas if p.code == code)


async def test_documents_generated_uploaded_listed_in_one_query_and_downloaded(
        sealed_entidad, staff, concejo_kernel):
    tenant, _, _ = await sealed_entidad()
    licencia = await add_licencia(tenant)
    client, _ = await staff(tenant, "tramitador")
    exp = await _expediente(client, tenant, licencia.id)
    generated = await client.post(api(tenant, f"{exp['id']}/documentos/plantilla/"
                                      f"{_plantilla(licencia, 'requerimiento')}"),
                                  headers=await csrf_headers(client))
    assert generated.status_code == 201, generated.text
    doc = generated.json()
    assert doc["tipo_documental"] == "TD06" and doc["csv"] and doc["organo"] == tenant.dir3
    assert [s["purpose"] for s in doc["signatures"]] == ["seal"]
    uploaded = await _upload(client, tenant, exp["id"], sample_pdf("Plano"))
    assert uploaded.status_code == 201, uploaded.text
    refused = await _upload(client, tenant, exp["id"], b"GIF89a not a pdf")
    assert refused.status_code in (415, 422) and refused.headers["content-type"].startswith(
        "application/problem+json")

    listed = (await client.get(api(tenant, f"{exp['id']}/documentos"))).json()
    assert [(d["position"], d["source"], d["id"]) for d in listed] == [
        (1, "plantilla", doc["id"]), (2, "subida", uploaded.json()["id"])]
    assert listed[0]["signatures"] == 1 and listed[1]["signatures"] == 0
    for entry in listed:
        response = await client.get(api(tenant, f"{exp['id']}/documentos/{entry['id']}"
                                                f"/contenido"))
        assert response.status_code == 200
        assert hashlib.sha256(response.content).hexdigest() == entry["sha256"]
    pdf = (await client.get(api(tenant, f"{exp['id']}/documentos/{doc['id']}/contenido")
                            )).content
    report = await async_validate_pdf(pdf, trust_roots(concejo_kernel.settings))
    assert report.all_ok and report.signatures[0].trusted
    history = [h["action"] for h in (await client.get(api(tenant, f"{exp['id']}/actividad"))
                                     ).json()]
    assert history.count("document_added") == 2


async def test_templates_run_sandboxed_and_a_failing_one_saves_nothing(sealed_entidad, staff):
    tenant, _, _ = await sealed_entidad()
    evil = {"code": "evil", "title": "Plantilla maliciosa", "tipo_documental": "TD99",
            "body": "{{ expediente.__class__.__mro__[1].__subclasses__() }}"}
    typo = {"code": "typo", "title": "Plantilla con errata", "body": "{{ interesad.nombre }}"}
    licencia = await add_licencia(tenant, plantillas=[evil, typo])
    client, _ = await staff(tenant, "tramitador")
    exp = await _expediente(client, tenant, licencia.id)
    for code, message in (("evil", "no se puede aplicar"), ("typo", "interesad")):
        response = await client.post(api(tenant, f"{exp['id']}/documentos/plantilla/"
                                          f"{_plantilla(licencia, code)}"),
                                     headers=await csrf_headers(client))
        assert response.status_code == 422 and message in response.json()["detail"]
    assert await documentos.list_documents(tenant, exp["id"]) == []


async def test_resoluciones_are_signed_then_numbered_gapless_in_the_libro(
        sealed_entidad, staff, drain, concejo_kernel):
    tenant, alcalde, secretario = await sealed_entidad()
    licencia = await add_licencia(tenant)
    client, _ = await staff(tenant, "secretario")
    headers = await csrf_headers(client)
    exp = await _expediente(client, tenant, licencia.id)
    year = datetime.now(UTC).year

    async def draft_and_send(**fields):
        drafted = await client.post(api(tenant, f"{exp['id']}/resoluciones"), json=fields,
                                    headers=headers)
        assert drafted.status_code == 201, drafted.text
        sent = await client.post(api(tenant, f"resoluciones/{drafted.json()['id']}/firma"),
                                 json={}, headers=headers)
        assert sent.status_code == 200, sent.text
        return sent.json()

    first = await draft_and_send(plantilla_id=_plantilla(licencia, "concesion"))
    assert "Ana Pérez Gil" in first["body"] and first["state"] == "en_firma"
    assert first["numero"] == ""
    assert await flows.pending_for(tenant, secretario) == []  # the alcalde signs first
    await sign_pending(tenant, alcalde)
    await sign_pending(tenant, secretario)
    await drain()
    signed = (await client.get(api(tenant, f"resoluciones/{first['id']}"))).json()
    assert signed["state"] == "firmada" and signed["numero"] == f"{year}/0001"

    rejected = await draft_and_send(title="Decreto de denegación", body="RESUELVO denegar.")
    step = (await flows.pending_for(tenant, alcalde))[0]
    await flows.reject_step(tenant, step.step_id, user_id=alcalde, reason="Falta informe",
                            actor="alcaldesa")
    third = await draft_and_send(title="Decreto de archivo", body="RESUELVO archivar.")
    await sign_pending(tenant, alcalde)
    await sign_pending(tenant, secretario)
    await drain()
    states = {r["id"]: (r["state"], r["numero"], r["reason"]) for r in (
        await client.get(api(tenant, f"{exp['id']}/resoluciones"))).json()}
    assert states[rejected["id"]] == ("rechazada", "", "Falta informe")
    assert states[third["id"]] == ("firmada", f"{year}/0002", "")

    libro = (await client.get(api(tenant, f"libro/{year}"))).json()
    assert [(e["numero"], e["title"]) for e in libro] == [
        (f"{year}/0001", "Decreto de concesión de licencia de obra menor"),
        (f"{year}/0002", "Decreto de archivo")]
    pdf = (await client.get(api(tenant, f"{exp['id']}/documentos/{libro[0]['document_id']}"
                                        "/contenido"))).content
    assert hashlib.sha256(pdf).hexdigest() == libro[0]["sha256"]
    report = await async_validate_pdf(pdf, trust_roots(concejo_kernel.settings))
    assert report.all_ok and len(report.signatures) == 2
    assert (await client.get(api(tenant, f"libro/{year}/pdf"))).status_code == 405
    libro_pdf = await client.post(api(tenant, f"libro/{year}/pdf"), headers=headers)
    assert libro_pdf.status_code == 200 and libro_pdf.content.startswith(b"%PDF")
    sealed = await async_validate_pdf(libro_pdf.content, trust_roots(concejo_kernel.settings))
    assert sealed.all_ok and len(sealed.signatures) == 1
    history = [h["summary"] for h in (await client.get(api(tenant, f"{exp['id']}/actividad"))
                                      ).json()]
    assert any(f"Resolución {year}/0002 firmada" in h for h in history)


async def test_the_libro_stays_gapless_when_flows_complete_at_once(sealed_entidad, drain):
    """Signatures completing at the same time (several workers delivering the events, some
    more than once) and a transaction that fails after drawing a number: 1…n, no gap, no
    repeat."""
    tenant, alcalde, secretario = await sealed_entidad()
    licencia = await add_licencia(tenant)
    exp = await services.open_expediente(tenant, ExpedienteIn(
        procedimiento_id=licencia.id, subject="Varios decretos"), actor="t", user_id=None)
    sent = []
    for n in range(5):
        drafted = await resoluciones.draft(tenant, exp.id, ResolucionIn(
            title=f"Decreto {n}", body="RESUELVO."), actor="t")
        sent.append(await resoluciones.send_to_sign(tenant, drafted.id, EnvioFirma(),
                                                    actor="t"))
    await sign_pending(tenant, alcalde)
    await sign_pending(tenant, secretario)
    completed = [SignatureFlowCompleted(flow_id=r.flow_id, document_id=r.document_id,
                                        kind=resoluciones.FLOW_KIND, reference=str(r.id))
                 for r in sent]
    year = datetime.now(UTC).year

    async def fails_after_drawing() -> None:
        async with atomic():
            await next_number(tenant.id, resoluciones.RESOLUCION, year)
            raise RuntimeError("rolled back")

    results = await asyncio.gather(
        fails_after_drawing(),
        *[resoluciones.on_flow_completed(tenant, event) for event in completed * 3],
        return_exceptions=True)
    assert [type(r) for r in results if r is not None] == [RuntimeError]
    await drain()  # the flows' own events: already numbered, nothing changes
    libro = await resoluciones.libro(tenant, year)
    assert [e.numero for e in libro] == [f"{year}/{n:04d}" for n in range(1, 6)]
    assert sorted(e.title for e in libro) == [f"Decreto {n}" for n in range(5)]
    assert await next_number(tenant.id, resoluciones.RESOLUCION, year) == 6


async def test_closing_signs_the_indice_and_the_remision_validates_against_the_xsds(
        sealed_entidad, staff, drain):
    tenant, alcalde, _ = await sealed_entidad()
    licencia = await add_licencia(tenant)
    client, _ = await staff(tenant, "secretario")
    headers = await csrf_headers(client)
    empty = await _expediente(client, tenant, licencia.id)
    refused = await client.post(api(tenant, f"{empty['id']}/cierre"), headers=headers)
    assert refused.status_code == 422 and "sin documentos" in refused.json()["detail"]
    early = await client.post(api(tenant, f"{empty['id']}/remision"), headers=headers)
    assert early.status_code == 422

    exp = await _expediente(client, tenant, licencia.id)
    await client.post(api(tenant, f"{exp['id']}/documentos/plantilla/"
                              f"{_plantilla(licencia, 'requerimiento')}"), headers=headers)
    await _upload(client, tenant, exp["id"], sample_pdf("Plano", pages=2))
    drafted = (await client.post(api(tenant, f"{exp['id']}/resoluciones"), headers=headers,
                                 json={"title": "Decreto", "body": "RESUELVO."})).json()
    await client.post(api(tenant, f"resoluciones/{drafted['id']}/firma"), json={},
                      headers=headers)
    pending = await client.post(api(tenant, f"{exp['id']}/cierre"), headers=headers)
    assert pending.status_code == 422 and "pendientes de firma" in pending.json()["detail"]
    step = (await flows.pending_for(tenant, alcalde))[0]
    await flows.reject_step(tenant, step.step_id, user_id=alcalde, reason="Retirada",
                            actor="alcaldesa")
    await drain()

    closed = await client.post(api(tenant, f"{exp['id']}/cierre"), headers=headers)
    assert closed.status_code == 200, closed.text
    assert closed.json()["state"] == "E02" and closed.json()["closed_at"]
    late = await _upload(client, tenant, exp["id"], sample_pdf("Tarde"))
    assert late.status_code == 422 and "cerrado" in late.json()["detail"]
    listed = await documentos.list_documents(tenant, exp["id"])

    indice_xml = (await client.get(api(tenant, f"{exp['id']}/indice"))).content
    eni_schema("indice").validate(etree.fromstring(indice_xml))
    indice = parse_indice(indice_xml)
    assert [(e.identificador_documento, e.orden) for e in indice.contenido.elementos] == [
        (d.identificador, d.position) for d in listed]
    assert len(listed) == 3  # generated, uploaded, the resolución's PDF
    assert indice.firmas[0].tipo == TipoFirma.CADES_DETACHED
    assert cades_intact(indice.firmas[0].firma, indice_contenido_c14n(indice_xml))

    package = await client.post(api(tenant, f"{exp['id']}/remision"), headers=headers)
    assert package.status_code == 200
    assert package.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(package.content)) as archive:
        names = archive.namelist()
        expediente = archive.read("expediente.xml")
        eni_schema("expediente").validate(etree.fromstring(expediente))
        parsed = parse_expediente(expediente)
        assert parsed.metadatos.estado == "E03"
        assert parsed.metadatos.clasificacion == LICENCIA["sia_code"]
        assert parsed.metadatos.interesados == [ANA["nif"]]
        assert cades_intact(parsed.indice.firmas[0].firma,
                            indice_contenido_c14n(expediente))
        for entry in parsed.indice.contenido.elementos:
            xml = archive.read(f"documentos/{entry.identificador_documento}.xml")
            eni_schema("documento").validate(etree.fromstring(xml))
            documento = parse_documento(xml)
            assert entry.matches(documento.contenido)
            assert base64.b64decode(entry.valor_huella) == hashlib.sha256(
                documento.contenido).digest()
    assert len(names) == 1 + len(listed)
    state = (await client.get(api(tenant, str(exp["id"])))).json()["state"]
    assert state == "E03"

