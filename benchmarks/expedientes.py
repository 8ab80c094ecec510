"""Opening a large expediente: 500 documents, goal under 100 ms.

Run: .venv/bin/python benchmarks/expedientes.py [--documents 500] [--rounds 30]
     [--database-url postgresql://postgres@127.0.0.1:5432/concejo_bench_expedientes]

Real parts only: the kernel booted on a fresh SQLite file in a temporary directory (or the
PostgreSQL database given, dropped and created), migrations, an entity with its calendar,
a procedure and one expediente into which ``--documents`` PDFs are incorporated through
the same service staff use (stored blob, ENI metadata, audit, timeline). Then, after a
warm-up, it times ``--rounds`` times:

- the service: the expediente with its people and tasks, the document list, the
  resoluciones and the timeline (what the expediente view shows);
- the staff page ``GET /<entity>/expedientes/<id>`` over HTTP (in-process ASGI, logged-in
  staff session), i.e. the above plus routing, guard, rendering 500 table rows;
- the JSON ``GET /api/v1/<entity>/expedientes/<id>/documentos``.

It counts the database round trips of the document list (the goal is one, whatever the
number of documents) and prints median and p95 and the ratio of p95 to the 100 ms goal.
On PostgreSQL it runs ``ANALYZE`` after the bulk load, as autovacuum would: with no
statistics the planner takes the 500 fresh rows for one and nests loops (75 ms instead of
1.5 ms for the document list).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOAL_MS = 100.0
PASSWORD = "benchmark-password-not-secret"


async def analyze(url: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


async def timed(label: str, rounds: int, call: Callable[[], Awaitable[object]]) -> float:
    """Run ``call`` after two warm-up calls; print median and p95 of the elapsed time and
    the median CPU time of the process (what a busy machine does not inflate); return
    the p95 in ms."""
    for _ in range(2):
        await call()
    times, cpu = [], []
    for _ in range(rounds):
        started, started_cpu = time.perf_counter(), time.process_time()
        await call()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"{label:<36} median {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms  "
          f"cpu {statistics.median(cpu):6.1f} ms  p95/goal {p95 / GOAL_MS:4.2f}")
    return p95


async def populate(documents: int) -> tuple[object, int, str]:
    """An entity, its staff user, a procedure and an expediente with ``documents`` PDFs."""
    from core.calendar_app.services import load_year
    from core.db import atomic
    from core.demo import synthetic_nif
    from core.identity.services import ensure_user, grant_role
    from core.signing.samples import sample_pdf
    from core.tenancy.services import NewTenant, add_tenant, set_plugin
    from core.tenancy.tables import TenantKind
    from plugins.expedientes import catalogo, documentos, services
    from plugins.expedientes.schemas import ExpedienteIn, ProcedimientoIn

    tenant = await add_tenant(NewTenant(
        slug="bench-expedientes", kind=TenantKind.ayuntamiento, name="Entidad (bench)",
        dir3="ZBENCH001", nif=synthetic_nif("P9900001"), community="CL", demo=True),
        actor="bench")
    tenant = await set_plugin(tenant, "expedientes", True, actor="bench")
    for year in (date.today().year, date.today().year + 1):
        await load_year(year, actor="bench", community="CL")
    user_id = await ensure_user("bench@expedientes.test", "Benchmark", PASSWORD)
    await grant_role(user_id, tenant.id, "tramitador")
    procedimiento = await catalogo.create(tenant, ProcedimientoIn(
        code="bench", name="Procedimiento de prueba", sia_code="000000", plazo=3),
        actor="bench")
    expediente = await services.open_expediente(
        tenant, ExpedienteIn(procedimiento_id=procedimiento.id, subject="Expediente grande",
                             responsables=[user_id]), actor="bench", user_id=user_id)
    started = time.perf_counter()
    async with atomic():  # one transaction: the set-up is not what is measured
        for n in range(1, documents + 1):
            content = sample_pdf(f"Documento {n}")

            async def chunks(data: bytes = content) -> AsyncIterator[bytes]:
                yield data

            await documentos.upload(tenant, expediente.id, chunks=chunks(),
                                    filename=f"documento-{n}.pdf",
                                    declared_mime="application/pdf", title=f"Documento {n}",
                                    actor="bench")
    print(f"incorporated {documents} documents in {time.perf_counter() - started:.1f} s")
    return tenant, expediente.id, "bench@expedientes.test"


async def run(documents: int, rounds: int, database_url: str | None) -> None:
    from benchmarks.common import booted

    async with booted(database_url) as (_settings, _kernel, app):
        from core.db import engine
        from core.tenancy.rls import cross_tenant, tenant_scope
        from core.testing import csrf_headers
        from plugins.expedientes import documentos, history, resoluciones, services
        from plugins.expedientes.tests.expedientes_tools import QueryCounter

        async with cross_tenant("command line"):  # set-up, as `concejo` commands do
            tenant, expediente_id, email = await populate(documents)
        if database_url:  # the statistics autovacuum gathers after a bulk load
            await analyze(database_url)
        with QueryCounter(engine()) as counter:
            async with tenant_scope(tenant.id):
                listed = await documentos.list_documents(tenant, expediente_id)
        print(f"document list: {len(listed)} documents in {counter.count} query")

        async def view() -> None:  # what the staff page reads, in one snapshot
            async with tenant_scope(tenant.id), services.snapshot():
                await services.get(tenant, expediente_id)
                await documentos.list_documents(tenant, expediente_id)
                await resoluciones.of_expediente(tenant, expediente_id)
                await history.timeline(tenant, expediente_id, limit=50)

        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport,
                                     base_url="http://bench") as http:
            login = await http.post("/login", data={"email": email, "password": PASSWORD},
                                    headers=await csrf_headers(http))
            assert login.status_code in (302, 303), login.text
            page_url = f"/{tenant.slug}/expedientes/{expediente_id}"
            api_url = f"/api/v1/{tenant.slug}/expedientes/{expediente_id}/documentos"

            async def page() -> None:
                response = await http.get(page_url, headers={"accept": "text/html"})
                assert response.status_code == 200 and f"Documento {documents}" in response.text

            async def api() -> None:
                response = await http.get(api_url)
                assert response.status_code == 200 and len(response.json()) == documents

            results = [
                await timed("service: expediente view data", rounds, view),
                await timed("HTTP: staff page (HTML, all rows)", rounds, page),
                await timed("HTTP: API document list (JSON)", rounds, api),
            ]
        verdict = "meets" if max(results) <= GOAL_MS else "misses"
        print(f"worst p95 {max(results):.1f} ms: {verdict} the {GOAL_MS:.0f} ms goal "
              f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--database-url", default=os.environ.get("CONCEJO_BENCH_DATABASE_URL"))
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    asyncio.run(run(args.documents, args.rounds, args.database_url))


if __name__ == "__main__":
    main()
