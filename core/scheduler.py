"""``concejo scheduler``: queue periodic jobs and retry the outbox relay, as the one leader.

Run two (or more) for availability: one holds the leader lock and works, the others wait
and take over within one period when it stops. Running two leaders by mistake is still safe
— each periodic message id is derived from its slot, so a slot is queued once — the lock
only saves the duplicate work.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from core import metrics
from core.kernel import Kernel
from core.leader import LeaderLock, leader_lock

log = logging.getLogger(__name__)

LOCK_NAME = "scheduler"


async def tick(kernel: Kernel) -> tuple[int, int]:
    """One round: queue the periodic jobs of the current slot, relay the outbox."""
    return await kernel.run_schedules(), await kernel.jobs.relay()


async def run_scheduler(kernel: Kernel, stop: asyncio.Event, *, every: float = 30.0,
                        lock: LeaderLock | None = None) -> None:
    """Until ``stop`` is set: become leader when the lock is free, then tick every period."""
    lock = lock or leader_lock(kernel.settings.effective_database_url, LOCK_NAME)
    leader = False
    try:
        while not stop.is_set():
            if leader and not await lock.still_held():
                log.warning("Scheduler lost the leader lock; standing by")
                leader = False
            if not leader:
                leader = await _try(lock)
                if leader:
                    log.info("Scheduler is the leader")
            metrics.SCHEDULER_LEADER.set(1 if leader else 0)
            if leader:
                try:
                    queued, relayed = await tick(kernel)
                    log.info("Scheduler tick: %d periodic jobs, %d relayed", queued, relayed,
                             extra={"queued": queued, "relayed": relayed})
                except Exception:  # a bad round must not end the scheduler
                    log.exception("Scheduler tick failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
    finally:
        metrics.SCHEDULER_LEADER.set(0)
        await lock.release()


async def _try(lock: LeaderLock) -> bool:
    try:
        return await lock.try_acquire()
    except Exception as exc:  # database away: stand by and try again next period
        log.warning("Scheduler cannot reach the lock: %s", exc)
        return False
