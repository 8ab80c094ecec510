"""Per-tenant rate limit, request metrics and the access log (core.web.traffic)."""

import asyncio
import json
import logging

import httpx
import pytest
from prometheus_client import REGISTRY

from core.logs import JsonFormatter
from core.settings import Settings
from core.web.traffic import KnownTenants, RateLimiter, TrafficMiddleware, classify


@pytest.mark.parametrize(("path", "expected"), [
    ("/", ("kernel", None)), ("/health", ("kernel", None)), ("/metrics", ("kernel", None)),
    ("/static/core/concejo.css", ("static", None)), ("/diputacion/", ("console", None)),
    ("/api/v1/diputacion/tenants/x/plugins", ("console", None)),
    ("/sede/soria/tablon/", ("sede", "soria")), ("/sede/", ("sede", None)),
    ("/api/v1/soria/tablon/anuncios/", ("api", "soria")), ("/soria/tablon/", ("staff", "soria")),
])
def test_paths_are_classified_by_group_and_tenant(path, expected):
    assert classify(path) == expected


def test_token_bucket_refills_at_its_rate():
    now = [0.0]
    limiter = RateLimiter(rate=2.0, burst=3, clock=lambda: now[0])
    assert [limiter.wait_time("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.wait_time("a") == pytest.approx(0.5)
    assert limiter.wait_time("b") == 0.0  # another key has its own bucket
    now[0] += 0.5
    assert limiter.wait_time("a") == 0.0
    assert limiter.wait_time("a") > 0


async def test_unknown_slugs_share_one_label_and_new_tenants_are_seen_at_once(make_tenant):
    now = [1000.0]
    known = KnownTenants(ttl=30, miss_interval=1, clock=lambda: now[0])
    assert await known.label("no-such-entity") == "-"
    tenant = await make_tenant()
    now[0] += 1.5  # a miss refreshes at most once a second
    assert await known.label(tenant.slug) == tenant.slug


def _limited_app(concejo_app, rate: float, burst: int) -> httpx.AsyncClient:
    settings = Settings(rate_limit_per_tenant=rate, rate_limit_burst=burst)
    transport = httpx.ASGITransport(app=TrafficMiddleware(concejo_app, settings))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_a_flooding_tenant_gets_429_while_another_keeps_being_served(
        concejo_app, make_tenant):
    noisy = await make_tenant(plugins=("alpha",))
    quiet = await make_tenant(plugins=("alpha",))
    refused_before = _sample("concejo_rate_limited_total", tenant=noisy.slug)
    async with _limited_app(concejo_app, rate=5, burst=10) as http:
        flood = await asyncio.gather(*(http.get(f"/api/v1/{noisy.slug}/alpha/ping")
                                       for _ in range(40)))
        calm = [await http.get(f"/api/v1/{quiet.slug}/alpha/ping") for _ in range(5)]
    codes = [r.status_code for r in flood]
    assert codes.count(200) <= 12 and codes.count(429) >= 28
    refused = next(r for r in flood if r.status_code == 429)
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.json()["status"] == 429
    assert [r.status_code for r in calm] == [200] * 5
    assert [r.json()["tenant"] for r in calm] == [quiet.slug] * 5
    assert _sample("concejo_rate_limited_total", tenant=noisy.slug) - refused_before >= 28


async def test_kernel_routes_are_never_limited(concejo_app):
    async with _limited_app(concejo_app, rate=1, burst=1) as http:
        codes = {(await http.get("/health")).status_code for _ in range(5)}
    assert codes == {200}


async def test_requests_are_counted_per_tenant_and_logged(concejo_app, make_tenant, caplog):
    tenant = await make_tenant(plugins=("alpha",))
    before = _sample("concejo_http_requests_total", tenant=tenant.slug, group="sede",
                     method="GET", status="200")
    with caplog.at_level(logging.INFO, logger="concejo.access"):
        async with _limited_app(concejo_app, rate=0, burst=0) as http:
            assert (await http.get(f"/sede/{tenant.slug}/alpha/ping")).status_code == 200
            assert (await http.get("/sede/no-such-entity-x/")).status_code == 404
    assert _sample("concejo_http_requests_total", tenant=tenant.slug, group="sede",
                   method="GET", status="200") == before + 1
    assert _sample("concejo_http_requests_total", tenant="-", group="sede", method="GET",
                   status="404") >= 1
    record = next(r for r in caplog.records if r.getMessage().startswith("GET /sede/t"))
    line = json.loads(JsonFormatter().format(record))
    assert line["tenant"] == tenant.slug and line["status"] == 200 and line["group"] == "sede"
    assert line["level"] == "INFO" and line["logger"] == "concejo.access"
    assert line["duration_ms"] >= 0
