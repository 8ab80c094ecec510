"""API tokens: bearer authentication for integrations, scoped, expiring, revocable, only a
hash stored; clear refusals, audited."""

from datetime import UTC, datetime, timedelta

from core.audit.tables import AuditEntry
from core.identity.sessions import digest
from core.identity.tables import ApiToken
from core.testing import csrf_headers


async def make_token(client, tenant, scopes, days=30):
    response = await client.post(f"/api/v1/{tenant.slug}/admin/tokens", json={
        "name": "Integración contable", "scopes": scopes, "days": days},
        headers=await csrf_headers(client))
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_token_acts_in_its_entity_with_its_scopes_only(client, concejo_app,
                                                               make_tenant, login):
    import httpx

    tenant = await make_tenant(plugins=("alpha", "tablon"))
    await login(client, tenant, "entity_admin")
    created = await make_token(client, tenant, ["alpha.view", "tablon.view"])
    secret = created["token"]
    assert secret.startswith("cjt_") and created["info"]["prefix"] == secret[:12]
    row = await ApiToken.select().where(ApiToken.id == created["info"]["id"]).first()
    assert row["token_hash"] == digest(secret) and secret not in str(row)
    transport = httpx.ASGITransport(app=concejo_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver",
                                 headers={"authorization": f"Bearer {secret}"}) as api:
        assert (await api.get(f"/api/v1/{tenant.slug}/alpha/hola")).status_code == 200
        listed = await api.get(f"/api/v1/{tenant.slug}/tablon/anuncios/todos")
        assert listed.status_code == 200
        publish = await api.post(f"/api/v1/{tenant.slug}/tablon/anuncios/", json={
            "title": "x", "body": "y", "category": "edicto"})  # no CSRF: bearer, no cookie
        assert publish.status_code == 403  # the owner may, the token was not given it
        other = await make_tenant(plugins=("alpha",))
        foreign = await api.get(f"/api/v1/{other.slug}/alpha/hola")
        assert foreign.status_code == 401
        assert foreign.json()["detail"] == "El token de API no es de esta entidad"
        console = await api.get(f"/api/v1/diputacion/tenants/{tenant.slug}/plugins")
        assert console.status_code == 401


async def test_expired_revoked_unknown_and_orphaned_tokens_are_refused(
        client, concejo_app, make_tenant, login):
    import httpx

    from core.identity.tables import Membership, User

    tenant = await make_tenant(plugins=("alpha",))
    owner = await login(client, tenant, "entity_admin")
    expired, revoked, orphan = [await make_token(client, tenant, ["alpha.view"])
                                for _ in range(3)]
    await ApiToken.update({ApiToken.expires_at: datetime.now(UTC) - timedelta(seconds=1)}
                          ).where(ApiToken.id == expired["info"]["id"])
    revoke = await client.post(
        f"/api/v1/{tenant.slug}/admin/tokens/{revoked['info']['id']}/revoke",
        headers=await csrf_headers(client))
    assert revoke.status_code == 204
    transport = httpx.ASGITransport(app=concejo_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
        async def status(secret):
            response = await api.get(f"/api/v1/{tenant.slug}/alpha/hola",
                                     headers={"authorization": f"Bearer {secret}"})
            return response.status_code, response.json().get("detail")

        assert await status(expired["token"]) == (401, "El token de API ha caducado")
        assert await status(revoked["token"]) == (401, "El token de API está revocado")
        assert await status("cjt_forged") == (401, "El token de API no existe")
        assert (await status(orphan["token"]))[0] == 200
        await Membership.delete().where(Membership.user == owner)  # role gone: no scope left
        assert (await status(orphan["token"]))[0] == 403
        await User.update({User.is_active: False}).where(User.id == owner)
        assert await status(orphan["token"]) == (
            401, "La persona titular del token ya no está activa")
    rejected = await AuditEntry.count().where(
        (AuditEntry.tenant == tenant.id) & (AuditEntry.action == "token.rejected"))
    assert rejected == 4


async def test_a_token_cannot_carry_more_than_its_creator_holds(client, make_tenant, login):
    tenant = await make_tenant(plugins=("alpha",))
    await login(client, tenant, "entity_admin")
    before = await ApiToken.count().where(ApiToken.tenant == tenant.id)
    for body, message in (
            ({"name": "x", "scopes": ["core.console"]}, "No puede conceder"),
            ({"name": "x", "scopes": []}, "al menos un permiso"),
            ({"name": "", "scopes": ["alpha.view"]}, "nombre"),
            ({"name": "x", "scopes": ["alpha.view"], "days": 0}, "al menos un día")):
        response = await client.post(f"/api/v1/{tenant.slug}/admin/tokens", json=body,
                                     headers=await csrf_headers(client))
        assert response.status_code == 422 and message in response.json()["detail"]
    assert await ApiToken.count().where(ApiToken.tenant == tenant.id) == before


async def test_tokens_page_shows_the_secret_once(client, make_tenant, login):
    tenant = await make_tenant(plugins=("alpha",))
    await login(client, tenant, "entity_admin")
    page = await client.post(f"/{tenant.slug}/admin/tokens",
                             data={"name": "Padrón", "scopes": ["alpha.view"], "days": "7"},
                             headers={**await csrf_headers(client), "accept": "text/html"})
    assert page.status_code == 201 and "cjt_" in page.text
    listing = await client.get(f"/{tenant.slug}/admin/tokens", headers={"accept": "text/html"})
    assert "Padrón" in listing.text and page.text.split("<code>cjt_")[1][:20] not in listing.text


async def test_an_action_by_a_token_is_audited_with_the_tokens_label(client, concejo_app,
                                                                      make_tenant, login):
    import httpx

    tenant = await make_tenant(plugins=("tablon",))
    await login(client, tenant, "entity_admin")
    created = await make_token(client, tenant, ["tablon.publish", "tablon.view"])
    transport = httpx.ASGITransport(app=concejo_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver",
                                 headers={"authorization": f"Bearer {created['token']}"}) as api:
        publish = await api.post(f"/api/v1/{tenant.slug}/tablon/anuncios/", json={
            "title": "Edicto de la integración", "body": "y", "category": "edicto"})
        assert publish.status_code == 201, publish.text
    entry = await AuditEntry.select(AuditEntry.actor).where(
        (AuditEntry.tenant == tenant.id) & (AuditEntry.action == "tablon.published")).first()
    assert "Integración contable" in entry["actor"]
    assert entry["actor"].startswith(f"token:{created['info']['id']} ")
