"""What a request caches per process (``core.cache``) stops counting from the next request
on when the rows behind it change, whoever changes them: only the generation triggers tell
the cache (there is no in-process notice), so these tests change the tables directly, as
another web process or the command line would. A staff actor that includes a support
access is resolved again once the access expires, with no change in the database."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from piccolo.querystring import QueryString

from core.cache import TABLE, request_cache
from core.db import engine
from core.identity import support
from core.identity.auth import staff_actor
from core.identity.services import ensure_user
from core.identity.tables import Membership, SupportAccess
from core.tenancy.tables import TenantPlugin, Unit


async def generation() -> int:
    rows = await engine().run_querystring(QueryString(f"SELECT n FROM {TABLE}"))
    return rows[0]["n"]


async def test_a_plugin_disabled_in_the_table_answers_404_from_the_next_request(
        client, make_tenant, login):
    tenant = await make_tenant(plugins=("alpha",))
    await login(client, tenant, "read_only")
    path = f"/api/v1/{tenant.slug}/alpha/hola"
    assert (await client.get(path)).status_code == 200  # tenant and actor now cached
    assert (await client.get(path)).status_code == 200
    before = await generation()
    await TenantPlugin.update({TenantPlugin.enabled: False}).where(
        (TenantPlugin.tenant == tenant.id) & (TenantPlugin.plugin == "alpha"))
    assert await generation() > before
    assert (await client.get(path)).status_code == 404
    await TenantPlugin.update({TenantPlugin.enabled: True}).where(
        (TenantPlugin.tenant == tenant.id) & (TenantPlugin.plugin == "alpha"))
    assert (await client.get(path)).status_code == 200


async def test_a_withdrawn_role_counts_from_the_next_request(client, make_tenant, login):
    tenant = await make_tenant(plugins=("alpha",))
    user_id = await login(client, tenant, "read_only")
    path = f"/api/v1/{tenant.slug}/alpha/hola"
    assert (await client.get(path)).status_code == 200
    await Membership.delete().where((Membership.user == user_id)
                                    & (Membership.tenant == tenant.id))
    assert (await client.get(path)).status_code == 403


async def test_every_watched_table_moves_the_generation(make_tenant):
    tenant = await make_tenant()
    before = await generation()
    await Unit.insert(Unit(tenant=tenant.id, dir3=f"L{uuid.uuid4().hex[:8].upper()}",
                           name="Intervención"))
    after_unit = await generation()
    await ensure_user(f"gen-{uuid.uuid4().hex[:6]}@test.invalid", "Gema", "clave larga gen")
    assert before < after_unit < await generation()


async def test_a_support_access_that_expires_is_resolved_again(make_tenant):
    tenant = await make_tenant()
    user_id = await ensure_user(f"sam-{uuid.uuid4().hex[:6]}@test.invalid", "Sam",
                                "clave larga de soporte")
    access = await support.open_access(tenant.id, user_id, "Revisión de la configuración",
                                       timedelta(minutes=5), actor="test")
    await SupportAccess.update({SupportAccess.expires_at: datetime.now(UTC)
                                + timedelta(seconds=1.5)}).where(
        SupportAccess.id == access.id)
    with request_cache():  # one request resolves and caches the actor
        assert support.ROLE in (await staff_actor(user_id, tenant.id)).roles
    with request_cache():  # the next one finds it in the cache
        assert support.ROLE in (await staff_actor(user_id, tenant.id)).roles
    await asyncio.sleep(1.6)  # nothing in the database changes meanwhile
    with request_cache():
        actor = await staff_actor(user_id, tenant.id)
    assert support.ROLE not in actor.roles and not actor.on_behalf_of
