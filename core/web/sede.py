"""The sede electrónica of each entity (``/sede/<tenant>/…`` or the entity's own host name).

Home with the entity's identity, catálogo de trámites from every enabled plugin and a page
per procedure, calendar of días inhábiles with the official date and time, accessibility
statement, privacy notice and contact. Plugins add their own sede pages under
``/sede/<tenant>/<plugin>/`` (the tablón, CSV verification, the registro's forms…).
"""

from __future__ import annotations

import datetime as dt
import itertools

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from core import kernel as _kernel
from core.calendar import MADRID
from core.calendar_app import calendar_of
from core.events import gather_hook
from core.tenancy.context import TenantContext
from core.tenancy.tables import Unit
from core.web.carpeta import carpeta
from core.web.pages import SedeProcedure, page, tenant_of

SEDE = "/sede/{tenant_slug:str}"
_OPT = {"face": "sede"}


async def procedures_of(tenant: TenantContext) -> list[SedeProcedure]:
    """The catálogo de trámites, by category: procedures the tenant's enabled plugins
    register, and each of the tenant's own (``sede_procedures``: its procedimientos)."""
    kernel = _kernel.current()
    procedures = [p for p in kernel.sede_procedures if tenant.is_enabled(p.plugin)]
    hooks = kernel.plugins.hooks_for(tenant.enabled)
    for own in await gather_hook(hooks.sede_procedures(tenant=tenant)):
        procedures.extend(own or [])
    return sorted(procedures, key=lambda p: (p.shown(p.category), p.shown(p.name)))


async def procedure_of(tenant: TenantContext, code: str) -> SedeProcedure:
    for procedure in await procedures_of(tenant):
        if procedure.code == code:
            return procedure
    raise NotFoundException(f"No procedure {code!r}")


@get(f"{SEDE}/", include_in_schema=False, opt=_OPT)
async def sede_home(request: Request) -> Template:
    tenant = tenant_of(request)
    return await page(request, "core:sede/home.html", procedures=await procedures_of(tenant))


@get(f"{SEDE}/tramites/", include_in_schema=False, opt=_OPT)
async def catalogue(request: Request) -> Template:
    groups = itertools.groupby(await procedures_of(tenant_of(request)),
                               key=lambda p: p.shown(p.category))
    return await page(request, "core:sede/catalogue.html",
                      groups=[(category, list(items)) for category, items in groups])


@get(f"{SEDE}/tramites/{{code:str}}", include_in_schema=False, opt=_OPT)
async def procedure(request: Request, code: FromPath[str]) -> Template:
    return await page(request, "core:sede/procedure.html",
                      procedure=await procedure_of(tenant_of(request), code))


@get(f"{SEDE}/calendario", include_in_schema=False, opt=_OPT)
async def calendar_page(request: Request, year: FromQuery[int | None] = None) -> Template:
    calendar = await calendar_of(tenant_of(request))
    year = year or dt.datetime.now(MADRID).year
    days = calendar.non_working_days(year) if year in calendar.years else None
    return await page(request, "core:sede/calendar.html", year=year, days=days,
                      years=sorted(calendar.years), zone=calendar.zone.key)


@get(f"{SEDE}/accesibilidad", include_in_schema=False, opt=_OPT)
async def accessibility(request: Request) -> Template:
    return await page(request, "core:sede/accessibility.html")


@get(f"{SEDE}/privacidad", include_in_schema=False, opt=_OPT)
async def privacy(request: Request) -> Template:
    return await page(request, "core:sede/privacy.html")


@get(f"{SEDE}/contacto", include_in_schema=False, opt=_OPT)
async def contact(request: Request) -> Template:
    offices = await Unit.select(Unit.dir3, Unit.name).where(
        (Unit.tenant == tenant_of(request).id) & (Unit.is_office == True)  # noqa: E712
    ).order_by(Unit.name)
    return await page(request, "core:sede/contact.html", offices=offices)


SEDE_ROUTES = [sede_home, catalogue, procedure, calendar_page, accessibility, privacy, contact,
               carpeta]
