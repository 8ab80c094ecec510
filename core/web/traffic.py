"""Per-request traffic handling before routing: per-tenant rate limit, metrics, access log.

The tenant is read from the path (``/<slug>/…``, ``/sede/<slug>/…``, ``/api/v1/<slug>/…``)
without touching the request's own database work. Slugs that name no tenant share one
bucket and one metrics label (``-``), so a flood of invented slugs neither escapes the limit
nor multiplies the metric series. The limit is a token bucket per tenant and web process
(ENS mp.s.4): ``rate_limit_per_tenant`` requests per second, ``rate_limit_burst`` at once.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable

import msgspec
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from core import metrics
from core.settings import Settings
from core.tenancy.tables import Tenant

log = logging.getLogger("concejo.access")

UNKNOWN = "-"
_KERNEL_PATHS = frozenset({"", "login", "logout", "health", "ready", "metrics", "schema",
                           "favicon.ico"})


def classify(path: str) -> tuple[str, str | None]:
    """The route group of a path and the tenant slug it names, if any."""
    parts = path.strip("/").split("/", 3)
    first = parts[0]
    if first in _KERNEL_PATHS:
        return "kernel", None
    if first == "static":
        return "static", None
    if first == "diputacion":
        return "console", None
    if first == "sede":
        return "sede", parts[1] if len(parts) > 1 and parts[1] else None
    if first == "api":
        slug = parts[2] if len(parts) > 2 and parts[2] else None
        return ("console", None) if slug == "diputacion" else ("api", slug)
    return "staff", first


class KnownTenants:
    """The set of tenant slugs, refreshed every ``ttl`` seconds and at most once a second
    on a miss (so a new tenant is known at once, and a flood of unknown slugs costs at most
    one query a second)."""

    def __init__(self, ttl: float = 30.0, miss_interval: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.miss_interval = miss_interval
        self.clock = clock
        self._slugs: frozenset[str] = frozenset()
        self._loaded_at = -math.inf
        self._lock = asyncio.Lock()

    async def label(self, slug: str) -> str:
        """``slug`` when it names a tenant, else ``-``."""
        age = self.clock() - self._loaded_at
        if age > self.ttl or (slug not in self._slugs and age > self.miss_interval):
            await self._refresh()
        return slug if slug in self._slugs else UNKNOWN

    async def _refresh(self) -> None:
        async with self._lock:
            if self.clock() - self._loaded_at <= self.miss_interval:
                return  # another request refreshed while this one waited
            rows = await Tenant.select(Tenant.slug)
            self._slugs = frozenset(r["slug"] for r in rows)
            self._loaded_at = self.clock()


class RateLimiter:
    """Token buckets by key: ``rate`` tokens a second, at most ``burst`` stored."""

    def __init__(self, rate: float, burst: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)

    def wait_time(self, key: str) -> float:
        """Take a token for ``key``: 0 when allowed, else seconds until one is free."""
        now = self.clock()
        tokens, at = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1 - tokens) / self.rate


def limiter_for(settings: Settings) -> RateLimiter | None:
    if settings.rate_limit_per_tenant <= 0:
        return None
    burst = settings.rate_limit_burst or max(1, math.ceil(2 * settings.rate_limit_per_tenant))
    return RateLimiter(settings.rate_limit_per_tenant, burst)


class TrafficMiddleware:
    """ASGI wrapper: refuse a tenant over its rate with 429, then count and log the request."""

    def __init__(self, app: ASGIApp, settings: Settings,
                 known: KnownTenants | None = None) -> None:
        self.app = app
        self.limiter = limiter_for(settings)
        self.known = known or KnownTenants()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        group, slug = classify(scope["path"])
        tenant = await self.known.label(slug) if slug else UNKNOWN
        status = 500

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            wait = self.limiter.wait_time(tenant) if self.limiter and slug else 0.0
            if wait:
                metrics.RATE_LIMITED.labels(tenant).inc()
                await _too_many_requests(scope, send_observed, wait)
            else:
                await self.app(scope, receive, send_observed)
        finally:
            elapsed = time.perf_counter() - started
            metrics.HTTP_REQUESTS.labels(tenant, group, scope["method"], str(status)).inc()
            metrics.HTTP_LATENCY.labels(group).observe(elapsed)
            log.info("%s %s %s", scope["method"], scope["path"], status, extra={
                "tenant": tenant, "group": group, "status": status,
                "duration_ms": round(elapsed * 1000, 2)})


async def _too_many_requests(scope: Scope, send: Send, wait: float) -> None:
    body = msgspec.json.encode({
        "type": "about:blank", "title": "Too Many Requests", "status": 429,
        "detail": "Demasiadas peticiones para esta entidad; inténtelo de nuevo en unos segundos",
        "instance": scope["path"]})
    await send({"type": "http.response.start", "status": 429, "headers": [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(max(1, math.ceil(wait))).encode())]})
    await send({"type": "http.response.body", "body": body})
