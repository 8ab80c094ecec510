"""Per-request resolution: tenant (404 when unknown), actor, language, plugin enablement.

One guard runs on every route. A route of a plugin that is disabled for the tenant answers
404 exactly as if it did not exist; a route that declares ``opt={"permission": ...}``
answers 401 to nobody and 403 to an actor without that permission.
"""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from core import kernel as _kernel
from core.events import gather_hook
from core.identity.actor import ANONYMOUS, Actor
from core.tenancy.context import TenantContext, operator_tenant, tenant_by_slug
from core.web.i18n import SUPPORTED, negotiate, set_language
from core.web.language import COOKIE, REMEMBER

TENANT_PARAM = "tenant_slug"


async def request_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    kernel = _kernel.current()
    tenant: TenantContext | None = None
    slug = connection.path_params.get(TENANT_PARAM)
    if slug is not None:
        tenant = await tenant_by_slug(slug)
        if tenant is None:
            raise NotFoundException(f"No entity {slug!r}")
        plugin = handler.opt.get("plugin")
        if plugin and not tenant.is_enabled(plugin):
            raise NotFoundException()
    connection.state.tenant = tenant
    hooks = kernel.plugins.hooks_for(tenant.enabled if tenant else ())
    # Console routes have no tenant in the path: roles come from the operator's own tenant.
    auth_tenant = tenant or await operator_tenant()
    actors = await gather_hook(hooks.authenticate(request=connection, tenant=auth_tenant))
    connection.state.actor = next((a for a in actors if a is not None), ANONYMOUS)
    asked = connection.query_params.get("lang")
    lang = negotiate(asked, connection.cookies.get(COOKIE),
                     tenant.languages if tenant else list(SUPPORTED),
                     connection.headers.get("accept-language"))
    set_language(lang)
    if asked == lang:
        connection.state[REMEMBER] = lang
    permission = handler.opt.get("permission")
    if permission:
        await require(connection.state.actor, permission, tenant)


async def require(actor: Actor, permission: str, tenant: TenantContext | None) -> None:
    """Deny by default; any ``permission_allowed`` hook returning False also denies."""
    if not actor.is_authenticated:
        raise NotAuthorizedException("Log in first")
    kernel = _kernel.current()
    hooks = kernel.plugins.hooks_for(tenant.enabled if tenant else ())
    votes = await gather_hook(hooks.permission_allowed(actor=actor, permission=permission,
                                                       tenant=tenant))
    if not actor.can(permission) or any(v is False for v in votes):
        raise PermissionDeniedException(f"Missing permission {permission}")
