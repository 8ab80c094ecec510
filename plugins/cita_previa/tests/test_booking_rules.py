"""Booking rules over the JSON API: several services and people, citizens, tenant walls,
rate limits, the cap of open citas, code attempts and lapsed bookings."""

from __future__ import annotations

from datetime import timedelta

from core.identity.actor import ANONYMOUS
from core.identity.sessions import open_session
from core.testing import csrf_headers
from core.web.kernel_hooks import SESSION_COOKIE
from plugins.cita_previa.schemas import AgendaIn, LineaIn, ReservaIn, ServicioIn
from plugins.cita_previa.services import booking, catalog
from plugins.cita_previa.services.common import local, utcnow
from plugins.cita_previa.services.slots import availability
from plugins.cita_previa.tables import Cita, Franja, Reserva
from plugins.cita_previa.tests.helpers import (
    ALL_DAY,
    ics_of,
    inbox_code,
    make_nif,
    slots_tomorrow,
)


def _line(slot, servicio="padron", channel="presencial", **extra):
    return {"servicio": servicio, "channel": channel, "agenda": slot.agenda,
            "starts_at": slot.starts_at.isoformat(), **extra}


async def _book(client, tenant, **body):
    body = {"name": "Marta Gil", "nif": make_nif(7), "email": "marta@example.org", **body}
    return await client.post(f"/api/v1/{tenant.slug}/cita_previa/reservas", json=body,
                             headers=await csrf_headers(client))


async def test_several_services_and_people_in_one_booking(client, cita_tenant, inbox, drain):
    setup = await cita_tenant(capacity=3)
    tenant = setup.tenant
    registro = await catalog.create_servicio(tenant, ServicioIn(
        code="registro", name="Registro general", channels=["presencial"]), actor="t")
    await catalog.create_agenda(tenant, AgendaIn(
        servicio=registro.id, oficina=setup.oficina, name="Registro", channels=["presencial"],
        timetable=ALL_DAY, slot_minutes=10), actor="t")
    padron_slot = (await slots_tomorrow(setup))[10]
    day = local(padron_slot.starts_at).date()
    registro_slot = next(s for s in (await availability(
        tenant, registro, "presencial", {}, first_day=day, days=1))[day]
        if s.starts_at >= padron_slot.ends_at)
    response = await _book(client, tenant, lines=[
        _line(padron_slot), _line(padron_slot, person_name="Pablo Gil", person_nif=make_nif(8)),
        _line(registro_slot, servicio="registro")])
    assert response.status_code == 201, response.text
    created = response.json()
    citas = created["reserva"]["citas"]
    assert [(c["servicio"], c["person_name"]) for c in citas] == [
        ("padron", "Marta Gil"), ("padron", "Pablo Gil"), ("registro", "Marta Gil")]
    assert {c["state"] for c in citas} == {"pendiente"}
    token = created["token"]
    code = inbox_code(inbox, "marta@example.org")
    confirmed = await client.post(f"/api/v1/{tenant.slug}/cita_previa/reservas/{token}/confirmar",
                                  json={"code": code}, headers=await csrf_headers(client))
    assert confirmed.status_code == 200 and confirmed.json()["confirmed"] is True
    await drain()
    mail = inbox.one("marta@example.org", "confirmada")
    assert len(ics_of(mail).walk("VEVENT")) == 3
    booked = sorted(r["booked"] for r in await Franja.select().where(Franja.tenant == tenant.id))
    assert booked == [1, 2]


async def test_a_logged_in_citizen_is_confirmed_at_once(client, cita_tenant, inbox, drain):
    setup = await cita_tenant()
    nif = make_nif(55)
    client.cookies.set(SESSION_COOKIE, await open_session(
        kind="citizen", provider="test", nif=nif, name="Carmen Ruiz"))
    slot = (await slots_tomorrow(setup))[3]
    response = await _book(client, setup.tenant, nif="", name="Carmen Ruiz",
                           email="carmen@example.org", lines=[_line(slot)])
    assert response.status_code == 201, response.text
    reserva = response.json()["reserva"]
    assert reserva["confirmed"] is True and reserva["citas"][0]["person_nif"] == nif
    await drain()
    assert inbox.to("carmen@example.org", "código") == []
    assert len(inbox.to("carmen@example.org", "confirmada")) == 1
    carpeta = await client.get(f"/sede/{setup.tenant.slug}/carpeta/",
                               headers={"accept": "text/html"})
    assert carpeta.status_code == 200 and "Mis citas" in carpeta.text
    assert reserva["localizador"] in carpeta.text


async def test_problems_for_bad_input_and_404_for_other_tenants(client, cita_tenant, inbox):
    mine, theirs = await cita_tenant(), await cita_tenant()
    slot = (await slots_tomorrow(mine))[1]
    cases = [({"nif": "00000000A", "lines": [_line(slot)]}, "NIF"),
             ({"lines": [_line(slot, channel="fax")]}, "channel"),
             ({"lines": []}, "lines"),
             ({"lines": [_line(slot, servicio="nada")]}, "Not found"),
             ({"lines": [_line(slot, agenda=999999)]}, "agenda"),
             ({"lines": [{**_line(slot), "starts_at": "2020-01-01T10:00:00+00:00"}]}, "plazo"),
             ({"lines": [{**_line(slot), "starts_at": (slot.starts_at + timedelta(
                 minutes=7)).isoformat()}]}, "no atiende a esa hora")]
    for body, message in cases:
        response = await _book(client, mine.tenant, **body)
        assert response.status_code in (400, 404, 422), response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert message in response.text
    assert await Reserva.count().where(Reserva.tenant == mine.tenant.id) == 0

    foreign = await _book(client, theirs.tenant,
                          lines=[_line((await slots_tomorrow(theirs))[1])])
    token = foreign.json()["token"]
    for response in (
        await client.get(f"/api/v1/{mine.tenant.slug}/cita_previa/reservas/{token}"),
        await client.post(f"/api/v1/{mine.tenant.slug}/cita_previa/reservas/{token}/anular",
                          json={}, headers=await csrf_headers(client)),
        await client.get(f"/sede/{mine.tenant.slug}/cita_previa/reservas/{token}"),
        await client.get(f"/api/v1/{mine.tenant.slug}/cita_previa/reservas/not-a-token"),
        # a token of another booking cannot reach this booking's citas
        await client.get(f"/api/v1/{theirs.tenant.slug}/cita_previa/reservas/{token}/citas/"
                         f"{await _other_cita(theirs)}/video"),
    ):
        assert response.status_code == 404


async def _other_cita(setup) -> int:
    row = await booking.book(setup.tenant, ReservaIn(
        name="Otro", nif=make_nif(99), email="otro@example.org", lines=[LineaIn(
            servicio="padron", channel="presencial", agenda=setup.agenda.id,
            starts_at=(await slots_tomorrow(setup))[2].starts_at)]),
        actor=ANONYMOUS, ip="10.0.0.9")
    return row.reserva.citas[0].id


async def test_rate_limits_per_address_and_per_nif(client, cita_tenant, inbox):
    setup = await cita_tenant({"per_ip_per_hour": 3, "per_nif_per_day": 2,
                               "max_open_per_person": 10})
    slots = await slots_tomorrow(setup)
    statuses = [(await _book(client, setup.tenant, nif=make_nif(200 + n),
                             lines=[_line(slots[n])])).status_code for n in range(4)]
    assert statuses == [201, 201, 201, 429]

    other = await cita_tenant({"per_nif_per_day": 2, "max_open_per_person": 10})
    slots = await slots_tomorrow(other)
    statuses = [(await _book(client, other.tenant, lines=[_line(slots[n])])).status_code
                for n in range(3)]
    assert statuses == [201, 201, 429]
    limited = await _book(client, other.tenant, lines=[_line(slots[5])])
    assert "Demasiados intentos" in limited.json()["detail"]


async def test_cap_of_open_citas_per_person(client, cita_tenant, inbox):
    setup = await cita_tenant({"max_open_per_person": 2})
    slots = await slots_tomorrow(setup)
    assert (await _book(client, setup.tenant, lines=[_line(slots[0]),
                                                     _line(slots[1])])).status_code == 201
    third = await _book(client, setup.tenant, lines=[_line(slots[2])])
    assert third.status_code == 422 and "como máximo 2" in third.json()["detail"]
    # another person in the same booking is counted on their own NIF
    ok = await _book(client, setup.tenant, nif=make_nif(8), lines=[_line(slots[3])])
    assert ok.status_code == 201


async def test_wrong_codes_lock_the_booking_and_unconfirmed_ones_lapse(client, cita_tenant,
                                                                        inbox):
    setup = await cita_tenant({"code_attempts": 3})
    slot = (await slots_tomorrow(setup))[0]
    created = (await _book(client, setup.tenant, lines=[_line(slot)])).json()
    code = inbox_code(inbox, "marta@example.org")
    url = f"/api/v1/{setup.tenant.slug}/cita_previa/reservas/{created['token']}/confirmar"
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        response = await client.post(url, json={"code": wrong},
                                     headers=await csrf_headers(client))
        assert response.status_code == 422
    locked = await client.post(url, json={"code": code}, headers=await csrf_headers(client))
    assert locked.status_code == 429

    other = (await _book(client, setup.tenant, nif=make_nif(9),
                         lines=[_line((await slots_tomorrow(setup))[1])])).json()
    assert other["reserva"]["citas"][0]["state"] == "pendiente"
    assert await booking.expire_pending(setup.tenant, now=utcnow() + timedelta(hours=1)) == 2
    states = {r["state"] for r in await Cita.select(Cita.state).where(
        Cita.tenant == setup.tenant.id)}
    assert states == {"caducada"}
    assert {r["booked"] for r in await Franja.select().where(
        Franja.tenant == setup.tenant.id)} == {0}
    late = await client.post(
        f"/api/v1/{setup.tenant.slug}/cita_previa/reservas/{other['token']}/confirmar",
        json={"code": "123456"}, headers=await csrf_headers(client))
    assert late.status_code == 422 and "caducado" in late.json()["detail"]
