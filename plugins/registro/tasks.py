"""Jobs of the registro (each runs in its own transaction, once per message)."""

from core.jobs import JobContext, job
from plugins.registro import distribution, justificante


@job("registro.justificante")
async def make_justificante(ctx: JobContext, asiento_id: int) -> None:
    """Issue the justificante of an entrada (exactly once, see ``justificante``)."""
    await justificante.issue(ctx.tenant, asiento_id)


@job("registro.announce")
async def announce_distribution(ctx: JobContext, asiento_id: int, unidad: str) -> None:
    """Call ``on_asiento_distributed`` of the tenant's enabled plugins."""
    await distribution.announce(ctx.tenant, asiento_id, unidad)
