"""HTTP faces of signing: the signer's queue (portafirmas), flows and signature validation.

- staff ``/<tenant>/firma/``: documents waiting for me, one page per document with
  "Firmar" (one confirmation) and "Rechazar" (with a reason); ``validar`` checks a PDF.
- API ``/api/v1/<tenant>/firma/``: start flows, read them, my queue, sign, reject,
  validate a PDF (raw body) into a ``ValidationReport``.
"""

from __future__ import annotations

import asyncio

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect, Template

from core import kernel as _kernel
from core.documents.controllers import download
from core.documents.services import (
    InvalidDocument,
    check_pdf_structure,
    get_document,
    read_content,
)
from core.documents.uploads import body_chunks, read_limited, stream_form
from core.errors import InvalidInput
from core.identity.mfa import has_totp
from core.web.guards import require
from core.web.i18n import gettext as _
from core.web.pages import actor_of, page, tenant_of

from . import flows, permissions, stepup
from .errors import InvalidPdfError
from .schemas import FlowIn, FlowOut, PendingSignature, Rejection, StepUpIn
from .trust import trust_roots
from .validation import ValidationReport, validate_pdf


async def validate(pdf: bytes) -> ValidationReport:
    """Validate every signature of ``pdf`` against the deployment's trust roots."""
    roots = trust_roots(_kernel.current().settings)
    await check_pdf_structure(pdf)  # pyHanko never sees what qpdf cannot read
    try:
        return await asyncio.to_thread(validate_pdf, pdf, roots)
    except InvalidPdfError as exc:
        raise InvalidDocument(f"No es un PDF válido: {exc}") from exc


def _limit() -> int:
    return _kernel.current().settings.upload_max_bytes


def _me(request: Request) -> tuple[int, str]:
    actor = actor_of(request)
    return actor.user_id or 0, actor.email


class StaffSigning(Controller):
    """``/<tenant>/firma/``: the portafirmas of the logged-in person."""

    path = "/{tenant_slug:str}/firma"
    include_in_schema = False
    opt = {"face": "staff"}

    @get("/", opt={"permission": permissions.SIGN.name})
    async def queue(self, request: Request) -> Template:
        user_id, _ = _me(request)
        return await page(request, "core:firma/queue.html",
                          pending=await flows.pending_for(tenant_of(request), user_id),
                          done=request.query_params.get("hecho"))

    @get("/{step_id:int}", opt={"permission": permissions.SIGN.name})
    async def step_page(self, request: Request, step_id: FromPath[int]) -> Template:
        return await self._step_page(request, step_id)

    @get("/{step_id:int}/documento", opt={"permission": permissions.SIGN.name})
    async def step_document(self, request: Request, step_id: FromPath[int]) -> Response:
        tenant = tenant_of(request)
        user_id, _ = _me(request)
        step = await flows.my_step(tenant, step_id, user_id)
        document, content = await read_content(tenant, step["document"])
        return download(content, document.mime, f"{document.identificador}.pdf", "inline")

    async def _step_page(self, request: Request, step_id: int, status_code: int = 200,
                         error: str | None = None) -> Template:
        tenant = tenant_of(request)
        user_id, _ = _me(request)
        step = await flows.my_step(tenant, step_id, user_id)
        return await page(request, "core:firma/step.html", status_code=status_code, step=step,
                          flow=await flows.get_flow(tenant, step["flow"]),
                          document=await get_document(tenant, step["document"]), error=error,
                          step_up=await stepup.step_up_on(tenant),
                          enrolled=await has_totp(user_id))

    @post("/{step_id:int}/firmar", opt={"permission": permissions.SIGN.name})
    async def sign(self, request: Request, step_id: FromPath[int]) -> Response:
        tenant = tenant_of(request)
        user_id, email = _me(request)
        form = await request.form()
        if form.get("confirmo") != "si":
            return await self._step_page(request, step_id, 422,
                                         _("Marque la casilla para confirmar la firma"))
        step = await flows.my_step(tenant, step_id, user_id)  # 404 before asking for a code
        try:  # duty rules (e.g. a preparer is never the only signer) read the flow's history
            await require(actor_of(request), permissions.SIGN.name, tenant,
                          target=str(step["flow"]))
        except PermissionDeniedException as exc:
            return await self._step_page(request, step_id, 403, exc.detail)
        try:
            await stepup.require_code(tenant, user_id, str(form.get("code", "")),
                                      actor=email, step_id=step_id)
        except stepup.StepUpRefused as exc:
            return await self._step_page(request, step_id, 422, _(str(exc)))
        try:
            await flows.sign_step(tenant, step_id, user_id=user_id, actor=email)
        except InvalidDocument as exc:  # the step stays pending
            return await self._step_page(request, step_id, exc.status_code, str(exc))
        return Redirect(f"/{tenant.slug}/firma/?hecho=firmado")

    @post("/{step_id:int}/rechazar", opt={"permission": permissions.SIGN.name})
    async def reject(self, request: Request, step_id: FromPath[int]) -> Redirect:
        tenant = tenant_of(request)
        user_id, email = _me(request)
        form = await request.form()
        await flows.reject_step(tenant, step_id, user_id=user_id, actor=email,
                                reason=str(form.get("reason", "")))
        return Redirect(f"/{tenant.slug}/firma/?hecho=rechazado")

    @post("/circuitos", opt={"permission": permissions.REQUEST.name})
    async def start(self, request: Request) -> Redirect:
        tenant = tenant_of(request)
        form = await request.form()
        try:
            data = FlowIn(document_id=int(form.get("document_id", 0)),
                          signers=[int(s) for s in form.getall("signers")],
                          mode="parallel" if form.get("mode") == "parallel" else "ordered",
                          subject=str(form.get("subject", ""))[:300])
        except (TypeError, ValueError):
            raise flows.InvalidFlow("Elija el documento y al menos un firmante") from None
        if not data.signers:
            raise flows.InvalidFlow("Elija al menos un firmante")
        await flows.start_flow(tenant, data, actor=actor_of(request).audit_name)
        return Redirect(f"/{tenant.slug}/documentos/{data.document_id}")

    @get("/validar", opt={"permission": permissions.VIEW.name})
    async def validation_page(self, request: Request) -> Template:
        return await page(request, "core:firma/validate.html", report=None, error=None)

    @post("/validar", opt={"permission": permissions.VIEW.name}, request_max_body_size=None)
    async def validation_submit(self, request: Request) -> Template:
        try:
            _, file = await stream_form(request, "pdf", _limit())
            report = await validate(await read_limited(file.chunks, _limit()))
        except InvalidDocument as exc:
            return await page(request, "core:firma/validate.html", status_code=exc.status_code,
                              report=None, error=str(exc))
        return await page(request, "core:firma/validate.html", report=report, error=None,
                          filename=file.filename)


class SigningApi(Controller):
    """``/api/v1/<tenant>/firma/``: signature flows and validation as JSON."""

    path = "/api/v1/{tenant_slug:str}/firma"
    tags = ["firma"]

    @post("/circuitos", summary="Send a PDF document to its signers",
          opt={"permission": permissions.REQUEST.name})
    async def start(self, request: Request, data: JSONBody[FlowIn]) -> FlowOut:
        return await flows.start_flow(tenant_of(request), data, actor=actor_of(request).audit_name)

    @get("/circuitos/{flow_id:int}", summary="A signature flow and its steps",
         opt={"permission": permissions.VIEW.name})
    async def flow(self, request: Request, flow_id: FromPath[int]) -> FlowOut:
        return await flows.get_flow(tenant_of(request), flow_id)

    @get("/pendientes", summary="Documents waiting for my signature now",
         opt={"permission": permissions.SIGN.name})
    async def pending(self, request: Request) -> list[PendingSignature]:
        return await flows.pending_for(tenant_of(request), _me(request)[0])

    @post("/pasos/{step_id:int}/firmar", status_code=200,
          summary="Sign a step; body {\"code\": TOTP} when the entity asks for step-up",
          opt={"permission": permissions.SIGN.name})
    async def sign(self, request: Request, step_id: FromPath[int]) -> FlowOut:
        tenant = tenant_of(request)
        user_id, email = _me(request)
        body = await request.body()
        try:
            code = msgspec.json.decode(body, type=StepUpIn).code if body.strip() else ""
        except msgspec.MsgspecError:
            raise InvalidInput('Envíe {"code": "123456"} o nada') from None
        step = await flows.my_step(tenant, step_id, user_id)
        await require(actor_of(request), permissions.SIGN.name, tenant,
                      target=str(step["flow"]))
        await stepup.require_code(tenant, user_id, code, actor=email, step_id=step_id)
        return await flows.sign_step(tenant, step_id, user_id=user_id, actor=email)

    @post("/pasos/{step_id:int}/rechazar", status_code=200, summary="Reject with a reason",
          opt={"permission": permissions.SIGN.name})
    async def reject(self, request: Request, step_id: FromPath[int],
                     data: JSONBody[Rejection]) -> FlowOut:
        user_id, email = _me(request)
        return await flows.reject_step(tenant_of(request), step_id, user_id=user_id,
                                       reason=data.reason, actor=email)

    @post("/validar", status_code=200, request_max_body_size=None,
          summary="Validate the signatures of a PDF (raw body): who, when, integrity, "
                  "whole-document coverage, trust chain",
          opt={"permission": permissions.VIEW.name})
    async def validate(self, request: Request) -> ValidationReport:
        return await validate(await read_limited(body_chunks(request, _limit()), _limit()))


ROUTES = [StaffSigning, SigningApi]
