"""At the office: the day view, check-in, no-show marking and no-show statistics."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from core.identity.actor import Actor
from core.testing import csrf_headers
from plugins.cita_previa.schemas import LineaIn, ReservaIn
from plugins.cita_previa.services import booking
from plugins.cita_previa.services.common import ZONE, utcnow
from plugins.cita_previa.tests.helpers import make_nif, tomorrow_at

HTML = {"accept": "text/html"}


async def _cita(setup, starts_at, nif, name="Elena Sanz", now=None) -> int:
    """A confirmed cita (booked by a logged-in citizen), possibly in the past."""
    actor = Actor(kind="citizen", nif=nif, name=name)
    booked = await booking.book(setup.tenant, ReservaIn(name=name, lines=[LineaIn(
        servicio="padron", channel="presencial", agenda=setup.agenda.id,
        starts_at=starts_at)]), actor=actor, ip="10.2.2.2", now=now)
    return booked.reserva.citas[0].id


async def test_day_view_check_in_no_show_and_statistics(client, cita_tenant, login):
    setup = await cita_tenant({"per_nif_per_day": 50})
    tenant = setup.tenant
    past_day = datetime.now(ZONE).date() - timedelta(days=2)
    midnight = datetime.combine(past_day, time(), tzinfo=ZONE)
    past = [await _cita(setup, midnight + timedelta(hours=h), make_nif(n), now=midnight)
            for h, n in ((9, 61), (10, 61), (11, 62))]
    coming = await _cita(setup, tomorrow_at(9), make_nif(63), name="Jorge Mar")
    await login(client, tenant, "secretario")
    headers = {**HTML, **await csrf_headers(client)}
    base = f"/{tenant.slug}/cita_previa"

    day = await client.get(f"{base}/dia", params={"oficina": setup.oficina,
                                                  "fecha": past_day.isoformat()}, headers=HTML)
    assert day.status_code == 200 and day.text.count("Elena Sanz") == 3
    for cita in past[:2]:
        marked = await client.post(f"{base}/citas/{cita}/no-presentada", headers=headers)
        assert marked.status_code == 303
        assert marked.headers["location"].endswith(f"fecha={past_day.isoformat()}")
    assert (await client.post(f"{base}/citas/{past[2]}/llegada",
                              headers=headers)).status_code == 303
    early = await client.post(f"{base}/citas/{coming}/no-presentada", headers=headers)
    assert early.status_code == 422 and "Aún no es la hora" in early.text
    assert (await client.post(f"{base}/citas/{coming}/llegada",
                              headers=headers)).status_code == 303
    again = await client.post(f"{base}/citas/{coming}/llegada", headers=headers)
    assert again.status_code == 422

    listed = await client.get(f"/api/v1/{tenant.slug}/cita_previa/gestion/dia",
                              params={"oficina": setup.oficina, "fecha": past_day.isoformat()})
    assert [c["state"] for c in listed.json()] == ["no_presentada", "no_presentada", "atendida"]
    assert listed.json()[2]["checked_in_at"] is not None
    stats = await client.get(f"/api/v1/{tenant.slug}/cita_previa/gestion/estadisticas",
                             params={"desde": past_day.isoformat(),
                                     "hasta": (past_day + timedelta(days=3)).isoformat()})
    body = stats.json()
    assert body["rows"] == [{"servicio": "Padrón municipal", "channel": "presencial",
                             "total": 4, "atendidas": 2, "no_presentadas": 2,
                             "canceladas": 0, "no_show_rate": 0.5}]
    assert body["repeat_no_show_people"] == 1
    page = await client.get(f"{base}/estadisticas", params={
        "desde": past_day.isoformat(), "hasta": utcnow().date().isoformat()}, headers=HTML)
    assert page.status_code == 200 and "Padrón municipal" in page.text
    dashboard = await client.get(f"/{tenant.slug}/", headers=HTML)
    assert "Cita previa" in dashboard.text


async def test_attending_needs_the_permission_and_the_tenant(client, cita_tenant, login):
    mine, theirs = await cita_tenant(), await cita_tenant()
    foreign = await _cita(theirs, tomorrow_at(10), make_nif(71))
    own = await _cita(mine, tomorrow_at(10), make_nif(72))
    await login(client, mine.tenant, "read_only")
    headers = await csrf_headers(client)
    api = f"/api/v1/{mine.tenant.slug}/cita_previa/gestion"
    assert (await client.post(f"{api}/citas/{own}/llegada", headers=headers)).status_code == 403
    assert (await client.get(f"{api}/dia", params={
        "oficina": mine.oficina, "fecha": tomorrow_at(0).date().isoformat()})).status_code == 200
    await login(client, mine.tenant, "secretario")
    headers = await csrf_headers(client)
    for response in (
        await client.post(f"{api}/citas/{foreign}/llegada", headers=headers),
        await client.get(f"{api}/citas/{foreign}/video"),
        await client.get(f"{api}/dia", params={"oficina": theirs.oficina,
                                                "fecha": tomorrow_at(0).date().isoformat()}),
        await client.post(f"/{mine.tenant.slug}/cita_previa/citas/{foreign}/llegada",
                          headers=headers),
    ):
        assert response.status_code == 404
