"""Staff pages: the list with the acts due to be notified, a new notification (from an
expediente's resolución), a notification's evidence and paper attempts, print batches,
certificates and remesas with their progress."""

from __future__ import annotations

import re
from datetime import datetime

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from core import kernel as _kernel
from core.calendar_app.services import calendar_of
from core.documents.controllers import download
from core.documents.services import read_content
from core.documents.uploads import read_limited, stream_form
from core.errors import DomainError, InvalidInput, convert_input
from core.jobs import send as send_job
from core.web.pages import actor_of, form_values, page, tenant_of
from plugins.expedientes import public as expedientes
from plugins.notificaciones import (
    certificado,
    papel,
    pendientes,
    permissions,
    remesas,
    services,
)
from plugins.notificaciones.controllers.forms import (
    ContenidoForm,
    IntentoForm,
    NotificarForm,
    interesados_lines,
    parse_csv,
)
from plugins.notificaciones.schemas import (
    EVENT_LABELS,
    RESULT_LABELS,
    STATE_LABELS,
    IntentoIn,
    NotificacionIn,
    RemesaIn,
)

VIEW, NOTIFY, DELIVER = permissions.VIEW_OPT, permissions.NOTIFY_OPT, permissions.DELIVER_OPT
LABELS = {"states": STATE_LABELS, "events": EVENT_LABELS, "results": RESULT_LABELS}


def _base(request: Request) -> str:
    return f"/{tenant_of(request).slug}/notificaciones"


class StaffController(Controller):
    """``/<tenant>/notificaciones/…``."""

    path = "/"
    include_in_schema = False

    @get("/", name="notificaciones:lista", opt=VIEW)
    async def lista(self, request: Request, estado: FromQuery[str] = "",
                    nif: FromQuery[str] = "", remesa: FromQuery[int | None] = None
                    ) -> Template:
        tenant = tenant_of(request)
        today = (await calendar_of(tenant)).local_date(datetime.now().astimezone())
        return await page(request, "notificaciones/lista.html", state=estado, nif=nif,
                          notificaciones=await services.search(tenant, state=estado, nif=nif,
                                                               remesa_id=remesa),
                          counts=await services.counts(tenant),
                          pendientes=await pendientes.open_ones(tenant, today), **LABELS)

    @get("/nueva", name="notificaciones:nueva", opt=NOTIFY)
    async def nueva(self, request: Request, expediente_id: FromQuery[int | None] = None,
                    resolucion_id: FromQuery[int | None] = None) -> Template:
        return await self._nueva(request, expediente_id, {
            "resolucion_id": str(resolucion_id or "")})

    async def _nueva(self, request: Request, expediente_id: int | None,
                     values: dict[str, str], error: DomainError | None = None) -> Template:
        """The form; refused, it comes back with every wrong field named and what was
        typed (``values``)."""
        tenant = tenant_of(request)
        expediente = await expedientes.get(tenant, expediente_id) if expediente_id else None
        firmadas = [r for r in await expedientes.resoluciones_of(tenant, expediente_id)
                    if r.state == "firmada"] if expediente_id else []
        lines = interesados_lines(expediente) if expediente else ""
        return await page(request, "notificaciones/nueva.html", expediente=expediente,
                          resoluciones=firmadas, values={"destinatarios": lines, **values},
                          error=error, status_code=422 if error else 200)

    @post("/nueva", opt=NOTIFY)
    async def notificar(self, request: Request) -> Response:
        values = await form_values(request)
        try:
            form = convert_input(values, NotificarForm)
            issued = await services.notify(tenant_of(request),
                                           convert_input(form.notificacion(), NotificacionIn),
                                           actor=actor_of(request).audit_name)
        except DomainError as exc:
            if isinstance(exc, InvalidInput):  # destinatarios[0].nif → its textarea
                exc = exc.renamed(lambda field: re.split(r"[.\[]", field, maxsplit=1)[0])
            expediente_id = values.get("expediente_id", "")
            return await self._nueva(request, int(expediente_id) if expediente_id.isdigit()
                                     else None, values, exc)
        if len(issued) == 1:
            return Redirect(f"{_base(request)}/{issued[0].id}")
        return Redirect(f"{_base(request)}/")

    @get("/{notificacion_id:int}", name="notificaciones:detalle", opt=VIEW)
    async def detalle(self, request: Request, notificacion_id: FromPath[int]) -> Template:
        tenant = tenant_of(request)
        n = await services.get(tenant, notificacion_id)
        expediente = await expedientes.get(tenant, n.expediente_id) if n.expediente_id else None
        return await page(request, "notificaciones/detalle.html", n=n, expediente=expediente,
                          **LABELS)

    @post("/{notificacion_id:int}/intentos", opt=DELIVER)
    async def intento(self, request: Request, notificacion_id: FromPath[int],
                      data: URLEncodedBody[IntentoForm]) -> Redirect:
        tenant = tenant_of(request)
        await services.get(tenant, notificacion_id, full=False)  # 404 first
        cal = await calendar_of(tenant)
        fields = msgspec.to_builtins(data)
        try:
            fields["at"] = datetime.fromisoformat(data.at).replace(tzinfo=cal.zone)
        except ValueError:
            fields["at"] = data.at  # convert_input() says what is wrong
        await papel.record_attempt(tenant, notificacion_id, convert_input(fields, IntentoIn),
                                   actor=actor_of(request).audit_name)
        return Redirect(f"{_base(request)}/{notificacion_id}")

    @post("/{notificacion_id:int}/certificado", opt=NOTIFY)
    async def pedir_certificado(self, request: Request, notificacion_id: FromPath[int]
                                ) -> Redirect:
        tenant = tenant_of(request)
        await services.get(tenant, notificacion_id, full=False)
        await send_job("notificaciones.certify", tenant.id, notificacion_id=notificacion_id)
        return Redirect(f"{_base(request)}/{notificacion_id}")

    @get("/{notificacion_id:int}/certificado.pdf", opt=VIEW)
    async def certificado_pdf(self, request: Request, notificacion_id: FromPath[int]
                              ) -> Response:
        name, content = await certificado.download(tenant_of(request), notificacion_id)
        return download(content, "application/pdf", name)

    @post("/lotes", status_code=200, opt=DELIVER)
    async def lote(self, request: Request) -> Response:
        tenant = tenant_of(request)
        document = await papel.print_batch(tenant, actor=actor_of(request).audit_name)
        if document is None:
            return Redirect(f"{_base(request)}/?estado=en_reparto")
        _, content = await read_content(tenant, document.id)
        return download(content, "application/pdf", document.filename)

    @get("/remesas", name="notificaciones:remesas", opt=VIEW)
    async def remesas_page(self, request: Request) -> Template:
        return await page(request, "notificaciones/remesas.html",
                          remesas=await remesas.list_all(tenant_of(request)))

    @post("/remesas", opt=NOTIFY)
    async def remesa_nueva(self, request: Request) -> Redirect:
        limit = _kernel.current().settings.upload_max_bytes
        fields, upload = await stream_form(request, "fichero", limit)
        people = parse_csv(await read_limited(upload.chunks, limit))
        form = convert_input(fields, ContenidoForm)
        remesa = await remesas.start(tenant_of(request), convert_input(
            {**form.content(), "destinatarios": people}, RemesaIn),
            actor=actor_of(request).audit_name)
        return Redirect(f"{_base(request)}/remesas/{remesa.id}")

    @get("/remesas/{remesa_id:int}", name="notificaciones:remesa", opt=VIEW)
    async def remesa(self, request: Request, remesa_id: FromPath[int]) -> Template:
        return await page(request, "notificaciones/remesa.html",
                          remesa=await remesas.get(tenant_of(request), remesa_id))
