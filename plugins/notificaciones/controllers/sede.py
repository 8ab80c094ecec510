"""The sede: the interesado (or his representative) opens a notification put at his
disposal — first a page that says what opening means, then, once accessed, the content,
the act's document and the certificate — or rejects it."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from core.documents.controllers import download
from core.documents.services import read_content
from core.errors import NotFoundError
from core.identity.actor import Actor
from core.web.pages import actor_of, page, tenant_of
from plugins.notificaciones import acceso, certificado
from plugins.notificaciones.schemas import EVENT_LABELS, STATE_LABELS, RechazoIn


def citizen_of(request: Request) -> Actor:
    """The identified citizen (401: the sede sends him to identify himself)."""
    actor = actor_of(request)
    if not actor.is_authenticated or actor.kind != "citizen":
        raise NotAuthorizedException("Identifíquese para acceder a sus notificaciones")
    return actor


def _address(request: Request) -> str:
    return request.client.host if request.client else "-"


class SedeController(Controller):
    """``/sede/<tenant>/notificaciones/…``."""

    path = "/"
    include_in_schema = False

    @get("/{notificacion_id:int}", name="notificaciones:sede")
    async def ver(self, request: Request, notificacion_id: FromPath[int]) -> Template:
        notificacion = await acceso.get_for(tenant_of(request), citizen_of(request),
                                            notificacion_id)
        return await page(request, "notificaciones/sede_notificacion.html", n=notificacion,
                          states=STATE_LABELS, events=EVENT_LABELS)

    @post("/{notificacion_id:int}/acceder")
    async def acceder(self, request: Request, notificacion_id: FromPath[int]) -> Redirect:
        tenant = tenant_of(request)
        await acceso.access(tenant, citizen_of(request), notificacion_id,
                            address=_address(request))
        return Redirect(f"/sede/{tenant.slug}/notificaciones/{notificacion_id}")

    @post("/{notificacion_id:int}/rechazar")
    async def rechazar(self, request: Request, notificacion_id: FromPath[int],
                       data: URLEncodedBody[RechazoIn]) -> Redirect:
        tenant = tenant_of(request)
        await acceso.reject(tenant, citizen_of(request), notificacion_id,
                            address=_address(request), reason=data.reason)
        return Redirect(f"/sede/{tenant.slug}/notificaciones/{notificacion_id}")

    @get("/{notificacion_id:int}/documento")
    async def documento(self, request: Request, notificacion_id: FromPath[int]) -> Response:
        """The act notified: only once the notification has been accessed."""
        tenant = tenant_of(request)
        notificacion = await acceso.get_for(tenant, citizen_of(request), notificacion_id)
        if notificacion.state != "notificada" or notificacion.document_id is None:
            raise NotFoundError(notificacion_id)
        document, content = await read_content(tenant, notificacion.document_id)
        return download(content, document.mime, document.filename)

    @get("/{notificacion_id:int}/certificado.pdf")
    async def certificado_pdf(self, request: Request, notificacion_id: FromPath[int]
                              ) -> Response:
        tenant = tenant_of(request)
        await acceso.get_for(tenant, citizen_of(request), notificacion_id)
        name, content = await certificado.download(tenant, notificacion_id)
        return download(content, "application/pdf", name)
