"""iCalendar (RFC 5545) for the citizen's calendar: one VEVENT per cita.

Each cita keeps its UID for life; a change raises its SEQUENCE, and an anulación is sent
with ``METHOD:CANCEL`` and ``STATUS:CANCELLED`` so calendar programs update or drop it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import parseaddr

from icalendar import Alarm, Calendar, Event, vCalAddress, vText

from core import kernel as _kernel
from core.tenancy.context import TenantContext
from core.web.i18n import gettext as _
from plugins.cita_previa.schemas import CHANNEL_LABELS, CitaOut, ReservaOut

PRODID = "-//Concejo//Cita previa//ES"


def organizer() -> str:
    """The address the notices come from (the deployment's ``mail_from``)."""
    return parseaddr(_kernel.current().settings.mail_from)[1]


def uid(tenant: TenantContext, cita: CitaOut) -> str:
    return f"cita-{cita.id}.{tenant.slug}@concejo"


def location(cita: CitaOut, phone: str) -> str:
    if cita.channel == "presencial":
        return ", ".join(p for p in (cita.oficina, cita.oficina_address) if p)
    if cita.channel == "telefono":
        return _("Llamada telefónica al %(phone)s") % {"phone": phone}
    return _("Videollamada (enlace en la página de la cita)")


def calendar(tenant: TenantContext, reserva: ReservaOut, citas: list[CitaOut], *,
             manage_url: str, cancel: bool = False, now: datetime) -> bytes:
    """The .ics file for these citas of a booking."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancel else "PUBLISH")
    for cita in citas:
        event = Event()
        event.add("uid", uid(tenant, cita))
        event.add("sequence", cita.sequence)
        event.add("dtstamp", now)
        event.add("dtstart", cita.starts_at)
        event.add("dtend", cita.ends_at)
        event.add("summary", _("Cita previa: %(servicio)s") % {"servicio": cita.servicio_name})
        event.add("location", location(cita, reserva.phone))
        event.add("description", "\n".join([
            f"{_('Localizador')}: {reserva.localizador}",
            f"{_('Persona')}: {cita.person_name}",
            f"{_('Canal')}: {_(CHANNEL_LABELS[cita.channel])}",
            f"{_('Cambiar o anular')}: {manage_url}",
        ]))
        event.add("url", manage_url)
        event.add("status", "CANCELLED" if cancel else "CONFIRMED")
        sender = vCalAddress(f"mailto:{organizer()}")
        sender.params["cn"] = vText(tenant.name)
        event.add("organizer", sender)
        if not cancel:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", _("Cita previa: %(servicio)s") % {
                "servicio": cita.servicio_name})
            alarm.add("trigger", timedelta(hours=-1))
            event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()
