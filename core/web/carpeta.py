"""Carpeta ciudadana: one page where a citizen sees what every enabled plugin holds for him.

Plugins contribute through the ``carpeta_sections(request, tenant, actor)`` hook: registry
entries with their justificantes, expedientes, notifications, appointments, receipts. Each
section is a template (the generic ``core:carpeta_section.html`` by default) and its items.
Only an authenticated citizen (``actor.kind == "citizen"``) has a carpeta.
"""

from __future__ import annotations

import datetime as dt

import msgspec
from litestar import Request, get
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.response import Template

from core import kernel as _kernel
from core.events import gather_hook
from core.web.pages import actor_of, page, tenant_of


class CarpetaLink(msgspec.Struct, frozen=True):
    """A document of an item, e.g. the justificante of a registry entry."""

    label: str
    url: str


class CarpetaItem(msgspec.Struct, frozen=True, kw_only=True):
    """One thing of the citizen's: an entry, an expediente, a notification, a receipt."""

    title: str
    url: str = ""
    when: dt.date | dt.datetime | None = None
    state: str = ""  # already translated
    detail: str = ""
    links: tuple[CarpetaLink, ...] = ()


class CarpetaSection(msgspec.Struct, frozen=True, kw_only=True):
    """A plugin's part of the carpeta; ``key`` is its anchor (``#registro``)."""

    key: str
    title: str
    items: tuple[CarpetaItem, ...] = ()
    empty: str = ""  # shown when there are no items
    template: str = "core:carpeta_section.html"  # gets ``section``
    order: int = 100


async def sections_for(request: Request) -> list[CarpetaSection]:
    """Every enabled plugin's sections for the request's citizen, in order."""
    tenant, actor = tenant_of(request), actor_of(request)
    hooks = _kernel.current().plugins.hooks_for(tenant.enabled)
    sections: list[CarpetaSection] = []
    for result in await gather_hook(hooks.carpeta_sections(request=request, tenant=tenant,
                                                           actor=actor)):
        sections.extend(result or [])
    return _unique_keys(sorted(sections, key=lambda s: (s.order, s.title)))


def _unique_keys(sections: list[CarpetaSection]) -> list[CarpetaSection]:
    """Two plugins may choose one key; later sections get ``-2``, ``-3`` (unique anchors)."""
    seen: dict[str, int] = {}
    unique = []
    for section in sections:
        n = seen[section.key] = seen.get(section.key, 0) + 1
        unique.append(section if n == 1 else
                      msgspec.structs.replace(section, key=f"{section.key}-{n}"))
    return unique


@get("/sede/{tenant_slug:str}/carpeta/", include_in_schema=False, opt={"face": "sede"})
async def carpeta(request: Request) -> Template:
    actor = actor_of(request)
    if not actor.is_authenticated:
        raise NotAuthorizedException("Identify yourself to open your carpeta")
    if actor.kind != "citizen":
        raise PermissionDeniedException("The carpeta ciudadana is for citizens")
    return await page(request, "core:sede/carpeta.html", sections=await sections_for(request))
