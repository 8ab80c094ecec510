"""The app: faces, enablement (404 + no menu + no hooks), errors, login, permissions."""

import pytest

from core.testing import csrf_headers
from tests.fakes import alpha

FACE_PATHS = ("/{slug}/alpha/ping", "/sede/{slug}/alpha/ping", "/api/v1/{slug}/alpha/ping")


@pytest.mark.parametrize("path", FACE_PATHS)
async def test_enabled_plugin_routes_answer_on_every_face(client, make_tenant, path):
    tenant = await make_tenant(plugins=("alpha",))
    response = await client.get(path.format(slug=tenant.slug))
    assert response.status_code == 200
    assert response.json() == {"plugin": "alpha", "tenant": tenant.slug}


@pytest.mark.parametrize("path", FACE_PATHS)
async def test_disabled_plugin_routes_answer_404(client, make_tenant, path):
    tenant = await make_tenant()
    response = await client.get(path.format(slug=tenant.slug))
    assert response.status_code == 404


async def test_api_errors_are_problem_json(client, make_tenant):
    tenant = await make_tenant()
    response = await client.get(f"/api/v1/{tenant.slug}/alpha/ping")
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 404 and body["title"] == "Not Found"
    assert body["instance"] == f"/api/v1/{tenant.slug}/alpha/ping"


async def test_unknown_tenant_answers_404(client):
    assert (await client.get("/api/v1/no-such-entity/alpha/ping")).status_code == 404
    page = await client.get("/sede/no-such-entity/", headers={"accept": "text/html"})
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]


async def test_menu_and_template_hooks_only_for_enabled_plugins(client, make_tenant, login):
    with_alpha = await make_tenant(plugins=("alpha", "tablon"))
    without = await make_tenant(plugins=("tablon",))
    await login(client, with_alpha, "entity_admin")
    alpha.CALLS.clear()
    page = await client.get(f"/{with_alpha.slug}/tablon/")
    assert page.status_code == 200
    assert f'href="/{with_alpha.slug}/alpha/ping"' in page.text
    assert ("menu_items", with_alpha.slug) in alpha.CALLS
    await login(client, without, "entity_admin")
    alpha.CALLS.clear()
    page = await client.get(f"/{without.slug}/tablon/")
    assert page.status_code == 200
    assert "alpha/ping" not in page.text
    assert not alpha.CALLS, "alpha's hooks were called for a tenant that has it disabled"


async def test_sede_catalogue_and_dashboard_widgets_follow_enablement(client, make_tenant, login):
    tenant = await make_tenant(plugins=("alpha",))
    other = await make_tenant()
    assert "Trámite alfa" in (await client.get(f"/sede/{tenant.slug}/")).text
    assert "Trámite alfa" not in (await client.get(f"/sede/{other.slug}/")).text
    await login(client, tenant, "entity_admin")
    dashboard = await client.get(f"/{tenant.slug}/")
    assert f"widget for {tenant.slug}" in dashboard.text


async def test_permissions_deny_by_default_and_hooks_can_veto(client, make_tenant, login):
    tenant = await make_tenant(plugins=("alpha",))
    path = f"/api/v1/{tenant.slug}/alpha/hola"
    assert (await client.get(path)).status_code == 401
    await login(client, tenant, "firmante")  # *.view: may see, nothing else
    assert (await client.get(path)).json() == {"hola": tenant.slug}
    assert (await client.get(f"/api/v1/{tenant.slug}/alpha/prohibido")).status_code == 403


async def test_roles_do_not_leak_across_tenants(client, make_tenant, login):
    mine = await make_tenant(plugins=("alpha",))
    other = await make_tenant(plugins=("alpha",))
    await login(client, mine, "entity_admin")
    assert (await client.get(f"/api/v1/{mine.slug}/alpha/hola")).status_code == 200
    assert (await client.get(f"/api/v1/{other.slug}/alpha/hola")).status_code == 403


async def test_login_with_bad_password_is_refused_and_form_needs_csrf(client, make_tenant):
    response = await client.post("/login", data={"email": "x@test.invalid", "password": "x"})
    assert response.status_code == 403  # no CSRF token
    response = await client.post("/login", data={"email": "x@test.invalid", "password": "x"},
                                 headers={**await csrf_headers(client), "accept": "text/html"})
    assert response.status_code == 401 and "Credenciales incorrectas" in response.text


async def test_logout_kills_the_session(client, make_tenant, login):
    tenant = await make_tenant(plugins=("alpha",))
    await login(client, tenant, "entity_admin")
    session = client.cookies["concejo_session"]
    await client.post("/logout", headers=await csrf_headers(client))
    client.cookies.set("concejo_session", session)
    assert (await client.get(f"/api/v1/{tenant.slug}/alpha/hola")).status_code == 401


async def test_health_checks_database_and_broker(client):
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


async def test_host_name_serves_the_entity_sede(concejo_app, make_tenant):
    import httpx

    from core.app import HostMiddleware

    tenant = await make_tenant(hosts=("sede.villa.test",))
    transport = httpx.ASGITransport(app=HostMiddleware(concejo_app))
    async with httpx.AsyncClient(transport=transport, base_url="http://sede.villa.test") as http:
        response = await http.get("/", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert tenant.name in response.text


async def test_openapi_lists_plugin_api_routes(client):
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/v1/{tenant_slug}/tablon/anuncios" in schema["paths"]


async def test_console_lists_module_sets_for_diputacion_admins_only(client, make_tenant, login):
    diputacion = await make_tenant(kind="diputacion")
    from core.tenancy.context import operator_tenant

    operator = await operator_tenant()
    entity = await make_tenant(plugins=("alpha",))
    assert (await client.get(f"/api/v1/diputacion/tenants/{entity.slug}/plugins")
            ).status_code == 401
    await login(client, operator or diputacion, "diputacion_admin")
    states = (await client.get(f"/api/v1/diputacion/tenants/{entity.slug}/plugins")).json()
    assert {"plugin": "alpha", "enabled": True, "settings": {}, "secrets": {}} in states
    response = await client.post(
        f"/api/v1/diputacion/tenants/{entity.slug}/plugins/beta",
        json={"enabled": True, "settings": {"limit": 0}}, headers=await csrf_headers(client))
    assert response.status_code == 422 and "limit" in response.json()["detail"]
    response = await client.post(
        f"/api/v1/diputacion/tenants/{entity.slug}/plugins/beta",
        json={"enabled": True, "settings": {"limit": 2}}, headers=await csrf_headers(client))
    assert response.json()["enabled"] is True
