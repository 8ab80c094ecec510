"""Building blocks plugins contribute to pages, and ``page()`` which renders with the layout."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request
from litestar.response import Template

from core import kernel as _kernel
from core.events import gather_hook
from core.identity.actor import ANONYMOUS, Actor
from core.tenancy.context import TenantContext
from core.web.i18n import current_language


class MenuItem(msgspec.Struct, frozen=True):
    """A navigation entry of the staff backoffice or the sede."""

    label: str
    url: str
    section: str = "main"


class SedeProcedure(msgspec.Struct, frozen=True, kw_only=True):
    """A procedure in the sede's catálogo de trámites."""

    plugin: str
    code: str
    name: str
    description: str
    who_may_apply: str = ""
    documents_required: tuple[str, ...] = ()
    deadline: str = ""
    silence: str = ""
    form_path: str = ""  # relative to the tenant's sede: "tablon/" → /sede/<slug>/tablon/


class Widget(msgspec.Struct, frozen=True, kw_only=True):
    """A staff dashboard widget: a template fragment and an async context provider."""

    plugin: str
    title: str
    template: str
    permission: str
    context: Any  # async (tenant: TenantContext, actor: Actor) -> dict


def tenant_of(request: Request) -> TenantContext | None:
    return request.state.get("tenant")


def actor_of(request: Request) -> Actor:
    return request.state.get("actor", ANONYMOUS)


async def layout_context(request: Request) -> dict[str, Any]:
    """Variables every page gets: tenant, actor, language, navigation, plugin extras."""
    kernel = _kernel.current()
    tenant = tenant_of(request)
    actor = actor_of(request)
    context: dict[str, Any] = {"tenant": tenant, "actor": actor, "lang": current_language(),
                               "menu": []}
    if tenant is None:
        return context
    hooks = kernel.plugins.hooks_for(tenant.enabled)
    menu: list[MenuItem] = []
    for items in await gather_hook(hooks.menu_items(request=request, tenant=tenant,
                                                    actor=actor)):
        menu.extend(items or [])
    context["menu"] = menu
    for extra in await gather_hook(hooks.extra_template_vars(request=request, tenant=tenant)):
        context.update(extra or {})
    return context


async def page(request: Request, template: str, status_code: int = 200,
               **context: Any) -> Template:
    """Render a template inside the layout with the layout context."""
    full = await layout_context(request)
    full.update(context)
    return Template(template_name=template, context=full, status_code=status_code)
