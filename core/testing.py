"""Pytest plugin with fixtures for Concejo and plugin authors (loaded automatically).

Everything runs against real parts: a SQLite file by default, or the PostgreSQL server
named by ``CONCEJO_TEST_DATABASE_URL`` (a fresh database is created for the session); the
app runs its real lifespan with the in-process Dramatiq worker, fed by the embedded broker
or by the Redis / RabbitMQ named by ``CONCEJO_TEST_BROKER_URL``.

Fixtures: ``concejo_kernel``, ``concejo_app``, ``client`` (an httpx client with its own
cookies), ``make_tenant(plugins=..., community=..., languages=...)``,
``login(client, tenant, role)``, ``drain()``,
``concejo_cli(*args)`` (the real command in a subprocess).
Override the session fixture ``concejo_extra_plugins`` in a conftest to boot with
throw-away plugins. ``require_service`` skips a test whose service is down, except under
``CI=true``, where it fails.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlparse

import httpx
import msgspec
import pytest
from litestar import Litestar

from core.app import create_app
from core.kernel import Kernel, boot
from core.settings import Settings
from core.tenancy.context import TenantContext

_counter = itertools.count(1)


def require_service(name: str, url: str) -> None:
    """Skip when the service at ``url`` does not answer; under ``CI=true`` fail instead."""
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 0),
                                      timeout=2):
            return
    except OSError as exc:
        message = f"{name} not reachable at {parsed.hostname}:{parsed.port} ({exc})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI=true requires it", pytrace=False)
        pytest.skip(message)


async def fresh_postgres(url: str, suffix: str = "") -> str:
    """Drop and create the PostgreSQL database named by ``url`` (plus ``suffix``); its URL."""
    import asyncpg

    parsed = urlparse(url)
    name = (parsed.path.lstrip("/") or "concejo_test") + suffix
    admin = await asyncpg.connect(parsed._replace(path="/postgres").geturl())
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return parsed._replace(path=f"/{name}").geturl()


@pytest.fixture(scope="session")
async def concejo_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("CONCEJO_TEST_DATABASE_URL")
    if url:
        require_service("PostgreSQL", url)
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        return await fresh_postgres(url, f"_{worker}" if worker else "")
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'concejo.sqlite'}"


@pytest.fixture(scope="session")
def concejo_extra_plugins() -> list[ModuleType | str]:
    """Plugins to boot besides the built-in ones; override in a conftest."""
    return []


@pytest.fixture(scope="session")
def concejo_broker_url() -> Iterator[str]:
    """The embedded broker, or the real one named by ``CONCEJO_TEST_BROKER_URL``.

    A Redis URL gets a namespace of its own for the session (removed at the end), so runs
    sharing one Redis do not consume each other's messages; an ``amqp://`` URL is used as
    given (name a vhost of its own)."""
    url = os.environ.get("CONCEJO_TEST_BROKER_URL", "")
    if not url:
        yield ""
        return
    require_service("the broker", url)
    if not url.startswith(("redis://", "rediss://")):
        yield url
        return
    import redis

    namespace = f"concejo_test_{uuid.uuid4().hex[:12]}"
    separator = "&" if urlparse(url).query else "?"
    yield f"{url}{separator}namespace={namespace}"
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(f"{namespace}*"):
        client.delete(key)
    client.close()


@pytest.fixture(scope="session")
def concejo_settings(tmp_path_factory: pytest.TempPathFactory,
                     concejo_database_url: str, concejo_broker_url: str) -> Settings:
    data = Path(tmp_path_factory.mktemp("data"))
    return Settings(data_dir=str(data), database_url=concejo_database_url,
                    broker_url=concejo_broker_url,
                    secret_key="test-secret-key-not-for-production")


@pytest.fixture(scope="session")
async def concejo_kernel(concejo_settings: Settings,
                         concejo_extra_plugins: list[ModuleType | str]) -> Kernel:
    from core.tenancy import rls

    # Test code (fixtures, direct service calls, checks) works across tenants; requests
    # and jobs still start in their own tenant's scope and meet the database wall.
    rls.allow_unscoped("test code")
    return boot(concejo_settings, concejo_extra_plugins)


@pytest.fixture(scope="session")
async def concejo_app(concejo_kernel: Kernel) -> AsyncIterator[Litestar]:
    """The app with its lifespan running (migrations applied, embedded worker started)."""
    app = create_app(concejo_kernel.settings, kernel=concejo_kernel, run_worker=True)
    started, stop = asyncio.Event(), asyncio.Event()

    async def serve() -> None:  # one task enters and leaves the lifespan, as a server does
        async with app.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(serve())
    await asyncio.wait([task, asyncio.create_task(started.wait())],
                       return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        task.result()  # startup failed: raise its error
    yield app
    stop.set()
    await task


@pytest.fixture
async def client(concejo_app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """A fresh HTTP client (own cookies) against the running app."""
    transport = httpx.ASGITransport(app=concejo_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def make_tenant(concejo_app: Litestar) -> Callable[..., Awaitable[TenantContext]]:
    """Create a uniquely named ayuntamiento (or another kind) with the given plugins."""
    from core.demo import synthetic_nif
    from core.tenancy.services import NewTenant, add_tenant, set_plugin
    from core.tenancy.tables import TenantKind

    async def factory(plugins: tuple[str, ...] = (), kind: str = "ayuntamiento",
                      settings: dict[str, dict[str, Any]] | None = None,
                      hosts: tuple[str, ...] = (), community: str | None = None,
                      languages: tuple[str, ...] = ("es",),
                      ine_code: str | None = None) -> TenantContext:
        n = next(_counter)
        suffix = uuid.uuid4().hex[:6]
        tenant = await add_tenant(NewTenant(
            slug=f"t{n}-{suffix}", kind=TenantKind(kind), name=f"Entidad de prueba {n}",
            dir3=f"Z{uuid.uuid4().hex[:8].upper()}", nif=synthetic_nif(f"P99{n % 100000:05d}"),
            hosts=list(hosts), community=community, languages=list(languages),
            ine_code=ine_code, demo=True),
            actor="test")
        for plugin in plugins:
            tenant = await set_plugin(tenant, plugin, True, actor="test",
                                      settings=(settings or {}).get(plugin))
        return tenant

    return factory


async def csrf_headers(http: httpx.AsyncClient) -> dict[str, str]:
    """The double-submit header for unsafe requests of a cookie-authenticated client."""
    if "csrftoken" not in http.cookies:
        await http.get("/login")
    return {"x-csrftoken": http.cookies["csrftoken"]}


@pytest.fixture
def login(concejo_app: Litestar) -> Callable[..., Awaitable[int]]:
    """Log a client in as a new staff user holding ``role`` in ``tenant``; returns user id.
    Roles that need a second factor get a TOTP enrolled and go through the code step."""
    from core.identity.actor import ADMIN_ROLES
    from core.identity.services import ensure_user, grant_role

    async def do_login(http: httpx.AsyncClient, tenant: TenantContext, role: str) -> int:
        email = f"user{next(_counter)}-{uuid.uuid4().hex[:6]}@test.invalid"
        user_id = await ensure_user(email, f"Usuario {role}", "correct horse battery")
        await grant_role(user_id, tenant.id, role)
        secret = await enrol_totp(user_id) if role in ADMIN_ROLES else None
        await password_login(http, email, "correct horse battery", secret)
        return user_id

    return do_login


async def password_login(http: httpx.AsyncClient, email: str, password: str,
                         totp_secret: str | None = None) -> None:
    """Log in through the login form (and the code form, given the TOTP secret)."""
    headers = await csrf_headers(http)
    response = await http.post("/login", data={"email": email, "password": password},
                               headers=headers)
    assert response.status_code in (302, 303), response.text
    if totp_secret:
        response = await http.post("/login/code", data={"code": totp_now(totp_secret)},
                                   headers=headers)
        assert response.status_code in (302, 303), response.text


async def enrol_totp(user_id: int) -> str:
    """Enrol a TOTP second factor for a user (as its first code, one step ago, would);
    returns the secret, for ``totp_now``."""
    import time

    import pyotp

    from core.identity import mfa

    secret = pyotp.random_base32()
    assert await mfa.enrol(user_id, secret, pyotp.TOTP(secret).at(time.time() - 30))
    return secret


def totp_now(secret: str) -> str:
    """The current TOTP code of a secret."""
    import pyotp

    return pyotp.TOTP(secret).now()


@pytest.fixture
def drain(concejo_kernel: Kernel) -> Callable[[], Awaitable[None]]:
    """Relay the outbox and wait until the embedded worker has processed every message."""
    return concejo_kernel.jobs.drain


class CliResult(msgspec.Struct):
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def concejo_cli(concejo_kernel: Kernel) -> Callable[..., Awaitable[CliResult]]:
    """Run the real ``concejo`` command in a subprocess against the test database."""

    async def run(*args: str) -> CliResult:
        env = {**os.environ, "CONCEJO_DATA_DIR": concejo_kernel.settings.data_dir,
               "CONCEJO_DATABASE_URL": concejo_kernel.settings.effective_database_url}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "core.cli", *args, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(process.communicate(), 120)
        return CliResult(process.returncode or 0, out.decode(), err.decode())

    return run
