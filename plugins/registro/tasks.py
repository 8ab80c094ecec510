"""Jobs of the registro (each runs in its own transaction, once per message)."""

import logging

from core.documents.services import DocumentNotFound, read_content
from core.jobs import JobContext, job
from plugins.registro import distribution, justificante, sir

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


async def _delivered(ctx: JobContext, document_id: int) -> bytes | None:
    """The file handed to this entity, read only as a document of its own (None: the
    message names another entity's document, refused and logged)."""
    try:
        return (await read_content(ctx.tenant, document_id))[1]
    except DocumentNotFound:
        log.error("Refused SIR delivery for %s: %s is not a document of this entity",
                  ctx.tenant.slug, document_id)
        return None


@job("registro.sir_receive")
async def sir_receive(ctx: JobContext, document_id: int) -> None:
    """Take a SICRES file delivered to this entity's registry (an unreadable one is logged:
    retrying cannot make it readable)."""
    data = await _delivered(ctx, document_id)
    if data is None:
        return
    try:
        await sir.receive(ctx.tenant, data, actor="sir")
    except sir.InvalidExchange as exc:
        log.warning("Refused SICRES file %s for %s: %s", document_id, ctx.tenant.slug, exc)


@job("registro.sir_message")
async def sir_message(ctx: JobContext, document_id: int) -> None:
    """Apply a SICRES message (ACK, confirmación, error) to our outgoing exchange."""
    data = await _delivered(ctx, document_id)
    if data is not None:
        await sir.on_message(ctx.tenant, data)
