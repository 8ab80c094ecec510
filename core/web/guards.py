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
from core.audit import log as audit
from core.cache import cached
from core.events import gather_hook
from core.identity.actor import ANONYMOUS, Actor
from core.identity.duties import violated
from core.tenancy import rls
from core.tenancy.context import TenantContext, operator_tenant, tenant_by_slug
from core.web.i18n import SUPPORTED, negotiate, set_language
from core.web.language import COOKIE, REMEMBER

TENANT_PARAM = "tenant_slug"


async def request_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    kernel = _kernel.current()
    tenant: TenantContext | None = None
    slug = connection.path_params.get(TENANT_PARAM)
    if slug is not None:
        tenant = await cached("tenant", slug, lambda: tenant_by_slug(slug))
        if tenant is None:
            raise NotFoundException(f"No entity {slug!r}")
        plugin = handler.opt.get("plugin")
        if plugin and not tenant.is_enabled(plugin):
            raise NotFoundException()
    connection.state.tenant = tenant
    hooks = kernel.plugins.hooks_for(tenant.enabled if tenant else ())
    # Console routes have no tenant in the path: roles come from the operator's own tenant.
    auth_tenant = tenant or await operator_tenant()
    rls.enter(auth_tenant.id if auth_tenant else None)  # the rest of the request works here
    actors = [] if _is_documentation(connection) else await gather_hook(
        hooks.authenticate(request=connection, tenant=auth_tenant))
    connection.state.actor = next((a for a in actors if a is not None), ANONYMOUS)
    audit.bind(ip=connection.client.host if connection.client else "",
               on_behalf_of=connection.state.actor.on_behalf_of)
    asked = connection.query_params.get("lang")
    lang = negotiate(asked, connection.cookies.get(COOKIE),
                     tenant.languages if tenant else list(SUPPORTED),
                     connection.headers.get("accept-language"))
    set_language(lang)
    if asked == lang:
        connection.state[REMEMBER] = lang
    permission = handler.opt.get("permission")
    if permission:
        target = handler.opt.get("target")
        await require(connection.state.actor, permission, tenant,
                      target=target.format(**connection.path_params) if target else None)


def _is_documentation(connection: ASGIConnection) -> bool:
    """The OpenAPI document and its viewers (``/schema…``): public, and read by API clients
    that send their bearer token with every request, so no credential is looked at."""
    config, path = connection.app.openapi_config, connection.scope["path"]
    return bool(config and config.path) and (path == config.path
                                             or path.startswith(f"{config.path}/"))


async def require(actor: Actor, permission: str, tenant: TenantContext | None,
                  target: str | None = None) -> None:
    """Deny by default: the actor's roles must grant the permission here, no declared duty
    rule may forbid it on ``target``, and no ``permission_allowed`` hook may veto it.
    Every denial is audited (in the tenant's chain, or the diputación's for the console)."""
    if not actor.is_authenticated:
        raise NotAuthorizedException("Log in first")
    kernel = _kernel.current()
    reason = None
    if not actor.can(permission):
        reason = f"Missing permission {permission}"
    elif target and tenant:
        rule = await violated(kernel.duty_rules, actor, permission, tenant.id, target)
        reason = rule.message if rule else None
    if reason is None:
        hooks = kernel.plugins.hooks_for(tenant.enabled if tenant else ())
        votes = await gather_hook(hooks.permission_allowed(
            actor=actor, permission=permission, tenant=tenant, target=target))
        reason = f"Permission {permission} refused" if any(v is False for v in votes) else None
    if reason is None:
        return
    chain = tenant or await operator_tenant()
    if chain is not None:
        await audit.record(chain.id, "permission.denied", actor=actor.audit_name,
                           outcome="denied", target=target or permission,
                           detail={"permission": permission, "reason": reason})
    raise PermissionDeniedException(reason)
