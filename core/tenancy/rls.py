"""The second wall between tenants: PostgreSQL row-level security, and how code passes it.

The first wall is the scoped layer: every query of a tenant-owned table says
``.where(Table.tenant == tenant.id)``. The second catches a forgotten clause. On
PostgreSQL every table with a ``tenant`` column gets, after each migration run (as the
owner), ``ENABLE`` and ``FORCE ROW LEVEL SECURITY`` and one policy: a row is visible and
writable only when its tenant is the connection's ``app.tenant_id``, or when the code has
declared a cross-tenant pass (``app.cross_tenant`` holds its reason) on a connection of
another role than the runtime one. Requests and jobs log in as ``concejo_runtime``, a
role that owns no table, is a member of no other role (``RESET ROLE`` leaves it what it
is, ``SET ROLE`` to another fails), may not bypass RLS, and may only read and append the
audit log: whatever SQL runs on its connection, ``app.cross_tenant`` lifts nothing there.
Code inside ``cross_tenant`` runs on a connection of the owner (``core.db.LeasingPool``).

Which tenant a piece of code works for is a context variable:

- a request enters its tenant's scope in the request guard (``enter``), inside a clean
  per-request scope (``RequestScopeMiddleware``);
- a job runs in its message's tenant (``tenant_scope``);
- kernel work across tenants declares why: ``async with cross_tenant("outbox relay")``.
  Every reason is one of ``PASSES`` (plugins add theirs with ``declare_pass``; a grep for
  both shows them all) and is logged;
- a job sent to a tenant is written in that tenant's scope (a hand-off, not a read).

The value reaches PostgreSQL on every connection taken from the pool (``pool_setup``, when
the connection's session has another scope) and, inside a transaction, with
``set_config(…, true)`` whenever the scope changes; a connection going back to the pool
is cleared (``pool_clear``). SQLite has no RLS: there the scope is kept but nothing is
enforced by the database.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import msgspec

log = logging.getLogger(__name__)

RUNTIME_ROLE = "concejo_runtime"
POLICY = "concejo_tenant"
AUDIT_TABLE = "core_audit_entry"
AUDIT_HEAD_TABLE = "core_audit_head"  # moves on with the chain, never goes away

#: Every declared cross-tenant pass: the kernel's, and those plugins add (``declare_pass``).
PASSES = {
    "tenant lookup by host", "scheduler", "outbox relay", "metrics", "authentication",
    "diputación audit search", "command line", "test code", "route check", "calendar load",
}


def declare_pass(reason: str) -> str:
    """A plugin declares a cross-tenant pass it needs (at import); returns the reason."""
    PASSES.add(reason)
    return reason


class Scope(msgspec.Struct, frozen=True):
    """The tenant code works for (None: none) and its cross-tenant pass ("" for none)."""

    tenant_id: int | None = None
    cross: str = ""


#: None outside any request or job: ``DEFAULT`` applies (nothing, except in the test harness).
_scope: contextvars.ContextVar[Scope | None] = contextvars.ContextVar("concejo_rls",
                                                                     default=None)
_default = Scope()
NO_SCOPE = Scope()


def current() -> Scope:
    return _scope.get() or _default


def allow_unscoped(reason: str) -> None:
    """Let code that runs outside every request and job pass the wall (the test harness
    does, for test code; requests and jobs always set their own scope)."""
    global _default
    _check(reason)
    _default = Scope(cross=reason)


def _check(reason: str) -> None:
    if reason not in PASSES:
        raise ValueError(f"Undeclared cross-tenant pass {reason!r}: add it to PASSES")


async def _apply(scope: Scope) -> None:
    """Tell the open PostgreSQL transaction, if any, about the new scope."""
    from core.db import engine

    db = engine()
    if db.engine_type != "postgres":
        return
    transaction = db.current_transaction.get()
    if transaction is not None:
        await transaction.connection.execute(
            "SELECT set_config('app.tenant_id', $1, true), "
            "set_config('app.cross_tenant', $2, true)",
            "" if scope.tenant_id is None else str(scope.tenant_id), scope.cross)


@contextlib.asynccontextmanager
async def _scoped(scope: Scope) -> AsyncIterator[None]:
    before = current()
    token = _scope.set(scope)
    try:
        if scope != before:
            await _apply(scope)
        yield
    finally:
        _scope.reset(token)
        if scope != before:
            await _apply(before)


def tenant_scope(tenant_id: int) -> contextlib.AbstractAsyncContextManager[None]:
    """Work for one tenant (and no other) inside the block."""
    return _scoped(Scope(tenant_id=tenant_id))


def cross_tenant(reason: str) -> contextlib.AbstractAsyncContextManager[None]:
    """Kernel work across tenants, for a declared reason (logged)."""
    _check(reason)
    log.debug("cross-tenant pass: %s", reason)
    return _scoped(Scope(cross=reason))


@contextlib.contextmanager
def request_scope() -> Iterator[None]:
    """A request starts with no tenant and no pass; whatever it sets ends with it."""
    token = _scope.set(Scope())
    try:
        yield
    finally:
        _scope.reset(token)


def enter(tenant_id: int | None) -> None:
    """The request guard: the rest of this request works for ``tenant_id``."""
    _scope.set(Scope(tenant_id=tenant_id))


async def pool_setup(connection: Any) -> None:
    """A connection taken from the pool works in the current scope (``core.db.LeasingPool``
    calls it when the connection's session has another scope)."""
    scope = current()
    await connection.execute(
        "SELECT set_config('app.tenant_id', $1, false), "
        "set_config('app.cross_tenant', $2, false)",
        "" if scope.tenant_id is None else str(scope.tenant_id), scope.cross)


async def pool_clear(connection: Any) -> None:
    """A connection going back to the pool keeps no tenant and no pass."""
    await pool_reset(connection)
    await connection.execute("SELECT set_config('app.tenant_id', '', false), "
                             "set_config('app.cross_tenant', '', false)")


async def pool_reset(connection: Any) -> None:
    """asyncpg ``reset``: the default reset's round trip (unlock, close cursors, unlisten,
    RESET ALL) is skipped — no pooled connection takes session locks, listens, or keeps
    cursors, and ``core.db.LeasingPool`` clears the tenant scope itself (``pool_clear``)
    only when one is set. A transaction left open is rolled back."""
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


class RequestScopeMiddleware:
    """ASGI middleware: every request runs in its own clean tenant scope and audit context,
    with its view of the caches (``core.cache``), on one database connection
    (``core.db.request_connection``)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        from core.audit.log import isolated
        from core.cache import request_cache
        from core.db import request_connection

        with request_scope(), isolated(), request_cache():
            async with request_connection():
                await self.app(scope, receive, send)


_ROLE_SQL = f"""
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{RUNTIME_ROLE}') THEN
    CREATE ROLE {RUNTIME_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
"""

#: Only a connection of another role than the runtime one (the owner's) honours a pass.
_CONDITION = ("(tenant = NULLIF(current_setting('app.tenant_id', true), '')::integer "
              "OR (COALESCE(current_setting('app.cross_tenant', true), '') <> '' "
              f"AND current_user <> '{RUNTIME_ROLE}'))")


async def _runtime_role(connection: Any, password: str | None) -> None:
    """The runtime role: may log in, is nothing more, and leaves every role it was in."""
    await connection.execute(_ROLE_SQL)
    may_alter = await connection.fetchval(
        "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
    if may_alter:
        await connection.execute(f"ALTER ROLE {RUNTIME_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS "
                                 "NOCREATEDB NOCREATEROLE NOREPLICATION")
        if password:
            statement = await connection.fetchval(
                f"SELECT format('ALTER ROLE {RUNTIME_ROLE} PASSWORD %L', $1::text)", password)
            await connection.execute(statement)
        for row in await connection.fetch(
                "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
                "JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = $1", RUNTIME_ROLE):
            await connection.execute(f'REVOKE "{row["rolname"]}" FROM {RUNTIME_ROLE}')
    else:
        log.warning("The owner may not alter roles: create %s LOGIN, member of no role, "
                    "as docs/operations.md says", RUNTIME_ROLE)


async def install(connection: Any, runtime_password: str | None = None) -> list[str]:
    """As the owner, after migrations: the runtime role, its grants, and RLS with FORCE
    and the policy on every table with a ``tenant`` column. Returns those tables."""
    await _runtime_role(connection, runtime_password)
    await connection.execute(
        f"GRANT USAGE ON SCHEMA public TO {RUNTIME_ROLE};"
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public "
        f"TO {RUNTIME_ROLE};"
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {RUNTIME_ROLE};"
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {AUDIT_TABLE} FROM {RUNTIME_ROLE};"
        f"REVOKE DELETE, TRUNCATE ON {AUDIT_HEAD_TABLE} FROM {RUNTIME_ROLE};")
    tables = [r["table_name"] for r in await connection.fetch(
        "SELECT c.table_name FROM information_schema.columns c "
        "JOIN information_schema.tables t USING (table_schema, table_name) "
        "WHERE c.table_schema = 'public' AND c.column_name = 'tenant' "
        "AND t.table_type = 'BASE TABLE' ORDER BY 1")]
    existing = {r["tablename"] for r in await connection.fetch(
        "SELECT tablename FROM pg_policies WHERE schemaname = 'public' AND policyname = $1",
        POLICY)}
    for table in tables:
        await connection.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY;'
                                 f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY;')
        verb = "ALTER" if table in existing else "CREATE"
        await connection.execute(f'{verb} POLICY {POLICY} ON "{table}" '
                                 f"USING {_CONDITION} WITH CHECK {_CONDITION}")
    return tables
