"""Jobs of the registro (each runs in its own transaction, once per message)."""

import logging

from core.jobs import JobContext, job
from plugins.registro import distribution, justificante, sir
from plugins.registro.anexos import blob_store

log = logging.getLogger(__name__)


@job("registro.justificante")
async def make_justificante(ctx: JobContext, asiento_id: int) -> None:
    """Issue the justificante of an entrada (exactly once, see ``justificante``)."""
    await justificante.issue(ctx.tenant, asiento_id)


@job("registro.announce")
async def announce_distribution(ctx: JobContext, asiento_id: int, unidad: str) -> None:
    """Call ``on_asiento_distributed`` of the tenant's enabled plugins."""
    await distribution.announce(ctx.tenant, asiento_id, unidad)


@job("registro.sir_deliver")
async def sir_deliver(ctx: JobContext, exchange_id: int, kind: str, destino: str,
                      sha256: str) -> None:
    """Hand a SICRES file or message to the entity's SIR transport."""
    await sir.deliver(ctx.tenant, exchange_id, kind, destino, sha256)


@job("registro.sir_receive")
async def sir_receive(ctx: JobContext, sha256: str) -> None:
    """Take a SICRES file delivered to this entity's registry (an unreadable one is logged:
    retrying cannot make it readable)."""
    try:
        await sir.receive(ctx.tenant, await blob_store().read_bytes(sha256), actor="sir")
    except sir.InvalidExchange as exc:
        log.warning("Refused SICRES file %s for %s: %s", sha256, ctx.tenant.slug, exc)


@job("registro.sir_message")
async def sir_message(ctx: JobContext, sha256: str) -> None:
    """Apply a SICRES message (ACK, confirmación, error) to our outgoing exchange."""
    await sir.on_message(ctx.tenant, await blob_store().read_bytes(sha256))
