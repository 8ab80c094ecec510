"""Fixtures for the platform layer of documents and signing: entities with their seal and
people's certificates from the kernel's development PKI (``concejo pki dev``), clients
with their own address (the CSV look-up limit is per address), pdfsig trusting that PKI."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from core.signing.devpki import make_dev_pki
from core.signing.devsetup import pki_directory, provision_dev_pki
from core.tenancy.context import TenantContext
from tests.signing.signing_tools import PdfsigReport, pdfsig_runner

_addresses = itertools.count(1)


@pytest.fixture
def sealed_tenant(make_tenant) -> Callable[..., Awaitable[TenantContext]]:
    """An entity with its seal installed (and certificates for its members so far)."""

    async def factory(**options) -> TenantContext:
        tenant = await make_tenant(**options)
        await provision_dev_pki([tenant.slug])
        return tenant

    return factory


@pytest.fixture
def certify() -> Callable[[TenantContext], Awaitable[None]]:
    """Install the certificates of the tenant's members added since it was made."""

    async def run(tenant: TenantContext) -> None:
        await provision_dev_pki([tenant.slug])

    return run


@pytest.fixture
async def own_client(concejo_app) -> AsyncIterator[Callable[[], httpx.AsyncClient]]:
    """Clients that each come from a new client address (10.9.x.y)."""
    opened: list[httpx.AsyncClient] = []

    def make() -> httpx.AsyncClient:
        n = next(_addresses)
        transport = httpx.ASGITransport(app=concejo_app,
                                        client=(f"10.9.{n // 250}.{n % 250 + 1}", 40000))
        opened.append(httpx.AsyncClient(transport=transport, base_url="http://testserver"))
        return opened[-1]

    yield make
    for http in opened:
        await http.aclose()


@pytest.fixture(scope="session")
async def pdfsig(concejo_app, tmp_path_factory) -> Callable[[bytes], PdfsigReport]:
    """poppler's pdfsig with an NSS database trusting the kernel's development root."""
    pki = await asyncio.to_thread(make_dev_pki, pki_directory(), [], [])
    return pdfsig_runner(pki.root_cert, tmp_path_factory.mktemp("platform-pdfsig"))
