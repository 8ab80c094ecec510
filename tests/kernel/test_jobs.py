"""Jobs: tenant on every message, skipped when disabled, idempotent, outbox, schedules."""

import asyncio
from datetime import UTC, datetime

import dramatiq
import pytest

from core.db import atomic
from core.events import emit
from core.jobs import QUEUE, MissingTenant, TenantMiddleware
from core.jobs_app.tables import DoneMessage, OutboxMessage
from core.tenancy.services import set_plugin
from tests.fakes import alpha


def _touches(slug: str) -> list[str]:
    return [d for h, d in alpha.CALLS if h == "job:alpha.touch" and d.startswith(slug + ":")]


async def test_job_runs_for_enabled_tenant_and_is_skipped_for_disabled(make_tenant, drain):
    on = await make_tenant(plugins=("alpha",))
    off = await make_tenant()
    await alpha.touch.send(on.id, note="a")
    await alpha.touch.send(off.id, note="b")
    await drain()
    assert _touches(on.slug) == [f"{on.slug}:a"]
    assert _touches(off.slug) == []
    outcomes = await DoneMessage.select(DoneMessage.tenant, DoneMessage.outcome).where(
        DoneMessage.tenant.is_in([on.id, off.id]))
    assert {(r["tenant"], r["outcome"]) for r in outcomes} == {(on.id, "done"),
                                                                 (off.id, "skipped")}


async def test_job_without_tenant_is_refused(concejo_kernel):
    with pytest.raises(MissingTenant):
        await alpha.touch.send(0)
    message = dramatiq.Message(queue_name=QUEUE, actor_name="alpha.touch", args=(),
                               kwargs={"payload": {}}, options={})
    with pytest.raises(MissingTenant):
        concejo_kernel.jobs.broker.enqueue(message)


async def test_message_without_tenant_is_not_processed(concejo_kernel, drain, monkeypatch):
    """A message that reaches the queue without a tenant (e.g. crafted) is skipped."""
    message = dramatiq.Message(queue_name=QUEUE, actor_name="alpha.touch", args=(),
                               kwargs={"payload": {"note": "orphan"}}, options={})
    # a crafted message does not pass through our enqueue-time check
    monkeypatch.setattr(TenantMiddleware, "before_enqueue", lambda *args: None)
    concejo_kernel.jobs.broker.enqueue(message)
    monkeypatch.undo()
    before = len(alpha.CALLS)
    await drain()
    assert not [c for c in alpha.CALLS[before:] if c[1].endswith(":orphan")]


async def test_same_key_queues_once_and_redelivery_runs_once(concejo_kernel, make_tenant, drain):
    tenant = await make_tenant(plugins=("alpha",))
    first = await alpha.touch.send(tenant.id, key="k1", note="once")
    second = await alpha.touch.send(tenant.id, key="k1", note="once")
    assert first == second
    await drain()
    redelivered = dramatiq.Message(queue_name=QUEUE, actor_name="alpha.touch", args=(),
                                   kwargs={"tenant_id": tenant.id, "payload": {"note": "once"}},
                                   options={}, message_id=first)
    concejo_kernel.jobs.broker.enqueue(redelivered)
    await drain()
    assert _touches(tenant.slug) == [f"{tenant.slug}:once"]


async def test_rolled_back_transaction_sends_nothing(make_tenant, drain):
    tenant = await make_tenant(plugins=("alpha",))
    with pytest.raises(RuntimeError):
        async with atomic():
            await alpha.touch.send(tenant.id, note="ghost")
            await emit(tenant.id, alpha.AlphaHappened(note="ghost"))
            raise RuntimeError("the request failed half-way")
    await drain()
    assert _touches(tenant.slug) == []
    assert ("on_event", f"{tenant.slug}:AlphaHappened") not in alpha.CALLS
    assert not await OutboxMessage.exists().where(OutboxMessage.tenant == tenant.id)


async def test_events_reach_only_plugins_enabled_for_the_tenant(make_tenant, drain):
    on = await make_tenant(plugins=("alpha",))
    off = await make_tenant()
    for tenant in (on, off):
        async with atomic():
            await emit(tenant.id, alpha.AlphaHappened(note="hi"))
    await drain()
    assert ("on_event", f"{on.slug}:AlphaHappened") in alpha.CALLS
    assert ("on_event", f"{off.slug}:AlphaHappened") not in alpha.CALLS


async def test_unregistered_event_type_is_refused(make_tenant):
    import msgspec

    class Stray(msgspec.Struct):
        x: int

    tenant = await make_tenant()
    with pytest.raises(ValueError, match="not registered"):
        await emit(tenant.id, Stray(x=1))


async def test_schedules_queue_once_per_enabled_tenant_and_slot(concejo_kernel, make_tenant,
                                                                drain):
    on = await make_tenant(plugins=("alpha",))
    off = await make_tenant()
    now = datetime(2030, 1, 1, 10, 15, tzinfo=UTC)
    await concejo_kernel.run_schedules(now)
    await concejo_kernel.run_schedules(now.replace(minute=45))  # same hourly slot
    await drain()
    assert _touches(on.slug) == [f"{on.slug}:"]
    assert _touches(off.slug) == []


async def test_disabling_a_plugin_skips_its_queued_jobs(make_tenant, drain):
    tenant = await make_tenant(plugins=("alpha",))
    async with atomic():
        await alpha.touch.send(tenant.id, note="late")
        await set_plugin(tenant, "alpha", False, actor="test")
    await drain()
    assert _touches(tenant.slug) == []


async def _wait_done(message_id: str, seconds: float = 20) -> str:
    for _ in range(int(seconds * 10)):
        row = await DoneMessage.select(DoneMessage.outcome).where(
            DoneMessage.message_id == message_id).first()
        if row:
            return row["outcome"]
        await asyncio.sleep(0.1)
    raise AssertionError(f"message {message_id} was never processed")


async def test_a_job_is_sent_by_its_name_and_a_misspelt_name_is_refused(make_tenant):
    """Services send jobs by name (so they never import their plugin's tasks module)."""
    from core.jobs import send
    from core.jobs_app.tables import OutboxMessage

    tenant = await make_tenant(plugins=("tablon",))
    message_id = await send("tablon.retire_expired", tenant.id, key="by-name")
    row = await OutboxMessage.select(OutboxMessage.actor_name).where(
        OutboxMessage.message_id == message_id).first()
    assert row == {"actor_name": "tablon.retire_expired"}
    with pytest.raises(ValueError, match=r"tablon\.retire_expird"):
        await send("tablon.retire_expird", tenant.id)
