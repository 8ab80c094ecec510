"""HTTP faces of the tablón: staff pages, public sede pages and the JSON API."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect, Template

from core.errors import DomainError, InvalidInput, convert_input
from core.web.pages import actor_of, form_values, page, tenant_of
from plugins.tablon import labels, permissions, services
from plugins.tablon.schemas import AnuncioIn, AnuncioOut, Retirada


class StaffController(Controller):
    """``/<tenant>/tablon/``: manage notices."""

    path = "/"
    include_in_schema = False

    @get("/", name="tablon:staff-list", opt={"permission": permissions.VIEW.name})
    async def list_page(self, request: Request) -> Template:
        return await self._list(request)

    async def _list(self, request: Request, error: DomainError | None = None,
                    typed: dict[str, dict[str, str]] | None = None) -> Template:
        """The notices and the publishing form; a refused form comes back with its
        message and what was typed (``typed``: the form's action → its fields)."""
        tenant = tenant_of(request)
        settings = services.settings_of(tenant)
        return await page(request, "tablon/staff_list.html", status_code=422 if error else 200,
                          anuncios=await services.list_all(tenant), error=error,
                          typed=typed or {}, categories=settings.categories,
                          today=date.today(), labels=labels)

    async def _act(self, request: Request, form: str, action: Any, ids: str = "") -> Response:
        """Run a form's action; refused, the list again with that form's values and its
        errors on its inputs (their ids: the field's name, then ``ids``)."""
        values = await form_values(request)
        try:
            await action({k: v for k, v in values.items() if v})  # empty: not given
        except DomainError as exc:
            if isinstance(exc, InvalidInput):
                exc = exc.renamed(lambda field: field + ids)
            return await self._list(request, exc, {form: values})
        return Redirect(f"/{tenant_of(request).slug}/tablon/")

    @post("/", opt={"permission": permissions.PUBLISH.name})
    async def publish(self, request: Request) -> Response:
        return await self._act(request, "publicar", lambda values: services.publish(
            tenant_of(request), convert_input(values, AnuncioIn),
            actor=actor_of(request).audit_name))

    @post("/{anuncio_id:int}/retirar", opt={"permission": permissions.RETIRE.name})
    async def retire(self, request: Request, anuncio_id: FromPath[int]) -> Response:
        return await self._act(request, f"{anuncio_id}/retirar", lambda values: services.retire(
            tenant_of(request), anuncio_id, convert_input(values, Retirada).reason,
            actor=actor_of(request).audit_name), ids=str(anuncio_id))


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
                                      actor=actor_of(request).audit_name)

    @get("/{anuncio_id:int}", summary="One notice", opt={"permission": permissions.VIEW.name})
    async def detail(self, request: Request, anuncio_id: FromPath[int]) -> AnuncioOut:
        return await services.get(tenant_of(request), anuncio_id)

    @post("/{anuncio_id:int}/retirar", summary="Retire a notice", status_code=200,
          opt={"permission": permissions.RETIRE.name})
    async def retire(self, request: Request, anuncio_id: FromPath[int],
                     data: JSONBody[Retirada]) -> AnuncioOut:
        return await services.retire(tenant_of(request), anuncio_id, data.reason,
                                     actor=actor_of(request).audit_name)
