"""JSON API of expedientes: ``/api/v1/<tenant>/expedientes/…`` (problem+json on errors)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from core import kernel as _kernel
from core.documents.controllers import download
from core.documents.eni import TipoDocumental
from core.documents.schemas import DocumentOut
from core.documents.services import spooled
from core.documents.uploads import body_chunks
from core.errors import convert_input
from core.web.pages import actor_of, tenant_of
from plugins.expedientes import (
    asientos,
    busqueda,
    catalogo,
    documentos,
    history,
    indice,
    permissions,
    recepcion,
    remision,
    resoluciones,
    services,
    tareas,
)
from plugins.expedientes.documentos import DocumentoOut
from plugins.expedientes.schemas import (
    ActividadOut,
    AsientoLibro,
    Busqueda,
    Dir3,
    EnvioFirma,
    ExpedienteIn,
    ExpedienteOut,
    ExpedienteSummary,
    InteresadoIn,
    ModeloOut,
    OptionalDir3,
    ProcedimientoIn,
    ProcedimientoOut,
    RelacionIn,
    ResolucionIn,
    ResolucionOut,
    TareaIn,
    TareaOut,
)
from plugins.expedientes.settings import settings_of

VIEW = {"permission": permissions.VIEW.name}
TRAMITAR = {"permission": permissions.TRAMITAR.name}
PROCEDIMIENTOS = {"permission": permissions.PROCEDIMIENTOS.name}
RESOLVER = {"permission": permissions.RESOLVER.name}
CERRAR = {"permission": permissions.CERRAR.name}
IMPORTAR = {"permission": permissions.IMPORTAR.name}


class Publicacion(msgspec.Struct, forbid_unknown_fields=True):
    published: bool


class Responsables(msgspec.Struct, forbid_unknown_fields=True):
    user_ids: Annotated[list[int], msgspec.Meta(min_length=1, max_length=20)]


class DesdeAsiento(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    procedimiento_id: int
    unit_dir3: OptionalDir3 = ""


class Recepcion(msgspec.Struct, forbid_unknown_fields=True):
    subject: Annotated[str, msgspec.Meta(min_length=3, max_length=300, title="Asunto")]


class Unidades(msgspec.Struct, forbid_unknown_fields=True):
    units: Annotated[list[Dir3], msgspec.Meta(max_length=50)]


def filters_of(request: Request) -> Busqueda:
    """The search filters from the query string."""
    return convert_input(dict(request.query_params), Busqueda)


class ApiController(Controller):
    """Procedures, expedientes, tasks and history as JSON."""

    path = "/"
    tags = ["expedientes"]

    @get("/procedimientos", summary="The entity's procedures catalogue", opt=VIEW)
    async def procedimientos(self, request: Request) -> list[ProcedimientoOut]:
        return await catalogo.list_all(tenant_of(request))

    @post("/procedimientos", summary="Add a procedure", opt=PROCEDIMIENTOS)
    async def create_procedimiento(self, request: Request,
                                   data: JSONBody[ProcedimientoIn]) -> ProcedimientoOut:
        return await catalogo.create(tenant_of(request), data,
                                     actor=actor_of(request).audit_name)

    @get("/procedimientos/{procedimiento_id:int}", summary="One procedure", opt=VIEW)
    async def procedimiento(self, request: Request,
                            procedimiento_id: FromPath[int]) -> ProcedimientoOut:
        return await catalogo.get(tenant_of(request), procedimiento_id)

    @put("/procedimientos/{procedimiento_id:int}", summary="Replace a procedure",
         opt=PROCEDIMIENTOS)
    async def update_procedimiento(self, request: Request, procedimiento_id: FromPath[int],
                                   data: JSONBody[ProcedimientoIn]) -> ProcedimientoOut:
        return await catalogo.update(tenant_of(request), procedimiento_id, data,
                                     actor=actor_of(request).audit_name)

    @post("/procedimientos/{procedimiento_id:int}/modelo", status_code=200,
          summary="Publish or withdraw a model procedure (diputación)", opt=PROCEDIMIENTOS)
    async def publish_model(self, request: Request, procedimiento_id: FromPath[int],
                            data: JSONBody[Publicacion]) -> ProcedimientoOut:
        return await catalogo.publish_model(tenant_of(request), procedimiento_id,
                                            data.published, actor=actor_of(request).audit_name)

    @get("/modelos", summary="Model procedures of the diputación", opt=VIEW)
    async def modelos(self, request: Request) -> list[ModeloOut]:
        return await catalogo.list_models(tenant_of(request))

    @post("/modelos/{model_id:int}/adoptar", summary="Adopt a model procedure",
          opt=PROCEDIMIENTOS)
    async def adopt(self, request: Request, model_id: FromPath[int]) -> ProcedimientoOut:
        return await catalogo.adopt_model(tenant_of(request), model_id,
                                          actor=actor_of(request).audit_name)

    @get("/", summary="Search expedientes (q, state, procedimiento_id, unit_dir3, year, nif)",
         opt=VIEW)
    async def search(self, request: Request) -> list[ExpedienteSummary]:
        return await busqueda.search(tenant_of(request), filters_of(request))

    @post("/", summary="Open an expediente", opt=TRAMITAR)
    async def open(self, request: Request, data: JSONBody[ExpedienteIn]) -> ExpedienteOut:
        actor = actor_of(request)
        return await services.open_expediente(tenant_of(request), data,
                                              actor=actor.audit_name, user_id=actor.user_id)

    @get("/mis-tareas", summary="My pending tasks", opt=VIEW)
    async def my_tasks(self, request: Request) -> list[TareaOut]:
        return await busqueda.my_tasks(tenant_of(request), actor_of(request).user_id or 0)

    @get("/de-mi-unidad", summary="Open expedientes of my units", opt=VIEW)
    async def of_unit(self, request: Request) -> list[ExpedienteSummary]:
        return await busqueda.of_unit(tenant_of(request), actor_of(request).user_id or 0)

    @put("/adscripciones/{user_id:int}", status_code=204,
         summary="The units a staff member works in", opt=PROCEDIMIENTOS)
    async def adscripciones(self, request: Request, user_id: FromPath[int],
                            data: JSONBody[Unidades]) -> None:
        await services.set_adscripciones(tenant_of(request), user_id, data.units,
                                         actor=actor_of(request).audit_name)

    @post("/registro/{asiento_id:int}/expediente", opt=TRAMITAR,
          summary="Open an expediente from an entrada of the registro")
    async def open_from_asiento(self, request: Request, asiento_id: FromPath[int],
                                data: JSONBody[DesdeAsiento]) -> ExpedienteOut:
        actor = actor_of(request)
        return await asientos.open_from(tenant_of(request), asiento_id, data.procedimiento_id,
                                        actor=actor.audit_name, user_id=actor.user_id,
                                        unit_dir3=data.unit_dir3)

    @post("/{expediente_id:int}/registro/{asiento_id:int}", status_code=200, opt=TRAMITAR,
          summary="Incorporate an entrada of the registro into the expediente")
    async def attach_asiento(self, request: Request, expediente_id: FromPath[int],
                             asiento_id: FromPath[int]) -> ExpedienteOut:
        return await asientos.attach(tenant_of(request), expediente_id, asiento_id,
                                     actor=actor_of(request).audit_name)

    @post("/importar", request_max_body_size=None, opt=IMPORTAR,
          summary="Receive an ENI expediente (ZIP package, raw body) from another administration")
    async def receive(self, request: Request, subject: FromQuery[str]) -> ExpedienteOut:
        tenant = tenant_of(request)
        limit = settings_of(tenant).max_import_mb * 2**20
        subject = convert_input({"subject": subject}, Recepcion).subject
        async with spooled(body_chunks(request, limit), limit) as package:  # not in memory
            return await recepcion.receive(tenant, package, max_bytes=limit, subject=subject,
                                           actor=actor_of(request).audit_name)

    @get("/{expediente_id:int}", summary="One expediente", opt=VIEW)
    async def detail(self, request: Request, expediente_id: FromPath[int]) -> ExpedienteOut:
        return await services.get(tenant_of(request), expediente_id)

    @get("/{expediente_id:int}/actividad", summary="Activity history", opt=VIEW)
    async def actividad(self, request: Request,
                        expediente_id: FromPath[int]) -> list[ActividadOut]:
        tenant = tenant_of(request)
        await services.check_exists(tenant, expediente_id)
        return await history.timeline(tenant, expediente_id)

    @post("/{expediente_id:int}/interesados", summary="Add an interesado", opt=TRAMITAR)
    async def add_interesado(self, request: Request, expediente_id: FromPath[int],
                             data: JSONBody[InteresadoIn]) -> ExpedienteOut:
        return await services.add_interesado(tenant_of(request), expediente_id, data,
                                             actor=actor_of(request).audit_name)

    @put("/{expediente_id:int}/responsables", summary="Set the responsables", opt=TRAMITAR)
    async def responsables(self, request: Request, expediente_id: FromPath[int],
                           data: JSONBody[Responsables]) -> ExpedienteOut:
        return await services.set_responsables(tenant_of(request), expediente_id,
                                               data.user_ids, actor=actor_of(request).audit_name)

    @post("/{expediente_id:int}/tareas", summary="Add a task", opt=TRAMITAR)
    async def add_tarea(self, request: Request, expediente_id: FromPath[int],
                        data: JSONBody[TareaIn]) -> ExpedienteOut:
        return await tareas.add_tarea(tenant_of(request), expediente_id, data,
                                        actor=actor_of(request).audit_name)

    @post("/tareas/{tarea_id:int}/hecha", status_code=200, summary="Mark a task done",
          opt=TRAMITAR)
    async def complete(self, request: Request, tarea_id: FromPath[int]) -> ExpedienteOut:
        return await tareas.complete_tarea(tenant_of(request), tarea_id,
                                             actor=actor_of(request).audit_name)

    @post("/{expediente_id:int}/fase", status_code=200, summary="Go to the next phase",
          opt=TRAMITAR)
    async def advance(self, request: Request, expediente_id: FromPath[int]) -> ExpedienteOut:
        actor = actor_of(request)
        return await tareas.advance_phase(tenant_of(request), expediente_id,
                                            actor=actor.audit_name, user_id=actor.user_id)

    @post("/{expediente_id:int}/relaciones", summary="Relate two expedientes", opt=TRAMITAR)
    async def relate(self, request: Request, expediente_id: FromPath[int],
                     data: JSONBody[RelacionIn]) -> ExpedienteOut:
        return await services.relate(tenant_of(request), expediente_id, data,
                                     actor=actor_of(request).audit_name)

    @get("/{expediente_id:int}/documentos", summary="The expediente's documents, in order",
         opt=VIEW)
    async def documents(self, request: Request,
                        expediente_id: FromPath[int]) -> list[DocumentoOut]:
        tenant = tenant_of(request)
        await services.check_exists(tenant, expediente_id)
        return await documentos.list_documents(tenant, expediente_id)

    @post("/{expediente_id:int}/documentos", request_max_body_size=None, opt=TRAMITAR,
          summary="Incorporate a file (raw body, streamed; 413, 415, 422 on refusal)")
    async def upload(self, request: Request, expediente_id: FromPath[int],
                     filename: FromQuery[str], title: FromQuery[str],
                     tipo_documental: FromQuery[TipoDocumental] = TipoDocumental.OTROS
                     ) -> DocumentOut:
        limit = _kernel.current().settings.upload_max_bytes
        return await documentos.upload(
            tenant_of(request), expediente_id, chunks=body_chunks(request, limit),
            filename=filename, declared_mime=request.headers.get("content-type", ""),
            title=title, tipo_documental=tipo_documental, actor=actor_of(request).audit_name)

    @post("/{expediente_id:int}/documentos/plantilla/{plantilla_id:int}", opt=TRAMITAR,
          summary="Generate a document from a template of the procedure (sealed, CSV)")
    async def generate(self, request: Request, expediente_id: FromPath[int],
                       plantilla_id: FromPath[int]) -> DocumentOut:
        return await documentos.generate(tenant_of(request), expediente_id, plantilla_id,
                                         actor=actor_of(request).audit_name)

    @get("/{expediente_id:int}/documentos/{document_id:int}/contenido", opt=VIEW,
         summary="Download a document of the expediente")
    async def content(self, request: Request, expediente_id: FromPath[int],
                      document_id: FromPath[int]) -> Response:
        document, data = await documentos.content(tenant_of(request), expediente_id,
                                                  document_id)
        return download(data, document.mime, document.filename)

    @get("/{expediente_id:int}/resoluciones", summary="Resoluciones of the expediente",
         opt=VIEW)
    async def resoluciones(self, request: Request,
                           expediente_id: FromPath[int]) -> list[ResolucionOut]:
        tenant = tenant_of(request)
        await services.check_exists(tenant, expediente_id)
        return await resoluciones.of_expediente(tenant, expediente_id)

    @post("/{expediente_id:int}/resoluciones", summary="Draft a resolución", opt=RESOLVER)
    async def draft(self, request: Request, expediente_id: FromPath[int],
                    data: JSONBody[ResolucionIn]) -> ResolucionOut:
        return await resoluciones.draft(tenant_of(request), expediente_id, data,
                                        actor=actor_of(request).audit_name)

    @get("/resoluciones/{resolucion_id:int}", summary="One resolución", opt=VIEW)
    async def resolucion(self, request: Request, resolucion_id: FromPath[int]) -> ResolucionOut:
        return await resoluciones.get(tenant_of(request), resolucion_id)

    @post("/resoluciones/{resolucion_id:int}/firma", status_code=200, opt=RESOLVER,
          summary="Issue the draft and send it to its signers (alcalde, then secretario)")
    async def send(self, request: Request, resolucion_id: FromPath[int],
                   data: JSONBody[EnvioFirma]) -> ResolucionOut:
        return await resoluciones.send_to_sign(tenant_of(request), resolucion_id, data,
                                               actor=actor_of(request).audit_name)

    @get("/libro/{year:int}", summary="The libro de resoluciones of a year", opt=VIEW)
    async def libro(self, request: Request, year: FromPath[int]) -> list[AsientoLibro]:
        return await resoluciones.libro(tenant_of(request), year)

    @post("/libro/{year:int}/pdf", status_code=200, opt=RESOLVER,
          summary="Issue the libro de resoluciones of a year as a PDF sealed by the entity")
    async def libro_pdf(self, request: Request, year: FromPath[int]) -> Response:
        pdf = await resoluciones.export_libro(tenant_of(request), year,
                                              actor=actor_of(request).audit_name)
        return download(pdf, "application/pdf", f"libro-resoluciones-{year}.pdf")

    @post("/{expediente_id:int}/cierre", status_code=200, opt=CERRAR,
          summary="Close the expediente with its índice signed by the seal (E02)")
    async def close(self, request: Request, expediente_id: FromPath[int]) -> ExpedienteOut:
        return await indice.close(tenant_of(request), expediente_id,
                                  actor=actor_of(request).audit_name)

    @get("/{expediente_id:int}/indice", summary="The signed índice electrónico (XML)",
         opt=VIEW)
    async def indice_xml(self, request: Request, expediente_id: FromPath[int]) -> Response:
        tenant = tenant_of(request)
        expediente = await services.get(tenant, expediente_id)
        xml = await indice.signed_xml(tenant, expediente_id)
        return download(xml, "application/xml", f"indice-{expediente.identificador}.xml")

    @post("/{expediente_id:int}/remision", status_code=200, opt=CERRAR,
          summary="Remit the closed expediente as an ENI package (ZIP); marks it E03")
    async def eni(self, request: Request, expediente_id: FromPath[int]) -> Response:
        tenant = tenant_of(request)
        expediente = await services.get(tenant, expediente_id)
        package = await remision.export_zip(tenant, expediente_id,
                                            actor=actor_of(request).audit_name)
        return download(package, "application/zip", f"{expediente.identificador}.zip")
