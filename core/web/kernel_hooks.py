"""The kernel's own hook implementations: session login and the dashboard entry."""

from __future__ import annotations

from typing import Any

from core.identity.actor import Actor
from core.identity.services import actor_for_session
from core.plugins import hookimpl
from core.web.i18n import gettext as _
from core.web.pages import MenuItem

SESSION_COOKIE = "concejo_session"


@hookimpl(trylast=True)
async def authenticate(request: Any, tenant: Any) -> Actor | None:
    key = request.cookies.get(SESSION_COOKIE)
    if not key:
        return None
    return await actor_for_session(key, tenant.id if tenant else None)


@hookimpl(tryfirst=True)
def menu_items(request: Any, tenant: Any, actor: Actor) -> list[MenuItem] | None:
    if actor.kind == "staff" and actor.roles and request.url.path.startswith(f"/{tenant.slug}"):
        return [MenuItem(_("Escritorio"), f"/{tenant.slug}/")]
    return None
