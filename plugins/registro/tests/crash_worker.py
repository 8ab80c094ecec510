"""A worker that dies between the work and the commit (run by test_justificante).

``python -m plugins.registro.tests.crash_worker <tenant_id> <asiento_id> <message_id>``
boots the kernel from ``CONCEJO_*``, runs the justificante job for that message through
the kernel's ``execute`` and, once the work is done but before the transaction commits,
prints ``WORK-DONE`` and waits to be killed.
"""

from __future__ import annotations

import asyncio
import sys

from core.jobs import Job, JobContext, execute
from core.kernel import boot
from core.settings import load_settings
from plugins.registro import tasks


async def _work_then_hang(ctx: JobContext, asiento_id: int) -> None:
    await tasks.make_justificante.fn(ctx, asiento_id=asiento_id)
    print("WORK-DONE", flush=True)
    await asyncio.Event().wait()  # the transaction stays open until we are killed


async def main(tenant_id: int, asiento_id: int, message_id: str) -> None:
    kernel = boot(load_settings())
    await kernel.start(migrate=False)
    hanging = Job(tasks.make_justificante.name, _work_then_hang, max_retries=0)
    await execute(hanging, tenant_id, {"asiento_id": asiento_id}, message_id)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]))
