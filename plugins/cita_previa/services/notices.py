"""The emails of cita previa: the confirmation code, and notices with an .ics attached.

The code goes out at once (the citizen is waiting for it); confirmations, changes,
anulaciones and reminders go through the ``cita_previa.send_notice`` job, queued in the
transaction that caused them, so a mail server that is down delays them without losing
them. The reminder run picks confirmed citas of tomorrow (official time) from 09:00 on.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from core import kernel as _kernel
from core import mail
from core.db import atomic
from core.tenancy.context import TenantContext
from core.web.i18n import gettext as _
from plugins.cita_previa.schemas import CHANNEL_LABELS, CitaOut, ReservaOut
from plugins.cita_previa.services import ics, links, queries
from plugins.cita_previa.services.common import ZONE, local, settings_of, utcnow
from plugins.cita_previa.tables import Cita

REMINDERS_FROM_HOUR = 9
SUBJECTS = {
    "confirmacion": "Cita previa confirmada",
    "cambio": "Cita previa cambiada",
    "anulacion": "Cita previa anulada",
    "recordatorio": "Recordatorio: tiene cita previa mañana",
}


def _manage_url(tenant: TenantContext, reserva: ReservaOut) -> str:
    last_end = max(c.ends_at for c in reserva.citas)
    return links.manage_url(tenant, links.sign(tenant, reserva.localizador, last_end))


def describe(cita: CitaOut) -> str:
    """One line per cita: when, what, how and where (official time)."""
    when = local(cita.starts_at).strftime("%d/%m/%Y %H:%M")
    where = f" — {cita.oficina}, {cita.oficina_address}" if cita.channel == "presencial" else ""
    return (f"- {when} · {cita.servicio_name} · {_(CHANNEL_LABELS[cita.channel])} · "
            f"{cita.person_name}{where}")


async def send_code(tenant: TenantContext, localizador: str, code: str) -> None:
    """Mail the confirmation code of a pending booking."""
    reserva = await queries.get_reserva(tenant, localizador)
    minutes = settings_of(tenant).pending_minutes
    body = "\n".join([
        _("Su código para confirmar la cita previa es: %(code)s") % {"code": code},
        "",
        _("Introdúzcalo en la página de su reserva antes de %(minutes)s minutos:")
        % {"minutes": minutes},
        _manage_url(tenant, reserva),
        "",
        *[describe(c) for c in reserva.citas],
        "",
        _("Si no ha pedido esta cita, ignore este mensaje."),
    ])
    await mail.send(reserva.email, _("Código de confirmación de su cita previa"), body)


async def send(tenant: TenantContext, kind: str, localizador: str,
               cita_ids: list[int] | None = None) -> bool:
    """Send a notice of ``kind`` about these citas (all of the booking when None) with
    their .ics; returns False when the booking has no email address."""
    reserva = await queries.get_reserva(tenant, localizador)
    if not reserva.email:
        return False
    cancel = kind == "anulacion"
    citas = [c for c in reserva.citas
             if (c.id in cita_ids if cita_ids is not None else c.state == "confirmada")]
    manage_url = _manage_url(tenant, reserva)
    lines = [_(SUBJECTS[kind]), "", f"{_('Localizador')}: {reserva.localizador}",
             *[describe(c) for c in citas], ""]
    if not cancel:
        lines += [_("Para cambiar o anular su cita, o entrar en la videollamada:"), manage_url]
    settings = _kernel.current().settings
    message = mail.compose(settings, reserva.email, _(SUBJECTS[kind]), "\n".join(lines))
    calendar = ics.calendar(tenant, reserva, citas, manage_url=manage_url, cancel=cancel,
                            now=utcnow())
    message.add_attachment(calendar.decode(), subtype="calendar", filename="cita.ics",
                           params={"method": "CANCEL" if cancel else "PUBLISH"})
    await mail.send_message(message)
    return True


async def due_reminders(tenant: TenantContext, now: datetime | None = None
                        ) -> dict[str, list[int]]:
    """Mark tomorrow's confirmed citas reminded; returns localizador → cita ids to remind."""
    now = local(now or utcnow())
    if now.hour < REMINDERS_FROM_HOUR:
        return {}
    tomorrow = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(),
                                tzinfo=ZONE)
    due: dict[str, list[int]] = defaultdict(list)
    async with atomic():
        rows = await Cita.select(Cita.id, Cita.reserva.localizador.as_alias("localizador")).where(
            (Cita.tenant == tenant.id) & (Cita.state == "confirmada")
            & Cita.reminded_at.is_null() & (Cita.starts_at >= tomorrow)
            & (Cita.starts_at < tomorrow + timedelta(days=1)))
        if rows:
            await Cita.update({Cita.reminded_at: now}).where(
                (Cita.tenant == tenant.id) & Cita.id.is_in([r["id"] for r in rows]))
        for row in rows:
            due[row["localizador"]].append(row["id"])
    return dict(due)
