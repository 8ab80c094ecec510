"""The citizen's booking on the sede, end to end over HTTP: service → channel → day → slot
→ code by email → confirmed → .ics → change → cancel (the browser suite's flow, at HTTP
level until ``tests/browser/`` exists)."""

from __future__ import annotations

from core.testing import csrf_headers
from plugins.cita_previa.services import queries
from plugins.cita_previa.services.common import local
from plugins.cita_previa.tables import Cita, Franja, Reserva
from plugins.cita_previa.tests.helpers import ics_of, inbox_code, make_nif, slots_tomorrow

HTML = {"accept": "text/html"}


async def test_anonymous_booking_confirmed_by_code_changed_and_cancelled(
        client, cita_tenant, inbox, drain):
    setup = await cita_tenant()
    tenant, base = setup.tenant, f"/sede/{setup.tenant.slug}/cita_previa"
    index = await client.get(f"{base}/", headers=HTML)
    assert index.status_code == 200 and "Padrón municipal" in index.text
    service = await client.get(f"{base}/servicios/padron", headers=HTML)
    assert 'value="videollamada"' in service.text
    slot = (await slots_tomorrow(setup))[20]
    day = local(slot.starts_at).date().isoformat()
    page = await client.get(f"{base}/servicios/padron/franjas",
                            params={"canal": "presencial", "fecha": day}, headers=HTML)
    value = f"{slot.agenda}|{slot.starts_at.isoformat()}"
    assert value in page.text

    nif = make_nif(12345678)
    booked = await client.post(f"{base}/servicios/padron/franjas", headers={
        **HTML, **await csrf_headers(client)}, data={
        "canal": "presencial", "fecha": day, "franja": value, "name": "Lucía Pérez",
        "nif": nif.lower(), "email": "lucia@example.org", "phone": ""})
    assert booked.status_code == 303, booked.text
    manage = booked.headers["location"]
    pending = await client.get(manage, headers=HTML)
    assert "Confirme la cita" in pending.text

    code = inbox_code(inbox, "lucia@example.org")
    assert manage in inbox.one("lucia@example.org", "código").get_content()
    wrong = f"{int(code) + 1:06d}"[-6:]
    refused = await client.post(f"{manage}/confirmar", data={"code": wrong},
                                headers={**HTML, **await csrf_headers(client)})
    assert refused.status_code == 422 and "no es correcto" in refused.text
    confirmed = await client.post(f"{manage}/confirmar", data={"code": code},
                                  headers={**HTML, **await csrf_headers(client)})
    assert confirmed.status_code == 303
    await drain()

    mail = inbox.one("lucia@example.org", "confirmada")
    reserva_row = await Reserva.select().where(Reserva.tenant == tenant.id).first()
    assert reserva_row["localizador"] in mail.get_body(("plain",)).get_content()
    calendar = ics_of(mail)
    assert str(calendar["method"]) == "PUBLISH"
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == slot.starts_at
    assert event.decoded("dtend") == slot.ends_at
    assert str(event["summary"]) == "Cita previa: Padrón municipal"
    assert str(event["location"]) == "Oficina de atención, Plaza Mayor 1"
    assert str(event["status"]) == "CONFIRMED" and int(event["sequence"]) == 0
    assert str(event["url"]).endswith(manage)
    assert str(event["uid"]).endswith(f".{tenant.slug}@concejo")
    assert [a["action"] for a in event.walk("VALARM")] == ["DISPLAY"]

    # the link in the email manages the booking: change to another slot
    new = (await slots_tomorrow(setup))[30]
    cita = await Cita.select(Cita.id).where(Cita.tenant == tenant.id).first()
    changed = await client.post(
        f"{manage}/citas/{cita['id']}/cambiar",
        data={"franja": f"{new.agenda}|{new.starts_at.isoformat()}"},
        headers={**HTML, **await csrf_headers(client)})
    assert changed.status_code == 303, changed.text
    await drain()
    moved = ics_of(inbox.one("lucia@example.org", "cambiada")).walk("VEVENT")[0]
    assert moved.decoded("dtstart") == new.starts_at and int(moved["sequence"]) == 1
    assert str(moved["uid"]) == str(event["uid"])
    places = {r["starts_at"]: r["booked"] for r in await Franja.select().where(
        Franja.tenant == tenant.id)}
    assert sorted(places.values()) == [0, 1]

    # ... and cancel it: the place is free again and the calendar gets a CANCEL
    cancelled = await client.post(f"{manage}/anular", data={},
                                  headers={**HTML, **await csrf_headers(client)})
    assert cancelled.status_code == 303
    await drain()
    gone = ics_of(inbox.one("lucia@example.org", "anulada"))
    assert str(gone["method"]) == "CANCEL"
    assert str(gone.walk("VEVENT")[0]["status"]) == "CANCELLED"
    assert {r["booked"] for r in await Franja.select().where(Franja.tenant == tenant.id)} == {0}
    reserva = await queries.get_reserva(tenant, reserva_row["localizador"])
    assert [c.state for c in reserva.citas] == ["cancelada"]
    ics_file = await client.get(f"{manage}/cita.ics")
    assert ics_file.headers["content-type"].startswith("text/calendar")


async def test_bad_input_shows_a_readable_page_and_saves_nothing(client, cita_tenant, inbox):
    setup = await cita_tenant()
    base = f"/sede/{setup.tenant.slug}/cita_previa"
    slot = (await slots_tomorrow(setup))[5]
    form = {"canal": "presencial", "franja": f"{slot.agenda}|{slot.starts_at.isoformat()}",
            "name": "Pedro", "nif": "12345678A", "email": "pedro@example.org"}
    cases = [({}, "no es válido"), ({"nif": make_nif(1), "email": ""}, "correo"),
             ({"nif": make_nif(1), "franja": "x|y"}, "Elija una franja"),
             ({"nif": make_nif(1), "canal": "telefono"}, "teléfono"),
             ({"nif": make_nif(1), "otra_nombre_1": "Ana", "otra_nif_1": "1"}, "no es válido"),
             ({"nif": make_nif(1), "email": "pedro@"}, "No se ha podido enviar")]
    for changes, message in cases:
        response = await client.post(f"{base}/servicios/padron/franjas",
                                     data={**form, **changes},
                                     headers={**HTML, **await csrf_headers(client)})
        assert response.status_code == 422, response.text
        assert message in response.text
        assert 'value="Pedro"' in response.text  # the form keeps what was typed
    assert await Reserva.count().where(Reserva.tenant == setup.tenant.id) == 0
    assert await Franja.count().where((Franja.tenant == setup.tenant.id)
                                      & (Franja.booked > 0)) == 0
    assert inbox.messages == []
