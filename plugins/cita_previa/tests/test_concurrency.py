"""No double booking: 50 simultaneous bookings of one slot of capacity 1, over HTTP, on
whichever database the suite runs (SQLite by default, PostgreSQL with
``CONCEJO_TEST_DATABASE_URL``)."""

from __future__ import annotations

import asyncio

from core.testing import csrf_headers
from plugins.cita_previa.tables import Cita, Franja, Reserva
from plugins.cita_previa.tests.helpers import make_nif, slots_tomorrow

LOTS = {"per_ip_per_hour": 1000, "per_nif_per_day": 1000}


async def test_fifty_simultaneous_bookings_of_one_place_make_one_cita(client, cita_tenant):
    setup = await cita_tenant(LOTS, capacity=1)
    slot = (await slots_tomorrow(setup))[0]
    headers = await csrf_headers(client)
    url = f"/api/v1/{setup.tenant.slug}/cita_previa/reservas"

    async def book(n: int):
        return await client.post(url, headers=headers, json={
            "name": f"Persona {n}", "nif": make_nif(40_000_000 + n),
            "email": f"p{n}@example.org", "lines": [{
                "servicio": "padron", "channel": "presencial", "agenda": slot.agenda,
                "starts_at": slot.starts_at.isoformat()}]})

    responses = await asyncio.gather(*(book(n) for n in range(50)))
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [422] * 49, codes
    refused = [r for r in responses if r.status_code == 422]
    assert all("completa" in r.json()["detail"] for r in refused)
    [franja] = await Franja.select().where(Franja.tenant == setup.tenant.id)
    assert (franja["booked"], franja["capacity"]) == (1, 1)
    assert await Cita.count().where(Cita.tenant == setup.tenant.id) == 1
    assert await Reserva.count().where(Reserva.tenant == setup.tenant.id) == 1


async def test_a_booking_takes_all_its_places_or_none(client, cita_tenant):
    setup = await cita_tenant(LOTS, capacity=2)
    first, second = (await slots_tomorrow(setup))[:2]
    headers = await csrf_headers(client)
    url = f"/api/v1/{setup.tenant.slug}/cita_previa/reservas"

    def line(slot, **person):
        return {"servicio": "padron", "channel": "presencial", "agenda": slot.agenda,
                "starts_at": slot.starts_at.isoformat(), **person}

    # the second slot has one place left; a family of two wants it after the first
    taken = await client.post(url, headers=headers, json={
        "name": "Otra", "nif": make_nif(1), "email": "o@example.org", "lines": [line(second)]})
    assert taken.status_code == 201
    family = await client.post(url, headers=headers, json={
        "name": "Ana", "nif": make_nif(2), "email": "a@example.org", "lines": [
            line(first), line(second),
            line(second, person_name="Hijo de Ana", person_nif=make_nif(3))]})
    assert family.status_code == 422 and "completa" in family.json()["detail"]
    places = [r["booked"] for r in await Franja.select().where(Franja.tenant == setup.tenant.id)]
    assert sum(places) == 1  # only the other person's: Ana's first place was given back
    assert await Cita.count().where(Cita.tenant == setup.tenant.id) == 1
