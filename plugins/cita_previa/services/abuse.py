"""Anti-abuse: rate limits per client address and per NIF, and a cap of open citas.

Attempts are rows of ``cita_previa_intento`` (so every web process counts the same), keyed
by an HMAC of the address or NIF, never the value itself; the housekeeping job deletes
them after a day. The cap counts a person's future citas that are pending or confirmed.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from core import kernel as _kernel
from core.db import atomic
from core.tenancy.context import TenantContext
from plugins.cita_previa.services.common import InvalidCita, RateLimited, settings_of, utcnow
from plugins.cita_previa.tables import Cita, Intento

OPEN_STATES = ("pendiente", "confirmada")
KEEP_ATTEMPTS = timedelta(days=1)


def _key(kind: str, value: str) -> str:
    secret = _kernel.current().settings.effective_secret_key()
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


async def _count(tenant: TenantContext, key: str, since: timedelta) -> int:
    return await Intento.count().where((Intento.tenant == tenant.id) & (Intento.key == key)
                                       & (Intento.at >= utcnow() - since))


async def count_attempt(tenant: TenantContext, ip: str, nifs: list[str]) -> None:
    """Record a booking attempt; refuse it when the address or a NIF is over its limit."""
    settings = settings_of(tenant)
    limits = [(_key("ip", ip), settings.per_ip_per_hour, timedelta(hours=1))]
    limits += [(_key("nif", n), settings.per_nif_per_day, timedelta(days=1)) for n in nifs]
    for key, limit, window in limits:
        if await _count(tenant, key, window) >= limit:
            raise RateLimited("Demasiados intentos de reserva; inténtelo más tarde")
    async with atomic():
        now = utcnow()
        await Intento.insert(*[Intento(tenant=tenant.id, key=key, at=now)
                               for key, _, _ in limits])


async def check_open_cap(tenant: TenantContext, nif: str, adding: int) -> None:
    """Refuse when the person would hold more than ``max_open_per_person`` future citas."""
    cap = settings_of(tenant).max_open_per_person
    held = await Cita.count().where(
        (Cita.tenant == tenant.id) & (Cita.person_nif == nif)
        & Cita.state.is_in(list(OPEN_STATES)) & (Cita.starts_at >= utcnow()))
    if held + adding > cap:
        raise InvalidCita(f"Cada persona puede tener como máximo {cap} citas pendientes")


async def purge_attempts(tenant: TenantContext) -> int:
    old = await Intento.delete().where((Intento.tenant == tenant.id)
                                       & (Intento.at < utcnow() - KEEP_ATTEMPTS)).returning(
        Intento.id)
    return len(old)
