"""Jobs of the tablón."""

from core.jobs import JobContext, job
from plugins.tablon import services


@job("tablon.retire_expired")
async def retire_expired(ctx: JobContext) -> None:
    """Retire the notices whose display period has ended (scheduled for every tenant)."""
    await services.retire_expired(ctx.tenant)
