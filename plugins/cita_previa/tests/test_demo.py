"""The demo province offers cita previa in two entities, with bookable slots and triage."""

from __future__ import annotations

from core.demo import load_demo
from core.tenancy.context import tenant_by_slug
from plugins.cita_previa.services import catalog
from plugins.cita_previa.services.slots import availability


async def test_demo_has_bookable_services_in_two_entities(concejo_app):
    await load_demo()
    await load_demo()  # loading twice changes nothing
    for slug in ("soria", "olvega"):
        tenant = await tenant_by_slug(slug)
        assert tenant.is_enabled("cita_previa")
        assert tenant.settings_for("cita_previa")["jitsi_secret"]
        servicios = {s.code: s for s in await catalog.list_servicios(tenant)}
        assert sorted(servicios) == ["padron", "registro", "urbanismo"]
        assert len(await catalog.list_agendas(tenant)) == 4
        padron = await availability(tenant, servicios["padron"], "presencial", {}, days=14)
        assert sum(len(slots) for slots in padron.values()) > 20
        assert all(day.weekday() < 5 for day in padron)
        # triage: an obra menor goes to the aparejador, who attends on Wednesdays only
        urbanismo = await availability(tenant, servicios["urbanismo"], "videollamada",
                                       {"asunto": "obra_menor"}, days=14)
        assert urbanismo and {day.weekday() for day in urbanismo} == {2}
