"""``concejo scheduler``: one leader among several, a standby takes over, a slot queues once."""

import asyncio
import uuid

from core.jobs_app.tables import OutboxMessage
from core.leader import leader_lock
from core.scheduler import run_scheduler, tick


async def _until(predicate, seconds: float = 10.0) -> None:
    for _ in range(int(seconds * 20)):
        if await predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def test_one_leader_at_a_time_and_a_standby_takes_over(concejo_kernel):
    url = concejo_kernel.settings.effective_database_url
    name = f"scheduler-test-{uuid.uuid4().hex[:8]}"
    first, second = leader_lock(url, name), leader_lock(url, name)
    stop_first, stop_second = asyncio.Event(), asyncio.Event()
    one = asyncio.create_task(run_scheduler(concejo_kernel, stop_first, every=0.05, lock=first))
    await _until(first.still_held)
    two = asyncio.create_task(run_scheduler(concejo_kernel, stop_second, every=0.05,
                                            lock=second))
    await asyncio.sleep(0.3)
    assert await first.still_held() and not await second.still_held()
    stop_first.set()
    await one
    await _until(second.still_held)
    stop_second.set()
    await two
    assert not await second.still_held()


async def test_two_schedulers_ticking_in_one_slot_queue_each_job_once(concejo_kernel,
                                                                      make_tenant, drain):
    tenant = await make_tenant(plugins=("alpha",))
    await asyncio.gather(tick(concejo_kernel), tick(concejo_kernel))
    rows = await OutboxMessage.select(OutboxMessage.actor_name).where(
        OutboxMessage.tenant == tenant.id)
    assert sorted(r["actor_name"] for r in rows) == ["alpha.touch"]
    await drain()


async def test_scheduler_command_needs_a_broker(concejo_cli):
    result = await concejo_cli("scheduler", "--every", "1")
    assert result.returncode != 0
    assert "needs broker_url" in result.stderr
