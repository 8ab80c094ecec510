"""Domain events: written to the outbox with the business change, delivered after commit.

A plugin registers its event Structs with ``register_event_types`` and emits them with
``await emit(tenant_id, SomethingHappened(...))`` inside its transaction. Delivery runs as
the ``core.deliver_event`` job, which calls ``on_event`` of the plugins enabled for that
tenant only.
"""

from __future__ import annotations

import inspect
from typing import Any

import msgspec

from core import kernel as _kernel
from core.jobs import DELIVER_EVENT
from core.tenancy.context import TenantContext


def event_name(event_type: type[msgspec.Struct]) -> str:
    return f"{event_type.__module__}.{event_type.__qualname__}"


async def emit(tenant_id: int, event: msgspec.Struct) -> str:
    """Queue an event for after-commit delivery; returns its message id."""
    kernel = _kernel.current()
    name = event_name(type(event))
    if name not in kernel.event_types:
        raise ValueError(f"Event type {name} is not registered by any plugin")
    return await kernel.jobs.jobs[DELIVER_EVENT].send(
        tenant_id, type=name, data=msgspec.to_builtins(event))


async def deliver(tenant: TenantContext, message: dict[str, Any]) -> None:
    """Decode an event message and call ``on_event`` of the tenant's enabled plugins."""
    kernel = _kernel.current()
    event_type = kernel.event_types.get(message["type"])
    if event_type is None:
        raise ValueError(f"Unknown event type {message['type']}")
    event = msgspec.convert(message["data"], event_type)
    await gather_hook(kernel.plugins.hooks_for(tenant.enabled).on_event(event=event,
                                                                         tenant=tenant))


async def gather_hook(results: list[Any]) -> list[Any]:
    """Await the awaitable results of a hook call (hook implementations may be async)."""
    return [await r if inspect.isawaitable(r) else r for r in results]
