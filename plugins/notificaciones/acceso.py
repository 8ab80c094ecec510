"""The interesado's side of an electronic notification: his list in the carpeta, access
(the notification takes effect: art. 43.1–2) and express rejection (art. 41.5).

Who may open it: the interesado himself, his representative named in the notification,
or a citizen acting for him (``actor.acting_for``). Anyone else gets 404.
"""

from __future__ import annotations

from typing import Any

from core.errors import NotFoundError
from core.identity.actor import Actor
from core.tenancy.context import TenantContext
from core.tenancy.scoped import scoped
from plugins.notificaciones import services
from plugins.notificaciones.schemas import NotificacionOut
from plugins.notificaciones.tables import Notificacion


def _capacity(actor: Actor, notificacion: NotificacionOut) -> str | None:
    """How the actor stands to the notification: interesado, representante or None."""
    if actor.kind != "citizen" or not actor.nif:
        return None
    if actor.nif == notificacion.nif and not actor.acting_for:
        return "interesado"
    if actor.acting_for == notificacion.nif or (
            notificacion.representante_nif and actor.nif == notificacion.representante_nif):
        return "representante"
    return None


def _mine(actor: Actor) -> Any:
    if actor.acting_for:
        return Notificacion.nif == actor.acting_for
    return (Notificacion.nif == actor.nif) | (Notificacion.representante_nif == actor.nif)


async def of_citizen(tenant: TenantContext, actor: Actor) -> list[NotificacionOut]:
    """The electronic notifications the citizen may open, newest first."""
    rows = await services.select().where(
        scoped(Notificacion, tenant) & (Notificacion.channel == "electronica") & _mine(actor)
    ).order_by(Notificacion.id, ascending=False).limit(100)
    return [services.out(r) for r in rows]


async def get_for(tenant: TenantContext, actor: Actor, notificacion_id: int
                  ) -> NotificacionOut:
    """The notification if the citizen may open it (404 otherwise). Its content is only
    shown by the page once it is ``notificada`` (or after a rejection, the summary)."""
    notificacion = await services.get(tenant, notificacion_id)
    if notificacion.channel != "electronica" or _capacity(actor, notificacion) is None:
        raise NotFoundError(notificacion_id)
    return notificacion


async def access(tenant: TenantContext, actor: Actor, notificacion_id: int, *,
                 address: str) -> NotificacionOut:
    """The citizen opens the content: ``notificada`` (who, in what capacity, when, from
    which address). Opening it again later changes nothing."""
    notificacion = await get_for(tenant, actor, notificacion_id)
    if notificacion.state == "notificada":
        return notificacion
    capacity = _capacity(actor, notificacion)
    who = f"{actor.nif} ({actor.name})" if actor.name else actor.nif
    return await services.transition(
        tenant, notificacion_id, expected={"puesta_disposicion"}, state="notificada",
        event="accedida", actor=who,
        detail={"nif": actor.nif, "as": capacity, "from": address},
        changes={Notificacion.accessed_by: who, Notificacion.accessed_as: capacity,
                 Notificacion.accessed_from: address})


async def reject(tenant: TenantContext, actor: Actor, notificacion_id: int, *,
                 address: str, reason: str = "") -> NotificacionOut:
    """Express rejection: the notification counts as made and the procedure goes on."""
    notificacion = await get_for(tenant, actor, notificacion_id)
    who = f"{actor.nif} ({actor.name})" if actor.name else actor.nif
    return await services.transition(
        tenant, notificacion.id, expected={"puesta_disposicion"}, state="rechazada",
        event="rechazada", actor=who,
        detail={"nif": actor.nif, "as": _capacity(actor, notificacion), "from": address,
                "reason": reason},
        changes={Notificacion.accessed_by: who, Notificacion.accessed_from: address})
