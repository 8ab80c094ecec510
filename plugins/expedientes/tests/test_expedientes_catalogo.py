"""The procedures catalogue: the diputación's model procedures adopted by entities, the
demo seeding, and the document list costing one query whatever its length."""

from __future__ import annotations

import uuid

from expedientes_tools import LICENCIA, QueryCounter, add_licencia

from core.signing.samples import sample_pdf
from core.tenancy.context import operator_tenant
from core.testing import csrf_headers
from plugins.expedientes import busqueda, catalogo, demo, documentos, services
from plugins.expedientes.schemas import Busqueda, ExpedienteIn


async def _operator(make_tenant):
    return await operator_tenant() or await make_tenant(kind="diputacion")


async def test_the_diputacion_publishes_models_and_entities_adopt_them(entidad, staff,
                                                                       make_tenant):
    diputacion = await _operator(make_tenant)
    code = f"modelo-{uuid.uuid4().hex[:8]}"
    model = await add_licencia(diputacion, code=code, name=f"Licencia modelo {code}")
    private = await add_licencia(diputacion, code=f"{code}-interno", name="Interno")
    await catalogo.publish_model(diputacion, model.id, True, actor="sam")
    tenant = await entidad()
    client, _ = await staff(tenant, "secretario")
    headers = await csrf_headers(client)
    api = f"/api/v1/{tenant.slug}/expedientes"

    listed = {m["id"]: m for m in (await client.get(f"{api}/modelos")).json()}
    assert model.id in listed and not listed[model.id]["adopted"]
    assert private.id not in listed
    adopted = await client.post(f"{api}/modelos/{model.id}/adoptar", headers=headers)
    assert adopted.status_code == 201, adopted.text
    copy = adopted.json()
    assert copy["adopted_from"] == model.id and copy["unit_dir3"] == tenant.dir3
    assert copy["sia_code"] == LICENCIA["sia_code"]
    assert [f["name"] for f in copy["fases"]] == ["Instrucción", "Propuesta"]
    assert [p["code"] for p in copy["plantillas"]] == ["requerimiento", "concesion"]
    listed = {m["id"]: m for m in (await client.get(f"{api}/modelos")).json()}
    assert listed[model.id]["adopted"]
    twice = await client.post(f"{api}/modelos/{model.id}/adoptar", headers=headers)
    assert twice.status_code == 422
    assert (await client.get(f"{api}/procedimientos/{private.id}")).status_code == 404
    assert (await client.post(f"{api}/modelos/{private.id}/adoptar",
                              headers=headers)).status_code == 404

    changed = await client.put(f"{api}/procedimientos/{copy['id']}", headers=headers, json={
        **LICENCIA, "code": code, "name": "Licencia adaptada", "plazo": 2, "plantillas": []})
    assert changed.status_code == 200 and changed.json()["plantillas"] == []
    assert (await catalogo.get(diputacion, model.id)).name == f"Licencia modelo {code}"
    not_diputacion = await client.post(f"{api}/procedimientos/{copy['id']}/modelo",
                                       headers=headers, json={"published": True})
    assert not_diputacion.status_code == 422
    await catalogo.publish_model(diputacion, model.id, False, actor="sam")
    assert model.id not in {m["id"] for m in (await client.get(f"{api}/modelos")).json()}


async def test_the_demo_seeds_models_and_expedientes_in_several_procedures(entidad,
                                                                           make_tenant):
    diputacion = await _operator(make_tenant)
    await demo.seed(diputacion)
    tenant = await entidad()
    await demo.seed(tenant)
    await demo.seed(tenant)  # idempotent
    found = await busqueda.search(tenant, Busqueda())
    assert len(found) == len(demo.EXPEDIENTES)
    assert {e.procedimiento for e in found} == {"Licencia de obra menor",
                                                "Ocupación de la vía pública",
                                                "Instancia general"}
    by_subject = {e.subject: await services.get(tenant, e.id) for e in found}
    bano = by_subject["Reforma de baño en avenida de Valladolid 5"]
    assert bano.phase_name == "Propuesta"
    assert [(t.title, t.done_at is not None) for t in bano.tareas] == [
        ("Informe técnico", True), ("Propuesta de resolución", False)]
    assert [d.title for d in await documentos.list_documents(tenant, bano.id)] == [
        "Plano de la reforma"]
    ventanas = by_subject["Sustitución de ventanas en calle Real 12"]
    andamio = by_subject["Andamio frente a calle Real 12 durante dos semanas"]
    assert [r.id for r in ventanas.relacionados] == [andamio.id]
    assert [i.role for i in andamio.interesados] == ["interesado", "representante"]


async def test_the_document_list_is_one_query_however_long(entidad):
    from core.db import engine

    tenant = await entidad()
    licencia = await add_licencia(tenant)
    exp = await services.open_expediente(tenant, ExpedienteIn(
        procedimiento_id=licencia.id, subject="Muchos documentos"), actor="t", user_id=None)
    counts = {}
    for total in (1, 6):
        while len(await documentos.list_documents(tenant, exp.id)) < total:
            content = sample_pdf("x")

            async def chunks(data=content):
                yield data

            await documentos.upload(tenant, exp.id, chunks=chunks(), filename="a.pdf",
                                    declared_mime="application/pdf", title="Anexo",
                                    actor="t")
        with QueryCounter(engine()) as counter:
            listed = await documentos.list_documents(tenant, exp.id)
        counts[len(listed)] = counter.count
    assert counts == {1: 1, 6: 1}


async def test_staff_write_procedures_and_templates_in_forms(entidad, staff):
    tenant = await entidad()
    client, _ = await staff(tenant, "secretario")
    headers = {"accept": "text/html", **await csrf_headers(client)}
    base = f"/{tenant.slug}/expedientes/procedimientos"
    created = await client.post(base, headers=headers, data={
        "name": "Vado permanente", "code": "vado", "sia_code": "445566", "plazo": "2",
        "plazo_unit": "meses", "silencio": "desestimatorio", "unit_dir3": "",
        "description": "Reserva de la vía para entrada de vehículos.",
        "fases": "Instrucción: Informe de la policía local (10); Informe técnico (15)\n"
                 "Propuesta: Propuesta de resolución (5)"})
    assert created.status_code in (302, 303), created.text
    [vado] = await catalogo.list_all(tenant)
    assert [(f.name, [(t.title, t.dias) for t in f.tareas]) for f in vado.fases] == [
        ("Instrucción", [("Informe de la policía local", 10), ("Informe técnico", 15)]),
        ("Propuesta", [("Propuesta de resolución", 5)])]
    added = await client.post(f"{base}/{vado.id}/plantillas", headers=headers, data={
        "code": "autorizacion", "title": "Decreto de autorización de vado",
        "tipo_documental": "TD01", "body": "RESUELVO autorizar a {{ interesado.nombre }}."})
    assert added.status_code in (302, 303), added.text
    page = await client.get(base, headers={"accept": "text/html"})
    assert "Vado permanente" in page.text and "Decreto de autorización de vado" in page.text
    for fases, message in (("Instrucción: Informe (diez)", "Tarea mal escrita"),
                           ("Instrucción: (3)", "Tarea mal escrita")):
        refused = await client.post(base, headers=headers, data={
            "name": "Otro", "code": "otro", "sia_code": "1", "plazo": "1", "fases": fases})
        assert refused.status_code == 422 and message in refused.text
    twice = await client.post(f"{base}/{vado.id}/plantillas", headers=headers, data={
        "code": "autorizacion", "title": "Otra", "tipo_documental": "TD01", "body": "x"})
    assert twice.status_code == 422
    assert len(await catalogo.list_all(tenant)) == 1
    assert len((await catalogo.get(tenant, vado.id)).plantillas) == 1
