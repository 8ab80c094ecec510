"""An expired management link says so: 410 Gone with a page (or problem+json) explaining
it, decided on the server; a forged or other tenant's link is still 404 (issue 18 item 13)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from plugins.cita_previa.services import links

HTML = {"accept": "text/html"}


async def test_an_expired_link_answers_410_and_a_forged_one_404(client, cita_tenant):
    setup = await cita_tenant()
    tenant = setup.tenant
    expired = links.sign(tenant, "ZZ9ZZ9", datetime.now(UTC) - timedelta(days=8))
    page = await client.get(f"/sede/{tenant.slug}/cita_previa/reservas/{expired}",
                            headers=HTML)
    assert page.status_code == 410, page.text[:300]
    assert page.headers["content-type"].startswith("text/html")
    assert "Este enlace ha caducado" in page.text
    api = await client.get(f"/api/v1/{tenant.slug}/cita_previa/reservas/{expired}")
    assert api.status_code == 410
    assert api.headers["content-type"].startswith("application/problem+json")
    head, payload, signature = expired.split(".")
    forged = f"{head}.{payload}.{signature[:-4]}AAAA"
    assert (await client.get(f"/sede/{tenant.slug}/cita_previa/reservas/{forged}",
                             headers=HTML)).status_code == 404
    other = await cita_tenant()
    assert (await client.get(f"/sede/{other.tenant.slug}/cita_previa/reservas/{expired}",
                             headers=HTML)).status_code == 404
