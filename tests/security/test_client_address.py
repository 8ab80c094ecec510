"""The client address (login throttling, CSV look-up limits, the audit's ip) comes from
``X-Forwarded-For`` only when the peer is a configured proxy (``trusted_proxies``, empty
by default), through the real server options ``concejo serve`` runs uvicorn with."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn

from core import kernel as _kernel
from core.cli import server_options
from core.identity.tables import LoginAttempt
from core.testing import csrf_headers
from tests.production.tools import free_port


@pytest.fixture
async def served(concejo_app) -> AsyncIterator[str]:
    """The session's app behind a real uvicorn, with the options of ``concejo serve``."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(concejo_app, host="127.0.0.1", port=port,
                                           lifespan="off", log_config=None,
                                           **server_options()))
    task = asyncio.create_task(server.serve())
    for _ in range(500):  # up to 10 s
        if server.started:
            break
        await asyncio.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


async def _failed_login_ip(base: str, forwarded: str) -> str:
    email = f"{uuid.uuid4().hex[:10]}@example.org"
    async with httpx.AsyncClient(base_url=base) as http:
        headers = {**await csrf_headers(http), "x-forwarded-for": forwarded}
        await http.post("/login", data={"email": email, "password": "wrong-password"},
                        headers=headers)
    row = await LoginAttempt.select(LoginAttempt.ip).where(LoginAttempt.email == email).first()
    return row["ip"]


async def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(
        served, monkeypatch):
    settings = _kernel.current().settings
    assert settings.trusted_proxies == []  # the default trusts no proxy, not even loopback
    assert await _failed_login_ip(served, "203.0.113.9") == "127.0.0.1"
    monkeypatch.setattr(settings, "trusted_proxies", ["10.0.0.0/8"])  # not this peer
    assert await _failed_login_ip(served, "203.0.113.9") == "127.0.0.1"


async def test_a_trusted_proxy_names_the_client(served, monkeypatch):
    settings = _kernel.current().settings
    monkeypatch.setattr(settings, "trusted_proxies", ["127.0.0.1", "10.1.0.0/16"])
    assert await _failed_login_ip(served, "203.0.113.9") == "203.0.113.9"
    # what the client wrote itself before our proxies is not believed: the rightmost
    # address that is not a trusted proxy is the client
    assert await _failed_login_ip(served, "198.51.100.1, 203.0.113.9, 10.1.2.3") \
        == "203.0.113.9"
    assert await _failed_login_ip(served, "not-an-address") == "127.0.0.1"
