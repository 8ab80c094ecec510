"""The database wall between tenants (PostgreSQL row-level security): every tenant table
has a forced policy, the runtime role owns nothing and may only append to the audit log,
and a query that forgets its tenant clause still sees only its tenant."""

from datetime import UTC, datetime

import pytest

from core.audit.log import record
from core.audit.tables import AuditEntry
from core.db import engine
from core.tenancy import rls

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres(concejo_app):
    if engine().engine_type != "postgres":
        pytest.skip("row-level security exists only on PostgreSQL "
                    "(CONCEJO_TEST_DATABASE_URL=postgresql://…)")
    return engine()


async def test_every_table_with_a_tenant_column_has_a_forced_policy(postgres):
    rows = await AuditEntry.raw("""
        SELECT c.table_name AS name, k.relrowsecurity AS enabled,
               k.relforcerowsecurity AS forced,
               EXISTS (SELECT 1 FROM pg_policies p WHERE p.schemaname = 'public'
                       AND p.tablename = c.table_name) AS has_policy
        FROM information_schema.columns c
        JOIN pg_class k ON k.relname = c.table_name AND k.relkind = 'r'
        WHERE c.table_schema = 'public' AND c.column_name = 'tenant'""")
    assert len(rows) >= 10, rows
    unprotected = [r["name"] for r in rows
                   if not (r["enabled"] and r["forced"] and r["has_policy"])]
    assert not unprotected, f"tenant tables without a forced RLS policy: {unprotected}"


async def test_the_runtime_role_owns_nothing_and_cannot_bypass(postgres):
    with rls.request_scope():  # as requests and jobs connect (test code passes the wall)
        [me] = await AuditEntry.raw("SELECT current_user AS who, r.rolsuper AS super, "
                                    "r.rolbypassrls AS bypass FROM pg_roles r "
                                    "WHERE r.rolname = current_user")
    assert me == {"who": rls.RUNTIME_ROLE, "super": False, "bypass": False}
    owned = await AuditEntry.raw("SELECT tablename FROM pg_tables WHERE tableowner = {}",
                                 rls.RUNTIME_ROLE)
    assert owned == []


async def test_the_audit_log_is_append_only_for_the_runtime_role(make_tenant, postgres):
    import asyncpg

    tenant = await make_tenant()
    await record(tenant.id, "test.appended", actor="ana")
    for statement in ("UPDATE core_audit_entry SET actor = 'mallory'",
                      "DELETE FROM core_audit_entry", "TRUNCATE core_audit_entry",
                      "DELETE FROM core_audit_head", "TRUNCATE core_audit_head"):
        with pytest.raises(asyncpg.InsufficientPrivilegeError), rls.request_scope():
            await postgres.run_ddl(f"{statement} WHERE tenant = {tenant.id}"
                                   if "TRUNCATE" not in statement else statement)


async def test_a_forgotten_tenant_clause_still_sees_one_tenant(make_tenant, postgres):
    import asyncpg

    mine, other = await make_tenant(), await make_tenant()
    for tenant in (mine, other):
        await record(tenant.id, "test.wall", actor="ana")
    with rls.request_scope():  # as a request of ``mine`` after the guard
        rls.enter(mine.id)
        seen = {r["tenant"] for r in await AuditEntry.select(AuditEntry.tenant)}
        assert seen == {mine.id}
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
            await AuditEntry.insert(AuditEntry(tenant=other.id, seq=999, at=datetime.now(UTC),
                                               actor="x",
                                               action="forged", prev_hash="0", hash="0"))
        rls.enter(None)  # a request that names no tenant sees no tenant data
        assert await AuditEntry.count() == 0
        async with rls.cross_tenant("route check"):  # an explicit pass sees all
            assert {mine.id, other.id} <= {
                r["tenant"] for r in await AuditEntry.select(AuditEntry.tenant)}
    # (tests/kernel/test_audit.py tampers with its own tenant's rows into "forged")
    assert await AuditEntry.count().where((AuditEntry.tenant == other.id)
                                          & (AuditEntry.action == "forged")) == 0


async def test_the_scope_changes_inside_a_transaction(make_tenant, postgres):
    from core.db import atomic

    one, two = await make_tenant(), await make_tenant()
    with rls.request_scope():
        rls.enter(one.id)
        async with atomic():
            await record(two.id, "test.inner", actor="ana")  # record scopes to its chain
            assert {r["tenant"] for r in await AuditEntry.select(AuditEntry.tenant)} == {
                one.id}
    assert await AuditEntry.count().where((AuditEntry.tenant == two.id)
                                          & (AuditEntry.action == "test.inner")) == 1


def test_a_pass_must_be_declared():
    with pytest.raises(ValueError, match="Undeclared"):
        rls.cross_tenant("because I can")
