"""Refusals the audit chain records besides permission denials: an object looked up by
id that is not the entity's (answered 404, whether it belongs to another entity or to
none, so the entry tells the two apart no more than the answer does)."""

from __future__ import annotations

from litestar import Request
from litestar.background_tasks import BackgroundTask

from core.audit.log import record
from core.identity.actor import Actor
from core.tenancy.context import TenantContext


async def _denied(tenant_id: int, actor: str, target: str) -> None:
    await record(tenant_id, "access.denied", actor=actor, outcome="denied", target=target,
                 detail={"status": 404})


def denied_lookup(request: Request) -> BackgroundTask | None:
    """After a 404 for an object an authenticated person asked for in an entity: a
    "denied" entry in that entity's chain, written once the answer is sent (None when
    there is no entity or no person to record)."""
    tenant, actor = request.state.get("tenant"), request.state.get("actor")
    if not isinstance(tenant, TenantContext) or not isinstance(actor, Actor) \
            or not actor.is_authenticated:
        return None
    return BackgroundTask(_denied, tenant.id, actor.audit_name,
                          f"{request.method} {request.url.path}")
