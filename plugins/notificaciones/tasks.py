"""Jobs of notificaciones: warnings, hub routing, certificates, edicts, bulk chunks, and
the scheduled clock (expiry after 10 natural days, overdue acts, stalled remesas)."""

from __future__ import annotations

from datetime import UTC, datetime

from core.jobs import JobContext, job
from plugins.notificaciones import (
    certificado,
    channels,
    papel,
    pendientes,
    remesas,
    services,
)


@job("notificaciones.open_channel")
async def open_channel(ctx: JobContext, notificacion_id: int, medium: str) -> None:
    """One warning (``email``, ``sms``) or the hub delivery of a notification (retried)."""
    await channels.open_channel(ctx.tenant, notificacion_id, medium)


@job("notificaciones.open_channels")
async def open_channels(ctx: JobContext, notificacion_ids: list[int]) -> None:
    """The warnings and hub deliveries of a chunk of a remesa."""
    await channels.open_channels(ctx.tenant, notificacion_ids)


@job("notificaciones.certify")
async def certify(ctx: JobContext, notificacion_id: int) -> None:
    """Issue the sealed evidence certificate of a notification in a final state."""
    await certificado.issue(ctx.tenant, notificacion_id)


@job("notificaciones.publish_edict")
async def publish_edict(ctx: JobContext, notificacion_id: int) -> None:
    """Publish the anuncio of a paper notification that could not be delivered."""
    await papel.publish_edict(ctx.tenant, notificacion_id)


@job("notificaciones.run_remesa")
async def run_remesa(ctx: JobContext, remesa_id: int) -> None:
    """One chunk of a remesa; queues the next one in the same transaction."""
    if await remesas.run_chunk(ctx.tenant, remesa_id):
        done = (await remesas.get(ctx.tenant, remesa_id)).done
        await run_remesa.send(ctx.tenant.id, key=f"{remesa_id}:{done}", remesa_id=remesa_id)


@job("notificaciones.clock")
async def clock(ctx: JobContext) -> None:
    """Hourly: expire notifications after 10 natural days without access, warn about
    resoluciones not notified in 10 días hábiles, restart stalled remesas."""
    now = datetime.now(UTC)
    await services.expire_due(ctx.tenant, now)
    await pendientes.warn_overdue(ctx.tenant, now)
    for remesa_id in await remesas.stalled(ctx.tenant, now):
        await run_remesa.send(ctx.tenant.id, key=f"{remesa_id}:resume:{now:%Y%m%d%H%M}",
                              remesa_id=remesa_id)
