"""Citizens on the sede: their Actor (kind, NIF), apoderamientos registered by the entity,
and acting for someone else only where the representation is recorded."""

from stdnum.es import dni

from core.audit.tables import AuditEntry
from core.identity.citizens import open_citizen_session
from core.identity.providers import ExternalIdentity
from core.identity.sessions import SESSION_COOKIE
from core.identity.tables import Representation
from core.testing import csrf_headers

ME = "12345678Z"
MOTHER = "87654321" + dni.calc_check_digit("87654321")


async def citizen(http, tenant):
    token = await open_citizen_session(
        ExternalIdentity(provider="clave", audience="citizen", nif=ME, name="Hijo Pérez"),
        "127.0.0.1", tenant.id)
    http.cookies.set(SESSION_COOKIE, token)


async def test_a_citizen_acts_for_whom_the_entity_has_recorded(client, client_at,
                                                               make_tenant, login):
    tenant, elsewhere = await make_tenant(), await make_tenant()
    staff = client_at()
    await login(staff, tenant, "entity_admin")
    registered = await staff.post(f"/api/v1/{tenant.slug}/admin/apoderamientos", json={
        "representative_nif": ME, "represented_nif": MOTHER,
        "represented_name": "Madre Pérez"}, headers=await csrf_headers(staff))
    assert registered.status_code == 201

    await citizen(client, tenant)
    page = await client.get(f"/sede/{tenant.slug}/representacion")
    assert f"Madre Pérez ({MOTHER})" in page.text and f"usted mismo ({ME})" in page.text
    chosen = await client.post(f"/sede/{tenant.slug}/representacion", data={"nif": MOTHER},
                               headers=await csrf_headers(client))
    assert chosen.status_code in (302, 303)
    page = await client.get(f"/sede/{tenant.slug}/representacion")
    assert f"Ahora actúa en nombre de: <strong>Madre Pérez ({MOTHER})" in page.text
    page = await client.get(f"/sede/{elsewhere.slug}/representacion")
    assert f"usted mismo ({ME})" in page.text  # not recorded there: acts for himself
    refused = await client.post(f"/sede/{tenant.slug}/representacion",
                                data={"nif": "11111111H"},
                                headers={**await csrf_headers(client), "accept": "text/html"})
    assert refused.status_code == 422 and "No consta su representación" in refused.text
    assumed = await AuditEntry.select(AuditEntry.actor, AuditEntry.target).where(
        (AuditEntry.tenant == tenant.id) & (AuditEntry.action == "representation.assumed"))
    assert assumed == [{"actor": ME, "target": MOTHER}]


async def test_bad_apoderamientos_are_refused_and_nothing_is_saved(client, make_tenant, login):
    tenant = await make_tenant()
    await login(client, tenant, "entity_admin")
    for body in ({"representative_nif": "123", "represented_nif": MOTHER},
                 {"representative_nif": ME, "represented_nif": ME},
                 {"representative_nif": ME, "represented_nif": MOTHER,
                  "valid_until": "2001-01-01"}):
        response = await client.post(f"/api/v1/{tenant.slug}/admin/apoderamientos",
                                     json={"represented_name": "X", **body},
                                     headers=await csrf_headers(client))
        assert response.status_code == 422, response.text
    assert not await Representation.exists().where(Representation.tenant == tenant.id)


async def test_the_sede_page_is_for_citizens_only(client, make_tenant, login):
    tenant = await make_tenant()
    anonymous = await client.get(f"/sede/{tenant.slug}/representacion",
                                 headers={"accept": "text/html"})
    assert anonymous.status_code in (302, 303)
    assert anonymous.headers["location"].startswith("/login?next=/sede/")
    login_page = await client.get(anonymous.headers["location"],
                                  headers={"accept": "text/html"})
    assert "Identificarse en la sede electrónica" in login_page.text
