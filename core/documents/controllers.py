"""HTTP faces of document records: staff pages, the JSON API and CSV verification.

- staff ``/<tenant>/documentos/``: list, upload (streamed form), detail, download, ENI XML
- API ``/api/v1/<tenant>/documentos/``: the same as JSON; uploads are the raw body
- sede ``/sede/<tenant>/verificar`` and API ``/api/v1/<tenant>/verificar/<csv>``: anyone
  with a CSV gets that document of that tenant; rate-limited per client address (429).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from core import kernel as _kernel
from core.documents import permissions, services
from core.documents.eni import TipoDocumental
from core.documents.filenames import content_disposition
from core.documents.schemas import DocumentOut, PublicDocument, VersionOut
from core.documents.uploads import body_chunks, stream_form
from core.documents.verification import TooManyLookups, verified_content, verify
from core.signing.flows import flows_of_document, signers_of
from core.web.errors import problem
from core.web.i18n import gettext as _
from core.web.pages import actor_of, page, tenant_of

STAFF_OPT = {"face": "staff"}
SEDE_OPT = {"face": "sede"}


def _limit() -> int:
    return _kernel.current().settings.upload_max_bytes


def download(content: bytes, mime: str, filename: str, disposition: str = "attachment"
             ) -> Response:
    """A file sent back: its name per RFC 6266 (``filename*`` in UTF-8), never sniffed,
    and sandboxed should a browser render it (no script, no same-origin access)."""
    return Response(content, media_type=mime, headers={
        "content-disposition": content_disposition(filename, disposition),
        "content-security-policy": "sandbox",
        "x-content-type-options": "nosniff"})


def _address(request: Request) -> str:
    return request.client.host if request.client else "-"


async def _eni_response(request: Request, document_id: int) -> Response:
    tenant = tenant_of(request)
    document = await services.get_document(tenant, document_id)
    xml = await services.eni_documento(tenant, document_id)
    return download(xml, "application/xml", f"{document.identificador}.xml")


async def _content_response(request: Request, document_id: int,
                            version: int | None) -> Response:
    document, content = await services.read_content(tenant_of(request), document_id, version)
    return download(content, document.mime, document.filename)


class StaffDocuments(Controller):
    """``/<tenant>/documentos/``: the entity's documents."""

    path = "/{tenant_slug:str}/documentos"
    include_in_schema = False
    opt = STAFF_OPT

    @get("/", opt={"permission": permissions.VIEW.name})
    async def list_page(self, request: Request) -> Template:
        documents = await services.list_documents(tenant_of(request))
        return await page(request, "core:documents/list.html", documents=documents,
                          tipos=list(TipoDocumental), error=None)

    @post("/", opt={"permission": permissions.UPLOAD.name}, request_max_body_size=None)
    async def upload(self, request: Request) -> Response:
        tenant = tenant_of(request)
        try:
            fields, file = await stream_form(request, "fichero", _limit())
            document = await services.upload_document(
                tenant, chunks=file.chunks, filename=file.filename,
                declared_mime=file.content_type, title=fields.get("title", ""),
                tipo_documental=fields.get("tipo_documental") or TipoDocumental.OTROS,
                actor=actor_of(request).audit_name)
        except services.InvalidDocument as exc:
            return await page(request, "core:documents/list.html", status_code=exc.status_code,
                              documents=await services.list_documents(tenant),
                              tipos=list(TipoDocumental), error=str(exc))
        return Redirect(f"/{tenant.slug}/documentos/{document.id}")

    @get("/{document_id:int}", opt={"permission": permissions.VIEW.name})
    async def detail(self, request: Request, document_id: FromPath[int]) -> Template:
        tenant = tenant_of(request)
        return await page(request, "core:documents/detail.html",
                          document=await services.get_document(tenant, document_id),
                          versions=await services.versions(tenant, document_id),
                          flows=await flows_of_document(tenant, document_id),
                          members=await signers_of(tenant))

    @get("/{document_id:int}/contenido", opt={"permission": permissions.VIEW.name})
    async def content(self, request: Request, document_id: FromPath[int],
                      version: FromQuery[int | None] = None) -> Response:
        return await _content_response(request, document_id, version)

    @get("/{document_id:int}/eni", opt={"permission": permissions.VIEW.name})
    async def eni(self, request: Request, document_id: FromPath[int]) -> Response:
        return await _eni_response(request, document_id)

    @post("/{document_id:int}/publicacion", opt={"permission": permissions.UPLOAD.name})
    async def publication(self, request: Request, document_id: FromPath[int]) -> Redirect:
        tenant = tenant_of(request)
        await services.publication_copy(tenant, document_id, actor=actor_of(request).audit_name)
        return Redirect(f"/{tenant.slug}/documentos/{document_id}")


class DocumentsApi(Controller):
    """``/api/v1/<tenant>/documentos/``: document records as JSON."""

    path = "/api/v1/{tenant_slug:str}/documentos"
    tags = ["documentos"]

    @get("/", summary="The entity's newest documents",
         opt={"permission": permissions.VIEW.name})
    async def list_documents(self, request: Request) -> list[DocumentOut]:
        return await services.list_documents(tenant_of(request))

    @post("/", summary="Upload a document (raw body, streamed; 413, 415, 422 on refusal)",
          opt={"permission": permissions.UPLOAD.name}, request_max_body_size=None)
    async def upload(self, request: Request, filename: FromQuery[str], title: FromQuery[str],
                     tipo_documental: FromQuery[TipoDocumental] = TipoDocumental.OTROS
                     ) -> DocumentOut:
        return await services.upload_document(
            tenant_of(request), chunks=body_chunks(request, _limit()), filename=filename,
            declared_mime=request.headers.get("content-type", ""), title=title,
            tipo_documental=tipo_documental, actor=actor_of(request).audit_name)

    @get("/{document_id:int}", summary="One document",
         opt={"permission": permissions.VIEW.name})
    async def detail(self, request: Request, document_id: FromPath[int]) -> DocumentOut:
        return await services.get_document(tenant_of(request), document_id)

    @get("/{document_id:int}/versiones", summary="Every stored version of a document",
         opt={"permission": permissions.VIEW.name})
    async def versions(self, request: Request, document_id: FromPath[int]) -> list[VersionOut]:
        return await services.versions(tenant_of(request), document_id)

    @get("/{document_id:int}/contenido", summary="The content (current or given version)",
         opt={"permission": permissions.VIEW.name})
    async def content(self, request: Request, document_id: FromPath[int],
                      version: FromQuery[int | None] = None) -> Response:
        return await _content_response(request, document_id, version)

    @get("/{document_id:int}/eni", summary="The document as ENI documento XML",
         opt={"permission": permissions.VIEW.name})
    async def eni(self, request: Request, document_id: FromPath[int]) -> Response:
        return await _eni_response(request, document_id)

    @post("/{document_id:int}/publicacion", status_code=200,
          summary="Add a version stripped of metadata, for publishing",
          opt={"permission": permissions.UPLOAD.name})
    async def publication(self, request: Request, document_id: FromPath[int]) -> DocumentOut:
        return await services.publication_copy(tenant_of(request), document_id,
                                               actor=actor_of(request).audit_name)


def _too_many(request: Request, exc: TooManyLookups) -> Response:
    response = problem(request, 429, str(exc))
    response.headers["retry-after"] = str(exc.retry_after)
    return response


class VerificationApi(Controller):
    """``/api/v1/<tenant>/verificar/<csv>``: public CSV verification (rate-limited)."""

    path = "/api/v1/{tenant_slug:str}/verificar"
    tags = ["verificación"]

    @get("/{csv:str}", summary="The document of this entity with this CSV")
    async def verify(self, request: Request, csv: FromPath[str]) -> Response[PublicDocument]:
        try:
            return Response(await verify(tenant_of(request), csv, _address(request)))
        except TooManyLookups as exc:
            return _too_many(request, exc)

    @get("/{csv:str}/contenido", summary="Download the document with this CSV")
    async def content(self, request: Request, csv: FromPath[str]) -> Response:
        try:
            document, content = await verified_content(tenant_of(request), csv,
                                                       _address(request))
        except TooManyLookups as exc:
            return _too_many(request, exc)
        return download(content, document.mime, f"{document.identificador}.pdf")


class SedeVerification(Controller):
    """``/sede/<tenant>/verificar``: the form, the result and the download."""

    path = "/sede/{tenant_slug:str}/verificar"
    include_in_schema = False
    opt = SEDE_OPT

    async def _page(self, request: Request, status_code: int = 200,
                    **context: Any) -> Template:
        context = {"csv": "", "document": None, "error": None, **context}
        return await page(request, "core:documents/verify.html", status_code=status_code,
                          **context)

    @get("/")
    async def verify_page(self, request: Request, csv: FromQuery[str] = "") -> Template:
        if not csv.strip():
            return await self._page(request)
        try:
            document = await verify(tenant_of(request), csv, _address(request))
        except TooManyLookups as exc:
            response = await self._page(request, 429, csv=csv, error=str(exc))
            response.headers["retry-after"] = str(exc.retry_after)
            return response
        except services.InvalidDocument as exc:
            return await self._page(request, 422, csv=csv, error=str(exc))
        except services.DocumentNotFound:
            return await self._page(request, 404, csv=csv, error=_(
                "No hay ningún documento de esta entidad con ese código seguro de "
                "verificación. Compruebe que lo ha escrito bien y que es la sede de la "
                "entidad que lo emitió."))
        return await self._page(request, csv=document.csv, document=document)

    @get("/{csv:str}/documento")
    async def download(self, request: Request, csv: FromPath[str]) -> Response:
        try:
            document, content = await verified_content(tenant_of(request), csv,
                                                       _address(request))
        except TooManyLookups as exc:
            response = await self._page(request, 429, csv=csv, error=str(exc))
            response.headers["retry-after"] = str(exc.retry_after)
            return response
        return download(content, document.mime, f"{document.identificador}.pdf")


ROUTES = [StaffDocuments, DocumentsApi, VerificationApi, SedeVerification]
