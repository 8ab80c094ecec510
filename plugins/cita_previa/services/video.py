"""Video calls of the videollamada channel: pluggable providers, Jitsi Meet built in.

A provider has a ``name`` and ``join_url(tenant, settings, room, participant, not_before,
expires)``; plugins contribute providers through the ``register_video_providers`` hook
(published by this plugin) and a tenant picks one by name in its settings. A link is
handed out only while the room is open (``video_open_minutes`` before the slot to
``video_close_minutes`` after its end) and is itself valid only for that period.

Jitsi Meet (token authentication, prosody ``token_verification``): the link carries a JWT
signed HS256 with the tenant's ``jitsi_secret``: ``aud`` "jitsi", ``iss`` the application
id, ``sub`` the Jitsi domain, ``room``, ``nbf`` / ``exp`` and ``context.user`` with the
participant's name and ``moderator`` (true only for staff).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol
from urllib.parse import quote

import jwt
import msgspec

from core import kernel as _kernel
from core.tenancy.context import TenantContext
from plugins.cita_previa.schemas import EnlaceVideo
from plugins.cita_previa.services.common import InvalidCita, as_utc, local, settings_of, utcnow
from plugins.cita_previa.settings import Settings

NOT_CONFIGURED = "La videollamada no está configurada en esta entidad"


class Participant(msgspec.Struct, frozen=True, kw_only=True):
    """Who joins: an id (staff email, localizador), a name, and whether they moderate."""

    id: str
    name: str
    email: str = ""
    moderator: bool = False


class VideoProvider(Protocol):
    name: str

    def join_url(self, tenant: TenantContext, settings: Settings, room: str,
                 participant: Participant, not_before: datetime, expires: datetime) -> str: ...


class JitsiProvider:
    """Jitsi Meet with JWT token authentication."""

    name = "jitsi"

    def claims(self, settings: Settings, room: str, participant: Participant,
               not_before: datetime, expires: datetime) -> dict[str, Any]:
        return {
            "aud": "jitsi", "iss": settings.jitsi_app_id, "sub": settings.jitsi_domain,
            "room": room, "nbf": int(not_before.timestamp()), "exp": int(expires.timestamp()),
            "context": {"user": {"id": participant.id, "name": participant.name,
                                 "email": participant.email,
                                 "moderator": participant.moderator}},
        }

    def configured(self, settings: Settings) -> bool:
        """The entity named its Jitsi server and gave its secret (there is no default)."""
        return bool(settings.jitsi_domain and settings.jitsi_secret)

    def join_url(self, tenant: TenantContext, settings: Settings, room: str,
                 participant: Participant, not_before: datetime, expires: datetime) -> str:
        if not self.configured(settings):
            raise InvalidCita(NOT_CONFIGURED)
        token = jwt.encode(self.claims(settings, room, participant, not_before, expires),
                           settings.jitsi_secret, algorithm="HS256")
        return f"https://{settings.jitsi_domain}/{quote(room)}?jwt={token}"


def check_configured(tenant: TenantContext) -> None:
    """``InvalidCita`` when the tenant's video provider says it is not configured (one
    without a ``configured(settings)`` method needs nothing; one not available now is
    refused when a link is asked for)."""
    settings = settings_of(tenant)
    provider = _available(tenant, settings.video_provider)
    if hasattr(provider, "configured") and not provider.configured(settings):
        raise InvalidCita(NOT_CONFIGURED)


def provider_for(tenant: TenantContext, name: str) -> VideoProvider:
    """The tenant's provider: registered by this plugin or by one enabled for the tenant."""
    provider = _available(tenant, name)
    if provider is None:
        raise InvalidCita(f"El sistema de videollamada {name!r} no está disponible")
    return provider


def _available(tenant: TenantContext, name: str) -> VideoProvider | None:
    for owner, provider in _kernel.current().plugins.collect("register_video_providers"):
        if provider.name == name and (owner is None or tenant.is_enabled(owner)):
            return provider
    return None


def room_window(tenant: TenantContext, starts_at: datetime, ends_at: datetime
                ) -> tuple[datetime, datetime]:
    settings = settings_of(tenant)
    return (as_utc(starts_at) - timedelta(minutes=settings.video_open_minutes),
            as_utc(ends_at) + timedelta(minutes=settings.video_close_minutes))


def link(tenant: TenantContext, cita: dict[str, Any], participant: Participant,
         now: datetime | None = None) -> EnlaceVideo:
    """A join link for a videollamada cita, only while its room is open."""
    if cita["channel"] != "videollamada" or not cita["room"]:
        raise InvalidCita("Esta cita no es por videollamada")
    if cita["state"] not in ("confirmada", "atendida"):
        raise InvalidCita("La cita no está confirmada")
    now = now or utcnow()
    opens, closes = room_window(tenant, cita["starts_at"], cita["ends_at"])
    if now < opens:
        raise InvalidCita(f"La sala se abre el {local(opens):%d/%m/%Y} a las {local(opens):%H:%M}")
    if now > closes:
        raise InvalidCita("La videollamada ya ha terminado")
    settings = settings_of(tenant)
    url = provider_for(tenant, settings.video_provider).join_url(
        tenant, settings, cita["room"], participant, opens, closes)
    return EnlaceVideo(url=url, not_before=opens, expires=closes)


def citizen(cita: dict[str, Any]) -> Participant:
    """The person of the cita, as a plain participant."""
    return Participant(id=cita["localizador"], name=cita["person_name"], email=cita["email"])


def staff(actor: Any) -> Participant:
    """A staff member attending the cita: the room's moderator."""
    return Participant(id=actor.email or actor.audit_name, name=actor.name, email=actor.email,
                       moderator=True)
