"""Browser tests: Debian's Chromium driven by Playwright against the app served by uvicorn
on a loopback port, with axe-core checking every page (WCAG 2.1 AA).

The server runs in the test session's event loop on the session's app (same database,
same kernel), so tests prepare data with the usual fixtures. Without Chromium the tests
skip, except under ``CI=true`` where they fail. ``CONCEJO_SCREENSHOTS=<dir>`` saves a
screenshot of each checked page there (``docs/screenshots`` holds a few).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.browser.browser_tools import CHROMIUM_ARGS, require_browser


@pytest.fixture(scope="session")
async def live_server(concejo_app: Any) -> AsyncIterator[str]:
    """The session's app behind the host-name mapping, served on 127.0.0.1:<free port>."""
    import uvicorn

    from core.app import HostMiddleware

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(HostMiddleware(concejo_app), lifespan="off",
                                           log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    await task
    sock.close()


@pytest.fixture(scope="session")
async def chromium() -> AsyncIterator[Any]:
    path = require_browser()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


@pytest.fixture
async def browser_context(chromium: Any) -> AsyncIterator[Any]:
    """A fresh desktop context (own cookies); ``new_context(**kw)`` for other devices."""
    contexts = []

    async def new_context(**options: Any) -> Any:
        options.setdefault("viewport", {"width": 1280, "height": 860})
        context = await chromium.new_context(locale="es-ES", **options)
        contexts.append(context)
        return context

    yield new_context
    for context in contexts:
        await context.close()
