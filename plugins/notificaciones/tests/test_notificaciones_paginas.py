"""The staff pages: the list with filters and the acts to notify, a new notification from
an expediente (its interesados filled in), the evidence page, the dashboard widget, and a
form error shown with its reason."""

from __future__ import annotations

from notificaciones_tools import ANA, CONTENT, GESTORA, HTML, open_expediente

from core.testing import csrf_headers
from plugins.notificaciones import services


async def test_notify_from_an_expediente_through_the_staff_pages(client, entidad, login):
    tenant = await entidad()
    expediente = await open_expediente(tenant)
    await login(client, tenant, "tramitador")
    base = f"/{tenant.slug}/notificaciones"
    form = await client.get(f"{base}/nueva?expediente_id={expediente.id}", headers=HTML)
    assert form.status_code == 200 and expediente.code in form.text
    assert f"{ANA}; Ana Ruiz; ana@example.org; ; ; {GESTORA}" in form.text  # prefilled
    sent = await client.post(f"{base}/nueva", data={
        **{k: str(v) for k, v in CONTENT.items() if k != "fin_via"}, "fin_via": "1",
        "expediente_id": str(expediente.id), "kind": "notificacion", "channel": "electronica",
        "destinatarios": f"{ANA}; Ana Ruiz; ana@example.org; ; ; {GESTORA}"},
        headers={**HTML, **await csrf_headers(client)})
    assert sent.status_code in (302, 303), sent.text
    detail = await client.get(sent.headers["location"], headers=HTML)
    assert "Puesta a disposición" in detail.text and ANA in detail.text
    [made] = await services.search(tenant, expediente_id=expediente.id)
    assert made.fin_via and made.representante_nif == GESTORA
    listing = await client.get(f"{base}/?estado=puesta_disposicion", headers=HTML)
    assert CONTENT["subject"] in listing.text
    assert CONTENT["subject"] not in (await client.get(f"{base}/?estado=notificada",
                                                       headers=HTML)).text
    missing = await client.post(f"{base}/nueva", data={
        "subject": "Sin recursos", "body": "Texto", "destinatarios": f"{ANA}; Ana Ruiz"},
        headers={**HTML, **await csrf_headers(client)})
    assert missing.status_code == 422 and "art. 40.2" in missing.text
    misdated = await client.post(f"{base}/nueva", data={
        "subject": "Fecha mal escrita", "act_date": "31/12/2026",
        "destinatarios": f"{ANA}; Ana Ruiz"}, headers={**HTML, **await csrf_headers(client)})
    assert misdated.status_code == 422 and "«Fecha del acto» debe ser una fecha" in misdated.text
    # the form again, not an error page: every wrong field next to its input, all kept
    assert '<form method="post" class="form">' in misdated.text
    assert 'id="act_date-error"' in misdated.text and 'href="#act_date"' in misdated.text
    assert 'value="Fecha mal escrita"' in misdated.text and 'value="31/12/2026"' in misdated.text
    assert f"{ANA}; Ana Ruiz</textarea>" in missing.text and 'value="Sin recursos"' in missing.text
    both = await client.post(f"{base}/nueva", data={
        "subject": "Tasa", "act_date": "ayer", "channel": "papel", "destinatarios": ""},
        headers={**HTML, **await csrf_headers(client)})
    assert both.status_code == 422 and 'href="#act_date"' in both.text
    assert 'href="#destinatarios"' in both.text and 'value="papel" selected' in both.text
    dashboard = await client.get(f"/{tenant.slug}/", headers=HTML)
    assert "Resoluciones sin notificar" in dashboard.text
