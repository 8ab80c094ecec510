"""Asientos: numbering, official dates, interesados, anexos, search, annul and rectify."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from core.audit.log import verify
from core.audit.tables import AuditEntry
from core.calendar_app.services import DayIn, add_registro_closure, load_year
from core.testing import csrf_headers
from plugins.registro import officialtime, services
from plugins.registro.schemas import InteresadoIn, Persona, Rectificacion, Search
from plugins.registro.tests.conftest import PDF, solicitud

MADRID = ZoneInfo("Europe/Madrid")
ENTRADA = {
    "extracto": "Solicitud de licencia de obra menor",
    "interesados": [{"document": "12345678z", "name": "José María", "first_surname": "Peña",
                     "representante": {"document": "B42000000",
                                       "business_name": "Gestoría Ñandú, S.L."}}],
}


async def post(client, entity, path, body):
    return await client.post(f"{entity.api}{path}", json=body,
                             headers=await csrf_headers(client))


async def test_entries_are_numbered_per_year_and_direction(client, make_entity, staff):
    entity = await make_entity()
    await staff(client, entity.tenant, "registro")
    first = await post(client, entity, "/asientos",
                       {**ENTRADA, "unidad_destino": entity.urbanismo})
    assert first.status_code == 201, first.text
    body = first.json()
    year = datetime.now(MADRID).year
    assert body["numero"] == f"{year}-E-000001" and body["channel"] == "presencial"
    assert body["oficina"] == entity.oficina
    interesado = body["interesados"][0]
    assert (interesado["document"], interesado["document_type"]) == ("12345678Z", "N")
    assert interesado["representante"]["document_type"] == "C"
    assert body["distribution_state"] == "distribuido"
    second = await post(client, entity, "/asientos", ENTRADA)
    salida = await post(client, entity, "/asientos", {**ENTRADA, "direction": "salida"})
    assert second.json()["numero"] == f"{year}-E-000002"
    assert second.json()["distribution_state"] == "pendiente"
    assert salida.json()["numero"] == f"{year}-S-000001"
    assert await verify(entity.tenant.id) is None
    audited = await AuditEntry.count().where((AuditEntry.tenant == entity.tenant.id)
                                             & (AuditEntry.action == "registro.registered"))
    assert audited == 3


async def test_official_date_moves_to_the_next_working_day(make_entity):
    soria = await make_entity(community="CL")  # Castilla y León, calendar not loaded yet
    await add_registro_closure(soria.tenant, DayIn(date=date(2026, 12, 1), name="Obras"),
                               actor="t")
    saturday = datetime(2026, 12, 5, 10, 30, tzinfo=MADRID)
    closed = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    wednesday = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    for loaded in (False, True):
        if loaded:
            await load_year(2026, community="CL", actor="t")
            officialtime._calendars.clear()  # as if the cache had expired
        moved = await services.register(soria.tenant, solicitud(), channel="sede", actor="t",
                                         now=saturday)
        # Sun 6 Dec; Mon 7 (Constitución moved in Castilla y León); Tue 8 Inmaculada
        assert moved.received_at == saturday
        assert moved.official_at == datetime(2026, 12, 9, 0, 0, tzinfo=MADRID)
        on_closure = await services.register(soria.tenant, solicitud(), channel="sede",
                                             actor="t", now=closed)
        assert on_closure.official_at == datetime(2026, 12, 2, 0, 0, tzinfo=MADRID)
        kept = await services.register(soria.tenant, solicitud(), channel="sede", actor="t",
                                       now=wednesday)
        assert kept.official_at == kept.received_at == wednesday


async def test_bad_input_is_refused_and_takes_no_number(client, make_entity, staff):
    entity = await make_entity()
    await staff(client, entity.tenant, "registro")
    person = ENTRADA["interesados"][0]
    cases = [
        ({"interesados": [{**person, "document": "12345678A"}]}, "NIF"),
        ({"interesados": [{"document": "12345678Z", "name": "José"}]}, "primer apellido"),
        ({"interesados": [{**person, "representante": {"document": "X0000000A",
                                                       "name": "A", "first_surname": "B"}}]},
         "Representante del interesado 1"),
        ({"unidad_destino": "A99999999"}, "no es una unidad"),
        ({"oficina": "O99999999"}, "no es una oficina"),
        ({"extracto": "x"}, "extracto"),
        ({"interesados": []}, "interesados"),
        ({"sorpresa": 1}, "sorpresa"),
        ({"anexos": [{"filename": "carta.pdf", "content": base64.b64encode(b"hola").decode()}]},
         "carta.pdf"),
    ]
    for change, message in cases:
        response = await post(client, entity, "/asientos", {**ENTRADA, **change})
        assert response.status_code in (400, 422), (change, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert message in response.text, (message, response.text)
    assert (await services.search(entity.tenant, Search()))[1] == 0
    good = await post(client, entity, "/asientos", ENTRADA)
    assert good.json()["number"] == 1


async def test_anexos_keep_their_hash_and_content(client, make_entity, staff):
    entity = await make_entity()
    await staff(client, entity.tenant, "registro")
    anexo = {"filename": "solicitud.pdf", "content": base64.b64encode(PDF).decode(),
             "validez": "04"}
    created = (await post(client, entity, "/asientos", {**ENTRADA, "anexos": [anexo]})).json()
    (stored,) = created["anexos"]
    assert stored["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert (stored["mime"], stored["size"], stored["validez"]) == ("application/pdf",
                                                                   len(PDF), "04")
    download = await client.get(f"{entity.api}/asientos/{created['id']}/anexos/0")
    assert download.content == PDF
    assert download.headers["content-type"].startswith("application/pdf")


async def test_annul_and_rectify_keep_the_number_and_say_why(client, make_entity, staff):
    entity = await make_entity()
    await staff(client, entity.tenant, "registro")
    created = (await post(client, entity, "/asientos", ENTRADA)).json()
    url = f"/asientos/{created['id']}"
    fixed = await post(client, entity, f"{url}/rectificar", {
        "reason": "Error en el extracto y en el segundo apellido",
        "extracto": "Solicitud de licencia de obra mayor",
        "interesados": [{**ENTRADA["interesados"][0], "second_surname": "Muñoz"}]})
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["extracto"] == "Solicitud de licencia de obra mayor"
    assert fixed.json()["interesados"][0]["second_surname"] == "Muñoz"
    assert fixed.json()["numero"] == created["numero"] and fixed.json()["rectifications"] == 1
    history = (await client.get(f"{entity.api}{url}/rectificaciones")).json()
    assert history[0]["before"]["extracto"] == created["extracto"]
    assert history[0]["after"]["interesados"][0]["second_surname"] == "Muñoz"
    same = await post(client, entity, f"{url}/rectificar",
                      {"reason": "nada", "extracto": "Solicitud de licencia de obra mayor"})
    assert same.status_code == 422 and "no cambia nada" in same.text
    annulled = await post(client, entity, f"{url}/anular", {"reason": "Duplicado del 2"})
    assert annulled.json()["state"] == "anulado"
    assert annulled.json()["annul_reason"] == "Duplicado del 2"
    again = await post(client, entity, f"{url}/anular", {"reason": "otra vez"})
    assert again.status_code == 422 and "ya está anulado" in again.text
    late = await post(client, entity, f"{url}/rectificar", {"reason": "tarde", "extracto": "Otro"})
    assert late.status_code == 422
    actions = [r["action"] for r in await AuditEntry.select(AuditEntry.action).where(
        (AuditEntry.tenant == entity.tenant.id) & AuditEntry.action.is_in(
            ["registro.registered", "registro.rectified", "registro.annulled"])
    ).order_by(AuditEntry.seq)]
    assert actions == ["registro.registered", "registro.rectified", "registro.annulled"]
    assert await verify(entity.tenant.id) is None


async def test_search_filters_and_interesado_look_up(client, make_entity, staff):
    entity = await make_entity()
    await staff(client, entity.tenant, "registro")
    await post(client, entity, "/asientos", ENTRADA)
    other = {"extracto": "Reclamación por daños en la vía pública",
             "interesados": [{"document": "X1234567L", "name": "Zoë", "first_surname": "Ruiz"}]}
    second = (await post(client, entity, "/asientos", other)).json()
    await post(client, entity, "/asientos", {**other, "direction": "salida"})

    async def numbers(**query):
        page = (await client.get(f"{entity.api}/asientos", params=query)).json()
        return sorted(item["numero"] for item in page["items"]), page["total"]

    year = second["year"]
    assert (await numbers(q="vía daños"))[1] == 2
    assert await numbers(q="vía", direction="entrada") == ([second["numero"]], 1)
    assert await numbers(documento="x-1234567-l", direction="entrada") == ([second["numero"]], 1)
    assert (await numbers(q=f"{year}-E-1"))[0] == [f"{year}-E-000001"]
    assert (await numbers(desde="2000-01-01", hasta="2000-12-31"))[1] == 0
    assert (await numbers(per_page=1))[1] == 3
    bad = await client.get(f"{entity.api}/asientos", params={"desde": "ayer"})
    assert bad.status_code == 400
    found = await client.get(f"{entity.api}/interesados/X1234567L")
    assert found.json()["name"] == "Zoë" and found.json()["document_type"] == "E"
    assert (await client.get(f"{entity.api}/interesados/00000000T")).status_code == 404


async def test_other_tenants_ids_answer_404(client, make_entity, staff):
    mine, theirs = await make_entity(), await make_entity()
    foreign = await services.register(theirs.tenant, solicitud(), channel="presencial",
                                      actor="t")
    await staff(client, mine.tenant, "secretario")
    base = f"{mine.api}/asientos/{foreign.id}"
    for response in (
        await client.get(base),
        await client.get(f"{base}/justificante"),
        await client.get(f"{base}/anexos/0"),
        await post(client, mine, f"/asientos/{foreign.id}/anular", {"reason": "no es mío"}),
        await post(client, mine, f"/asientos/{foreign.id}/rectificar",
                   {"reason": "no es mío", "extracto": "Cambiado"}),
    ):
        assert response.status_code == 404, response.text
    assert (await services.get(theirs.tenant, foreign.id)).state == "vigente"
    assert (await client.get(f"{mine.api}/interesados/12345678Z")).status_code == 404


async def test_permissions(client, make_entity, staff):
    entity = await make_entity()
    await staff(client, entity.tenant, "read_only")
    assert (await post(client, entity, "/asientos", ENTRADA)).status_code == 403
    assert (await client.get(f"{entity.api}/asientos")).status_code == 200
    created = await services.register(entity.tenant, solicitud(unidad_destino=entity.urbanismo),
                                      channel="presencial", actor="t")
    await staff(client, entity.tenant, "tramitador")  # a unit's staff take their entradas
    taken = await post(client, entity, f"/asientos/{created.id}/aceptar", {})
    assert taken.status_code == 200 and taken.json()["distribution_state"] == "aceptado"
    assert (await post(client, entity, "/asientos", ENTRADA)).status_code == 403


async def test_service_rectify_needs_a_real_change(make_entity):
    entity = await make_entity()
    created = await services.register(entity.tenant, solicitud(), channel="presencial",
                                      actor="t")
    same = [InteresadoIn(**{**{f: getattr(created.interesados[0], f)
                               for f in Persona.__struct_fields__}})]
    try:
        await services.rectify(entity.tenant, created.id,
                               Rectificacion(reason="igual", interesados=same), actor="t")
    except services.InvalidAsiento as exc:
        assert "no cambia nada" in str(exc)
    else:
        raise AssertionError("a rectification without changes was accepted")
