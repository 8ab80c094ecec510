"""Bulk notification: a remesa is one job in chunks with its progress on the staff page;
a worker process killed half-way loses only its uncommitted chunk, and the rerun leaves
exactly one notification per destinatario (the 10,000 case: benchmarks/notificaciones.py)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from notificaciones_tools import CONTENT, HTML
from stdnum.es import dni

import core
from core.testing import csrf_headers
from plugins.notificaciones import remesas
from plugins.notificaciones.schemas import PersonaIn, RemesaIn
from plugins.notificaciones.tables import Destinatario, Notificacion
from plugins.registro.tests.test_justificante import relay_paused

PEOPLE = 2000
CHUNK = 500


def nif(number: int) -> str:
    digits = f"{number:08d}"
    return digits + dni.calc_check_digit(digits)


async def counts(tenant_id: int, remesa_id: int) -> tuple[int, int, int]:
    """(notifications, distinct NIFs among them, destinatarios without one)."""
    mine = (Notificacion.tenant == tenant_id) & (Notificacion.remesa == remesa_id)
    total = await Notificacion.count().where(mine)
    distinct = len({r["nif"] for r in await Notificacion.select(Notificacion.nif).where(mine)})
    left = await Destinatario.count().where((Destinatario.tenant == tenant_id)
                                            & (Destinatario.remesa == remesa_id)
                                            & Destinatario.notificacion.is_null())
    return total, distinct, left


async def test_a_killed_worker_loses_its_chunk_and_the_rerun_makes_one_each(
        concejo_kernel, entidad, drain):
    tenant = await entidad(settings={"notificaciones": {"remesa_chunk": CHUNK}})
    people = [PersonaIn(nif=nif(10_000_000 + i), name=f"Contribuyente {i}")
              for i in range(PEOPLE)]
    settings = concejo_kernel.settings
    with relay_paused(concejo_kernel):
        remesa = await remesas.start(tenant, RemesaIn(**CONTENT, destinatarios=people),
                                     actor="t")
        assert (remesa.total, remesa.done, remesa.state) == (PEOPLE, 0, "en_curso")
        env = {**os.environ, "CONCEJO_DATA_DIR": settings.data_dir,
               "CONCEJO_DATABASE_URL": settings.effective_database_url}
        worker = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "plugins.notificaciones.tests.crash_remesa", str(tenant.id),
            env=env, cwd=Path(core.__file__).parents[1], stdout=asyncio.subprocess.PIPE)
        try:
            line = await asyncio.wait_for(worker.stdout.readline(), 120)
            assert line.strip() == b"WORK-DONE"
        finally:
            worker.send_signal(signal.SIGKILL)
            await worker.wait()
        assert worker.returncode == -signal.SIGKILL
        assert (await remesas.get(tenant, remesa.id)).done == CHUNK  # the first chunk only
        assert await counts(tenant.id, remesa.id) == (CHUNK, CHUNK, PEOPLE - CHUNK)
    await drain()  # the second chunk's message, committed with the first, runs again
    finished = await remesas.get(tenant, remesa.id)
    assert (finished.done, finished.state) == (PEOPLE, "terminada")
    assert await counts(tenant.id, remesa.id) == (PEOPLE, PEOPLE, 0)


async def test_a_remesa_from_a_csv_file_with_its_progress_page(client, entidad, login, drain):
    tenant = await entidad()
    await login(client, tenant, "secretario")
    csv = f"NIF;nombre;correo\n{nif(1)};Uno\n{nif(2)};Dos\n{nif(3)};Tres\n".encode()
    fields = {k: str(v) for k, v in CONTENT.items() if k != "fin_via"}
    answer = await client.post(f"/{tenant.slug}/notificaciones/remesas", data=fields,
                               files={"fichero": ("padron.csv", csv, "text/csv")},
                               headers={**HTML, **await csrf_headers(client)})
    assert answer.status_code in (302, 303), answer.text
    page_url = answer.headers["location"]
    page = await client.get(page_url, headers=HTML)
    assert "<progress" in page.text and "/ 3" in page.text
    await drain()
    remesa_id = int(page_url.rsplit("/", 1)[1])
    progress = await client.get(f"/api/v1/{tenant.slug}/notificaciones/remesas/{remesa_id}")
    assert progress.json()["done"] == 3 and progress.json()["state"] == "terminada"
    repeated = f"{nif(1)};Uno\n{nif(1)};Otra vez\n".encode()
    refused = await client.post(f"/{tenant.slug}/notificaciones/remesas", data=fields,
                                files={"fichero": ("padron.csv", repeated, "text/csv")},
                                headers={**HTML, **await csrf_headers(client)})
    assert refused.status_code == 422 and "repetidos" in refused.text
