"""Staff configure offices, services, agendas, exceptions and triage; the sede follows."""

from __future__ import annotations

from core.testing import csrf_headers
from plugins.cita_previa.services import catalog
from plugins.cita_previa.services.slots import availability
from plugins.cita_previa.tables import Agenda, Oficina
from plugins.cita_previa.tests.helpers import ALL_DAY, tomorrow_at

HTML = {"accept": "text/html"}


async def test_staff_forms_configure_the_sede(client, make_tenant, login):
    tenant = await make_tenant(plugins=("cita_previa",),
                               settings={"cita_previa": {"min_notice_hours": 0}})
    await login(client, tenant, "entity_admin")
    headers = {**HTML, **await csrf_headers(client)}
    base = f"/{tenant.slug}/cita_previa"
    token = {"_csrf_token": client.cookies["csrftoken"]}  # as the page's form sends it
    assert (await client.post(f"{base}/oficinas", headers=HTML, data={
        **token, "name": "Registro municipal", "address": "Calle Real 2"})).status_code == 303
    unnamed = await client.post(f"{base}/oficinas", headers=headers, data={"name": "R"})
    assert unnamed.status_code == 422
    assert "«Nombre» debe tener al menos 2 caracteres" in unnamed.text
    assert 'id="of-name" name="name" value="R"' in unnamed.text  # typed, shown again
    assert await Oficina.count().where(Oficina.tenant == tenant.id) == 1
    assert (await client.post(f"{base}/servicios", headers=headers, data={
        "code": "urbanismo", "name": "Urbanismo", "description": "Licencias",
        "channels": ["presencial", "videollamada"]})).status_code == 303
    servicio = (await catalog.list_servicios(tenant))[0]
    oficina = (await catalog.list_oficinas(tenant))[0]
    form = {"servicio": str(servicio.id), "oficina": str(oficina.id), "name": "Técnico",
            "attendees": "Arquitecta", "channels": ["presencial"], "slot_minutes": "30",
            "capacity": "2", **{f"h_{day}": ", ".join(r) for day, r in ALL_DAY.items()}}
    bad = await client.post(f"{base}/agendas", headers=headers,
                            data={**form, "h_lunes": "14:00-09:00"})
    assert bad.status_code == 422 and "Tramo horario &#39;14:00-09:00&#39; no válido" in bad.text
    overlap = await client.post(f"{base}/agendas", headers=headers,
                                data={**form, "h_martes": "09:00-12:00, 11:00-13:00"})
    assert overlap.status_code == 422 and "solapan" in overlap.text
    many = await client.post(f"{base}/agendas", headers=headers,
                             data={**form, "capacity": "muchas"})
    assert many.status_code == 422 and 'role="alert"' in many.text
    assert "No se ha podido enviar" in many.text
    assert "«Personas por franja» debe ser un número entero" in many.text
    assert 'href="#ag-capacity"' in many.text  # the summary leads to the input, marked
    assert 'aria-invalid="true" aria-describedby="ag-capacity-error"' in many.text
    for kept in ('name="name" value="Técnico"', 'value="muchas"', 'value="30"',
                 'value="presencial" checked', f'value="{servicio.id}" selected',
                 'name="h_lunes" value="00:00-24:00"'):
        assert kept in many.text, kept
    assert await Agenda.count().where(Agenda.tenant == tenant.id) == 0
    assert (await client.post(f"{base}/agendas", headers=headers,
                              data=form)).status_code == 303
    [agenda] = await catalog.list_agendas(tenant)
    assert (agenda.capacity, agenda.timetable["lunes"]) == (2, ["00:00-24:00"])

    day = tomorrow_at(0).date()
    assert (await client.post(f"{base}/agendas/{agenda.id}/excepciones", headers=headers, data={
        "date": day.isoformat(), "hours": "10:00-11:00", "reason": "Pleno"})).status_code == 303
    slots = (await availability(tenant, servicio, "presencial", {}, first_day=day,
                                days=1))[day]
    assert [s.starts_at for s in slots] == [tomorrow_at(10), tomorrow_at(10, 30)]
    assert all(s.free == 2 for s in slots)
    assert (await client.post(f"{base}/agendas/{agenda.id}/excepciones", headers=headers, data={
        "date": day.isoformat(), "hours": "", "reason": "Cerrado"})).status_code == 303
    assert day not in await availability(tenant, servicio, "presencial", {}, first_day=day,
                                         days=1)
    overview = await client.get(f"{base}/", headers=HTML)
    assert "Registro municipal" in overview.text and "Cerrado" in overview.text
    assert "no está cargado" in overview.text  # a test entity has no calendar loaded
    sede = await client.get(f"/sede/{tenant.slug}/cita_previa/", headers=HTML)
    assert "Urbanismo" in sede.text
    catalogue = await client.get(f"/sede/{tenant.slug}/tramites/", headers=HTML)
    assert "Cita previa" in catalogue.text


async def test_triage_routes_to_an_agenda(client, cita_tenant, login):
    setup = await cita_tenant()
    tenant = setup.tenant
    await login(client, tenant, "secretario")
    api = f"/api/v1/{tenant.slug}/cita_previa"
    second = await client.post(f"{api}/gestion/agendas", headers=await csrf_headers(client),
                               json={"servicio": setup.servicio.id, "oficina": setup.oficina,
                                     "name": "Extranjería", "channels": ["presencial"],
                                     "timetable": {"lunes": ["09:00-10:00"],
                                                   "martes": ["09:00-10:00"],
                                                   "miercoles": ["09:00-10:00"],
                                                   "jueves": ["09:00-10:00"],
                                                   "viernes": ["09:00-10:00"],
                                                   "sabado": ["09:00-10:00"],
                                                   "domingo": ["09:00-10:00"]}})
    assert second.status_code == 201, second.text
    triage = {"code": "padron", "name": "Padrón municipal",
              "channels": ["presencial", "telefono", "videollamada"], "triage": [{
                  "key": "nacionalidad", "text": "¿Tiene nacionalidad española?",
                  "options": [{"value": "si", "label": "Sí"},
                              {"value": "no", "label": "No",
                               "agenda": second.json()["id"]}]}]}
    changed = await client.put(f"{api}/gestion/servicios/{setup.servicio.id}", json=triage,
                               headers=await csrf_headers(client))
    assert changed.status_code == 200, changed.text
    day = tomorrow_at(0).date().isoformat()
    query = {"canal": "presencial", "fecha": day}
    missing = await client.get(f"{api}/servicios/padron/franjas", params=query)
    assert missing.status_code == 422 and "Responda" in missing.json()["detail"]
    foreign = await client.get(f"{api}/servicios/padron/franjas",
                               params={**query, "t_nacionalidad": "no"})
    assert {s["agenda"] for s in foreign.json()} == {second.json()["id"]}
    assert len(foreign.json()) == 4
    spanish = await client.get(f"{api}/servicios/padron/franjas",
                               params={**query, "t_nacionalidad": "si"})
    assert {s["agenda"] for s in spanish.json()} == {setup.agenda.id, second.json()["id"]}
    bad = await client.put(f"{api}/gestion/servicios/{setup.servicio.id}", json={
        **triage, "triage": [{**triage["triage"][0], "options": [
            {"value": "a", "label": "Aa", "agenda": 999999}, {"value": "b", "label": "Bb"}]}]},
        headers=await csrf_headers(client))
    assert bad.status_code == 422 and "agenda" in bad.json()["detail"]
    assert await Oficina.count().where(Oficina.tenant == tenant.id) == 1
