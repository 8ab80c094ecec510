"""Warnings and external hubs of electronic notifications.

- Warnings (art. 41.6 Ley 39/2015): an e-mail (``core.mail``, real SMTP) and an SMS through
  the gateway named in the settings, registered by any plugin with
  ``register_sms_providers``. A warning never carries the content, only where to find it;
  its failure does not invalidate the notification, and is recorded as evidence.
- Hubs: an entity routed through DEHú / Notific@ or e-NOTUM names the hub in its settings;
  a plugin registers it with ``register_notification_hubs``. The hub gets each electronic
  notification put at disposal, and reports back through ``hub_report``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from core import kernel as _kernel
from core import mail
from core.errors import NotFoundError
from core.jobs import send as send_job
from core.tenancy.context import TenantContext
from core.tenancy.scoped import scoped
from plugins.notificaciones import errors, services
from plugins.notificaciones.schemas import NotificacionOut
from plugins.notificaciones.tables import Notificacion

log = logging.getLogger(__name__)


class SmsProvider(Protocol):
    """An SMS gateway; ``send`` returns the gateway's message reference."""

    name: str

    async def send(self, tenant: TenantContext, phone: str, text: str) -> str: ...


class NotificationHub(Protocol):
    """An external notification system. ``deliver`` puts the notification at disposal
    there and returns its reference in the hub."""

    name: str

    async def deliver(self, tenant: TenantContext, notificacion: NotificacionOut,
                      sede_url: str) -> str: ...


class FileSms:
    """The built-in gateway for demos and development: each SMS is written as a text file
    under ``<data_dir>/sms/`` (as ``core.mail`` does without an SMTP server)."""

    name = "archivo"

    async def send(self, tenant: TenantContext, phone: str, text: str) -> str:
        folder = Path(_kernel.current().settings.data_path) / "sms"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{tenant.slug}-{datetime.now().strftime('%Y%m%d%H%M%S%f')}.txt"
        path.write_text(f"To: {phone}\n\n{text}\n", encoding="utf-8")
        return path.name


class ChannelError(errors.InvalidNotificacion):
    """A provider or hub named in the settings is not installed."""


def _registered(hook: str, tenant: TenantContext, name: str) -> object:
    for owner, item in _kernel.current().plugins.collect(hook):
        if item.name == name and (owner is None or tenant.is_enabled(owner)):
            return item
    raise ChannelError(f"No está disponible {name!r} ({hook})")


def sms_provider(tenant: TenantContext, name: str) -> SmsProvider:
    return _registered("register_sms_providers", tenant, name)  # type: ignore[return-value]


def hub(tenant: TenantContext, name: str) -> NotificationHub:
    return _registered("register_notification_hubs", tenant, name)  # type: ignore[return-value]


def media(settings: Any, person: Any) -> list[str]:
    """What an electronic notification to ``person`` starts: ``email``, ``sms``, ``hub``."""
    wanted = ["email"] if person.email else []
    if person.phone and settings.sms_provider:
        wanted.append("sms")
    return [*wanted, "hub"] if settings.hub else wanted


async def open_channel(tenant: TenantContext, notificacion_id: int, medium: str) -> None:
    """Send one warning or deliver to the hub (raises, and its job retries, on failure)."""
    if medium == "hub":
        await route_to_hub(tenant, notificacion_id)
    else:
        await send_warning(tenant, notificacion_id, medium)


async def open_channels(tenant: TenantContext, notificacion_ids: list[int]) -> None:
    """The warnings and hub deliveries of a chunk of a remesa, in one job; one that fails
    is queued as a job of its own, retried without holding back the others."""
    settings = services.settings_of(tenant)
    for notificacion_id in notificacion_ids:
        person = await services.get(tenant, notificacion_id, full=False)
        for medium in media(settings, person):
            try:  # the provider fails before anything is written
                await open_channel(tenant, notificacion_id, medium)
            except Exception as exc:  # a provider's own errors: any kind
                log.warning("Notificación %s, %s: %s; retried on its own", notificacion_id,
                            medium, exc)
                await send_job("notificaciones.open_channel", tenant.id,
                               key=f"{notificacion_id}:{medium}",
                               notificacion_id=notificacion_id, medium=medium)


def sede_url(tenant: TenantContext, notificacion_id: int) -> str:
    base = _kernel.current().settings.effective_base_url
    return f"{base}/sede/{tenant.slug}/notificaciones/{notificacion_id}"


def warning_text(tenant: TenantContext, notificacion: NotificacionOut) -> str:
    until = notificacion.expires_on.strftime("%d/%m/%Y") if notificacion.expires_on else ""
    what = "una notificación" if notificacion.kind == "notificacion" else "una comunicación"
    return (f"{tenant.name} ha puesto a su disposición {what} en su sede electrónica. "
            f"Puede acceder a ella, identificándose, hasta el {until}: "
            f"{sede_url(tenant, notificacion.id)}")


async def send_warning(tenant: TenantContext, notificacion_id: int, medium: str) -> None:
    """Send the e-mail or SMS warning of a notification still at disposal; raises (and
    the job retries) when the server or gateway fails."""
    notificacion = await services.get(tenant, notificacion_id, full=False)
    if notificacion.state != "puesta_disposicion":
        return
    text = warning_text(tenant, notificacion)
    if medium == "email":
        await mail.send(notificacion.email, f"Aviso de notificación: {notificacion.subject}",
                        text + "\n\nEste aviso no contiene el acto notificado.")
        detail = {"to": notificacion.email}
    else:
        settings = services.settings_of(tenant)
        reference = await sms_provider(tenant, settings.sms_provider).send(
            tenant, notificacion.phone, text)
        detail = {"to": notificacion.phone, "provider": settings.sms_provider,
                  "ref": reference}
    await services.transition(tenant, notificacion_id, expected={"puesta_disposicion"},
                              state=None, event=f"aviso_{medium}", actor="sistema",
                              detail=detail)


async def route_to_hub(tenant: TenantContext, notificacion_id: int) -> None:
    """Put the notification at disposal in the entity's hub as well."""
    settings = services.settings_of(tenant)
    notificacion = await services.get(tenant, notificacion_id, full=False)
    if notificacion.state != "puesta_disposicion" or notificacion.hub_ref:
        return
    reference = await hub(tenant, settings.hub).deliver(tenant, notificacion,
                                                        sede_url(tenant, notificacion_id))
    await services.transition(
        tenant, notificacion_id, expected={"puesta_disposicion"}, state=None, event="hub",
        actor=settings.hub, detail={"hub": settings.hub, "ref": reference},
        changes={Notificacion.hub: settings.hub, Notificacion.hub_ref: reference})


async def hub_report(tenant: TenantContext, hub_name: str, reference: str, outcome: str, *,
                     who: str = "", at: datetime | None = None) -> NotificacionOut:
    """What a hub reports: ``accedida`` (by ``who``) or ``rechazada`` (express); expiry
    is computed here by the same clock."""
    row = await Notificacion.select(Notificacion.id).where(
        scoped(Notificacion, tenant) & (Notificacion.hub == hub_name)
        & (Notificacion.hub_ref == reference)).first()
    if row is None:
        raise NotFoundError(reference)
    if outcome not in ("accedida", "rechazada"):
        raise errors.InvalidNotificacion(f"Resultado desconocido: {outcome!r}")
    state = "notificada" if outcome == "accedida" else "rechazada"
    detail = {"hub": hub_name, "ref": reference, "nif": who,
              "at": at.isoformat() if at else ""}
    return await services.transition(
        tenant, row["id"], expected={"puesta_disposicion"}, state=state, event=outcome,
        actor=hub_name, detail=detail,
        changes={Notificacion.accessed_by: who, Notificacion.accessed_as: "interesado",
                 Notificacion.accessed_from: hub_name})
