"""The runtime connection cannot lift row-level security: it logs in as the runtime role
(``RESET ROLE`` leaves it there, ``SET ROLE`` elsewhere fails) and a pass it sets itself is
ignored; a connection going back to the pool keeps no tenant."""

from __future__ import annotations

import asyncpg
import pytest

from core.audit.log import record
from core.audit.tables import AuditEntry
from core.db import engine, request_connection
from core.tenancy import rls

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres(concejo_app):
    if engine().engine_type != "postgres":
        pytest.skip("row-level security exists only on PostgreSQL")
    return engine()


async def _as_runtime(tenant_id: int, *statements: str) -> list:
    """Run ``statements`` on a connection a request of ``tenant_id`` would get; the rows
    of the last one."""
    rows: list = []
    async with rls.tenant_scope(tenant_id):
        async with engine().pool.acquire() as connection:
            for statement in statements:
                rows = await connection.fetch(statement)
    return rows


async def test_reset_role_does_not_reach_the_owner(make_tenant, postgres):
    mine, other = await make_tenant(), await make_tenant()
    await record(other.id, "test.secret", actor="b")
    count = f"SELECT count(*) AS n FROM core_audit_entry WHERE tenant = {other.id}"
    rows = await _as_runtime(mine.id, "RESET ROLE", count)
    assert rows[0]["n"] == 0
    [who] = await _as_runtime(mine.id, "RESET ROLE", "SELECT current_user AS name")
    assert who["name"] == rls.RUNTIME_ROLE
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await _as_runtime(mine.id, "SET ROLE postgres")


async def test_setting_the_cross_tenant_pass_lifts_nothing(make_tenant, postgres):
    mine, other = await make_tenant(), await make_tenant()
    await record(other.id, "test.secret", actor="b")
    count = f"SELECT count(*) AS n FROM core_audit_entry WHERE tenant = {other.id}"
    for opening, local in (("SELECT 1", "false"), ("BEGIN", "true")):
        rows = await _as_runtime(
            mine.id, opening, f"SELECT set_config('app.cross_tenant', 'route check', {local})",
            count)
        assert rows[0]["n"] == 0


async def test_a_pooled_connection_keeps_no_tenant(make_tenant, client, login, postgres):
    tenant = await make_tenant()
    await login(client, tenant, "entity_admin")  # real requests, in the tenant's scope
    with rls.request_scope():  # and one as RequestScopeMiddleware runs it, to be sure
        async with request_connection():
            rls.enter(tenant.id)
            assert await AuditEntry.count() > 0
    pool = engine().pool._pool  # the runtime pool as asyncpg keeps it, no scope set
    idle = [await pool.acquire() for _ in range(pool.get_idle_size())]
    try:
        assert idle
        for connection in idle:
            left = await connection.fetchrow(
                "SELECT current_setting('app.tenant_id', true) AS tenant, "
                "current_setting('app.cross_tenant', true) AS pass")
            assert (left["tenant"] or "", left["pass"] or "") == ("", "")
    finally:
        for connection in idle:
            await pool.release(connection)
