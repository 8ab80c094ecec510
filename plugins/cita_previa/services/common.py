"""What every cita previa module shares: settings, errors, the clock and the time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from core.errors import DomainError
from core.tenancy import settings as tenant_settings
from core.tenancy.context import TenantContext
from plugins.cita_previa.settings import Settings

PLUGIN = "cita_previa"
#: Slots are laid out in the seat's official time (the calendar's default zone).
ZONE = ZoneInfo("Europe/Madrid")



class InvalidCita(DomainError):
    """A request that breaks a rule of cita previa; the message says which."""


class SlotFull(InvalidCita):
    """The slot has no place left (someone else took the last one)."""


class RateLimited(InvalidCita):
    """Too many attempts from one address or for one NIF (answers 429 on the API)."""


def settings_of(tenant: TenantContext) -> Settings:
    return tenant_settings.settings_of(tenant, PLUGIN, Settings)


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime | str) -> datetime:
    """A stored or given instant as an aware UTC datetime (naive input is refused)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        raise InvalidCita("La hora debe indicar su zona horaria")
    return moment.astimezone(UTC)


def local(moment: datetime) -> datetime:
    """An instant in the seat's official time."""
    return as_utc(moment).astimezone(ZONE)
