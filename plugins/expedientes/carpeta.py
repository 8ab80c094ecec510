"""The citizen's expedientes in the carpeta ciudadana: its section, and a page per
expediente (``/sede/<tenant>/expedientes/mis/<id>``) with its state and the documents the
citizen may see — what he presented and what the entity signed; drafts stay inside.
Only an interesado or representative of that expediente of that entity reaches it (404)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath
from litestar.response import Template

from core.documents.controllers import download
from core.errors import NotFoundError
from core.identity.actor import Actor
from core.tenancy.context import TenantContext
from core.web.carpeta import CarpetaItem, CarpetaSection
from core.web.i18n import N_
from core.web.i18n import gettext as _
from core.web.pages import actor_of, page, tenant_of
from plugins.expedientes import busqueda, documentos
from plugins.expedientes.documentos import DocumentoOut

STATE_LABELS = {"E01": N_("Abierto"), "E02": N_("Cerrado"),
                "E03": N_("Índice para remisión cerrado")}


def _citizen(request: Request) -> Actor:
    actor = actor_of(request)
    if actor.kind != "citizen" or not actor.subject_nif:
        raise NotAuthorizedException("Identify yourself to see your expedientes")
    return actor


def visible(document: DocumentoOut) -> bool:
    """A document the interesado may see: one he presented, or one the entity signed."""
    return document.source == "registro" or document.signatures > 0


async def section(tenant: TenantContext, actor: Actor) -> CarpetaSection:
    """The «Mis expedientes» section, each expediente linked to its page."""
    expedientes = await busqueda.of_citizen(tenant, actor.subject_nif)
    return CarpetaSection(
        key="expedientes", title=_("Mis expedientes"), order=20,
        empty=_("No es interesado en ningún expediente de la entidad."),
        items=tuple(CarpetaItem(title=f"{e.code} · {e.subject}", when=e.opened_at,
                                url=f"/sede/{tenant.slug}/expedientes/mis/{e.id}",
                                state=_(STATE_LABELS[e.state]),
                                detail=_("Procedimiento: %(name)s") % {"name": e.procedimiento})
                    for e in expedientes))


class CarpetaController(Controller):
    """``/sede/<tenant>/expedientes/mis/…``."""

    path = "/mis"
    include_in_schema = False

    @get("/{expediente_id:int}", name="expedientes:sede-expediente")
    async def expediente(self, request: Request, expediente_id: FromPath[int]) -> Template:
        tenant, actor = tenant_of(request), _citizen(request)
        expediente = await busqueda.citizen_expediente(tenant, actor.subject_nif,
                                                       expediente_id)
        documents = [d for d in await documentos.list_documents(tenant, expediente_id)
                     if visible(d)]
        return await page(request, "expedientes/sede_expediente.html", expediente=expediente,
                          documents=documents, state=_(STATE_LABELS[expediente.state]))

    @get("/{expediente_id:int}/documentos/{document_id:int}")
    async def document(self, request: Request, expediente_id: FromPath[int],
                       document_id: FromPath[int]) -> Response:
        tenant, actor = tenant_of(request), _citizen(request)
        await busqueda.citizen_expediente(tenant, actor.subject_nif, expediente_id)
        if not any(d.id == document_id and visible(d)
                   for d in await documentos.list_documents(tenant, expediente_id)):
            raise NotFoundError(document_id)
        document, data = await documentos.content(tenant, expediente_id, document_id)
        return download(data, document.mime, document.filename)
