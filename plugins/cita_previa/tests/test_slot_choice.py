"""The sede's time-slot choice: one radio per cell with the time as its label, a video
call's slots labelled as videollamada (not with the office), every wrong contact field
named next to its input."""

from __future__ import annotations

import re

from core.testing import csrf_headers
from plugins.cita_previa.services.common import local
from plugins.cita_previa.tests.helpers import make_nif, slots_tomorrow

HTML = {"accept": "text/html"}


async def _franjas(client, setup, channel: str) -> str:
    slot = (await slots_tomorrow(setup, channel))[0]
    response = await client.get(
        f"/sede/{setup.tenant.slug}/cita_previa/servicios/padron/franjas",
        params={"canal": channel, "fecha": local(slot.starts_at).date().isoformat()},
        headers=HTML)
    assert response.status_code == 200
    return response.text


async def test_each_slot_is_its_own_labelled_choice(client, cita_tenant):
    setup = await cita_tenant()
    text = await _franjas(client, setup, "presencial")
    radios = re.findall(r'<li><input type="radio" id="(franja-\d+)" name="franja"', text)
    labels = re.findall(r'<label for="(franja-\d+)"><span class="time">(\d\d:\d\d)–\d\d:\d\d',
                        text)
    assert len(radios) > 10 and radios == [id_ for id_, _ in labels]
    assert '<ul class="slots">' in text and "Oficina de atención" in text


async def test_video_call_slots_say_videollamada_not_the_office(client, cita_tenant):
    setup = await cita_tenant()
    text = await _franjas(client, setup, "videollamada")
    slots = text[text.index('<ul class="slots">'):text.index("</ul>", text.index('class="slots"'))]
    assert "Videollamada" in slots and "Oficina de atención" not in slots


async def test_a_refused_booking_names_every_wrong_contact_field(client, cita_tenant):
    setup = await cita_tenant()
    slot = (await slots_tomorrow(setup))[3]
    refused = await client.post(
        f"/sede/{setup.tenant.slug}/cita_previa/servicios/padron/franjas",
        headers={**HTML, **await csrf_headers(client)},
        data={"canal": "presencial", "fecha": local(slot.starts_at).date().isoformat(),
              "franja": f"{slot.agenda}|{slot.starts_at.isoformat()}", "name": "P",
              "nif": make_nif(7), "email": "pedro@", "phone": ""})
    assert refused.status_code == 422
    assert 'href="#name"' in refused.text and 'href="#email"' in refused.text
    assert 'aria-invalid="true" aria-describedby="email-error"' in refused.text
    assert refused.text.count('name="franja"') > 1 and " checked>" in refused.text  # kept
