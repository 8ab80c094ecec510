"""The electronic channel end to end: put at disposal in the carpeta, the warning really
reaches an SMTP server, the SMS goes through a provider plugged in by the hook, access by
the interesado or his representative (who, when, from where), express rejection, and the
scheduled clock taking an unopened one as rejected after 10 natural days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from notificaciones_tools import (
    ANA,
    CONTENT,
    GESTORA,
    HTML,
    LUIS,
    as_citizen,
    open_expediente,
)

from core.audit.tables import AuditEntry
from core.calendar import MADRID
from core.plugins import hookimpl
from core.testing import csrf_headers
from plugins.expedientes import history
from plugins.notificaciones import services
from plugins.notificaciones.errors import InvalidNotificacion
from plugins.notificaciones.schemas import NotificacionIn, PersonaIn
from plugins.notificaciones.tables import Notificacion


class _Sms:
    name = "sms-prueba"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, tenant, phone, text):
        self.sent.append((phone, text))
        return f"sms-{len(self.sent)}"


class _SmsPlugin:
    def __init__(self, gateway: _Sms) -> None:
        self.gateway = gateway

    @hookimpl
    def register_sms_providers(self, register):
        register(self.gateway)


@pytest.fixture
def sms(concejo_kernel):
    """An SMS gateway plugged in through ``register_sms_providers`` for this test."""
    gateway = _Sms()
    concejo_kernel.plugins.pm.register(_SmsPlugin(gateway), name="sms-prueba")
    yield gateway
    concejo_kernel.plugins.pm.unregister(name="sms-prueba")


async def test_disposal_warning_by_mail_and_sms_and_access_by_the_interesado(
        client, entidad, inbox, sms, drain):
    tenant = await entidad(settings={"notificaciones": {"sms_provider": "sms-prueba"}})
    expediente = await open_expediente(tenant)
    [sent] = await services.notify(tenant, NotificacionIn(
        **CONTENT, expediente_id=expediente.id, destinatarios=[PersonaIn(
            nif=ANA, name="Ana Ruiz", email="ana@example.org", phone="+34 600 000 000",
            representante_nif=GESTORA)]), actor="tramitadora@test")
    assert sent.state == "puesta_disposicion" and sent.expires_on is not None
    await drain()
    mail = inbox.one("ana@example.org", "aviso de notificación")
    text = mail.get_content()
    assert f"/sede/{tenant.slug}/notificaciones/{sent.id}" in text
    assert CONTENT["body"] not in text  # the warning never carries the act
    assert sms.sent and sms.sent[0][0] == "+34 600 000 000"
    kinds = [e.kind for e in (await services.get(tenant, sent.id)).events]
    assert kinds[0] == "puesta_disposicion" and {"aviso_email", "aviso_sms"} <= set(kinds)

    await as_citizen(client, tenant, ANA, "Ana Ruiz")
    carpeta = await client.get(f"/sede/{tenant.slug}/carpeta/", headers=HTML)
    assert CONTENT["subject"] in carpeta.text and "Puesta a disposición" in carpeta.text
    page = await client.get(f"/sede/{tenant.slug}/notificaciones/{sent.id}", headers=HTML)
    assert page.status_code == 200 and CONTENT["body"] not in page.text  # not yet opened
    opened = await client.post(f"/sede/{tenant.slug}/notificaciones/{sent.id}/acceder",
                               headers={**HTML, **await csrf_headers(client)})
    assert opened.status_code in (302, 303)
    page = await client.get(f"/sede/{tenant.slug}/notificaciones/{sent.id}", headers=HTML)
    assert CONTENT["body"] in page.text and "Alcaldía" in page.text
    done = await services.get(tenant, sent.id)
    assert (done.state, done.accessed_as, done.accessed_from) == (
        "notificada", "interesado", "127.0.0.1")
    assert done.accessed_by.startswith(ANA)
    timeline = [a.action for a in await history.timeline(tenant, expediente.id)]
    assert "notificacion.accedida" in timeline and "notificacion.puesta_disposicion" in timeline
    audit = await AuditEntry.select(AuditEntry.action).where(
        (AuditEntry.tenant == tenant.id) & (AuditEntry.target == f"notificacion:{sent.id}"))
    assert {"notificaciones.puesta_disposicion", "notificaciones.accedida"} <= {
        a["action"] for a in audit}


async def test_the_representative_opens_it_and_a_stranger_gets_404(client, entidad):
    tenant = await entidad()
    [sent] = await services.notify(tenant, NotificacionIn(**CONTENT, destinatarios=[
        PersonaIn(nif=ANA, name="Ana Ruiz", representante_nif=GESTORA)]), actor="t")
    await as_citizen(client, tenant, LUIS)
    url = f"/sede/{tenant.slug}/notificaciones/{sent.id}"
    assert (await client.get(url, headers=HTML)).status_code == 404
    refused = await client.post(f"{url}/acceder", headers={**HTML, **await csrf_headers(client)})
    assert refused.status_code == 404
    await as_citizen(client, tenant, GESTORA, "Gestoría Sur")
    await client.post(f"{url}/acceder", headers={**HTML, **await csrf_headers(client)})
    done = await services.get(tenant, sent.id)
    assert (done.state, done.accessed_as) == ("notificada", "representante")
    for too_big in (2**31, 2**63):  # not a 500 from the database: simply not found
        assert (await client.get(f"/sede/{tenant.slug}/notificaciones/{too_big}",
                                 headers=HTML)).status_code == 404


async def test_express_rejection_closes_it_and_the_procedure_goes_on(client, entidad, drain):
    tenant = await entidad()
    expediente = await open_expediente(tenant)
    [sent] = await services.notify(tenant, NotificacionIn(
        **CONTENT, expediente_id=expediente.id,
        destinatarios=[PersonaIn(nif=LUIS, name="Luis Gil")]), actor="t")
    await as_citizen(client, tenant, LUIS, "Luis Gil")
    answer = await client.post(f"/sede/{tenant.slug}/notificaciones/{sent.id}/rechazar",
                               data={"reason": "No la quiero"},
                               headers={**HTML, **await csrf_headers(client)})
    assert answer.status_code in (302, 303)
    done = await services.get(tenant, sent.id)
    assert done.state == "rechazada" and done.events[-1].detail["reason"] == "No la quiero"
    again = await client.post(f"/sede/{tenant.slug}/notificaciones/{sent.id}/acceder",
                              headers={**HTML, **await csrf_headers(client)})
    assert again.status_code == 422 and "no admite" in again.text
    assert "notificacion.rechazada" in [
        a.action for a in await history.timeline(tenant, expediente.id)]


async def test_the_clock_takes_it_as_rejected_after_ten_natural_days(entidad, drain):
    tenant = await entidad()
    expediente = await open_expediente(tenant)
    [sent] = await services.notify(tenant, NotificacionIn(
        **CONTENT, expediente_id=expediente.id,
        destinatarios=[PersonaIn(nif=LUIS, name="Luis Gil")]), actor="t")
    last_day = sent.expires_on
    assert last_day == sent.disposed_at.astimezone(MADRID).date() + timedelta(days=10)
    on_last_day = datetime.combine(last_day, datetime.min.time(), UTC) + timedelta(hours=12)
    assert await services.expire_due(tenant, on_last_day) == 0
    after = datetime.combine(last_day + timedelta(days=1), datetime.min.time(),
                             UTC) + timedelta(hours=1)
    assert await services.expire_due(tenant, after) == 1
    done = await services.get(tenant, sent.id)
    assert done.state == "expirada" and done.events[-1].actor == "sistema"
    assert "notificacion.expirada" in [
        a.action for a in await history.timeline(tenant, expediente.id)]
    assert await services.expire_due(tenant, after) == 0  # once


async def test_a_notification_without_the_art_40_2_content_is_refused_with_the_reason(
        client, entidad, login):
    tenant = await entidad()
    await login(client, tenant, "secretario")
    answer = await client.post(f"/api/v1/{tenant.slug}/notificaciones/", json={
        "subject": "Resolución", "body": "Texto", "destinatarios": [
            {"nif": ANA, "name": "Ana Ruiz"}]}, headers=await csrf_headers(client))
    assert answer.status_code == 422
    assert "recursos" in answer.json()["detail"] and "40.2" in answer.json()["detail"]
    bad_nif = await client.post(f"/api/v1/{tenant.slug}/notificaciones/", json={
        **CONTENT, "destinatarios": [{"nif": "12345678A", "name": "Ana"}]},
        headers=await csrf_headers(client))
    assert bad_nif.status_code == 422 and "NIF" in bad_nif.json()["detail"]
    assert not await Notificacion.exists().where(Notificacion.tenant == tenant.id)
    with pytest.raises(InvalidNotificacion, match="domicilio"):
        await services.notify(tenant, NotificacionIn(**CONTENT, channel="papel", destinatarios=[
            PersonaIn(nif=ANA, name="Ana Ruiz")]), actor="t")
