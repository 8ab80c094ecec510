"""The kernel's own routes: health, login, the staff dashboard, the console; the sede's pages
(``core.web.sede``) and the calendar API (``core.calendar_app.api``) join them here."""

from __future__ import annotations

from litestar import Request, Response, get
from litestar.response import Template

from core import kernel as _kernel
from core.audit.web import AUDIT_ROUTES
from core.calendar_app.api import CALENDAR_ROUTES
from core.identity.admin import ADMIN_ROUTES
from core.identity.entity_admin import ENTITY_ADMIN_ROUTES
from core.identity.web import IDENTITY_ROUTES
from core.tenancy.console import CONSOLE_ROUTES
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


KERNEL_ROUTES = [health, *IDENTITY_ROUTES, home, dashboard, *SEDE_ROUTES,
                 *CONSOLE_ROUTES, *CALENDAR_ROUTES,
                 *ADMIN_ROUTES, *ENTITY_ADMIN_ROUTES, *AUDIT_ROUTES]
