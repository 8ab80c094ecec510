"""Registro under load: asientos/s, latency and justificante lag through the HTTP API.

Run: .venv/bin/python benchmarks/registro.py [--tenants 20] [--clients 32] [--rate R]
     [--seconds 20] [--web-workers 2] [--job-workers 2] [--job-threads 2]
     [--job-priority idle] [--jobs-after | --no-justificantes]

Real parts only: a fresh PostgreSQL database (``CONCEJO_BENCH_DATABASE_URL``, default
``postgresql://postgres@127.0.0.1:5432/concejo_bench_registro``, dropped and created), the
app served by ``concejo serve --workers N`` (uvicorn, with uvloop and httptools) on
loopback in a subprocess, the jobs (justificantes, distribution) run by ``--job-workers``
``concejo worker`` subprocesses through Redis (``CONCEJO_BENCH_BROKER_URL``, default
``redis://127.0.0.1:6379/13``: a database of its own, so no other process takes its
messages; emptied first, so that messages an earlier run left for a database that is gone
are not worked again). The workers run with ``--cpu-priority idle`` (``--job-priority``):
on these two cores they take only the CPU the web processes leave, so registration goes
first and the justificantes catch up. Every entity's calendar of the current year is
loaded, as in production. ``--jobs-after`` starts the job workers only once the load is
over (registration alone, then the justificantes' catch-up); by default they run alongside;
``--no-justificantes`` leaves them out (registration figures only).

Concurrent clients (closed loop: each posts again once answered) or a fixed rate
(``--rate``, open loop: latency timed from when each post was due, so queueing shows) post
asientos (nine entradas to one salida, each to a unit of the entity,
so each entrada also queues its distribution news) to random entities for ``--seconds``
after a two-second warm-up. It prints asientos/s, p50/p95/p99 latency, the CPU each part
(this client, the web processes, the PostgreSQL backends) spent per asiento with the load
average, the time until every justificante is issued, and checks that every series is
numbered 1..n without gaps or duplicates. Goal on a 2-core machine: >= 300 asientos/s
sustained, p99 < 200 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

import aiohttp
import asyncpg
import msgspec
import redis.asyncio as redis
from yarl import URL

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get("CONCEJO_BENCH_DATABASE_URL",
                              "postgresql://postgres@127.0.0.1:5432/concejo_bench_registro")
BROKER_URL = os.environ.get("CONCEJO_BENCH_BROKER_URL", "redis://127.0.0.1:6379/13")
PASSWORD = "benchmark-password-not-secret"
GOAL_RATE, GOAL_P99_MS = 300.0, 200.0
NIFS = ("12345678Z", "X1234567L", "00000000T", "B42000000")


async def set_up(env: dict[str, str], tenants: int) -> list[tuple[str, str]]:
    """Migrate, create the entities with units and a loaded calendar, and the user."""
    os.environ.update(env)
    from core.kernel import boot
    from core.settings import load_settings
    from core.tenancy.rls import cross_tenant

    kernel = boot(load_settings())
    await kernel.start()
    async with cross_tenant("command line"):  # set-up, as `concejo` commands do
        created = await _entities(tenants)
    await kernel.stop()
    return created


async def _entities(tenants: int) -> list[tuple[str, str]]:
    from core.calendar_app.services import load_year
    from core.demo import synthetic_nif
    from core.identity.services import ensure_user, grant_role
    from core.tenancy.services import NewTenant, add_tenant, add_unit, set_plugin
    from core.tenancy.tables import TenantKind

    user = await ensure_user("bench@registro.test", "Benchmark", PASSWORD)
    created = []
    for n in range(tenants):
        tenant = await add_tenant(NewTenant(
            slug=f"bench-{n}", kind=TenantKind.ayuntamiento, name=f"Entidad {n} (bench)",
            dir3=f"Z{n:08d}", nif=synthetic_nif(f"P98{n:05d}"), community="CL", demo=True),
            actor="bench")
        await set_plugin(tenant, "registro", True, actor="bench")
        await add_unit(tenant.id, f"O{n:08d}", "Oficina de registro", is_office=True)
        await add_unit(tenant.id, f"A{n:08d}", "Urbanismo")
        await grant_role(user, tenant.id, "registro")
        created.append((tenant.slug, f"A{n:08d}"))
    await load_year(datetime.now(UTC).year, community="CL", actor="bench")
    return created


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "core.cli", *args], cwd=ROOT, env=env,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT)


async def wait_healthy(base: str, server: subprocess.Popen[bytes]) -> None:
    async with aiohttp.ClientSession(base) as http:
        for _ in range(300):
            if server.poll() is not None:
                raise SystemExit("the server died while starting; see its log")
            try:
                async with http.get("/health") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit("the server did not become healthy")


class Session(msgspec.Struct):
    """A logged-in staff session: its HTTP client (aiohttp: the client shares the server's
    two cores, so it should cost little) and the CSRF header its posts carry."""

    http: aiohttp.ClientSession
    headers: dict[str, str]


async def session(base: str) -> Session:
    http = aiohttp.ClientSession(base, cookie_jar=aiohttp.CookieJar(unsafe=True),
                                 connector=aiohttp.TCPConnector(limit=64),
                                 timeout=aiohttp.ClientTimeout(total=30))
    async with http.get("/login"):
        pass
    csrf = {"x-csrftoken": http.cookie_jar.filter_cookies(URL(base))["csrftoken"].value}
    async with http.post("/login", data={"email": "bench@registro.test", "password": PASSWORD},
                         headers=csrf, allow_redirects=False) as response:
        if response.status not in (302, 303):
            raise SystemExit(f"login failed: {response.status} {await response.text()}")
    return Session(http, {**csrf, "content-type": "application/json"})


def body(n: int, unit: str) -> dict:
    salida = n % 10 == 9
    return {"direction": "salida" if salida else "entrada",
            "extracto": f"Solicitud de prueba de carga número {n}",
            "interesados": [{"document": NIFS[n % len(NIFS)], "name": "Ana",
                             "first_surname": "García"}],
            "unidad_origen" if salida else "unidad_destino": unit}


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU seconds spent by this client, the web processes (the server's process tree)
    and the PostgreSQL backends serving the benchmark's database."""

    def __init__(self, server_pid: int, database: str) -> None:
        self.server_pid = server_pid
        self.database = database

    def _processes(self) -> tuple[list[int], list[int]]:
        parents: dict[int, int] = {}
        backends = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            if title.startswith("postgres: ") and f" {self.database} " in title:
                backends.append(int(entry.name))
        web = [self.server_pid]
        for pid in web:  # grows while walking: children, then theirs
            web += [child for child, parent in parents.items() if parent == pid]
        return web, backends

    def read(self) -> dict[str, float]:
        web, backends = self._processes()
        return {"client": time.process_time(),
                "web": sum(_cpu_seconds(pid) for pid in web),
                "PostgreSQL": sum(_cpu_seconds(pid) for pid in backends)}


async def load(clients: list[Session], entities: list[tuple[str, str]],
               concurrency: int, rate: float | None, warmup: float, seconds: float,
               meter: CpuMeter) -> tuple[dict[int, list[float]], int, int, float,
                                         dict[str, float]]:
    """Post asientos until the time is up; latencies (ms) of the measured window by the
    second they were sent in, and the CPU seconds each part spent in it.

    Closed loop (``rate`` None): ``concurrency`` clients each post the next asiento as soon
    as the last one is answered. Open loop: one asiento every ``1 / rate`` seconds whatever
    the server does, each timed from when it was due (so a stalled server shows in the
    latency instead of slowing the load down), at most ``concurrency`` in flight."""
    latencies: dict[int, list[float]] = {}
    counter = iter(range(10**9))
    errors = 0
    started = time.perf_counter()
    measure_from, stop_at = started + warmup, started + warmup + seconds
    measured, last_answer = 0, measure_from + seconds
    in_flight = asyncio.Semaphore(concurrency)

    async def post(client: Session, due: float) -> None:
        nonlocal errors, measured, last_answer
        slug, unit = random.choice(entities)
        async with in_flight, client.http.post(
                f"/api/v1/{slug}/registro/asientos", headers=client.headers,
                data=msgspec.json.encode(body(next(counter), unit))) as response:
            answer = await response.read()
        elapsed = time.perf_counter() - due
        if response.status != 201:
            errors += 1
            if errors <= 3:
                print(f"  error {response.status}: {answer[:300].decode()}")
        elif measure_from <= due < stop_at:
            latencies.setdefault(int(due - measure_from), []).append(elapsed * 1000)
            measured += 1
            last_answer = max(last_answer, time.perf_counter())

    async def closed(index: int) -> None:
        while (now := time.perf_counter()) < stop_at:
            await post(clients[index % len(clients)], now)

    async def opened() -> None:
        posts = []
        for n in itertools.count():
            due = started + n / rate
            if due >= stop_at:
                break
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            posts.append(asyncio.create_task(post(clients[n % len(clients)], due)))
        await asyncio.gather(*posts)

    async def measure() -> dict[str, float]:
        await asyncio.sleep(warmup)
        before = meter.read()
        await asyncio.sleep(seconds)
        after = meter.read()
        return {part: after[part] - before[part] for part in after}

    drivers = [opened()] if rate else [closed(i) for i in range(concurrency)]
    cpu, *_ = await asyncio.gather(measure(), *drivers)
    return latencies, measured, errors, last_answer - measure_from, cpu


async def justificantes_done(url: str, since: float) -> tuple[float, int]:
    """Wait until every entrada has its justificante; seconds waited and how many."""
    connection = await asyncpg.connect(url)
    try:
        while True:
            missing = await connection.fetchval(
                "SELECT count(*) FROM registro_asiento WHERE direction = 'entrada' "
                "AND justificante_sha256 = ''")
            if missing == 0:
                total = await connection.fetchval(
                    "SELECT count(*) FROM registro_asiento WHERE direction = 'entrada'")
                return time.perf_counter() - since, total
            if time.perf_counter() - since > 1800:
                raise SystemExit(f"{missing} justificantes still missing after 30 minutes")
            await asyncio.sleep(0.5)
    finally:
        await connection.close()


async def numbering_problems(url: str) -> list[str]:
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            "SELECT tenant, year, direction, count(*) AS n, count(DISTINCT number) AS d, "
            "min(number) AS lo, max(number) AS hi FROM registro_asiento "
            "GROUP BY tenant, year, direction")
    finally:
        await connection.close()
    return [f"tenant {r['tenant']} {r['year']} {r['direction']}: {r['n']} asientos, "
            f"{r['d']} distinct numbers, {r['lo']}..{r['hi']}"
            for r in rows if not (r["n"] == r["d"] == r["hi"] and r["lo"] == 1)]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=20)
    parser.add_argument("--clients", type=int, default=32,
                        help="concurrent requests (with --rate: at most in flight)")
    parser.add_argument("--rate", type=float, default=None,
                        help="open loop: post this many asientos per second")
    parser.add_argument("--sessions", type=int, default=4, help="logged-in sessions")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--job-workers", type=int, default=2,
                        help="job worker processes (a render holds the GIL of its process)")
    parser.add_argument("--job-threads", type=int, default=2)
    parser.add_argument("--job-priority", choices=("normal", "low", "idle"), default="idle",
                        help="the workers' --cpu-priority (they share the web's cores)")
    parser.add_argument("--jobs-after", action="store_true",
                        help="start the job worker when the load is over")
    parser.add_argument("--no-justificantes", action="store_true",
                        help="registration figures only: no job worker, no waiting")
    args = parser.parse_args()

    from core.testing import fresh_postgres

    await fresh_postgres(DATABASE_URL)
    broker = redis.Redis.from_url(BROKER_URL)
    await broker.flushdb()
    await broker.aclose()
    data_dir = Path(tempfile.mkdtemp(prefix="concejo-bench-"))
    port = free_port()
    env = {**os.environ, "CONCEJO_DATABASE_URL": DATABASE_URL, "CONCEJO_BROKER_URL": BROKER_URL,
           "CONCEJO_DATA_DIR": str(data_dir), "CONCEJO_SECRET_KEY": "bench-secret-key",
           "CONCEJO_BASE_URL": f"http://127.0.0.1:{port}", "CONCEJO_LOG_LEVEL": "WARNING",
           "PYTHONPATH": str(ROOT)}
    entities = await set_up(env, args.tenants)
    print(f"{args.tenants} entities on {DATABASE_URL}; data in {data_dir}")
    server = start(["serve", "--no-migrate", "--port", str(port), "--workers",
                    str(args.web_workers)], env, data_dir / "serve.log")
    worker_args = ["worker", "--threads", str(args.job_threads), "--no-scheduler", "--every",
                   "1", "--cpu-priority", args.job_priority]

    def start_jobs() -> list[subprocess.Popen[bytes]]:
        return [start(worker_args, env, data_dir / f"worker{n}.log")
                for n in range(args.job_workers)]

    jobs = [] if args.jobs_after or args.no_justificantes else start_jobs()
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_healthy(base, server)
        clients = [await session(base) for _ in range(args.sessions)]
        meter = CpuMeter(server.pid, urlparse(DATABASE_URL).path.lstrip("/"))
        by_second, done, errors, window, cpu = await load(
            clients, entities, args.clients, args.rate, 2.0, args.seconds, meter)
        load_end = time.perf_counter()
        loadavg = os.getloadavg()[0]
        for client in clients:
            await client.http.close()
        rate = done / window
        latencies = [ms for second in by_second.values() for ms in second]
        p50, p95, p99 = (percentile(latencies, q) for q in (0.50, 0.95, 0.99))
        worst = max(by_second, key=lambda second: percentile(by_second[second], 0.99))
        driven = (f"open loop at {args.rate:.0f}/s (at most {args.clients} in flight)"
                  if args.rate else f"{args.clients} concurrent clients")
        print(f"web processes {args.web_workers}, job workers {args.job_workers} × "
              f"{args.job_threads} threads (CPU priority {args.job_priority}), {driven}, "
              f"{window:.1f} s until the last answer")
        print(f"asientos/s: {rate:.0f} (goal {GOAL_RATE:.0f}: {rate / GOAL_RATE:.2f}x), "
              f"{done} registered, {errors} errors")
        print(f"latency ms: p50 {p50:.0f}, p95 {p95:.0f}, p99 {p99:.0f} "
              f"(goal p99 < {GOAL_P99_MS:.0f}: {GOAL_P99_MS / p99:.2f}x), "
              f"mean {statistics.fmean(latencies):.0f}; worst second ({worst + 1} of "
              f"{len(by_second)}): p99 {percentile(by_second[worst], 0.99):.0f}")
        print("CPU ms per asiento: " + ", ".join(
            f"{part} {1000 * seconds / done:.1f}" for part, seconds in cpu.items())
            + f" (all: {1000 * sum(cpu.values()) / done:.1f}; "
            f"{sum(cpu.values()) / window:.2f} cores busy); load average {loadavg:.1f} "
            f"on {os.cpu_count()} cores")
        if not args.no_justificantes:
            jobs = jobs or start_jobs()
            waited, total = await justificantes_done(DATABASE_URL, load_end)
            print(f"justificantes: all {total} issued {waited:.1f} s after the load ended "
                  f"({total / (waited + window + 2):.0f}/s over the whole run)")
        problems = await numbering_problems(DATABASE_URL)
        print("numbering: gapless and unique in every series" if not problems
              else "numbering PROBLEMS:\n  " + "\n  ".join(problems))
    finally:
        processes = [server, *jobs]
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    asyncio.run(main())
