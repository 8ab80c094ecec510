"""Jobs of cita previa: notices by email, reminders the day before, housekeeping."""

from core.db import atomic
from core.jobs import JobContext, job
from plugins.cita_previa.services import abuse, booking, notices


@job("cita_previa.send_notice")
async def send_notice(ctx: JobContext, kind: str, localizador: str,
                      citas: list[int] | None = None) -> None:
    """Mail a confirmation, change, anulación or reminder with its .ics (retried)."""
    await notices.send(ctx.tenant, kind, localizador, citas)


@job("cita_previa.send_reminders")
async def send_reminders(ctx: JobContext) -> None:
    """Queue a reminder for each booking with confirmed citas tomorrow (hourly)."""
    async with atomic():
        for localizador, ids in (await notices.due_reminders(ctx.tenant)).items():
            await send_notice.send(ctx.tenant.id, kind="recordatorio", localizador=localizador,
                                   citas=ids)


@job("cita_previa.housekeeping")
async def housekeeping(ctx: JobContext) -> None:
    """Let unconfirmed bookings lapse (freeing their places) and forget old attempts."""
    await booking.expire_pending(ctx.tenant)
    await abuse.purge_attempts(ctx.tenant)
