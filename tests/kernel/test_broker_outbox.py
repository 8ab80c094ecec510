"""With a real broker: a request commits while the broker is down, and the job is
delivered later from the outbox (RabbitMQ and Redis, started before the session)."""

import asyncio
import os

import pytest

import core.jobs
from core.db import atomic
from core.events import deliver
from core.jobs import JobSystem
from core.jobs_app.tables import DoneMessage, OutboxMessage
from core.testing import require_service
from tests.fakes import alpha

BROKERS = {
    "rabbitmq": os.environ.get("CONCEJO_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/"),
    "redis": os.environ.get("CONCEJO_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
}
DEAD = {
    "rabbitmq": "amqp://guest:guest@127.0.0.1:9/?connection_attempts=1&socket_timeout=1",
    "redis": "redis://127.0.0.1:9/0?socket_connect_timeout=1",
}


def _job_system(concejo_kernel, url: str) -> JobSystem:
    jobs = [j for name, j in concejo_kernel.jobs.jobs.items() if name != core.jobs.DELIVER_EVENT]
    return JobSystem(url, jobs, deliver, concejo_kernel.settings.effective_secret_key())


async def _wait_done(message_id: str, seconds: float = 20) -> str:
    for _ in range(int(seconds * 10)):
        row = await DoneMessage.select(DoneMessage.outcome).where(
            DoneMessage.message_id == message_id).first()
        if row:
            return row["outcome"]
        await asyncio.sleep(0.1)
    raise AssertionError(f"message {message_id} was never processed")


@pytest.mark.broker
@pytest.mark.parametrize("kind", ["rabbitmq", "redis"])
async def test_broker_down_during_request_then_delivered_from_outbox(
        concejo_kernel, make_tenant, kind):
    require_service(kind, BROKERS[kind])
    tenant = await make_tenant(plugins=("alpha",))
    down = _job_system(concejo_kernel, DEAD[kind])
    core.jobs.set_relay(down.relay)
    try:
        async with atomic():  # the "request": its business change and its job commit
            message_id = await alpha.touch.send(tenant.id, note=f"via-{kind}")
    finally:
        core.jobs.set_relay(concejo_kernel.jobs.relay)
        concejo_kernel.jobs.broker.flush_all()
    row = await OutboxMessage.select().where(OutboxMessage.message_id == message_id).first()
    assert row["relayed_at"] is None and row["attempts"] == 1 and row["last_error"]

    live = _job_system(concejo_kernel, BROKERS[kind])
    live.broker.flush_all()
    try:
        assert await live.relay() >= 1
        live.start_worker(asyncio.get_running_loop(), threads=1)
        assert await _wait_done(message_id) == "done"
    finally:
        await asyncio.to_thread(live.stop_worker)
        live.broker.close()
    assert ("job:alpha.touch", f"{tenant.slug}:via-{kind}") in alpha.CALLS
    assert await live.check_broker() == "ok"
    assert (await down.check_broker()).startswith("error")
