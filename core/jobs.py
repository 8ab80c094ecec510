"""Background jobs on Dramatiq, fed by a transactional outbox, always carrying a tenant.

A plugin declares ``@job("tablon.retire_expired")`` on an async function and sends it with
``await retire_expired.send(tenant_id, **payload)`` inside the business transaction: the
message is written to the outbox and relayed to the broker only after commit, so a broker
that is down loses nothing (the relay retries). Each message id is recorded in the same
transaction as the job's work, which makes every job idempotent. Jobs of a plugin that is
disabled for the message's tenant are skipped; a message with no tenant is refused.

Embedded default: a Dramatiq ``StubBroker`` with an in-process worker. Production:
RabbitMQ (``amqp://``) or Redis (``redis://``) by URL and ``concejo worker`` processes.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import logging
import threading
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse, urlunparse

import dramatiq
import msgspec
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import CurrentMessage, Middleware, MiddlewareError, SkipMessage

from core.db import after_commit, atomic, engine
from core.jobs_app.tables import DoneMessage, OutboxMessage
from core.metrics import JobMetrics
from core.tenancy.context import TenantContext, tenant_by_id
from core.tenancy.rls import cross_tenant, tenant_scope

log = logging.getLogger(__name__)

QUEUE = "concejo"
MESSAGE_NAMESPACE = uuid.UUID("6f1c2a0e-4b1d-4c47-9a51-3c1f0e5d2b77")
DELIVER_EVENT = "core.deliver_event"


class MissingTenant(MiddlewareError):
    """A job message without a tenant: refused at enqueue and at processing."""


class JobContext(msgspec.Struct, frozen=True):
    """What a running job gets besides its payload."""

    tenant: TenantContext
    message_id: str


JobFunction = Callable[..., Awaitable[None]]


#: The names of every job declared in this process (plugins' ``tasks`` at boot).
DECLARED: set[str] = set()


class Job:
    """A declared job; ``send`` writes to the outbox of the current transaction."""

    def __init__(self, name: str, fn: JobFunction, max_retries: int) -> None:
        if "." not in name:
            raise ValueError(f"Job name {name!r} must be '<plugin>.<name>'")
        self.name = name
        self.fn = fn
        self.max_retries = max_retries
        DECLARED.add(name)

    @property
    def plugin(self) -> str:
        return self.name.split(".", 1)[0]

    async def send(self, tenant_id: int, *, key: str | None = None, **payload: Any) -> str:
        """Queue the job for a tenant; the same ``key`` queues it only once."""
        return await send(self.name, tenant_id, key=key, **payload)


async def send(name: str, tenant_id: int, *, key: str | None = None, **payload: Any) -> str:
    """Queue the job ``name`` (``<plugin>.<name>``) for a tenant, in the current
    transaction; the same ``key`` queues it only once. Services send jobs by name, so they
    never import the ``tasks`` module that imports them."""
    if name not in DECLARED:
        raise ValueError(f"No job named {name!r} is declared")
    if not is_tenant_id(tenant_id):
        raise MissingTenant(f"Job {name} sent without a tenant")
    message_id = (
        uuid.uuid5(MESSAGE_NAMESPACE, f"{name}:{tenant_id}:{key}")
        if key else uuid.uuid4()
    )
    # Written in the receiving tenant's scope (a hand-off to it, never a read of it);
    # "do nothing" on conflict: two schedulers may send one slot.
    payload = msgspec.to_builtins(payload)
    async with tenant_scope(tenant_id), atomic():
        await OutboxMessage.insert(OutboxMessage(
            message_id=message_id, tenant=tenant_id, actor_name=name,
            payload=payload, created_at=datetime.now(UTC),
        )).on_conflict(target=OutboxMessage.message_id, action="DO NOTHING")
        after_commit(functools.partial(relay_soon, _message(
            name, tenant_id, payload, str(message_id))))
    return str(message_id)


def job(name: str, *, max_retries: int = 5) -> Callable[[JobFunction], Job]:
    """Declare an async job ``fn(ctx: JobContext, **payload)`` named ``<plugin>.<name>``."""
    return lambda fn: Job(name, fn, max_retries)


def is_tenant_id(value: object) -> bool:
    """A tenant id is a positive ``int`` and nothing else (not ``True``, not ``"1"``)."""
    return type(value) is int and value > 0


SEAL_OPTION = "concejo_seal"


class MessageSeal:
    """Seals a message with the deployment key and checks the seal (``hmac``)."""

    def __init__(self, secret_key: bytes) -> None:
        self._key = hmac.new(secret_key, b"concejo job messages", hashlib.sha256).digest()

    def _mac(self, message: dramatiq.Message) -> str:
        signed = msgspec.json.encode(
            [message.message_id, message.actor_name, list(message.args), message.kwargs],
            order="sorted")
        return hmac.new(self._key, signed, hashlib.sha256).hexdigest()

    def seal(self, message: dramatiq.Message) -> None:
        message.options[SEAL_OPTION] = self._mac(message)

    def is_sealed(self, message: dramatiq.Message) -> bool:
        given = message.options.get(SEAL_OPTION)
        try:
            expected = self._mac(message)
        except (TypeError, msgspec.EncodeError):  # arguments JSON never carries
            return False
        return isinstance(given, str) and hmac.compare_digest(given, expected)


class TenantMiddleware(Middleware):
    """Refuse any message that does not carry a tenant, when sent and when processed;
    seal every message sent, refuse any message whose seal does not match."""

    def __init__(self, seal: MessageSeal) -> None:
        self.seal = seal

    def before_enqueue(self, broker: dramatiq.Broker, message: dramatiq.Message,
                       delay: int) -> None:
        if not is_tenant_id(message.kwargs.get("tenant_id")):
            raise MissingTenant(f"Message for {message.actor_name} has no tenant")
        self.seal.seal(message)

    def before_process_message(self, broker: dramatiq.Broker,
                               message: dramatiq.Message) -> None:
        if not self.seal.is_sealed(message):
            log.error("Refused message %s for %s: not sealed by this deployment",
                      message.message_id, message.actor_name)
            raise SkipMessage()
        if not is_tenant_id(message.kwargs.get("tenant_id")) or message.args \
                or not isinstance(message.kwargs.get("payload"), dict):
            log.error("Refused message %s for %s: no tenant", message.message_id,
                      message.actor_name)
            raise SkipMessage()


def make_broker(url: str, seal: MessageSeal) -> dramatiq.Broker:
    """StubBroker for the embedded default, RabbitMQ or Redis by URL."""
    if not url:
        broker: dramatiq.Broker = StubBroker()
    elif url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        broker = RabbitmqBroker(url=url)
    elif url.startswith(("redis://", "rediss://")):
        from dramatiq.brokers.redis import RedisBroker

        url, namespace = _redis_namespace(url)
        broker = RedisBroker(url=url, namespace=namespace)
    else:
        raise ValueError(f"Unsupported broker URL {url!r}: use amqp:// or redis://")
    broker.add_middleware(TenantMiddleware(seal))
    broker.add_middleware(CurrentMessage())
    broker.add_middleware(JobMetrics())
    return broker


def _redis_namespace(url: str) -> tuple[str, str]:
    """Split ``?namespace=…`` off a Redis URL (several deployments sharing one Redis)."""
    parsed = urlparse(url)
    query = parse_qs(parsed.query)
    namespace = query.pop("namespace", ["dramatiq"])[0]
    rest = urlencode({k: v[0] for k, v in query.items()})
    return urlunparse(parsed._replace(query=rest)), namespace


class LoopRunner:
    """Runs the async body of jobs on one event loop from Dramatiq's worker threads."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    def start_own_loop(self) -> asyncio.AbstractEventLoop:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True,
                                        name="concejo-jobs-loop")
        self._thread.start()
        return self.loop

    def run(self, coro: Coroutine[Any, Any, Any]) -> Any:
        if self.loop is None:
            coro.close()
            raise RuntimeError("No event loop attached to the job runner")
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def stop(self) -> None:
        if self._thread and self.loop:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=5)


class JobSystem:
    """The broker, the actors of every installed plugin's jobs, the relay and the worker."""

    def __init__(self, broker_url: str, jobs: list[Job],
                 deliver_event: Callable[[TenantContext, dict[str, Any]], Awaitable[None]],
                 secret_key: bytes) -> None:
        self.seal = MessageSeal(secret_key)
        self.broker = make_broker(broker_url, self.seal)
        dramatiq.set_broker(self.broker)
        self.runner = LoopRunner()
        self.jobs = {j.name: j for j in jobs}
        self.jobs[DELIVER_EVENT] = Job(DELIVER_EVENT, self._event_job(deliver_event), 5)
        for declared in self.jobs.values():
            self._declare(declared)
        self._worker: dramatiq.Worker | None = None

    @staticmethod
    def _event_job(deliver: Callable[[TenantContext, dict[str, Any]], Awaitable[None]]
                   ) -> JobFunction:
        async def deliver_event(ctx: JobContext, **event: Any) -> None:
            await deliver(ctx.tenant, event)
        return deliver_event

    def _declare(self, declared: Job) -> None:
        def run(tenant_id: int, payload: dict[str, Any]) -> None:
            message = CurrentMessage.get_current_message()
            self.runner.run(execute(declared, tenant_id, payload, message.message_id))

        run.__name__ = declared.name.replace(".", "_")
        dramatiq.Actor(run, broker=self.broker, actor_name=declared.name, queue_name=QUEUE,
                       priority=0, options={"max_retries": declared.max_retries,
                                            "min_backoff": 1000, "max_backoff": 300_000})

    # -- relay -------------------------------------------------------------------------
    async def relay(self, limit: int = 500, *, sent: dramatiq.Message | None = None) -> int:
        """Send committed outbox messages to the broker; returns how many were relayed.

        ``sent``: only that message, right after the commit that wrote it (in its tenant's
        scope, one statement to mark it); whatever fails stays for the periodic relay.
        The embedded broker lives in this process: without a worker here (a command-line
        process) the messages stay in the outbox for the serving process to relay."""
        if isinstance(self.broker, StubBroker) and self._worker is None:
            return 0
        if sent is not None:
            tenant_id = sent.kwargs["tenant_id"]
            async with tenant_scope(tenant_id):
                where = (OutboxMessage.tenant == tenant_id) & (
                    OutboxMessage.message_id == uuid.UUID(sent.message_id))
                return int(await self._enqueue(sent, where))
        async with cross_tenant("outbox relay"):
            return await self._relay(limit)

    async def _relay(self, limit: int) -> int:
        pending = await OutboxMessage.select().where(
            OutboxMessage.relayed_at.is_null()
        ).order_by(OutboxMessage.id).limit(limit)
        sent = 0
        for row in pending:
            message = _message(row["actor_name"], row["tenant"], _decode(row["payload"]),
                               str(row["message_id"]))
            if not await self._enqueue(message, OutboxMessage.id == row["id"]):
                break
            sent += 1
        return sent

    async def _enqueue(self, message: dramatiq.Message, where: Any) -> bool:
        """Hand one message to the broker and mark its outbox row (``where``) relayed, or
        count the failed attempt on it; False when the broker is unavailable."""
        try:
            await asyncio.to_thread(self.broker.enqueue, message)
        except Exception as exc:  # broker down: leave it for the next relay
            await OutboxMessage.update({
                OutboxMessage.attempts: OutboxMessage.attempts + 1,
                OutboxMessage.last_error: str(exc)[:500],
            }).where(where)
            log.warning("Outbox relay stopped, broker unavailable: %s", exc)
            return False
        await OutboxMessage.update({OutboxMessage.relayed_at: datetime.now(UTC)}).where(where)
        return True

    async def check_broker(self) -> str:
        """"ok" when the broker answers, else the error (for /health)."""
        try:
            await asyncio.wait_for(asyncio.to_thread(_ping, self.broker), timeout=3)
        except Exception as exc:
            return f"error: {exc or type(exc).__name__}"
        return "ok"

    async def pending(self) -> int:
        async with cross_tenant("outbox relay"):
            return await OutboxMessage.count().where(OutboxMessage.relayed_at.is_null())

    # -- embedded worker ---------------------------------------------------------------
    def start_worker(self, loop: asyncio.AbstractEventLoop | None = None,
                     threads: int = 2) -> None:
        if loop is None:
            self.runner.start_own_loop()
        else:
            self.runner.attach(loop)
        self._worker = dramatiq.Worker(self.broker, worker_threads=threads, worker_timeout=100)
        self._worker.start()

    def stop_worker(self) -> None:
        if self._worker:
            self._worker.stop()
            self._worker = None
        self.runner.stop()

    async def drain(self, limit_seconds: float = 30) -> None:
        """Relay everything and wait until the in-process worker has processed it (tests).

        Works with any broker as long as this process runs the worker: the broker's join
        sees the queue empty, the worker's join sees the work in hand finished."""
        deadline = asyncio.get_running_loop().time() + limit_seconds
        while True:
            await self.relay()
            await asyncio.to_thread(self.broker.join, QUEUE, timeout=int(limit_seconds * 1000))
            if self._worker:
                await asyncio.to_thread(self._worker.join)
            if not await self.pending():
                return
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError("Jobs did not drain in time")


def _ping(broker: dramatiq.Broker) -> None:
    if isinstance(broker, StubBroker):
        return
    client = getattr(broker, "client", None)
    if client is not None:  # Redis
        client.ping()
    else:  # RabbitMQ: opening the channel connects
        broker.channel  # noqa: B018


def _decode(value: Any) -> Any:
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else value


async def _lock_message(message_id: str) -> None:
    """Serialise two deliveries of one message (the outbox relay is at-least-once), so the
    second finds the first one's DoneMessage; SQLite's immediate transactions already do."""
    if engine().engine_type == "postgres":
        await DoneMessage.raw("SELECT pg_advisory_xact_lock(7403, hashtext({}))",
                              str(message_id))


async def execute(declared: Job, tenant_id: int, payload: dict[str, Any],
                  message_id: str) -> str:
    """Run one message exactly once per tenant and message id; returns done or skipped."""
    if not is_tenant_id(tenant_id):
        raise MissingTenant(f"Message {message_id} names no tenant")
    async with tenant_scope(tenant_id):  # the job works for its tenant only
        return await _execute(declared, tenant_id, payload, message_id)


async def _execute(declared: Job, tenant_id: int, payload: dict[str, Any],
                  message_id: str) -> str:
    tenant = await tenant_by_id(tenant_id)
    if tenant is None:
        raise MissingTenant(f"Message {message_id} names unknown tenant {tenant_id}")
    async with atomic():
        await _lock_message(message_id)
        done = await DoneMessage.exists().where(
            (DoneMessage.tenant == tenant_id) & (DoneMessage.message_id == message_id))
        if done:
            return "duplicate"
        skipped = declared.plugin != "core" and not tenant.is_enabled(declared.plugin)
        if skipped:
            log.info("Skipped %s for tenant %s: plugin disabled", declared.name, tenant.slug)
        else:
            await declared.fn(JobContext(tenant, message_id), **payload)
        await DoneMessage.insert(DoneMessage(
            tenant=tenant_id, message_id=message_id, actor_name=declared.name,
            outcome="skipped" if skipped else "done", done_at=datetime.now(UTC)))
    return "skipped" if skipped else "done"


# The relay that runs after a commit belongs to the running kernel; set by core.kernel.
_relay_hook: Callable[..., Awaitable[int]] | None = None


def set_relay(relay: Callable[..., Awaitable[int]] | None) -> None:
    """The relay called with ``sent=<message>`` after each commit that queued a message."""
    global _relay_hook
    _relay_hook = relay


def _message(actor_name: str, tenant_id: int, payload: Any, message_id: str
             ) -> dramatiq.Message:
    return dramatiq.Message(queue_name=QUEUE, actor_name=actor_name, args=(),
                            kwargs={"tenant_id": tenant_id, "payload": payload},
                            options={}, message_id=message_id)


async def relay_soon(message: dramatiq.Message) -> None:
    if _relay_hook is not None:
        await _relay_hook(sent=message)


class Schedule(msgspec.Struct, frozen=True):
    """A job to run for every tenant that has its plugin enabled, every ``every``."""

    job: Job
    every: timedelta

    def slot(self, now: datetime) -> str:
        """The period this moment falls in; one message per tenant and slot, however many
        schedulers run."""
        return str(int(now.timestamp() // self.every.total_seconds()))
