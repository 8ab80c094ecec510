"""The kernel's own routes: health, login, the staff dashboard, the console; the sede's pages
(``core.web.sede``) and the calendar API (``core.calendar_app.api``) join them here."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody
from litestar.response import Template

from core import kernel as _kernel
from core.audit.web import AUDIT_ROUTES
from core.calendar_app.api import CALENDAR_ROUTES
from core.identity.admin import ADMIN_ROUTES
from core.identity.web import IDENTITY_ROUTES
from core.tenancy.context import TenantContext, tenant_by_slug
from core.tenancy.services import set_plugin
from core.tenancy.tables import Tenant
from core.web.guards import require
from core.web.pages import actor_of, page, tenant_of
from core.web.sede import SEDE_ROUTES


@get("/health", include_in_schema=True, tags=["kernel"])
async def health() -> Response:
    """Database and broker reachability; 503 when either is down."""
    kernel = _kernel.current()
    checks: dict[str, str] = {}
    try:
        await Tenant.count()
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {exc}"
    checks["broker"] = await kernel.jobs.check_broker()
    healthy = all(v == "ok" for v in checks.values())
    return Response({"status": "ok" if healthy else "error", "checks": checks},
                    status_code=200 if healthy else 503)


@get("/", include_in_schema=False)
async def home(request: Request) -> Template:
    tenants = await Tenant.select(Tenant.slug, Tenant.name, Tenant.kind).order_by(Tenant.name)
    return await page(request, "core:home.html", tenants=tenants)


@get("/{tenant_slug:str}/", include_in_schema=False, opt={"face": "staff"})
async def dashboard(request: Request) -> Template:
    tenant = tenant_of(request)
    actor = actor_of(request)
    await require(actor, "core.view", tenant)
    kernel = _kernel.current()
    widgets = []
    for widget in kernel.widgets:
        if tenant.is_enabled(widget.plugin) and actor.can(widget.permission):
            widgets.append((widget, await widget.context(tenant, actor)))
    return await page(request, "core:dashboard.html", widgets=widgets)


class PluginState(msgspec.Struct, kw_only=True):
    """A plugin's state for one tenant, as the console shows and changes it."""

    plugin: str
    enabled: bool
    settings: dict[str, Any] = {}


class PluginChange(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    enabled: bool
    settings: dict[str, Any] | None = None


async def _console_tenant(request: Request, slug: FromPath[str]) -> TenantContext:
    tenant = await tenant_by_slug(slug)
    if tenant is None:
        raise NotFoundException(f"No entity {slug!r}")
    await require(actor_of(request), "core.console", None)
    return tenant


@get("/api/v1/diputacion/tenants/{slug:str}/plugins", tags=["console"])
async def list_tenant_plugins(request: Request, slug: FromPath[str]) -> list[PluginState]:
    """Installed plugins and whether each is enabled for the entity."""
    tenant = await _console_tenant(request, slug)
    return [PluginState(plugin=name, enabled=tenant.is_enabled(name),
                        settings=tenant.settings_for(name))
            for name in _kernel.current().plugins.names]


@post("/api/v1/diputacion/tenants/{slug:str}/plugins/{plugin:str}", tags=["console"],
      status_code=200)
async def change_tenant_plugin(request: Request, slug: FromPath[str], plugin: FromPath[str],
                               data: JSONBody[PluginChange]) -> PluginState:
    """Enable or disable a plugin for an entity, with its settings (validated)."""
    tenant = await _console_tenant(request, slug)
    if plugin not in _kernel.current().plugins.manifests:
        raise NotFoundException(f"No plugin {plugin!r}")
    actor = actor_of(request)
    after = await set_plugin(tenant, plugin, data.enabled, actor=actor.audit_name,
                             settings=data.settings)
    return PluginState(plugin=plugin, enabled=after.is_enabled(plugin),
                       settings=after.settings_for(plugin))


@get("/diputacion/", include_in_schema=False, opt={"face": "console"})
async def console(request: Request) -> Template:
    await require(actor_of(request), "core.console", None)
    kernel = _kernel.current()
    tenants = []
    for row in await Tenant.select(Tenant.slug).order_by(Tenant.name):
        tenants.append(await tenant_by_slug(row["slug"]))
    return await page(request, "core:console.html", tenants=tenants,
                      manifests=kernel.plugins.manifests)


KERNEL_ROUTES = [health, *IDENTITY_ROUTES, home, dashboard, *SEDE_ROUTES,
                 list_tenant_plugins, change_tenant_plugin, console, *CALENDAR_ROUTES,
                 *ADMIN_ROUTES, *AUDIT_ROUTES]
