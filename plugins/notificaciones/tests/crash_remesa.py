"""A worker that dies half-way through a remesa (run by test_notificaciones_remesas).

``python -m plugins.notificaciones.tests.crash_remesa <tenant_id>`` boots the kernel from
``CONCEJO_*`` without relaying anything, runs the first chunk of the tenant's pending
remesa message (it commits and queues the second), then runs the second chunk and, with
its work done but not committed, prints ``WORK-DONE`` and waits to be killed.
"""

from __future__ import annotations

import asyncio
import sys

from core import jobs
from core.jobs import Job, JobContext, execute
from core.jobs_app.tables import DoneMessage, OutboxMessage
from core.kernel import boot
from core.settings import load_settings
from core.tenancy.rls import tenant_scope
from plugins.notificaciones import tasks


async def pending(tenant_id: int) -> tuple[str, dict]:
    """The tenant's remesa message not processed yet (read in its row-level scope)."""
    async with tenant_scope(tenant_id):
        return await _pending(tenant_id)


async def _pending(tenant_id: int) -> tuple[str, dict]:
    done = DoneMessage.select(DoneMessage.message_id).where(DoneMessage.tenant == tenant_id)
    row = await OutboxMessage.select(OutboxMessage.message_id, OutboxMessage.payload).where(
        (OutboxMessage.tenant == tenant_id)
        & (OutboxMessage.actor_name == tasks.run_remesa.name)
        & OutboxMessage.message_id.not_in(done)).output(load_json=True).first()
    return str(row["message_id"]), row["payload"]


async def _work_then_hang(ctx: JobContext, remesa_id: int) -> None:
    await tasks.run_remesa.fn(ctx, remesa_id=remesa_id)
    print("WORK-DONE", flush=True)
    await asyncio.Event().wait()  # the transaction stays open until we are killed


async def main(tenant_id: int) -> None:
    kernel = boot(load_settings())
    await kernel.start(migrate=False)
    jobs.set_relay(None)  # the test process relays what this one commits
    message, payload = await pending(tenant_id)
    await execute(tasks.run_remesa, tenant_id, payload, message)
    message, payload = await pending(tenant_id)
    hanging = Job(tasks.run_remesa.name, _work_then_hang, max_retries=0)
    await execute(hanging, tenant_id, payload, message)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
