"""Searching the audit log: an entity's staff see their own chain, the diputación every
chain; successful and failed actions, with who, when, what and from where."""

import uuid

from core.audit.log import record
from core.testing import csrf_headers


async def test_entity_staff_search_their_own_chain_only(client, make_tenant, login):
    tenant = await make_tenant(plugins=("alpha",))
    other = await make_tenant(plugins=("alpha",))
    marker = uuid.uuid4().hex[:8]
    await record(tenant.id, "alpha.tested", actor=f"ana-{marker}", target="x:1", ip="10.1.1.1")
    await record(other.id, "alpha.tested", actor=f"otro-{marker}", target="x:2")
    await login(client, tenant, "entity_admin")
    api = await client.get(f"/api/v1/{tenant.slug}/admin/audit", params={"actor": marker})
    assert api.status_code == 200
    [entry] = api.json()["entries"]
    assert (entry["actor"], entry["action"], entry["ip"], entry["tenant"]) == (
        f"ana-{marker}", "alpha.tested", "10.1.1.1", tenant.slug)
    page = await client.get(f"/{tenant.slug}/admin/auditoria",
                            params={"action": "plugin.enabled"},
                            headers={"accept": "text/html"})
    assert page.status_code == 200 and "plugin.enabled" in page.text
    assert f"otro-{marker}" not in page.text
    assert (await client.get(f"/api/v1/{other.slug}/admin/audit")).status_code == 403


async def test_failed_actions_are_searchable_by_outcome(client, make_tenant, login):
    tenant = await make_tenant(plugins=("alpha",))
    await login(client, tenant, "entity_admin")
    await client.get(f"/api/v1/{tenant.slug}/alpha/prohibido")
    found = await client.get(f"/api/v1/{tenant.slug}/admin/audit",
                             params={"outcome": "denied"})
    [entry] = found.json()["entries"]
    assert entry["action"] == "permission.denied" and entry["target"] == "alpha.forbidden"
    assert entry["ip"] == "127.0.0.1"


async def test_a_bad_filter_is_a_clear_400(client, make_tenant, login):
    tenant = await make_tenant()
    await login(client, tenant, "entity_admin")
    response = await client.get(f"/api/v1/{tenant.slug}/admin/audit",
                                params={"since": "ayer"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_read_only_staff_cannot_read_the_audit_log(client, make_tenant, login):
    tenant = await make_tenant()
    await login(client, tenant, "read_only")
    assert (await client.get(f"/api/v1/{tenant.slug}/admin/audit")).status_code == 403


async def test_the_diputacion_searches_every_chain(client, client_at, make_tenant, login,
                                                   operator):
    one, two = await make_tenant(), await make_tenant()
    marker = uuid.uuid4().hex[:8]
    await record(one.id, "x.done", actor=f"a-{marker}")
    await record(two.id, "x.done", actor=f"b-{marker}")
    stranger = client_at("192.0.2.99")
    await stranger.post("/login", data={"email": f"{marker}@test.invalid", "password": "x"},
                        headers=await csrf_headers(stranger))
    await login(client, operator, "diputacion_support")
    every = await client.get("/diputacion/auditoria/", params={"actor": marker},
                             headers={"accept": "text/html"})
    assert every.status_code == 200
    assert f"a-{marker}" in every.text and f"b-{marker}" in every.text
    assert "192.0.2.99" in every.text and "login.password" in every.text
    only_one = await client.get("/diputacion/auditoria/",
                                params={"actor": marker, "tenant": one.slug},
                                headers={"accept": "text/html"})
    assert f"a-{marker}" in only_one.text and f"b-{marker}" not in only_one.text


async def test_entity_admins_do_not_reach_the_diputacion_search(client, make_tenant, login):
    tenant = await make_tenant()
    await login(client, tenant, "entity_admin")
    response = await client.get("/diputacion/auditoria/")
    assert response.status_code == 403


async def test_more_than_a_page_of_entries_pages_on_both_audit_pages(client, make_tenant, login,
                                                                     operator):
    from core.audit.search import PAGE_SIZE

    tenant = await make_tenant()
    marker = uuid.uuid4().hex[:8]
    for n in range(PAGE_SIZE + 5):
        await record(tenant.id, "x.paged", actor=f"p-{marker}", target=f"x:{n:03d}")
    html = {"accept": "text/html"}
    await login(client, tenant, "entity_admin")
    first = await client.get(f"/{tenant.slug}/admin/auditoria", params={"actor": marker},
                             headers=html)
    assert first.status_code == 200, first.text
    assert "x:054" in first.text and "x:004" not in first.text
    assert "Siguientes" in first.text and "Anteriores" not in first.text
    assert f"auditoria?actor={marker}&amp;page=2" in first.text  # the filter kept
    second = await client.get(f"/{tenant.slug}/admin/auditoria",
                              params={"actor": marker, "page": 2}, headers=html)
    assert second.status_code == 200 and "x:004" in second.text and "x:005" not in second.text
    assert "Anteriores" in second.text and "Siguientes" not in second.text
    await login(client, operator, "diputacion_support")
    console = await client.get("/diputacion/auditoria/", params={"actor": marker},
                               headers=html)
    assert console.status_code == 200 and "x:054" in console.text
