"""Justificantes: content, exactly one per entrada (even when the worker dies mid-way)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import signal
import sys
from pathlib import Path

import pytest

import core
from core import jobs
from core.audit.tables import AuditEntry
from core.documents.services import get_document
from core.jobs import Job, JobContext, execute
from core.jobs_app.tables import DoneMessage, OutboxMessage
from core.signing.devsetup import provision_dev_pki
from plugins.registro import justificante, services, tasks
from plugins.registro.schemas import AnexoIn
from plugins.registro.tests.conftest import PDF, pdf_text, solicitud


class WorkerDied(Exception):
    """Stands for a worker process dying after the work, before the commit."""


@contextlib.contextmanager
def relay_paused(kernel):
    """Keep committed jobs in the outbox (as when the broker is down) for the test to run."""
    jobs.set_relay(None)
    try:
        yield
    finally:
        jobs.set_relay(kernel.jobs.relay)


async def pending_justificante(tenant_id: int) -> str:
    row = await OutboxMessage.select(OutboxMessage.message_id).where(
        (OutboxMessage.tenant == tenant_id)
        & (OutboxMessage.actor_name == "registro.justificante")).first()
    return str(row["message_id"])


async def issued(tenant_id: int) -> int:
    return await AuditEntry.count().where((AuditEntry.tenant == tenant_id)
                                          & (AuditEntry.action == "registro.justificante"))


async def test_justificante_shows_number_interesados_extracto_and_hashes(
        client, make_entity, staff, drain):
    entity = await make_entity()
    asiento = await services.register(
        entity.tenant, solicitud(unidad_destino=entity.urbanismo, anexos=[
            AnexoIn(filename="plano.pdf", content=PDF)]), channel="presencial", actor="t")
    salida = await services.register(entity.tenant, solicitud(direction="salida"),
                                     channel="presencial", actor="t")
    await drain()
    done = await services.get(entity.tenant, asiento.id)
    assert done.justificante_ready and len(done.justificante_csv) == 29
    await staff(client, entity.tenant, "read_only")
    response = await client.get(f"{entity.api}/asientos/{asiento.id}/justificante")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content)
    flat = "".join(text.split())
    assert asiento.numero in text and "José María Peña Muñoz" in text and "12345678Z" in text
    assert "Solicitud de licencia de obra menor" in text and "Urbanismo" in text
    assert hashlib.sha256(PDF).hexdigest() in flat and done.justificante_csv in text
    assert (await client.get(f"{entity.api}/asientos/{salida.id}/justificante")
            ).status_code == 404


async def test_justificante_is_sealed_and_verifiable_by_its_csv(client, make_entity, drain):
    entity = await make_entity()
    await provision_dev_pki([entity.slug])
    asiento = await services.register(entity.tenant, solicitud(), channel="sede", actor="t")
    await drain()
    done = await services.get(entity.tenant, asiento.id)
    row = await services.row_of(entity.tenant, asiento.id)
    document = await get_document(entity.tenant, row["justificante_document"])
    assert document.csv == done.justificante_csv and document.tipo_documental == "TD09"
    assert [s.purpose for s in document.signatures] == ["seal"]
    assert document.sha256 == row["justificante_sha256"]
    public = await client.get(f"/api/v1/{entity.slug}/verificar/{done.justificante_csv}")
    assert public.status_code == 200 and public.json()["sha256"] == document.sha256
    _, data = await justificante.download(entity.tenant, asiento.id)
    assert hashlib.sha256(data).hexdigest() == document.sha256
    assert b"/ByteRange" in data  # the PAdES signature


async def test_a_worker_dying_before_the_commit_leaves_nothing_and_the_retry_makes_one(
        concejo_kernel, make_entity, drain):
    entity = await make_entity()

    async def work_then_die(ctx: JobContext, asiento_id: int) -> None:
        await tasks.make_justificante.fn(ctx, asiento_id=asiento_id)
        assert (await services.get(ctx.tenant, asiento_id)).justificante_ready  # work done
        raise WorkerDied

    dying = Job(tasks.make_justificante.name, work_then_die, max_retries=0)
    with relay_paused(concejo_kernel):
        asiento = await services.register(entity.tenant, solicitud(), channel="sede",
                                          actor="t")
        message = await pending_justificante(entity.tenant.id)
        payload = {"asiento_id": asiento.id}
        with pytest.raises(WorkerDied):
            await execute(dying, entity.tenant.id, payload, message)
        assert not (await services.get(entity.tenant, asiento.id)).justificante_ready
        assert not await DoneMessage.exists().where(DoneMessage.message_id == message)
        assert await execute(tasks.make_justificante, entity.tenant.id, payload,
                             message) == "done"
        first = await services.get(entity.tenant, asiento.id)
        assert await execute(tasks.make_justificante, entity.tenant.id, payload,
                             message) == "duplicate"
    await drain()  # the broker now delivers the same message once more
    assert (await services.get(entity.tenant, asiento.id)).justificante_csv == \
        first.justificante_csv
    assert await issued(entity.tenant.id) == 1


async def test_a_killed_worker_process_leaves_nothing_and_the_redelivery_makes_one(
        concejo_kernel, make_entity, drain):
    entity = await make_entity()
    settings = concejo_kernel.settings
    with relay_paused(concejo_kernel):
        asiento = await services.register(entity.tenant, solicitud(), channel="sede",
                                          actor="t")
        message = await pending_justificante(entity.tenant.id)
        env = {**os.environ, "CONCEJO_DATA_DIR": settings.data_dir,
               "CONCEJO_DATABASE_URL": settings.effective_database_url}
        worker = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "plugins.registro.tests.crash_worker", str(entity.tenant.id),
            str(asiento.id), message, env=env, cwd=Path(core.__file__).parents[1],
            stdout=asyncio.subprocess.PIPE)
        try:
            line = await asyncio.wait_for(worker.stdout.readline(), 60)
            assert line.strip() == b"WORK-DONE"
        finally:
            worker.send_signal(signal.SIGKILL)
            await worker.wait()
        assert worker.returncode == -signal.SIGKILL
        assert not (await services.get(entity.tenant, asiento.id)).justificante_ready
        assert await execute(tasks.make_justificante, entity.tenant.id,
                             {"asiento_id": asiento.id}, message) == "done"
    await drain()
    assert (await services.get(entity.tenant, asiento.id)).justificante_ready
    assert await issued(entity.tenant.id) == 1


async def test_a_second_message_for_the_same_entrada_changes_nothing(make_entity, drain):
    entity = await make_entity()
    asiento = await services.register(entity.tenant, solicitud(), channel="sede", actor="t")
    await drain()
    first = await services.get(entity.tenant, asiento.id)
    await tasks.make_justificante.send(entity.tenant.id, asiento_id=asiento.id)  # no key
    await drain()
    assert (await services.get(entity.tenant, asiento.id)).justificante_csv == \
        first.justificante_csv
    assert await issued(entity.tenant.id) == 1
