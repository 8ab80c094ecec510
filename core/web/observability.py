"""``/metrics`` (Prometheus) and ``/ready`` (readiness: may this process take traffic?).

``/health`` says the process and its services answer; ``/ready`` also says every migration
of the installed code has run and the blob store answers, so a load balancer sends traffic
only to processes that can serve it (during an upgrade, before ``concejo db migrate``, new
processes stay out of rotation).
"""

from __future__ import annotations

import asyncio
import functools

from litestar import Response, get
from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.tables import Migration
from piccolo.query.functions.aggregate import Count

from core import kernel as _kernel
from core import metrics
from core.documents.blobs import blob_store_from_url
from core.jobs import QUEUE
from core.jobs_app.tables import OutboxMessage
from core.tenancy.rls import cross_tenant
from core.tenancy.tables import Tenant

_PROBE_HASH = "0" * 64
_blob_store = functools.cache(blob_store_from_url)  # one client per process and URL


@get("/metrics", include_in_schema=False)
async def metrics_endpoint() -> Response:
    """Prometheus text exposition of this deployment."""
    kernel = _kernel.current()
    async with cross_tenant("metrics"):
        pending = await OutboxMessage.select(
            OutboxMessage.tenant.slug, Count(OutboxMessage.id, alias="n")
        ).where(OutboxMessage.relayed_at.is_null()).group_by(OutboxMessage.tenant.slug)
    shared = {
        "concejo_outbox_pending": ("Committed jobs and events not yet relayed to the broker",
                                   {(r["tenant.slug"],): r["n"] for r in pending}, ["tenant"]),
        "concejo_tenants": ("Entities served", {(): await Tenant.count()}, []),
    }
    try:
        depth = await asyncio.wait_for(
            asyncio.to_thread(metrics.queue_depth, kernel.jobs.broker, QUEUE), timeout=3)
    except Exception:  # broker down: /health and /ready say so; metrics still answer
        depth = None
    if depth is not None:
        shared["concejo_queue_depth"] = ("Messages waiting in the broker queue",
                                         {(QUEUE,): depth}, ["queue"])
    body, content_type = metrics.exposition(shared)
    return Response(body, media_type=content_type)


async def pending_migrations() -> list[str]:
    """``app:migration`` ids of the installed code that have not run on this database."""
    kernel = _kernel.current()
    manager = BaseMigrationManager()
    missing = []
    for app in kernel.db.app_configs():
        ran = set(await Migration.get_migrations_which_ran(app.app_name))
        known = manager.get_migration_modules(app.resolved_migrations_folder_path)
        missing += [f"{app.app_name}:{m}" for m in sorted(known) if m not in ran]
    return missing


@get("/ready", include_in_schema=True, tags=["kernel"])
async def ready() -> Response:
    """Readiness: database, migrations, broker and blob store; 503 naming what is not."""
    kernel = _kernel.current()
    checks: dict[str, str] = {}
    try:
        missing = await pending_migrations()
        checks["database"] = "ok"
        checks["migrations"] = f"pending: {', '.join(missing)}" if missing else "ok"
    except Exception as exc:
        checks["database"] = f"error: {exc}"
    checks["broker"] = await kernel.jobs.check_broker()
    try:
        store = _blob_store(kernel.settings.effective_blob_url)
        await asyncio.wait_for(store.exists(_PROBE_HASH), timeout=3)
        checks["blobs"] = "ok"
    except Exception as exc:
        checks["blobs"] = f"error: {exc or type(exc).__name__}"
    is_ready = all(v == "ok" for v in checks.values())
    return Response({"status": "ready" if is_ready else "not ready", "checks": checks},
                    status_code=200 if is_ready else 503)


OBSERVABILITY_ROUTES = [metrics_endpoint, ready]
