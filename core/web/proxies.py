"""The client's address: the peer's, unless the peer is a configured proxy.

``trusted_proxies`` (addresses or networks, empty by default) names the reverse proxies
whose ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed. Then the client is the
rightmost address of ``X-Forwarded-For`` that is not itself a trusted proxy (what a client
wrote in the header before reaching our proxies is never believed). Everything that
reads ``request.client`` — login throttling, the CSV look-up limit, the audit's ``ip`` —
gets that address. uvicorn's own proxy handling is off (``core.cli.server_options``).
"""

from __future__ import annotations

import functools
import ipaddress
from typing import Any

from core import kernel as _kernel

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
PEER = "concejo.peer"  # the scope key keeping the proxy's own address


def peer_of(scope: Any) -> str | None:
    """The address the connection came from (the proxy's, behind a trusted proxy)."""
    client = scope.get("client")
    return scope.get(PEER) or (client[0] if client else None)


@functools.lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(t.strip(), strict=False) for t in trusted if t.strip())


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def _is_trusted(text: str, networks: tuple[Network, ...]) -> bool:
    address = _address(text)
    return address is not None and any(address in n for n in networks)


def client_of(peer: str, forwarded: list[str], networks: tuple[Network, ...]) -> str:
    """The client address of a request from ``peer`` carrying ``forwarded`` headers."""
    if not networks or not _is_trusted(peer, networks):
        return peer
    hops = [h.strip() for value in forwarded for h in value.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            return str(_address(hop) or peer)
    return peer


class ForwardedMiddleware:
    """ASGI middleware: the request's ``client`` (and scheme) as ``trusted_proxies`` say."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        networks = _networks(tuple(_kernel.current().settings.trusted_proxies))
        client = scope.get("client")
        if networks and client and scope["type"] in ("http", "websocket") \
                and _is_trusted(client[0], networks):
            headers = [(k.lower(), v.decode("latin-1")) for k, v in scope["headers"]]
            forwarded = [v for k, v in headers if k == b"x-forwarded-for"]
            scope = {**scope, "client": (client_of(client[0], forwarded, networks), 0),
                     PEER: client[0]}
            proto = next((v.strip().lower() for k, v in headers
                          if k == b"x-forwarded-proto"), "")
            if proto in ("http", "https"):
                scope["scheme"] = proto if scope["type"] == "http" else \
                    {"http": "ws", "https": "wss"}[proto]
        await self.app(scope, receive, send)
