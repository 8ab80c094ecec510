"""Helpers of the production tests: system tools (skip, or fail under CI=true), loopback
ports, throw-away PostgreSQL databases."""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from urllib.parse import urlparse

import asyncpg
import pytest


def require_tool(name: str) -> str:
    """The tool's path (PATH, then the sbin folders); skip when missing, except under
    ``CI=true``, where ``.ci/run`` installs it and a missing tool fails the test."""
    path = shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/sbin/{name}") if os.access(p, os.X_OK)), None)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is missing; CI=true requires it", pytrace=False)
        pytest.skip(f"{name} is not installed")
    return path


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def create_database(server_url: str, prefix: str) -> str:
    """A new, empty PostgreSQL database on the server of ``server_url``; its URL."""
    parsed = urlparse(server_url)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(parsed._replace(path="/postgres").geturl())
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return parsed._replace(path=f"/{name}").geturl()


async def drop_database(url: str) -> None:
    parsed = urlparse(url)
    admin = await asyncpg.connect(parsed._replace(path="/postgres").geturl())
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{parsed.path[1:]}" WITH (FORCE)')
    finally:
        await admin.close()
