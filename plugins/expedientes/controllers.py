"""Staff pages of expedientes: ``/<tenant>/expedientes/…`` (server-rendered forms)."""

from __future__ import annotations

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from core.web.pages import actor_of, page, tenant_of
from plugins.expedientes import catalogo, history, permissions, services
from plugins.expedientes.api import PROCEDIMIENTOS, TRAMITAR, VIEW, convert, filters_of
from plugins.expedientes.schemas import (
    ExpedienteIn,
    InteresadoIn,
    RelacionIn,
    TareaIn,
)


class PersonaForm(msgspec.Struct, kw_only=True):
    """An interesado and, optionally, the representative, as flat form fields."""

    nif: str = ""
    name: str = ""
    email: str = ""
    rep_nif: str = ""
    rep_name: str = ""

    def interesados(self) -> list[dict[str, object]]:
        if not self.nif.strip():
            return []
        representante = ({"nif": self.rep_nif.strip(), "name": self.rep_name.strip()}
                         if self.rep_nif.strip() else None)
        return [{"nif": self.nif.strip(), "name": self.name.strip(),
                 "email": self.email.strip(), "representante": representante}]


class NuevoForm(PersonaForm, kw_only=True):
    procedimiento_id: int
    subject: str


class TareaForm(msgspec.Struct, kw_only=True):
    title: str
    dias: int = 10
    assignee_id: str = ""


class RelacionForm(msgspec.Struct, kw_only=True):
    code: str
    note: str = ""


def _back(request: Request, expediente_id: int) -> Redirect:
    return Redirect(f"/{tenant_of(request).slug}/expedientes/{expediente_id}")


class StaffController(Controller):
    """The bandeja (my tasks, my unit), search, the expediente view and its forms."""

    path = "/"
    include_in_schema = False

    @get("/", name="expedientes:bandeja", opt=VIEW)
    async def bandeja(self, request: Request) -> Template:
        tenant, actor = tenant_of(request), actor_of(request)
        return await page(request, "expedientes/bandeja.html",
                          tareas=await services.my_tasks(tenant, actor.user_id or 0),
                          expedientes=await services.of_unit(tenant, actor.user_id or 0))

    @get("/buscar", name="expedientes:buscar", opt=VIEW)
    async def buscar(self, request: Request) -> Template:
        tenant = tenant_of(request)
        filters = filters_of(request)
        return await page(request, "expedientes/buscar.html", filters=filters,
                          procedimientos=await catalogo.list_all(tenant),
                          expedientes=await services.search(tenant, filters))

    @get("/nuevo", name="expedientes:nuevo", opt=TRAMITAR)
    async def nuevo(self, request: Request) -> Template:
        return await page(request, "expedientes/nuevo.html",
                          procedimientos=await catalogo.list_all(tenant_of(request),
                                                                 active_only=True))

    @post("/", opt=TRAMITAR)
    async def open(self, request: Request, data: URLEncodedBody[NuevoForm]) -> Redirect:
        tenant, actor = tenant_of(request), actor_of(request)
        expediente = convert({"procedimiento_id": data.procedimiento_id,
                              "subject": data.subject.strip(),
                              "interesados": data.interesados()}, ExpedienteIn)
        opened = await services.open_expediente(tenant, expediente, actor=actor.audit_name,
                                                user_id=actor.user_id)
        return _back(request, opened.id)

    @get("/procedimientos", name="expedientes:procedimientos", opt=VIEW)
    async def procedimientos(self, request: Request) -> Template:
        tenant = tenant_of(request)
        return await page(request, "expedientes/procedimientos.html",
                          procedimientos=await catalogo.list_all(tenant),
                          modelos=await catalogo.list_models(tenant))

    @post("/modelos/{model_id:int}/adoptar", opt=PROCEDIMIENTOS)
    async def adopt(self, request: Request, model_id: FromPath[int]) -> Redirect:
        tenant = tenant_of(request)
        await catalogo.adopt_model(tenant, model_id, actor=actor_of(request).audit_name)
        return Redirect(f"/{tenant.slug}/expedientes/procedimientos")

    @get("/{expediente_id:int}", name="expedientes:detalle", opt=VIEW)
    async def detail(self, request: Request, expediente_id: FromPath[int]) -> Template:
        tenant = tenant_of(request)
        expediente = await services.get(tenant, expediente_id)
        return await page(request, "expedientes/detalle.html", expediente=expediente,
                          actividad=await history.timeline(tenant, expediente_id),
                          staff=await services.staff(tenant),
                          can_edit=actor_of(request).can(permissions.TRAMITAR.name)
                          and expediente.state == "E01")

    @post("/{expediente_id:int}/interesados", opt=TRAMITAR)
    async def add_interesado(self, request: Request, expediente_id: FromPath[int],
                             data: URLEncodedBody[PersonaForm]) -> Redirect:
        for interesado in data.interesados():
            await services.add_interesado(tenant_of(request), expediente_id,
                                          convert(interesado, InteresadoIn),
                                          actor=actor_of(request).audit_name)
        return _back(request, expediente_id)

    @post("/{expediente_id:int}/tareas", opt=TRAMITAR)
    async def add_tarea(self, request: Request, expediente_id: FromPath[int],
                        data: URLEncodedBody[TareaForm]) -> Redirect:
        tarea = convert({"title": data.title.strip(), "dias": data.dias,
                         "assignee_id": int(data.assignee_id)
                         if data.assignee_id.isdigit() else None}, TareaIn)
        await services.add_tarea(tenant_of(request), expediente_id, tarea,
                                 actor=actor_of(request).audit_name)
        return _back(request, expediente_id)

    @post("/tareas/{tarea_id:int}/hecha", opt=TRAMITAR)
    async def complete(self, request: Request, tarea_id: FromPath[int]) -> Redirect:
        expediente = await services.complete_tarea(tenant_of(request), tarea_id,
                                                   actor=actor_of(request).audit_name)
        return _back(request, expediente.id)

    @post("/{expediente_id:int}/fase", opt=TRAMITAR)
    async def advance(self, request: Request, expediente_id: FromPath[int]) -> Redirect:
        actor = actor_of(request)
        await services.advance_phase(tenant_of(request), expediente_id,
                                     actor=actor.audit_name, user_id=actor.user_id)
        return _back(request, expediente_id)

    @post("/{expediente_id:int}/relaciones", opt=TRAMITAR)
    async def relate(self, request: Request, expediente_id: FromPath[int],
                     data: URLEncodedBody[RelacionForm]) -> Redirect:
        tenant = tenant_of(request)
        related = await services.id_by_code(tenant, data.code)
        await services.relate(tenant, expediente_id,
                              convert({"related_id": related, "note": data.note.strip()},
                                      RelacionIn),
                              actor=actor_of(request).audit_name)
        return _back(request, expediente_id)
