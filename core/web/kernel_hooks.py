"""The kernel's own hook implementations: who is behind a request (bearer API token, then
the session cookie), the kernel's permissions and identity providers, its menu entries,
and the notice of diputación support working in the entity."""

from __future__ import annotations

from typing import Any

from litestar.exceptions import NotAuthorizedException

from core.identity import permissions, support, tokens
from core.identity.actor import Actor
from core.identity.auth import actor_for_session
from core.identity.providers.certificate import CertificateProvider
from core.identity.providers.demo import DemoCitizenProvider
from core.identity.providers.local import LocalProvider
from core.identity.providers.oidc import OidcProvider
from core.identity.sessions import SESSION_COOKIE
from core.plugins import hookimpl
from core.web.i18n import gettext as _
from core.web.pages import MenuItem

#: Staff menu entries of the kernel: (label msgid, path under /<tenant>/, permission).
ADMIN_MENU = (
    ("Usuarios", "admin/usuarios", permissions.ROLES.name),
    ("Unidades", "admin/unidades", permissions.ROLES.name),
    ("Sello y certificados", "admin/certificados", permissions.ROLES.name),
    ("Auditoría", "admin/auditoria", permissions.AUDIT.name),
    ("Roles y permisos", "admin/roles", permissions.ROLES.name),
    ("Tokens de API", "admin/tokens", permissions.TOKENS.name),
    ("Soporte", "admin/soporte", permissions.ROLES.name),
)


@hookimpl(trylast=True)
async def authenticate(request: Any, tenant: Any) -> Actor | None:
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        if tenant is None:
            raise NotAuthorizedException("Los tokens de API actúan dentro de una entidad")
        try:
            return await tokens.actor_for(header[7:].strip(), tenant.id)
        except tokens.TokenRejected as exc:
            raise NotAuthorizedException(str(exc)) from exc
    key = request.cookies.get(SESSION_COOKIE)
    if not key:
        return None
    return await actor_for_session(key, tenant.id if tenant else None)


@hookimpl
def register_permissions(register: Any) -> None:
    register(*permissions.CORE_PERMISSIONS)


@hookimpl
def register_identity_providers(register: Any, settings: Any) -> None:
    register(LocalProvider())
    for config in settings.identity.oidc:
        register(OidcProvider(config, settings.effective_base_url))
    if settings.identity.certificate.trusted_proxies:
        register(CertificateProvider(settings.identity.certificate))
    if settings.demo_login:
        register(DemoCitizenProvider())


@hookimpl(tryfirst=True)
def menu_items(request: Any, tenant: Any, actor: Actor) -> list[MenuItem] | None:
    if actor.kind != "staff" or not actor.roles or not request.url.path.startswith(
            f"/{tenant.slug}"):
        return None
    return [MenuItem(_("Escritorio"), f"/{tenant.slug}/")] + [
        MenuItem(_(label), f"/{tenant.slug}/{path}", section="admin")
        for label, path, permission in ADMIN_MENU if actor.can(permission)]


@hookimpl
async def extra_template_vars(request: Any, tenant: Any) -> dict[str, Any] | None:
    """Staff pages show who from the diputación's support is working in the entity now."""
    if request.url.path.startswith(("/sede/", "/api/")):
        return None
    return {"support_now": await support.accesses(tenant.id, active_only=True)}
