"""From the expediente: a signed resolución starts the 10-day clock to notify (art. 40.2),
notifying it stops the clock and the overdue ones are warned once; an external hub
plugged in by the hook (as a province plugin would for DEHú / e-NOTUM) gets each
electronic notification and reports its access; the demo shows the flow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from notificaciones_tools import ANA, CONTENT, HTML, LUIS, as_citizen, open_expediente

from core.calendar_app.services import calendar_of
from core.demo import load_demo
from core.identity.services import ensure_user, grant_role
from core.plugins import hookimpl
from core.signing import flows
from core.signing.devsetup import provision_dev_pki
from core.tenancy.context import tenant_by_slug
from core.tenancy.services import TenancyError, set_plugin
from core.testing import csrf_headers
from plugins.expedientes import history, resoluciones
from plugins.expedientes.schemas import EnvioFirma, ResolucionIn
from plugins.notificaciones import channels, pendientes, plazos, services
from plugins.notificaciones.schemas import NotificacionIn, PersonaIn


async def signed_resolucion(tenant, drain):
    """A resolución of a new expediente, signed by the alcaldesa (dev certificate)."""
    alcaldesa = await ensure_user(f"alcaldesa-{tenant.slug}@test.invalid", "Alcaldesa")
    await grant_role(alcaldesa, tenant.id, "firmante")
    await provision_dev_pki([tenant.slug])
    tenant = await set_plugin(tenant, "expedientes", True, actor="t", settings={
        "alcalde": f"alcaldesa-{tenant.slug}@test.invalid"})
    expediente = await open_expediente(tenant)
    draft = await resoluciones.draft(tenant, expediente.id, ResolucionIn(
        title="Concesión de la licencia", body="RESUELVO conceder la licencia."), actor="t")
    await resoluciones.send_to_sign(tenant, draft.id, EnvioFirma(signers=[alcaldesa]),
                                    actor="t")
    for pending in await flows.pending_for(tenant, alcaldesa):
        await flows.sign_step(tenant, pending.step_id, user_id=alcaldesa, actor="alcaldesa")
    await drain()
    return tenant, expediente, await resoluciones.get(tenant, draft.id)


async def test_a_signed_resolucion_must_be_notified_within_ten_dias_habiles(entidad, drain):
    tenant, expediente, resolucion = await signed_resolucion(await entidad(), drain)
    assert resolucion.state == "firmada"
    now = datetime.now(UTC)
    [pendiente] = await pendientes.open_ones(tenant, now.date())
    cal = await calendar_of(tenant)
    assert pendiente.due == plazos.issue_until(cal, cal.local_date(resolucion.signed_at))
    assert not pendiente.overdue
    later = datetime.combine(pendiente.due + timedelta(days=1), datetime.min.time(), UTC) \
        + timedelta(hours=12)
    assert await pendientes.warn_overdue(tenant, later) == 1
    assert await pendientes.warn_overdue(tenant, later) == 0  # warned once
    assert "notificacion.fuera_plazo" in [
        a.action for a in await history.timeline(tenant, expediente.id)]
    [sent] = await services.notify(tenant, NotificacionIn(
        **{**CONTENT, "body": ""}, resolucion_id=resolucion.id,
        destinatarios=[PersonaIn(nif=ANA, name="Ana Ruiz")]), actor="t")
    assert (sent.expediente_id, sent.document_id) == (expediente.id, resolucion.document_id)
    assert sent.body == resolucion.body
    assert await pendientes.open_ones(tenant, now.date()) == []


async def test_the_act_document_is_given_only_after_access(client, entidad, drain):
    tenant, _, resolucion = await signed_resolucion(await entidad(), drain)
    [sent] = await services.notify(tenant, NotificacionIn(
        **CONTENT, resolucion_id=resolucion.id,
        destinatarios=[PersonaIn(nif=LUIS, name="Luis Gil")]), actor="t")
    await as_citizen(client, tenant, LUIS)
    url = f"/sede/{tenant.slug}/notificaciones/{sent.id}"
    assert (await client.get(f"{url}/documento")).status_code == 404
    await client.post(f"{url}/acceder", headers={**HTML, **await csrf_headers(client)})
    document = await client.get(f"{url}/documento")
    assert document.status_code == 200 and document.content.startswith(b"%PDF")


class _Hub:
    """A stand-in for DEHú: keeps what it is given, as the real hub's inbox would."""

    name = "dehu-prueba"

    def __init__(self) -> None:
        self.received: list[tuple[int, str]] = []

    async def deliver(self, tenant, notificacion, sede_url):
        self.received.append((notificacion.id, sede_url))
        return f"DEHU-{notificacion.id:06d}"


class _HubPlugin:
    def __init__(self, hub: _Hub) -> None:
        self.hub = hub

    @hookimpl
    def register_notification_hubs(self, register):
        register(self.hub)


@pytest.fixture
def hub(concejo_kernel):
    found = _Hub()
    concejo_kernel.plugins.pm.register(_HubPlugin(found), name="dehu-prueba")
    yield found
    concejo_kernel.plugins.pm.unregister(name="dehu-prueba")


async def test_a_hub_or_sms_provider_that_is_not_installed_is_refused(entidad, hub):
    """A name in the settings means an installed hub or gateway: a misspelt one would leave
    every delivery failing and retried."""
    tenant = await entidad()
    for setting in ({"hub": "dehu-prueva"}, {"sms_provider": "nadie"}):
        with pytest.raises(TenancyError, match="no hay ninguno instalado"):
            await set_plugin(tenant, "notificaciones", True, actor="t", settings=setting)
    done = await set_plugin(tenant, "notificaciones", True, actor="t",
                            settings={"hub": "dehu-prueba"})
    assert done.settings_for("notificaciones") == {"hub": "dehu-prueba"}


async def test_a_province_hub_gets_the_notification_and_reports_its_access(entidad, hub,
                                                                           drain):
    tenant = await entidad(settings={"notificaciones": {"hub": "dehu-prueba"}})
    [sent] = await services.notify(tenant, NotificacionIn(**CONTENT, destinatarios=[
        PersonaIn(nif=ANA, name="Ana Ruiz")]), actor="t")
    await drain()
    assert hub.received == [(sent.id, channels.sede_url(tenant, sent.id))]
    routed = await services.get(tenant, sent.id)
    assert (routed.hub, routed.hub_ref) == ("dehu-prueba", f"DEHU-{sent.id:06d}")
    done = await channels.hub_report(tenant, "dehu-prueba", routed.hub_ref, "accedida",
                                     who=ANA)
    assert (done.state, done.accessed_by, done.accessed_from) == (
        "notificada", ANA, "dehu-prueba")


async def test_the_demo_shows_notifications_in_every_state(client, concejo_app):
    await load_demo()
    await load_demo()  # loading twice changes nothing
    soria = await tenant_by_slug("soria")
    states = await services.counts(soria)
    assert {"puesta_disposicion", "notificada", "rechazada", "expirada",
            "en_reparto"} <= set(states)
    assert sum(states.values()) == 5
    await as_citizen(client, soria, ANA, "Lucía Martín Soria")
    carpeta = await client.get("/sede/soria/carpeta/", headers=HTML)
    assert "Concesión de licencia de obra menor" in carpeta.text
