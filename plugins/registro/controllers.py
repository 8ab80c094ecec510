"""JSON API of the registro: ``/api/v1/<tenant>/registro/…`` (pages live in ``pages.py``)."""

from __future__ import annotations

from typing import TypeVar

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import ValidationException
from litestar.params import FromPath, FromQuery, JSONBody

from core.documents.controllers import download as core_download
from core.errors import NotFoundError
from core.web.pages import actor_of, tenant_of
from plugins.registro import distribution, justificante, libro, personas, services, sir
from plugins.registro import permissions as perms
from plugins.registro.anexos import content as anexo_content
from plugins.registro.schemas import (
    Anulacion,
    AsientoIn,
    AsientoOut,
    AsientoSummary,
    Devolucion,
    Distribucion,
    ExchangeOut,
    ExpedienteLink,
    LibroPeriodo,
    Persona,
    Rectificacion,
    RectificacionOut,
    Search,
    SirEnvio,
    SirRechazo,
)

_S = TypeVar("_S", bound=msgspec.Struct)


def query_struct(request: Request, cls: type[_S]) -> _S:
    """Query parameters as a Struct; a bad value answers 400 naming it."""
    try:
        return msgspec.convert(dict(request.query_params), cls, strict=False)
    except msgspec.ValidationError as exc:
        raise ValidationException(str(exc)) from None


def download(name: str, data: bytes, media_type: str) -> Response:
    return core_download(data, media_type, name)


class Page(msgspec.Struct, kw_only=True):
    items: list[AsientoSummary]
    total: int


class ApiController(Controller):
    """Asientos, distribution and the libro de registro as JSON."""

    path = "/"
    tags = ["registro"]

    @post("/asientos", summary="Register an asiento (presencial)",
          opt={"permission": perms.REGISTER.name})
    async def register(self, request: Request, data: JSONBody[AsientoIn]) -> AsientoOut:
        return await services.register(tenant_of(request), data, channel="presencial",
                                       actor=actor_of(request).audit_name)

    @get("/asientos", summary="Search asientos", opt={"permission": perms.VIEW.name})
    async def search(self, request: Request) -> Page:
        items, total = await services.search(tenant_of(request), query_struct(request, Search))
        return Page(items=items, total=total)

    @get("/asientos/{asiento_id:int}", summary="One asiento",
         opt={"permission": perms.VIEW.name})
    async def detail(self, request: Request, asiento_id: FromPath[int]) -> AsientoOut:
        return await services.get(tenant_of(request), asiento_id)

    @post("/asientos/{asiento_id:int}/anular", summary="Annul an asiento", status_code=200,
          opt={"permission": perms.CORRECT.name})
    async def annul(self, request: Request, asiento_id: FromPath[int],
                    data: JSONBody[Anulacion]) -> AsientoOut:
        return await services.annul(tenant_of(request), asiento_id, data.reason,
                                    actor=actor_of(request).audit_name)

    @post("/asientos/{asiento_id:int}/rectificar", summary="Rectify an asiento",
          status_code=200, opt={"permission": perms.CORRECT.name})
    async def rectify(self, request: Request, asiento_id: FromPath[int],
                      data: JSONBody[Rectificacion]) -> AsientoOut:
        return await services.rectify(tenant_of(request), asiento_id, data,
                                      actor=actor_of(request).audit_name)

    @get("/asientos/{asiento_id:int}/rectificaciones", summary="Corrections of an asiento",
         opt={"permission": perms.VIEW.name})
    async def rectifications(self, request: Request,
                             asiento_id: FromPath[int]) -> list[RectificacionOut]:
        return await services.rectifications(tenant_of(request), asiento_id)

    @get("/asientos/{asiento_id:int}/justificante", summary="The justificante (PDF)",
         opt={"permission": perms.VIEW.name})
    async def justificante(self, request: Request, asiento_id: FromPath[int]) -> Response:
        name, data = await justificante.download(tenant_of(request), asiento_id)
        return download(name, data, "application/pdf")

    @get("/asientos/{asiento_id:int}/anexos/{position:int}", summary="An anexo's content",
         opt={"permission": perms.VIEW.name})
    async def anexo(self, request: Request, asiento_id: FromPath[int],
                    position: FromPath[int]) -> Response:
        asiento = await services.get(tenant_of(request), asiento_id)
        found = next((a for a in asiento.anexos if a.position == position), None)
        if found is None:
            raise NotFoundError(position)
        return download(found.filename, await anexo_content(found.sha256), found.mime)

    @post("/asientos/{asiento_id:int}/distribuir", summary="Send an entrada to a unit",
          status_code=200, opt={"permission": perms.DISTRIBUTE.name})
    async def distribute(self, request: Request, asiento_id: FromPath[int],
                         data: JSONBody[Distribucion]) -> AsientoOut:
        return await distribution.distribute(tenant_of(request), asiento_id, data.unidad,
                                              actor=actor_of(request).audit_name)

    @post("/asientos/{asiento_id:int}/aceptar", summary="The unit takes the entrada",
          status_code=200, opt={"permission": perms.RECEIVE.name})
    async def accept(self, request: Request, asiento_id: FromPath[int]) -> AsientoOut:
        return await distribution.accept(tenant_of(request), asiento_id,
                                         actor=actor_of(request).audit_name)

    @post("/asientos/{asiento_id:int}/devolver", summary="The unit returns the entrada",
          status_code=200, opt={"permission": perms.RECEIVE.name})
    async def give_back(self, request: Request, asiento_id: FromPath[int],
                        data: JSONBody[Devolucion]) -> AsientoOut:
        return await distribution.give_back(tenant_of(request), asiento_id, data.reason,
                                            actor=actor_of(request).audit_name)

    @post("/asientos/{asiento_id:int}/expediente", summary="Link the expediente it opened",
          status_code=200, opt={"permission": perms.RECEIVE.name})
    async def link(self, request: Request, asiento_id: FromPath[int],
                   data: JSONBody[ExpedienteLink]) -> AsientoOut:
        return await distribution.link_expediente(tenant_of(request), asiento_id,
                                                  data.numero_expediente,
                                                  actor=actor_of(request).audit_name)

    @get("/bandeja/{unidad:str}", summary="A unit's inbox", opt={"permission": perms.VIEW.name})
    async def inbox(self, request: Request, unidad: FromPath[str]) -> list[AsientoSummary]:
        return await distribution.inbox(tenant_of(request), unidad)

    @get("/interesados/{documento:str}", summary="Latest details of a person by NIF",
         opt={"permission": perms.VIEW.name})
    async def lookup(self, request: Request, documento: FromPath[str]) -> Persona:
        found = await personas.lookup(tenant_of(request), documento)
        if found is None:
            raise NotFoundError(documento)
        return found

    @get("/libro.csv", summary="Libro de registro of a period (CSV)",
         opt={"permission": perms.EXPORT.name})
    async def libro_csv(self, request: Request) -> Response:
        period = query_struct(request, LibroPeriodo)
        name, data = await libro.csv_export(tenant_of(request), period)
        return download(name, data, "text/csv; charset=utf-8")

    @get("/libro.pdf", summary="Libro de registro of a period (PDF)",
         opt={"permission": perms.EXPORT.name})
    async def libro_pdf(self, request: Request) -> Response:
        period = query_struct(request, LibroPeriodo)
        name, data = await libro.pdf_export(tenant_of(request), period,
                                            actor=actor_of(request).audit_name)
        return download(name, data, "application/pdf")


class SirController(Controller):
    """SIR exchanges of the entity's registry."""

    path = "/sir"
    tags = ["registro"]

    @post("/enviar/{asiento_id:int}", summary="Send an asiento through SIR",
          opt={"permission": perms.SIR.name})
    async def send(self, request: Request, asiento_id: FromPath[int],
                   data: JSONBody[SirEnvio]) -> ExchangeOut:
        return await sir.send(tenant_of(request), asiento_id, data,
                              actor=actor_of(request).audit_name)

    @post("/recibir", summary="Take a SICRES 3 file received outside Concejo",
          opt={"permission": perms.SIR.name})
    async def receive(self, request: Request) -> Response:
        found = await sir.receive(tenant_of(request), await request.body(),
                                  actor=actor_of(request).audit_name)
        return Response(found, status_code=201 if found else 200)

    @get("/", summary="Exchanges, newest first", opt={"permission": perms.SIR.name})
    async def list_exchanges(self, request: Request, direction: FromQuery[str] = "",
                             estado: FromQuery[str] = "") -> list[ExchangeOut]:
        return await sir.list_exchanges(tenant_of(request), direction, estado)

    @get("/{exchange_id:int}", summary="One exchange", opt={"permission": perms.SIR.name})
    async def detail(self, request: Request, exchange_id: FromPath[int]) -> ExchangeOut:
        return await sir.get(tenant_of(request), exchange_id)

    @get("/{exchange_id:int}/fichero", summary="The SICRES file",
         opt={"permission": perms.SIR.name})
    async def file(self, request: Request, exchange_id: FromPath[int]) -> Response:
        name, data = await sir.file_of(tenant_of(request), exchange_id)
        return download(name, data, "application/xml")

    @post("/{exchange_id:int}/aceptar", summary="Register a received exchange",
          status_code=200, opt={"permission": perms.SIR.name})
    async def accept(self, request: Request, exchange_id: FromPath[int]) -> ExchangeOut:
        return await sir.accept(tenant_of(request), exchange_id, actor=actor_of(request).audit_name)

    @post("/{exchange_id:int}/rechazar", summary="Reject a received exchange",
          status_code=200, opt={"permission": perms.SIR.name})
    async def reject(self, request: Request, exchange_id: FromPath[int],
                     data: JSONBody[SirRechazo]) -> ExchangeOut:
        return await sir.reject(tenant_of(request), exchange_id, data.motivo,
                                actor=actor_of(request).audit_name)

    @post("/{exchange_id:int}/reenviar", summary="Resend or forward an exchange",
          status_code=200, opt={"permission": perms.SIR.name})
    async def resend(self, request: Request, exchange_id: FromPath[int],
                     data: JSONBody[SirEnvio]) -> ExchangeOut:
        return await sir.resend(tenant_of(request), exchange_id, data,
                                actor=actor_of(request).audit_name)

    @post("/{exchange_id:int}/reintentar", summary="Retry a failed delivery",
          status_code=200, opt={"permission": perms.SIR.name})
    async def retry(self, request: Request, exchange_id: FromPath[int]) -> ExchangeOut:
        return await sir.retry(tenant_of(request), exchange_id, actor=actor_of(request).audit_name)

    @post("/{exchange_id:int}/anular", summary="Annul an outgoing exchange",
          status_code=200, opt={"permission": perms.SIR.name})
    async def annul(self, request: Request, exchange_id: FromPath[int]) -> ExchangeOut:
        return await sir.annul(tenant_of(request), exchange_id, actor=actor_of(request).audit_name)
