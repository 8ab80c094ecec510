"""JSON API of expedientes: ``/api/v1/<tenant>/expedientes/…`` (problem+json on errors)."""

from __future__ import annotations

from typing import Annotated, TypeVar

import msgspec
from litestar import Controller, Request, get, post, put
from litestar.exceptions import ValidationException
from litestar.params import FromPath, JSONBody

from core.web.pages import actor_of, tenant_of
from plugins.expedientes import catalogo, history, permissions, services
from plugins.expedientes.schemas import (
    ActividadOut,
    Busqueda,
    ExpedienteIn,
    ExpedienteOut,
    ExpedienteSummary,
    InteresadoIn,
    ModeloOut,
    ProcedimientoIn,
    ProcedimientoOut,
    RelacionIn,
    TareaIn,
    TareaOut,
)

T = TypeVar("T")
VIEW = {"permission": permissions.VIEW.name}
TRAMITAR = {"permission": permissions.TRAMITAR.name}
PROCEDIMIENTOS = {"permission": permissions.PROCEDIMIENTOS.name}


class Publicacion(msgspec.Struct, forbid_unknown_fields=True):
    published: bool


class Responsables(msgspec.Struct, forbid_unknown_fields=True):
    user_ids: Annotated[list[int], msgspec.Meta(min_length=1, max_length=20)]


class Unidades(msgspec.Struct, forbid_unknown_fields=True):
    units: Annotated[list[Annotated[str, msgspec.Meta(pattern=r"^[A-Z0-9]{9}$")]],
                     msgspec.Meta(max_length=50)]


def convert(value: object, type_: type[T]) -> T:
    """``msgspec.convert`` from form or query strings; 400 with the reason when invalid."""
    try:
        return msgspec.convert(value, type_, strict=False)
    except msgspec.ValidationError as exc:
        raise ValidationException(detail=str(exc)) from None


def filters_of(request: Request) -> Busqueda:
    """The search filters from the query string."""
    return convert(dict(request.query_params), Busqueda)


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
        return await services.search(tenant_of(request), filters_of(request))

    @post("/", summary="Open an expediente", opt=TRAMITAR)
    async def open(self, request: Request, data: JSONBody[ExpedienteIn]) -> ExpedienteOut:
        actor = actor_of(request)
        return await services.open_expediente(tenant_of(request), data,
                                              actor=actor.audit_name, user_id=actor.user_id)

    @get("/mis-tareas", summary="My pending tasks", opt=VIEW)
    async def my_tasks(self, request: Request) -> list[TareaOut]:
        return await services.my_tasks(tenant_of(request), actor_of(request).user_id or 0)

    @get("/de-mi-unidad", summary="Open expedientes of my units", opt=VIEW)
    async def of_unit(self, request: Request) -> list[ExpedienteSummary]:
        return await services.of_unit(tenant_of(request), actor_of(request).user_id or 0)

    @put("/adscripciones/{user_id:int}", status_code=204,
         summary="The units a staff member works in", opt=PROCEDIMIENTOS)
    async def adscripciones(self, request: Request, user_id: FromPath[int],
                            data: JSONBody[Unidades]) -> None:
        await services.set_adscripciones(tenant_of(request), user_id, data.units,
                                         actor=actor_of(request).audit_name)

    @get("/{expediente_id:int}", summary="One expediente", opt=VIEW)
    async def detail(self, request: Request, expediente_id: FromPath[int]) -> ExpedienteOut:
        return await services.get(tenant_of(request), expediente_id)

    @get("/{expediente_id:int}/actividad", summary="Activity history", opt=VIEW)
    async def actividad(self, request: Request,
                        expediente_id: FromPath[int]) -> list[ActividadOut]:
        tenant = tenant_of(request)
        await services.get(tenant, expediente_id)
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
        return await services.add_tarea(tenant_of(request), expediente_id, data,
                                        actor=actor_of(request).audit_name)

    @post("/tareas/{tarea_id:int}/hecha", status_code=200, summary="Mark a task done",
          opt=TRAMITAR)
    async def complete(self, request: Request, tarea_id: FromPath[int]) -> ExpedienteOut:
        return await services.complete_tarea(tenant_of(request), tarea_id,
                                             actor=actor_of(request).audit_name)

    @post("/{expediente_id:int}/fase", status_code=200, summary="Go to the next phase",
          opt=TRAMITAR)
    async def advance(self, request: Request, expediente_id: FromPath[int]) -> ExpedienteOut:
        actor = actor_of(request)
        return await services.advance_phase(tenant_of(request), expediente_id,
                                            actor=actor.audit_name, user_id=actor.user_id)

    @post("/{expediente_id:int}/relaciones", summary="Relate two expedientes", opt=TRAMITAR)
    async def relate(self, request: Request, expediente_id: FromPath[int],
                     data: JSONBody[RelacionIn]) -> ExpedienteOut:
        return await services.relate(tenant_of(request), expediente_id, data,
                                     actor=actor_of(request).audit_name)
