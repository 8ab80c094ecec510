"""Helpers of the cita previa tests (a plain module, also used by ``tests/browser``):
a real SMTP server on loopback, an entity configured for booking, slots and NIFs."""

from __future__ import annotations

import contextlib
import email
import email.policy
import re
import socket
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import msgspec
from aiosmtpd.controller import Controller
from icalendar import Calendar
from stdnum.es import dni

from core.tenancy.context import TenantContext
from plugins.cita_previa.schemas import AgendaIn, FranjaOut, OficinaIn, ServicioIn
from plugins.cita_previa.services import catalog
from plugins.cita_previa.services.common import ZONE
from plugins.cita_previa.services.slots import availability

ALL_DAY = {day: ["00:00-24:00"] for day in ("lunes", "martes", "miercoles", "jueves",
                                            "viernes", "sabado", "domingo")}


def make_nif(number: int) -> str:
    """A check-digit valid DNI."""
    digits = f"{number:08d}"
    return digits + dni.calc_check_digit(digits)


class Inbox:
    """Messages an aiosmtpd server on loopback really received."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content,
                                                      policy=email.policy.default))
        return "250 OK"

    def to(self, address: str, subject: str = "") -> list[EmailMessage]:
        return [m for m in self.messages
                if m["To"] == address and subject.lower() in str(m["Subject"]).lower()]

    def one(self, address: str, subject: str) -> EmailMessage:
        found = self.to(address, subject)
        assert len(found) == 1, [str(m["Subject"]) for m in self.to(address)]
        return found[0]


def inbox_code(inbox: Inbox, address: str) -> str:
    """The six-digit code of the confirmation mail sent to ``address``."""
    found = re.search(r"\b(\d{6})\b", inbox.one(address, "código").get_content())
    assert found, "no code in the mail"
    return found.group(1)


def ics_of(message: EmailMessage) -> Calendar:
    """The one iCalendar attachment of a message, parsed back."""
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return Calendar.from_ical(parts[0].get_content())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def smtp_inbox(settings: Any) -> Iterator[Inbox]:
    """A real SMTP server on loopback; the kernel's ``smtp_url`` points at it meanwhile."""
    box = Inbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    previous = settings.smtp_url
    settings.smtp_url = f"smtp://127.0.0.1:{port}"
    try:
        yield box
    finally:
        settings.smtp_url = previous
        controller.stop()


class Setup(msgspec.Struct, kw_only=True):
    tenant: TenantContext
    oficina: int
    servicio: Any
    agenda: Any


async def setup_entity(make_tenant: Callable[..., Awaitable[TenantContext]],
                       settings: dict[str, Any] | None = None, capacity: int = 1,
                       channels: tuple[str, ...] = ("presencial", "telefono", "videollamada"),
                       slot_minutes: int = 30) -> Setup:
    """An entity with one office, one service (``padron``) on these channels and an agenda
    open all day every day (so slots exist whenever the tests run)."""
    tenant = await make_tenant(plugins=("cita_previa",), settings={"cita_previa": {
        "min_notice_hours": 0, "jitsi_secret": "a-jitsi-secret-for-the-tests-only-0123456789",
        "jitsi_domain": "meet.example.org", **(settings or {})}})
    oficina = await catalog.create_oficina(tenant, OficinaIn(
        name="Oficina de atención", address="Plaza Mayor 1"), actor="test")
    servicio = await catalog.create_servicio(tenant, ServicioIn(
        code="padron", name="Padrón municipal", channels=list(channels)), actor="test")
    agenda = await catalog.create_agenda(tenant, AgendaIn(
        servicio=servicio.id, oficina=oficina.id, name="Padrón", channels=list(channels),
        timetable=ALL_DAY, slot_minutes=slot_minutes, capacity=capacity), actor="test")
    return Setup(tenant=tenant, oficina=oficina.id, servicio=servicio, agenda=agenda)


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    """Tomorrow at this official time (always inside the test agenda, never in the past)."""
    day = datetime.now(ZONE).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)


async def slots_tomorrow(setup: Setup, channel: str = "presencial") -> list[FranjaOut]:
    day = tomorrow_at(0).date()
    return (await availability(setup.tenant, setup.servicio, channel, {}, first_day=day,
                               days=1)).get(day, [])
