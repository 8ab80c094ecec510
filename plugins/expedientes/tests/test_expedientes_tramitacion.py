"""Expedientes: opening (number, ENI identificador, plazo), people, phases and tasks,
related files, search, the staff pages, and isolation between entities."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from expedientes_tools import LICENCIA, add_licencia, staff_member

from core.audit.log import verify
from core.calendar import add_dias_habiles, add_meses
from core.calendar_app.services import calendar_of
from core.testing import csrf_headers
from plugins.expedientes import busqueda, services
from plugins.expedientes.schemas import Busqueda, ExpedienteIn

ANA = {"nif": "12345678Z", "name": "Ana Pérez Gil", "email": "ana@example.org"}
GESTORIA = {"nif": "B12345674", "name": "Gestoría Moncayo SL"}


def api(tenant, path=""):
    return f"/api/v1/{tenant.slug}/expedientes/{path}"


async def _open(client, tenant, procedimiento_id, subject="Obra menor en calle Mayor 3",
                interesados=None):
    return await client.post(api(tenant), headers=await csrf_headers(client), json={
        "procedimiento_id": procedimiento_id, "subject": subject,
        "interesados": interesados if interesados is not None else [
            {**ANA, "representante": GESTORIA}]})


async def test_opening_gives_number_identificador_plazo_and_first_tasks(entidad, staff):
    tenant = await entidad()
    licencia = await add_licencia(tenant)
    client, user_id = await staff(tenant, "tramitador")
    response = await _open(client, tenant, licencia.id)
    assert response.status_code == 201, response.text
    exp = response.json()
    cal = await calendar_of(tenant)
    today = cal.local_date(datetime.now(UTC))
    assert exp["code"] == f"{today.year}/000001" and exp["state"] == "E01"
    assert exp["identificador"] == f"ES_{tenant.dir3}_{today.year}_EXP_000001"
    assert exp["clasificacion"] == LICENCIA["sia_code"]
    assert exp["due_date"] == add_meses(cal, today, 3).isoformat()
    assert exp["phase_name"] == "Instrucción"
    assert [(t["title"], t["due_date"], t["assignee"]["id"]) for t in exp["tareas"]] == [
        ("Informe técnico", add_dias_habiles(cal, today, 10).isoformat(), user_id)]
    assert [(i["role"], i["nif"], i["represents"]) for i in exp["interesados"]] == [
        ("interesado", "12345678Z", None), ("representante", "B12345674", 1)]
    assert [r["id"] for r in exp["responsables"]] == [user_id]
    second = (await _open(client, tenant, licencia.id, subject="Otra obra")).json()
    assert second["number"] == 2
    history = (await client.get(api(tenant, f"{exp['id']}/actividad"))).json()
    assert [h["action"] for h in history] == ["opened"]
    assert await verify(tenant.id) is None


async def test_numbers_are_unique_and_gapless_under_concurrent_openings(entidad):
    tenant = await entidad()
    licencia = await add_licencia(tenant)
    data = ExpedienteIn(procedimiento_id=licencia.id, subject="Concurrente")
    opened = await asyncio.gather(*[services.open_expediente(tenant, data, actor="t",
                                                             user_id=None) for _ in range(8)])
    assert sorted(e.number for e in opened) == list(range(1, 9))


async def test_bad_input_is_refused_with_the_reason_and_saves_nothing(entidad, staff):
    tenant = await entidad()
    licencia = await add_licencia(tenant)
    client, _ = await staff(tenant, "tramitador")
    cases = [({"interesados": [{**ANA, "nif": "12345678A"}]}, "NIF"),
             ({"subject": "x"}, "subject"), ({"procedimiento_id": 999999}, "Not found"),
             ({"unit_dir3": "ZZZZZZZZZ"}, "no es una unidad"), ({"color": "rojo"}, "color"),
             ({"responsables": [999999]}, "Usuarios sin cargo")]
    for fields, message in cases:
        body = {"procedimiento_id": licencia.id, "subject": "Obra menor",
                "interesados": [ANA], **fields}
        response = await client.post(api(tenant), json=body, headers=await csrf_headers(client))
        assert response.status_code in (400, 404, 422), response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert message in response.text
    assert await busqueda.search(tenant, Busqueda()) == []
    bad_procedure = {**LICENCIA, "code": "Mal Código"}
    response = await client.post(api(tenant, "procedimientos"), json=bad_procedure,
                                 headers=await csrf_headers(client))
    assert response.status_code == 400 and "code" in response.text


async def test_interesados_and_responsables_change_and_leave_history(entidad, staff):
    tenant = await entidad()
    licencia = await add_licencia(tenant)
    client, user_id = await staff(tenant, "tramitador")
    colleague = await staff_member(tenant, "tramitador", "colega")
    headers = await csrf_headers(client)
    exp = (await _open(client, tenant, licencia.id, interesados=[ANA])).json()
    added = await client.post(api(tenant, f"{exp['id']}/interesados"), headers=headers,
                              json={"nif": "X1234567L", "name": "Jon Etxeberria",
                                    "representante": GESTORIA})
    assert added.status_code == 201, added.text
    assert [(i["position"], i["role"], i["nif"], i["represents"])
            for i in added.json()["interesados"]] == [
        (1, "interesado", "12345678Z", None), (2, "interesado", "X1234567L", None),
        (3, "representante", "B12345674", 2)]
    bad = await client.post(api(tenant, f"{exp['id']}/interesados"), headers=headers,
                            json={"nif": "12345678A", "name": "Mal NIF"})
    assert bad.status_code == 422 and "NIF" in bad.json()["detail"]
    changed = await client.put(api(tenant, f"{exp['id']}/responsables"), headers=headers,
                               json={"user_ids": [colleague, user_id]})
    assert changed.status_code == 200, changed.text
    assert [r["id"] for r in changed.json()["responsables"]] == [colleague, user_id]
    for users in ([], [999999]):
        refused = await client.put(api(tenant, f"{exp['id']}/responsables"),
                                   headers=headers, json={"user_ids": users})
        assert refused.status_code in (400, 422), refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
    history = [h["action"] for h in (await client.get(api(tenant, f"{exp['id']}/actividad"))
                                     ).json()]
    assert history == ["responsables", "interesado_added", "opened"]


async def test_phases_tasks_my_tasks_and_my_unit(entidad, staff):
    tenant = await entidad()
    licencia = await add_licencia(tenant)
    client, user_id = await staff(tenant, "tramitador")
    headers = await csrf_headers(client)
    exp = (await _open(client, tenant, licencia.id)).json()
    blocked = await client.post(api(tenant, f"{exp['id']}/fase"), headers=headers)
    assert blocked.status_code == 422 and "pendientes" in blocked.json()["detail"]
    mine = (await client.get(api(tenant, "mis-tareas"))).json()
    assert [t["title"] for t in mine] == ["Informe técnico"]
    extra = await client.post(api(tenant, f"{exp['id']}/tareas"), headers=headers,
                              json={"title": "Visita de inspección", "dias": 2,
                                    "assignee_id": user_id})
    assert extra.status_code == 201, extra.text
    for tarea in extra.json()["tareas"]:
        done = await client.post(api(tenant, f"tareas/{tarea['id']}/hecha"), headers=headers)
        assert done.status_code == 200, done.text
    again = await client.post(api(tenant, f"tareas/{tarea['id']}/hecha"), headers=headers)
    assert again.status_code == 422
    advanced = await client.post(api(tenant, f"{exp['id']}/fase"), headers=headers)
    assert advanced.status_code == 200 and advanced.json()["phase_name"] == "Propuesta"
    assert [t["title"] for t in (await client.get(api(tenant, "mis-tareas"))).json()] == [
        "Propuesta de resolución"]
    last = await client.post(api(tenant, f"{exp['id']}/fase"), headers=headers)
    assert last.status_code == 422

    other = await services.open_expediente(
        tenant, ExpedienteIn(procedimiento_id=licencia.id, subject="De otra persona"),
        actor="t", user_id=None)
    unit = [e["id"] for e in (await client.get(api(tenant, "de-mi-unidad"))).json()]
    assert unit == [exp["id"]]  # responsible for it; not yet in the unit
    await services.set_adscripciones(tenant, user_id, [tenant.dir3], actor="t")
    unit = {e["id"] for e in (await client.get(api(tenant, "de-mi-unidad"))).json()}
    assert unit == {exp["id"], other.id}


async def test_related_expedientes_and_search_filters(entidad, staff):
    tenant = await entidad()
    licencia = await add_licencia(tenant)
    ocupacion = await add_licencia(tenant, code="ocupacion-via", name="Ocupación de vía",
                                   sia_code="998877", fases=[], plantillas=[])
    client, _ = await staff(tenant, "tramitador")
    headers = await csrf_headers(client)
    obra = (await _open(client, tenant, licencia.id)).json()
    andamio = (await _open(client, tenant, ocupacion.id, subject="Andamio en calle Mayor 3",
                           interesados=[{"nif": "X1234567L", "name": "Jon Etxeberria"}])
               ).json()
    linked = await client.post(api(tenant, f"{obra['id']}/relaciones"), headers=headers,
                               json={"related_id": andamio["id"], "note": "misma obra"})
    assert [r["code"] for r in linked.json()["relacionados"]] == [andamio["code"]]
    back = (await client.get(api(tenant, str(andamio["id"])))).json()
    assert [r["id"] for r in back["relacionados"]] == [obra["id"]]
    twice = await client.post(api(tenant, f"{obra['id']}/relaciones"), headers=headers,
                              json={"related_id": andamio["id"]})
    assert twice.status_code == 422

    async def found(query):
        response = await client.get(api(tenant), params=query)
        assert response.status_code == 200, response.text
        return sorted(e["id"] for e in response.json())

    both = sorted([obra["id"], andamio["id"]])
    assert await found({"q": "calle mayor"}) == both
    assert await found({"q": "andamio"}) == [andamio["id"]]
    assert await found({"q": "etxeberria"}) == [andamio["id"]]
    assert await found({"nif": "12345678z"}) == [obra["id"]]
    assert await found({"q": obra["code"]}) == [obra["id"]]
    assert await found({"procedimiento_id": ocupacion.id}) == [andamio["id"]]
    assert await found({"state": "E02"}) == []
    assert await found({"year": obra["year"], "state": "E01"}) == both
    bad = await client.get(api(tenant), params={"state": "E09"})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith(
        "application/problem+json")


async def test_staff_pages_open_view_and_search(entidad, staff):
    tenant = await entidad()
    licencia = await add_licencia(tenant)
    client, _ = await staff(tenant, "tramitador")
    headers = await csrf_headers(client)
    form = await client.get(f"/{tenant.slug}/expedientes/nuevo")
    assert form.status_code == 200 and "Licencia de obra menor" in form.text
    created = await client.post(f"/{tenant.slug}/expedientes/", headers=headers, data={
        "procedimiento_id": str(licencia.id), "subject": "Cambio de bañera",
        "nif": "12345678Z", "name": "Ana Pérez Gil", "rep_nif": "", "rep_name": ""})
    assert created.status_code in (302, 303), created.text
    detail = await client.get(created.headers["location"])
    assert detail.status_code == 200
    assert "Cambio de bañera" in detail.text and "Ana Pérez Gil" in detail.text
    assert "Informe técnico" in detail.text and "abierto" in detail.text
    bandeja = await client.get(f"/{tenant.slug}/expedientes/")
    assert "Informe técnico" in bandeja.text and "Cambio de bañera" in bandeja.text
    search = await client.get(f"/{tenant.slug}/expedientes/buscar", params={"q": "bañera"})
    assert "Cambio de bañera" in search.text
    assert "<td>Abierto</td>" in search.text  # the state in words
    closed = await client.get(f"/{tenant.slug}/expedientes/buscar", params={"state": "E02"})
    assert '<option value="E02" selected>Cerrado</option>' in closed.text
    assert "Cambio de bañera" not in closed.text
    refused = await client.post(f"/{tenant.slug}/expedientes/", headers={
        **headers, "accept": "text/html"}, data={"procedimiento_id": str(licencia.id),
                                                 "subject": "Otra", "nif": "1", "name": "X Y"})
    assert refused.status_code in (400, 422) and "text/html" in refused.headers["content-type"]
    assert "«NIF, NIE o CIF» debe tener al menos 8 caracteres" in refused.text  # as labelled


async def test_read_only_sees_but_cannot_open(entidad, staff):
    tenant = await entidad()
    licencia = await add_licencia(tenant)
    client, _ = await staff(tenant, "read_only")
    assert (await client.get(api(tenant))).status_code == 200
    assert (await _open(client, tenant, licencia.id)).status_code == 403


async def test_other_tenants_ids_answer_404(entidad, staff):
    mine, theirs = await entidad(), await entidad()
    foreign_procedure = await add_licencia(theirs)
    foreign = await services.open_expediente(
        theirs, ExpedienteIn(procedimiento_id=foreign_procedure.id, subject="Ajeno"),
        actor="t", user_id=None)
    own_procedure = await add_licencia(mine)
    client, _ = await staff(mine, "secretario")
    headers = await csrf_headers(client)
    own = (await _open(client, mine, own_procedure.id)).json()
    for response in (
        await client.get(api(mine, str(foreign.id))),
        await client.get(api(mine, f"{foreign.id}/actividad")),
        await client.get(api(mine, f"procedimientos/{foreign_procedure.id}")),
        await client.post(api(mine, f"{foreign.id}/tareas"), headers=headers,
                          json={"title": "Intrusa", "dias": 1}),
        await client.post(api(mine, f"tareas/{foreign.tareas[0].id}/hecha"), headers=headers),
        await client.post(api(mine, f"{own['id']}/relaciones"), headers=headers,
                          json={"related_id": foreign.id}),
        await _open(client, mine, foreign_procedure.id),
        await client.get(f"/{mine.slug}/expedientes/{foreign.id}"),
    ):
        assert response.status_code == 404, response.text
    untouched = await services.get(theirs, foreign.id)
    assert untouched.tareas[0].done_at is None and untouched.relacionados == []
