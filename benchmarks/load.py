"""Load on loopback: a province of 400 tenants against 1 tenant, mixed citizen and staff traffic.

Starts ``concejo serve --workers N`` on 127.0.0.1 (a fresh SQLite file, or the empty
PostgreSQL database named by ``--database-url``), fills it with ``--tenants`` entities (each
with its tablón), then drives the same closed-loop mix for the same time at 1 tenant and at
all of them, in interleaved windows, and prints throughput and p50/p99 per route group with
the ratio to the 1-tenant reference (the cost of tenancy; goal: p99 within 10 %).
Then a second server with the per-tenant rate limit on: one tenant floods it and the table
shows its 429s and the other tenants' latency with and without the flood.

    python benchmarks/load.py [--tenants 400] [--seconds 15] [--clients 16] [--workers 2]
                              [--database-url postgresql://postgres@127.0.0.1:5432/concejo_load]

Every request goes to 127.0.0.1; every loop stops at its deadline.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD = "una contraseña de carga"
STAFF = "carga@diputacion.invalid"
#: route group -> weight in the mix
MIX = {"sede": 45, "api": 25, "staff": 25, "write": 5}
TRANSPORT_ERROR = 599  # counted with the errors


async def populate(database_url: str, data_dir: Path, tenants: int) -> list[str]:
    """Create the tenants (tablón enabled, five notices each) and one staff user with a
    role in every one; returns the slugs. Rows are written directly: no jobs left over."""
    from core.demo import synthetic_nif
    from core.identity.services import ensure_user, grant_role
    from core.kernel import boot
    from core.settings import Settings
    from core.tenancy.context import tenant_by_slug
    from core.tenancy.rls import cross_tenant
    from core.tenancy.services import NewTenant, add_tenant, set_plugin
    from core.tenancy.tables import TenantKind
    from plugins.tablon.tables import Anuncio

    kernel = boot(Settings(data_dir=str(data_dir), database_url=database_url,
                           secret_key="load-secret"))
    await kernel.start()
    try:
        async with cross_tenant("command line"):  # set-up, as `concejo` commands do
            user = await ensure_user(STAFF, "Carga", PASSWORD)
            slugs = []
            for n in range(1, tenants + 1):
                slug = f"carga-{n:03d}"
                tenant = await tenant_by_slug(slug)
                if tenant is None:
                    tenant = await add_tenant(NewTenant(
                        slug=slug, kind=TenantKind.ayuntamiento, name=f"Entidad de carga {n}",
                        dir3=f"Z{n:08d}", nif=synthetic_nif(f"P98{n:05d}"), demo=True),
                        actor="load")
                    tenant = await set_plugin(tenant, "tablon", True, actor="load")
                    today = date.today()
                    await Anuncio.insert(*[Anuncio(
                        tenant=tenant.id, number=i, title=f"Anuncio {i} de {slug}",
                        body="Texto del anuncio. " * 40, category="anuncio",
                        publish_from=today - timedelta(days=i), publish_until=today + timedelta(
                            days=10), created_by="load", created_at=datetime.now(UTC))
                        for i in range(1, 6)])
                    await grant_role(user, tenant.id, "tramitador")
                slugs.append(slug)
            await kernel.jobs.drain()
            return slugs
    finally:
        await kernel.stop()


async def forget_writes(database_url: str) -> None:
    """Delete the notices a window published, so every window reads the same data."""
    sql = f"DELETE FROM tablon_anuncio WHERE created_by = '{STAFF}'"
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
            db.execute(sql)
        return
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``concejo serve`` in a subprocess on a loopback port."""

    def __init__(self, env: dict[str, str], workers: int, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        with open(log, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "core.cli", "serve", "--no-migrate", "--workers",
                 str(workers), "--port", str(self.port)], env=env, cwd=ROOT, stdout=out,
                stderr=subprocess.STDOUT)

    async def wait_ready(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        async with httpx.AsyncClient() as http:
            while time.monotonic() < deadline:
                try:
                    if (await http.get(f"{self.base}/ready")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.3)
        raise SystemExit("the server did not become ready")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)

class Samples:
    """Latencies (seconds) and status codes per route group."""

    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.elapsed = 0.0

    def add(self, group: str, seconds: float, status: int) -> None:
        self.latency[group].append(seconds)
        self.status[group][status] += 1

    def merge(self, other: Samples) -> None:
        for group, values in other.latency.items():
            self.latency[group] += values
        for group, codes in other.status.items():
            for code, count in codes.items():
                self.status[group][code] += count
        self.elapsed += other.elapsed


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def login(http: httpx.AsyncClient) -> None:
    await http.get("/login")
    response = await http.post("/login", data={"email": STAFF, "password": PASSWORD},
                               headers={"x-csrftoken": http.cookies["csrftoken"]})
    assert response.status_code in (302, 303), response.text


async def one_request(citizen: httpx.AsyncClient, staff: httpx.AsyncClient, slug: str,
                      group: str, rng: random.Random) -> int:
    if group == "sede":
        path = rng.choice((f"/sede/{slug}/", f"/sede/{slug}/tablon/"))
        return (await citizen.get(path)).status_code
    if group == "api":
        return (await citizen.get(f"/api/v1/{slug}/tablon/anuncios/")).status_code
    if group == "staff":
        path = rng.choice((f"/{slug}/tablon/", f"/api/v1/{slug}/tablon/anuncios/todos"))
        return (await staff.get(path)).status_code
    response = await staff.post(f"/api/v1/{slug}/tablon/anuncios/", json={
        "title": "Anuncio de carga", "body": "Texto", "category": "anuncio"},
        headers={"x-csrftoken": staff.cookies["csrftoken"]})
    return response.status_code


async def window(base: str, slugs: list[str], seconds: float, clients: int,
                 seed: int) -> Samples:
    """``clients`` closed loops for ``seconds``, each request to a random tenant."""
    samples = Samples()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as citizen, \
            httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as staff:
        await login(staff)
        groups, weights = list(MIX), list(MIX.values())
        start = time.perf_counter()
        deadline = start + seconds

        async def loop(n: int) -> None:
            rng = random.Random(seed * 1000 + n)
            while time.perf_counter() < deadline:
                group = rng.choices(groups, weights)[0]
                began = time.perf_counter()
                try:
                    status = await one_request(citizen, staff, rng.choice(slugs), group, rng)
                except httpx.TransportError:  # e.g. a keep-alive connection closed under us
                    status = TRANSPORT_ERROR
                samples.add(group, time.perf_counter() - began, status)

        await asyncio.gather(*(loop(n) for n in range(clients)))
        samples.elapsed = time.perf_counter() - start
    return samples


async def flood(base: str, slug: str, seconds: float, connections: int) -> Samples:
    """One tenant's clients with no think time: ``connections`` closed loops on its public
    API for ``seconds``."""
    samples = Samples()
    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
        start = time.perf_counter()
        deadline = start + seconds

        async def loop() -> None:
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                status = (await http.get(f"/api/v1/{slug}/tablon/anuncios/")).status_code
                samples.add("flood", time.perf_counter() - began, status)

        await asyncio.gather(*(loop() for _ in range(connections)))
        samples.elapsed = time.perf_counter() - start
    return samples


def table(rows: list[tuple[str, str, Samples]], reference: dict[str, Samples]) -> None:
    print(f"{'group':8} {'tenants':>8} {'requests':>9} {'req/s':>8} {'p50 ms':>8} "
          f"{'p99 ms':>8} {'errors':>7} {'p99 / 1 tenant':>15}")
    for label, group, samples in rows:
        values = ([v for vs in samples.latency.values() for v in vs] if group == "all"
                  else samples.latency[group])
        codes = (samples.status.values() if group == "all" else [samples.status[group]])
        errors = sum(c for s in codes for code, c in s.items() if code >= 400)
        ref = reference[group]
        ref_values = ([v for vs in ref.latency.values() for v in vs] if group == "all"
                      else ref.latency[group])
        ratio = percentile(values, 0.99) / percentile(ref_values, 0.99)
        print(f"{group:8} {label:>8} {len(values):9d} {len(values) / samples.elapsed:8.1f} "
              f"{percentile(values, 0.5) * 1000:8.1f} {percentile(values, 0.99) * 1000:8.1f} "
              f"{errors:7d} {ratio:15.2f}")


async def drive(args: argparse.Namespace, env: dict[str, str], slugs: list[str],
                logs: Path) -> None:
    server = Server(env, args.workers, logs / "server.log")
    try:
        await server.wait_ready()
        await window(server.base, slugs, 3, args.clients, seed=0)  # warm every process
        one, province = Samples(), Samples()
        for round_ in range(args.rounds):  # interleaved: drift hits both alike
            await forget_writes(args.database)
            one.merge(await window(server.base, slugs[:1], args.seconds, args.clients,
                                   seed=2 * round_ + 1))
            await forget_writes(args.database)
            province.merge(await window(server.base, slugs, args.seconds, args.clients,
                                        seed=2 * round_ + 2))
        unlimited, unlimited_flood = await asyncio.gather(  # the flood with no limit
            window(server.base, slugs[1:] or slugs, args.seconds, args.clients, seed=5),
            flood(server.base, slugs[0], args.seconds, args.flood_connections))
    finally:
        server.stop()
    reference = {g: one for g in [*MIX, "all"]}
    rows = [(label, g, s) for g in [*MIX, "all"]
            for label, s in (("1", one), (str(len(slugs)), province))]
    print(f"\nTenancy cost: {args.workers} web processes, {args.clients} clients, "
          f"{args.rounds} x {args.seconds:g} s per side, mix {MIX}")
    table(rows, reference)
    total = lambda s: sum(len(v) for v in s.latency.values()) / s.elapsed  # noqa: E731
    print(f"throughput: 1 tenant {total(one):.1f} req/s, {len(slugs)} tenants "
          f"{total(province):.1f} req/s (ratio {total(province) / total(one):.2f})")

    limited = {**env, "CONCEJO_RATE_LIMIT_PER_TENANT": str(args.limit),
               "CONCEJO_RATE_LIMIT_BURST": str(2 * args.limit)}
    server = Server(limited, args.workers, logs / "server-limited.log")
    try:
        await server.wait_ready()
        others = slugs[1:] or slugs
        await window(server.base, others, 3, args.clients, seed=7)
        calm = await window(server.base, others, args.seconds, args.clients, seed=8)
        stormy, flooded = await asyncio.gather(
            window(server.base, others, args.seconds, args.clients, seed=9),
            flood(server.base, slugs[0], args.seconds, args.flood_connections))
    finally:
        server.stop()
    print(f"\nNoisy neighbour: {slugs[0]} floods with {args.flood_connections} connections "
          f"and no think time; the limit is {args.limit:g} req/s per tenant and web process "
          f"(burst {2 * args.limit:g})")
    for label, samples in (("no limit", unlimited_flood), ("limit", flooded)):
        codes = samples.status["flood"]
        sent = sum(codes.values())
        print(f"flooder, {label:8}: {sent} requests ({sent / samples.elapsed:.0f} req/s), "
              f"{codes.get(429, 0)} answered 429 ({100 * codes.get(429, 0) / max(sent, 1):.0f}"
              f" %), {codes.get(200, 0)} served ({codes.get(200, 0) / samples.elapsed:.1f}"
              " req/s)")
    print("the other tenants (ratio to the calm window of the limited server):")
    table([("calm", "all", calm), ("no limit", "all", unlimited), ("limit", "all", stormy)],
          {"all": calm})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--flood-connections", type=int, default=8)
    parser.add_argument("--limit", type=float, default=5.0,
                        help="per-tenant limit of the second server (a province's tenant "
                             "makes well under 1 req/s)")
    parser.add_argument("--database-url", default="",
                        help="an empty PostgreSQL database (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="concejo-load-") as tmp:
        data = Path(tmp)
        database = args.database = args.database_url or f"sqlite:///{data / 'concejo.sqlite'}"
        env = {**os.environ, "CONCEJO_DATA_DIR": str(data), "CONCEJO_DATABASE_URL": database,
               "CONCEJO_SECRET_KEY": "load-secret", "CONCEJO_LOG_LEVEL": "WARNING"}
        began = time.perf_counter()
        slugs = asyncio.run(populate(database, data, args.tenants))
        print(f"{len(slugs)} tenants ready in {time.perf_counter() - began:.1f} s "
              f"({'PostgreSQL' if database.startswith('postgres') else 'SQLite'})")
        try:
            asyncio.run(drive(args, env, slugs, data))
        except httpx.HTTPError:
            for log in sorted(data.glob("server*.log")):  # what the server said last
                print(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}",
                      file=sys.stderr)
            raise


if __name__ == "__main__":
    main()
