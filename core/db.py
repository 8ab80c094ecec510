"""Database: Piccolo engines from a URL, one Piccolo app per plugin, migrations, atomic().

SQLite file by default, PostgreSQL by URL. Every table of every installed app is bound to
the one engine at boot; ``atomic()`` opens a transaction and runs the callbacks registered
with ``after_commit`` once it has committed (the outbox relay uses that).

On PostgreSQL two pools: requests and jobs log in as the runtime role (``runtime_url``:
``concejo_runtime``, which owns nothing, is a member of no role and cannot lift RLS), and
the declared cross-tenant passes run on connections of the owner the URL names. A request
takes one pooled connection for all its queries and transactions (``request_connection``)
instead of one per query, and a connection's tenant scope is set only when it changes
(``LeasingPool``) and cleared when it goes back to the pool: round trips, not SQL, are
most of a request's cost.
"""

from __future__ import annotations

import contextlib
import contextvars
import importlib
import importlib.util
import io
import logging
import os
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration
from piccolo.conf.apps import AppConfig, AppRegistry
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

os.environ.setdefault("PICCOLO_CONF", "core.piccolo_conf")

log = logging.getLogger(__name__)

#: Kernel Piccolo apps, in migration order.
KERNEL_APPS: tuple[str, ...] = (
    "core.tenancy.piccolo_app",
    "core.audit.piccolo_app",
    "core.jobs_app.piccolo_app",
    "core.identity.piccolo_app",
    "core.documents.piccolo_app",
    "core.signing.piccolo_app",
    "core.calendar_app.piccolo_app",
    "core.numbering.piccolo_app",
)

_after_commit: contextvars.ContextVar[list[Callable[[], Awaitable[None]]] | None] = (
    contextvars.ContextVar("concejo_after_commit", default=None)
)


class Database:
    """The bound engine and the registry of Piccolo apps (kernel + installed plugins)."""

    def __init__(self, url: str, app_modules: Iterable[str], runtime: str = "") -> None:
        self.url = url
        #: PostgreSQL: migrations and cross-tenant passes run as the owner the URL names;
        #: requests and jobs, through ``engine``, log in as the runtime role
        #: (``core.tenancy.rls``) at ``runtime_url``. SQLite: one engine.
        self.owner_engine = make_engine(url)
        self.runtime_url = runtime_url(url, runtime)
        self.engine = make_engine(self.runtime_url) \
            if self.owner_engine.engine_type == "postgres" else self.owner_engine
        self.registry = AppRegistry(apps=list(app_modules))
        self.bind()

    @property
    def is_postgres(self) -> bool:
        return self.engine.engine_type == "postgres"

    def app_configs(self) -> list[AppConfig]:
        return list(self.registry.app_configs.values())

    def bind(self, engine: Engine | None = None) -> None:
        """Point every table (and Piccolo's own migration table) at the runtime engine,
        or at ``engine``."""
        import core.piccolo_conf as conf

        engine = engine or self.engine
        conf.DB = engine
        conf.APP_REGISTRY = self.registry
        Migration._meta.db = engine
        for app in self.app_configs():
            for table in app.table_classes:
                table._meta.db = engine

    async def migrate(self) -> None:
        """Run every pending migration of every app; on PostgreSQL as the owner, then
        install row-level security (``core.tenancy.rls.install``)."""
        if not self.is_postgres:
            return await self._run_migrations()
        from core.tenancy import rls

        assert isinstance(self.owner_engine, PostgresEngine)
        await self.owner_engine.start_connection_pool(min_size=1, max_size=2)
        try:
            self.bind(self.owner_engine)
            await self._run_migrations()
            async with self.owner_engine.pool.acquire() as connection:
                await rls.install(connection, urlparse(self.runtime_url).password)
        finally:
            self.bind()
            await self.owner_engine.close_connection_pool()

    async def _run_migrations(self) -> None:
        output = io.StringIO()
        with contextlib.redirect_stdout(output):  # Piccolo narrates every app
            result = await run_forwards("all")
        if not result.success:
            raise RuntimeError(f"Migrations failed: {result.message}\n{output.getvalue()}")

    async def start(self) -> None:
        if isinstance(self.engine, SQLiteEngine):
            await self.engine._run_in_new_connection("PRAGMA journal_mode=WAL")
        if isinstance(self.engine, PostgresEngine):
            import asyncpg

            from core.tenancy.rls import pool_reset

            await self.engine.start_connection_pool(min_size=1, max_size=10, reset=pool_reset)
            cross = await asyncpg.create_pool(self.url, min_size=1, max_size=4,
                                              reset=pool_reset)
            self.engine.pool = LeasingPool(self.engine.pool, cross)

    async def stop(self) -> None:
        if isinstance(self.engine, PostgresEngine):
            pool = self.engine.pool
            await self.engine.close_connection_pool()
            if isinstance(pool, LeasingPool):
                await pool.cross.close()


class Lease:
    """The connection one request works on, taken from the pool at its first query."""

    def __init__(self) -> None:
        self.connection: Any = None
        self.busy = False
        self.ended = False


_lease: contextvars.ContextVar[Lease | None] = contextvars.ContextVar("concejo_lease",
                                                                      default=None)
_scope_free: contextvars.ContextVar[bool] = contextvars.ContextVar("concejo_scope_free",
                                                                   default=False)


@contextlib.contextmanager
def scope_free() -> Iterator[None]:
    """For a query that reads no tenant's data and needs no role (the cache generation):
    it runs on the connection as it is, without setting the tenant scope first."""
    token = _scope_free.set(True)
    try:
        yield
    finally:
        _scope_free.reset(token)


class LeasingPool:
    """The asyncpg pools as Piccolo sees them: the runtime role's, and (``cross``) the
    owner's for code inside a declared cross-tenant pass. A checkout sets the current
    tenant scope on the connection's session (``rls.pool_setup``) unless that connection
    has it already; a connection going back to either pool leaves with no scope; inside
    ``request_connection`` a runtime checkout gets the request's own connection when no
    other query of the request is using it, and a pooled one otherwise."""

    def __init__(self, pool: Any, cross: Any) -> None:
        self._pool = pool
        self.cross = cross
        self._leased: dict[int, Lease] = {}
        self._crossing: set[int] = set()
        self._scopes: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()

    def acquire(self) -> _Checkout:
        return _Checkout(self)

    def is_cross(self, connection: Any) -> bool:
        return id(connection) in self._crossing

    async def take(self) -> Any:
        from core.tenancy import rls

        if rls.current().cross and not _scope_free.get():
            connection = await self.cross.acquire()
            self._crossing.add(id(connection))
            return await self._synced(connection)
        lease = _lease.get()
        if lease is None or lease.busy or lease.ended:
            return await self._synced(await self._pool.acquire())
        lease.busy = True
        try:
            if lease.connection is None:
                lease.connection = await self._pool.acquire()
                self._leased[id(lease.connection)] = lease
            await self._sync(lease.connection)
        except BaseException:
            lease.busy = False
            raise
        return lease.connection

    async def _synced(self, connection: Any) -> Any:
        try:
            await self._sync(connection)
        except BaseException:
            await self._give_back(connection)
            raise
        return connection

    async def _sync(self, connection: Any) -> None:
        if _scope_free.get():
            return
        from core.tenancy import rls

        scope, session = rls.current(), connection._con  # the proxy's own connection
        if self._scopes.get(session, rls.NO_SCOPE) != scope:
            await rls.pool_setup(connection)
            self._scopes[session] = scope

    async def _give_back(self, connection: Any) -> None:
        """Back to its pool, with no tenant scope left on its session."""
        from core.tenancy import rls

        session = connection._con
        if self._scopes.get(session, rls.NO_SCOPE) != rls.NO_SCOPE:
            self._scopes.pop(session, None)  # unknown until cleared
            await rls.pool_clear(connection)
            self._scopes[session] = rls.NO_SCOPE
        if id(connection) in self._crossing:
            self._crossing.discard(id(connection))
            await self.cross.release(connection)
        else:
            await self._pool.release(connection)

    async def release(self, connection: Any) -> None:
        lease = self._leased.get(id(connection))
        if lease is None or lease.connection is not connection:
            await self._give_back(connection)
            return
        lease.busy = False
        if lease.ended:
            await self.end(lease)

    async def end(self, lease: Lease) -> None:
        """The request is over: its connection goes back to the pool once it is free."""
        lease.ended = True
        if lease.connection is not None and not lease.busy:
            del self._leased[id(lease.connection)]
            connection, lease.connection = lease.connection, None
            await self._give_back(connection)

    def __getattr__(self, name: str) -> Any:  # close(), terminate(), sizes …
        return getattr(self._pool, name)


class _Checkout:
    """``await pool.acquire()`` and ``async with pool.acquire() as connection``."""

    def __init__(self, pool: LeasingPool) -> None:
        self.pool = pool
        self.connection: Any = None

    def __await__(self) -> Generator[Any, None, Any]:
        return self.pool.take().__await__()

    async def __aenter__(self) -> Any:
        self.connection = await self.pool.take()
        return self.connection

    async def __aexit__(self, *exc: object) -> None:
        await self.pool.release(self.connection)


@contextlib.asynccontextmanager
async def request_connection() -> AsyncIterator[None]:
    """Run a request on one pooled connection (PostgreSQL; elsewhere nothing changes)."""
    pool = getattr(engine(), "pool", None)
    if not isinstance(pool, LeasingPool):
        yield
        return
    lease = Lease()
    token = _lease.set(lease)
    try:
        yield
    finally:
        _lease.reset(token)
        await pool.end(lease)


def runtime_url(owner_url: str, configured: str = "") -> str:
    """The URL requests and jobs connect with: ``configured``, or the owner's URL with the
    runtime role as its user and no password (peer, trust or a ``.pgpass`` entry)."""
    if configured:
        return configured
    parsed = urlparse(owner_url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        return owner_url
    from core.tenancy.rls import RUNTIME_ROLE

    host = parsed.hostname or ""
    host = f"[{host}]" if ":" in host else host
    netloc = f"{RUNTIME_ROLE}@{host}" + (f":{parsed.port}" if parsed.port else "")
    return urlunparse(parsed._replace(netloc=netloc))


class ScopedPostgresEngine(PostgresEngine):
    """Piccolo's engine, except that a cross-tenant pass taken inside a tenant's open
    transaction (a job that looks up the directory of every entity) runs its queries on
    a connection of the owner, outside that transaction: the runtime role's connection
    cannot see across tenants, whatever it sets."""

    async def run_querystring(self, querystring: Any, in_pool: bool = True) -> Any:
        from core.tenancy import rls

        transaction = self.current_transaction.get()
        pool = self.pool
        if (transaction is None or not rls.current().cross or _scope_free.get()
                or not isinstance(pool, LeasingPool) or pool.is_cross(transaction.connection)):
            return await super().run_querystring(querystring, in_pool)
        token = self.current_transaction.set(None)
        try:
            return await super().run_querystring(querystring, in_pool)
        finally:
            self.current_transaction.reset(token)


def make_engine(url: str) -> Engine:
    """``sqlite:///path/file.sqlite`` or ``postgresql://user@host:port/db``."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SQLiteEngine(path=str(path), timeout=30)
    if parsed.scheme in {"postgres", "postgresql"}:
        return ScopedPostgresEngine(config={"dsn": url})
    raise ValueError(f"Unsupported database URL {url!r}: use sqlite:/// or postgresql://")


def app_modules_for(plugin_modules: Iterable[str]) -> list[str]:
    """Kernel apps plus the ``piccolo_app`` module of each installed plugin that has one."""
    modules = list(KERNEL_APPS)
    for plugin_module in plugin_modules:
        package = plugin_module.rsplit(".", 1)[0]
        candidate = f"{package}.piccolo_app"
        if importlib.util.find_spec(candidate) is not None:
            modules.append(candidate)
    return modules


def engine() -> Engine:
    """The engine the kernel tables are bound to."""
    import core.piccolo_conf as conf

    return conf.DB


@contextlib.asynccontextmanager
async def atomic() -> AsyncIterator[None]:
    """A transaction; nested use joins the outer one. Callbacks run after the outer commit."""
    if _after_commit.get() is not None:
        yield
        return
    callbacks: list[Callable[[], Awaitable[None]]] = []
    token = _after_commit.set(callbacks)
    db = engine()
    kwargs = {"transaction_type": TransactionType.immediate} if db.engine_type == "sqlite" else {}
    try:
        async with db.transaction(**kwargs):
            yield
    finally:
        _after_commit.reset(token)
    for callback in callbacks:
        try:
            await callback()
        except Exception:  # after commit nothing may undo the transaction
            log.exception("after-commit callback failed")


def after_commit(callback: Callable[[], Awaitable[None]]) -> None:
    """Run ``callback`` once the current ``atomic()`` block commits (now if there is none)."""
    callbacks = _after_commit.get()
    if callbacks is None:
        raise RuntimeError("after_commit() needs an open atomic() block")
    callbacks.append(callback)


def unique_index(table: str, *columns: str) -> Callable[[], Awaitable[None]]:
    """A migration step creating a composite unique index (portable to SQLite, unlike
    ``ADD CONSTRAINT``); use with ``MigrationManager.add_raw`` in a migration that runs
    after the table exists."""
    name = f"uq_{table}_{'_'.join(columns)}"

    quoted = ", ".join(f'"{column}"' for column in columns)

    async def create() -> None:
        await engine().run_ddl(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {table} ({quoted})")

    return create
