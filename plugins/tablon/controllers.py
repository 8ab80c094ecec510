"""HTTP faces of the tablón: staff pages, public sede pages and the JSON API."""

from __future__ import annotations

from datetime import date

from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody, URLEncodedBody
from litestar.response import Redirect, Template

from core.web.pages import actor_of, page, tenant_of
from plugins.tablon import permissions, services
from plugins.tablon.schemas import AnuncioIn, AnuncioOut, Retirada


class StaffController(Controller):
    """``/<tenant>/tablon/``: manage notices."""

    path = "/"
    include_in_schema = False

    @get("/", name="tablon:staff-list", opt={"permission": permissions.VIEW.name})
    async def list_page(self, request: Request) -> Template:
        tenant = tenant_of(request)
        settings = services.settings_of(tenant)
        return await page(request, "tablon/staff_list.html",
                          anuncios=await services.list_all(tenant),
                          categories=settings.categories, today=date.today())

    @post("/", opt={"permission": permissions.PUBLISH.name})
    async def publish(self, request: Request,
                      data: URLEncodedBody[AnuncioIn]) -> Redirect:
        tenant = tenant_of(request)
        await services.publish(tenant, data, actor=actor_of(request).email)
        return Redirect(f"/{tenant.slug}/tablon/")

    @post("/{anuncio_id:int}/retirar", opt={"permission": permissions.RETIRE.name})
    async def retire(self, request: Request, anuncio_id: FromPath[int],
                     data: URLEncodedBody[Retirada]) -> Redirect:
        tenant = tenant_of(request)
        await services.retire(tenant, anuncio_id, data.reason, actor=actor_of(request).email)
        return Redirect(f"/{tenant.slug}/tablon/")


class SedeController(Controller):
    """``/sede/<tenant>/tablon/``: the public tablón."""

    path = "/"
    include_in_schema = False

    @get("/", name="tablon:sede-list")
    async def list_page(self, request: Request) -> Template:
        tenant = tenant_of(request)
        return await page(request, "tablon/sede_list.html",
                          anuncios=await services.list_public(tenant))

    @get("/{anuncio_id:int}", name="tablon:sede-detail")
    async def detail(self, request: Request, anuncio_id: FromPath[int]) -> Template:
        anuncio = await services.get_public(tenant_of(request), anuncio_id)
        return await page(request, "tablon/sede_detail.html", anuncio=anuncio)


class ApiController(Controller):
    """``/api/v1/<tenant>/tablon/``: notices as JSON."""

    path = "/anuncios"

    @get("/", summary="Notices on display today (public)")
    async def list_public(self, request: Request) -> list[AnuncioOut]:
        return await services.list_public(tenant_of(request))

    @get("/todos", summary="Every notice of the entity",
         opt={"permission": permissions.VIEW.name})
    async def list_all(self, request: Request) -> list[AnuncioOut]:
        return await services.list_all(tenant_of(request))

    @post("/", summary="Publish a notice", opt={"permission": permissions.PUBLISH.name})
    async def publish(self, request: Request, data: JSONBody[AnuncioIn]) -> AnuncioOut:
        return await services.publish(tenant_of(request), data,
                                      actor=actor_of(request).email)

    @get("/{anuncio_id:int}", summary="One notice", opt={"permission": permissions.VIEW.name})
    async def detail(self, request: Request, anuncio_id: FromPath[int]) -> AnuncioOut:
        return await services.get(tenant_of(request), anuncio_id)

    @post("/{anuncio_id:int}/retirar", summary="Retire a notice", status_code=200,
          opt={"permission": permissions.RETIRE.name})
    async def retire(self, request: Request, anuncio_id: FromPath[int],
                     data: JSONBody[Retirada]) -> AnuncioOut:
        return await services.retire(tenant_of(request), anuncio_id, data.reason,
                                     actor=actor_of(request).email)
