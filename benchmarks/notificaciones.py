"""A remesa of 10,000 notifications (a padrón fiscal): goal under 300 s, worker included.

Run: .venv/bin/python benchmarks/notificaciones.py [--people 10000] [--chunk 500]
     [--database-url postgresql://postgres@127.0.0.1:5432/concejo_bench_notificaciones]

Real parts only: the kernel booted on a fresh SQLite file in a temporary directory (or the
PostgreSQL database given, dropped and created), migrations, an entity with notificaciones
and its calendar, and a remesa of ``--people`` interesados (each with an e-mail address,
so each notification also queues its warning job; the mail goes to ``.eml`` files). The
remesa is accepted through the same service the staff page and the API use, then run by
the embedded job worker chunk after chunk; it prints the time to accept it, the time to
run it (notifications per second), the time until every warning was sent, the audit
entries written, and the ratio of the time to create them all to the goal. It checks at
the end that every interesado has exactly one notification.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOAL_S = 300.0
EMAIL = os.environ.get("BENCH_EMAIL", "1") == "1"


def people(n: int) -> list[dict[str, str]]:
    from stdnum.es import dni

    return [{"nif": f"{20_000_000 + i:08d}" + dni.calc_check_digit(f"{20_000_000 + i:08d}"),
             "name": f"Contribuyente {i}", "email": f"c{i}@padron.example" if EMAIL else ""}
            for i in range(n)]


async def run(n: int, chunk: int, database_url: str | None) -> None:
    from benchmarks.common import booted

    async with booted(database_url) as (_settings, kernel, _app):
        import msgspec

        from core.audit.tables import AuditEntry
        from core.calendar_app.services import load_year
        from core.demo import synthetic_nif
        from core.tenancy.rls import cross_tenant, tenant_scope
        from core.tenancy.services import NewTenant, add_tenant, set_plugin
        from core.tenancy.tables import TenantKind
        from plugins.notificaciones import remesas
        from plugins.notificaciones.schemas import RemesaIn
        from plugins.notificaciones.tables import Notificacion

        print(f"{n} people, chunks of {chunk}")
        async with cross_tenant("command line"):
            tenant = await add_tenant(NewTenant(
                slug="bench-notificaciones", kind=TenantKind.ayuntamiento,
                name="Entidad (bench)", dir3="ZBENCH002", nif=synthetic_nif("P9900002"),
                community="CL", demo=True), actor="bench")
            tenant = await set_plugin(tenant, "expedientes", True, actor="bench")
            tenant = await set_plugin(tenant, "notificaciones", True, actor="bench",
                                      settings={"remesa_chunk": chunk})
            for year in (date.today().year, date.today().year + 1):
                await load_year(year, actor="bench", community="CL")
        data = msgspec.convert({
            "subject": "Liquidación de la tasa de basuras", "body": "Padrón fiscal.",
            "recursos": "Reposición", "organo_recurso": "Alcaldía",
            "plazo_recurso": "Un mes", "destinatarios": people(n)}, RemesaIn)
        async with tenant_scope(tenant.id):
            audit_before = await AuditEntry.count().where(AuditEntry.tenant == tenant.id)
            started = time.perf_counter()
            remesa = await remesas.start(tenant, data, actor="bench")
            accepted = time.perf_counter() - started
        print(f"accepted (checked and stored): {accepted:7.1f} s")
        while True:  # committed jobs are relayed after each commit
            async with tenant_scope(tenant.id):
                progress = await remesas.get(tenant, remesa.id)
            if progress.state == "terminada":
                break
            await asyncio.sleep(0.5)
        total = time.perf_counter() - started
        ran = total - accepted
        await kernel.jobs.drain(limit_seconds=1800)  # the warnings still queued
        warned = time.perf_counter() - started
        async with tenant_scope(tenant.id):
            made = await Notificacion.count().where(Notificacion.remesa == remesa.id)
            nifs = {r["nif"] for r in await Notificacion.select(Notificacion.nif).where(
                Notificacion.remesa == remesa.id)}
            audit = await AuditEntry.count().where(AuditEntry.tenant == tenant.id)
        assert made == n == len(nifs), (made, len(nifs))
        print(f"notifications created by the job:  {ran:7.1f} s  ({n / ran:6.0f} per s)")
        print(f"every warning sent (.eml) by:      {warned:7.1f} s")
        print(f"audit entries written: {audit - audit_before}")
        print(f"total {total:.1f} s · goal {GOAL_S:.0f} s · ratio {total / GOAL_S:4.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--chunk", type=int, default=500)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run(args.people, args.chunk, args.database_url))


if __name__ == "__main__":
    main()
