"""Pages of expedientes: staff ``/<tenant>/expedientes/…`` and the sede's solicitud
``/sede/<tenant>/expedientes/…`` (server-rendered forms)."""

from __future__ import annotations

from datetime import date

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from core import kernel as _kernel
from core.documents.controllers import download
from core.documents.eni import TipoDocumental
from core.documents.services import spooled
from core.documents.uploads import stream_form
from core.errors import DomainError, InvalidInput, convert_input
from core.identity.actor import Actor
from core.web.pages import actor_of, chosen_files, form_values, page, tenant_of
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
from plugins.expedientes.api import (
    CERRAR,
    IMPORTAR,
    PROCEDIMIENTOS,
    RESOLVER,
    TRAMITAR,
    VIEW,
    Recepcion,
    filters_of,
)
from plugins.expedientes.schemas import (
    EnvioFirma,
    ExpedienteIn,
    InteresadoIn,
    PlantillaIn,
    ProcedimientoIn,
    RelacionIn,
    ResolucionIn,
    TareaIn,
)
from plugins.expedientes.settings import settings_of
from plugins.registro.public import AnexoIn


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


class PlantillaForm(msgspec.Struct, kw_only=True):
    plantilla_id: int


class ResolucionForm(msgspec.Struct, kw_only=True):
    plantilla_id: str = ""
    title: str = ""
    body: str = ""


class AsientoForm(msgspec.Struct, kw_only=True):
    procedimiento_id: int


class ProcedimientoForm(msgspec.Struct, kw_only=True):
    """A procedure as the staff form sends it; ``fases`` is one line per phase:
    ``Instrucción: Informe técnico (10); Informe jurídico (10)`` (días hábiles)."""

    code: str
    name: str
    sia_code: str
    plazo: int
    plazo_unit: str = "meses"
    silencio: str = "desestimatorio"
    unit_dir3: str = ""
    description: str = ""
    fases: str = ""

    def procedimiento(self) -> dict[str, object]:
        return {"code": self.code.strip(), "name": self.name.strip(),
                "sia_code": self.sia_code.strip(), "plazo": self.plazo,
                "plazo_unit": self.plazo_unit, "silencio": self.silencio,
                "unit_dir3": self.unit_dir3.strip().upper(),
                "description": self.description.strip(), "fases": parse_fases(self.fases)}


class PlantillaNueva(msgspec.Struct, kw_only=True):
    code: str
    title: str
    tipo_documental: str
    body: str


def parse_fases(text: str) -> list[dict[str, object]]:
    """``Fase: tarea (días); tarea (días)`` per line → phases with their tasks."""
    fases: list[dict[str, object]] = []
    for line in filter(None, (raw.strip() for raw in text.splitlines())):
        name, _, tasks = line.partition(":")
        tareas = []
        for task in filter(None, (t.strip() for t in tasks.split(";"))):
            title, _, days = task.rstrip(")").rpartition("(")
            if not title.strip() or not days.strip().isdigit():
                raise InvalidInput(f"Tarea mal escrita: {task!r}; use «título (días hábiles)»")
            tareas.append({"title": title.strip(), "dias": int(days)})
        fases.append({"name": name.strip(), "tareas": tareas})
    return fases


TIMELINE_ON_PAGE = 50  # the whole history is in the API (…/actividad)


def _back(request: Request, expediente_id: int) -> Redirect:
    return Redirect(f"/{tenant_of(request).slug}/expedientes/{expediente_id}")


class StaffController(Controller):
    """The bandeja (my tasks, my unit), search, the expediente view and its forms."""

    path = "/"
    include_in_schema = False

    @get("/", name="expedientes:bandeja", opt=VIEW)
    async def bandeja(self, request: Request) -> Template:
        tenant, actor = tenant_of(request), actor_of(request)
        user_id = actor.user_id or 0
        return await page(request, "expedientes/bandeja.html",
                          tareas=await busqueda.my_tasks(tenant, user_id),
                          expedientes=await busqueda.of_unit(tenant, user_id),
                          entradas=await asientos.inbox(tenant, user_id),
                          procedimientos=await catalogo.list_all(tenant, active_only=True))

    @post("/registro/{asiento_id:int}/expediente", opt=TRAMITAR)
    async def open_from_asiento(self, request: Request, asiento_id: FromPath[int],
                                data: URLEncodedBody[AsientoForm]) -> Redirect:
        actor = actor_of(request)
        opened = await asientos.open_from(tenant_of(request), asiento_id,
                                          data.procedimiento_id, actor=actor.audit_name,
                                          user_id=actor.user_id)
        return _back(request, opened.id)

    @get("/buscar", name="expedientes:buscar", opt=VIEW)
    async def buscar(self, request: Request) -> Template:
        tenant = tenant_of(request)
        filters = filters_of(request)
        return await page(request, "expedientes/buscar.html", filters=filters,
                          procedimientos=await catalogo.list_all(tenant),
                          expedientes=await busqueda.search(tenant, filters))

    @get("/nuevo", name="expedientes:nuevo", opt=TRAMITAR)
    async def nuevo(self, request: Request) -> Template:
        return await page(request, "expedientes/nuevo.html",
                          procedimientos=await catalogo.list_all(tenant_of(request),
                                                                 active_only=True))

    @post("/", opt=TRAMITAR)
    async def open(self, request: Request, data: URLEncodedBody[NuevoForm]) -> Redirect:
        tenant, actor = tenant_of(request), actor_of(request)
        expediente = convert_input({"procedimiento_id": data.procedimiento_id,
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
                          modelos=await catalogo.list_models(tenant),
                          tipos=list(TipoDocumental))

    @post("/procedimientos", opt=PROCEDIMIENTOS)
    async def create_procedimiento(self, request: Request,
                                   data: URLEncodedBody[ProcedimientoForm]) -> Redirect:
        tenant = tenant_of(request)
        await catalogo.create(tenant, convert_input(data.procedimiento(), ProcedimientoIn),
                              actor=actor_of(request).audit_name)
        return Redirect(f"/{tenant.slug}/expedientes/procedimientos")

    @post("/procedimientos/{procedimiento_id:int}/plantillas", opt=PROCEDIMIENTOS)
    async def add_plantilla(self, request: Request, procedimiento_id: FromPath[int],
                            data: URLEncodedBody[PlantillaNueva]) -> Redirect:
        tenant = tenant_of(request)
        plantilla = convert_input({"code": data.code.strip(), "title": data.title.strip(),
                             "tipo_documental": data.tipo_documental, "body": data.body},
                            PlantillaIn)
        await catalogo.add_plantilla(tenant, procedimiento_id, plantilla,
                                     actor=actor_of(request).audit_name)
        return Redirect(f"/{tenant.slug}/expedientes/procedimientos")

    @post("/procedimientos/{procedimiento_id:int}/modelo", opt=PROCEDIMIENTOS)
    async def publish_model(self, request: Request, procedimiento_id: FromPath[int]) -> Redirect:
        tenant = tenant_of(request)
        await catalogo.publish_model(tenant, procedimiento_id, True,
                                     actor=actor_of(request).audit_name)
        return Redirect(f"/{tenant.slug}/expedientes/procedimientos")

    @post("/modelos/{model_id:int}/adoptar", opt=PROCEDIMIENTOS)
    async def adopt(self, request: Request, model_id: FromPath[int]) -> Redirect:
        tenant = tenant_of(request)
        await catalogo.adopt_model(tenant, model_id, actor=actor_of(request).audit_name)
        return Redirect(f"/{tenant.slug}/expedientes/procedimientos")

    @get("/libro", name="expedientes:libro", opt=VIEW)
    async def libro(self, request: Request, year: FromQuery[int | None] = None) -> Template:
        year = year or date.today().year
        return await page(request, "expedientes/libro.html", year=year,
                          entries=await resoluciones.libro(tenant_of(request), year))

    @post("/libro/{year:int}/pdf", status_code=200, opt=RESOLVER)
    async def libro_pdf(self, request: Request, year: FromPath[int]) -> Response:
        pdf = await resoluciones.export_libro(tenant_of(request), year,
                                              actor=actor_of(request).audit_name)
        return download(pdf, "application/pdf", f"libro-resoluciones-{year}.pdf")

    @get("/importar", name="expedientes:importar", opt=IMPORTAR)
    async def import_form(self, request: Request) -> Template:
        return await page(request, "expedientes/importar.html")

    @post("/importar", opt=IMPORTAR, request_max_body_size=None)
    async def receive(self, request: Request) -> Redirect:
        tenant = tenant_of(request)
        limit = settings_of(tenant).max_import_mb * 2**20
        fields, file = await stream_form(request, "paquete", limit)
        subject = convert_input({"subject": fields.get("subject", "").strip()},
                                Recepcion).subject
        async with spooled(file.chunks, limit) as package:  # never whole in memory
            received = await recepcion.receive(tenant, package, max_bytes=limit,
                                               subject=subject,
                                               actor=actor_of(request).audit_name)
        return _back(request, received.id)

    @get("/{expediente_id:int}", name="expedientes:detalle", opt=VIEW)
    async def detail(self, request: Request, expediente_id: FromPath[int]) -> Template:
        return await self._detail(request, expediente_id)

    async def _detail(self, request: Request, expediente_id: int, status_code: int = 200,
                      **extra: object) -> Template:
        """The expediente page; a refused form of it comes back in ``extra``."""
        tenant, actor = tenant_of(request), actor_of(request)
        async with services.snapshot():
            expediente = await services.get(tenant, expediente_id)
            context = {
                "plantillas": await catalogo.plantillas(tenant, expediente.procedimiento_id)
                if expediente.procedimiento_id else [],
                "actividad": await history.timeline(tenant, expediente_id,
                                                    limit=TIMELINE_ON_PAGE),
                "documentos": await documentos.list_documents(tenant, expediente_id),
                "resoluciones": await resoluciones.of_expediente(tenant, expediente_id),
                "staff": await services.staff(tenant)}
        return await page(request, "expedientes/detalle.html", status_code=status_code,
                          expediente=expediente, timeline_limit=TIMELINE_ON_PAGE,
                          tipos=list(TipoDocumental),
                          can_edit=actor.can(permissions.TRAMITAR.name)
                          and expediente.state == "E01", **context, **{"envio": None, **extra})

    @get("/{expediente_id:int}/documentos/{document_id:int}", opt=VIEW)
    async def document(self, request: Request, expediente_id: FromPath[int],
                       document_id: FromPath[int]) -> Response:
        document, data = await documentos.content(tenant_of(request), expediente_id,
                                                  document_id)
        return download(data, document.mime, document.filename)

    @post("/{expediente_id:int}/documentos", opt=TRAMITAR, request_max_body_size=None)
    async def upload(self, request: Request, expediente_id: FromPath[int]) -> Redirect:
        fields, file = await stream_form(request, "fichero",
                                         _kernel.current().settings.upload_max_bytes)
        await documentos.upload(
            tenant_of(request), expediente_id, chunks=file.chunks, filename=file.filename,
            declared_mime=file.content_type, title=fields.get("title", ""),
            tipo_documental=fields.get("tipo_documental") or TipoDocumental.OTROS,
            actor=actor_of(request).audit_name)
        return _back(request, expediente_id)

    @post("/{expediente_id:int}/documentos/plantilla", opt=TRAMITAR)
    async def generate(self, request: Request, expediente_id: FromPath[int],
                       data: URLEncodedBody[PlantillaForm]) -> Redirect:
        await documentos.generate(tenant_of(request), expediente_id, data.plantilla_id,
                                  actor=actor_of(request).audit_name)
        return _back(request, expediente_id)

    @post("/{expediente_id:int}/resoluciones", opt=RESOLVER)
    async def draft(self, request: Request, expediente_id: FromPath[int],
                    data: URLEncodedBody[ResolucionForm]) -> Redirect:
        fields = {"plantilla_id": int(data.plantilla_id) if data.plantilla_id.isdigit()
                  else None, "title": data.title.strip() or None,
                  "body": data.body.strip() or None}
        await resoluciones.draft(tenant_of(request), expediente_id,
                                 convert_input(fields, ResolucionIn),
                                 actor=actor_of(request).audit_name)
        return _back(request, expediente_id)

    @post("/resoluciones/{resolucion_id:int}/firma", opt=RESOLVER)
    async def send(self, request: Request, resolucion_id: FromPath[int]) -> Response:
        """Send a draft to its signers (the configured ones, or those chosen); refused, the
        expediente page again with the reason, the choice kept and a way on."""
        tenant = tenant_of(request)
        chosen = [s for s in (await request.form()).getall("signers", []) if s]
        try:
            sent = await resoluciones.send_to_sign(
                tenant, resolucion_id, convert_input({"signers": chosen}, EnvioFirma),
                actor=actor_of(request).audit_name)
        except DomainError as exc:
            resolucion = await resoluciones.get(tenant, resolucion_id)
            return await self._detail(request, resolucion.expediente_id, 422, envio={
                "id": resolucion_id, "error": str(exc), "signers": chosen})
        return _back(request, sent.expediente_id)

    @post("/{expediente_id:int}/cierre", opt=CERRAR)
    async def close(self, request: Request, expediente_id: FromPath[int]) -> Redirect:
        await indice.close(tenant_of(request), expediente_id,
                           actor=actor_of(request).audit_name)
        return _back(request, expediente_id)

    @post("/{expediente_id:int}/remision", status_code=200, opt=CERRAR)
    async def remit(self, request: Request, expediente_id: FromPath[int]) -> Response:
        tenant = tenant_of(request)
        expediente = await services.get(tenant, expediente_id)
        package = await remision.export_zip(tenant, expediente_id,
                                            actor=actor_of(request).audit_name)
        return download(package, "application/zip", f"{expediente.identificador}.zip")

    @post("/{expediente_id:int}/interesados", opt=TRAMITAR)
    async def add_interesado(self, request: Request, expediente_id: FromPath[int],
                             data: URLEncodedBody[PersonaForm]) -> Redirect:
        for interesado in data.interesados():
            await services.add_interesado(tenant_of(request), expediente_id,
                                          convert_input(interesado, InteresadoIn),
                                          actor=actor_of(request).audit_name)
        return _back(request, expediente_id)

    @post("/{expediente_id:int}/tareas", opt=TRAMITAR)
    async def add_tarea(self, request: Request, expediente_id: FromPath[int],
                        data: URLEncodedBody[TareaForm]) -> Redirect:
        tarea = convert_input({"title": data.title.strip(), "dias": data.dias,
                         "assignee_id": int(data.assignee_id)
                         if data.assignee_id.isdigit() else None}, TareaIn)
        await tareas.add_tarea(tenant_of(request), expediente_id, tarea,
                                 actor=actor_of(request).audit_name)
        return _back(request, expediente_id)

    @post("/tareas/{tarea_id:int}/hecha", opt=TRAMITAR)
    async def complete(self, request: Request, tarea_id: FromPath[int]) -> Redirect:
        expediente = await tareas.complete_tarea(tenant_of(request), tarea_id,
                                                   actor=actor_of(request).audit_name)
        return _back(request, expediente.id)

    @post("/{expediente_id:int}/fase", opt=TRAMITAR)
    async def advance(self, request: Request, expediente_id: FromPath[int]) -> Redirect:
        actor = actor_of(request)
        await tareas.advance_phase(tenant_of(request), expediente_id,
                                     actor=actor.audit_name, user_id=actor.user_id)
        return _back(request, expediente_id)

    @post("/{expediente_id:int}/relaciones", opt=TRAMITAR)
    async def relate(self, request: Request, expediente_id: FromPath[int],
                     data: URLEncodedBody[RelacionForm]) -> Redirect:
        tenant = tenant_of(request)
        related = await services.id_by_code(tenant, data.code)
        await services.relate(tenant, expediente_id,
                              convert_input({"related_id": related, "note": data.note.strip()},
                                      RelacionIn),
                              actor=actor_of(request).audit_name)
        return _back(request, expediente_id)


_SOLICITUD_FIELDS = ("name", "first_surname", "second_surname", "asunto", "expone",
                     "solicita")


class SedeController(Controller):
    """``/sede/<tenant>/expedientes/``: the entity's procedures and their online solicitud."""

    path = "/"
    include_in_schema = False

    @get("/", name="expedientes:sede")
    async def procedimientos(self, request: Request) -> Template:
        return await page(request, "expedientes/sede_procedimientos.html",
                          procedimientos=await catalogo.list_all(tenant_of(request),
                                                                 active_only=True))

    async def _form(self, request: Request, procedimiento_id: int, values: dict[str, str],
                    error: DomainError | None = None, status_code: int = 200,
                    chosen: dict[str, list[str]] | None = None) -> Template:
        procedimiento = await catalogo.get(tenant_of(request), procedimiento_id)
        return await page(request, "expedientes/sede_solicitud.html",
                          procedimiento=procedimiento, values=values, error=error,
                          status_code=status_code, chosen=chosen or {})

    @get("/{procedimiento_id:int}/solicitud", name="expedientes:sede-solicitud")
    async def form(self, request: Request, procedimiento_id: FromPath[int]) -> Template:
        actor = _citizen(request)
        name, _, surnames = actor.name.partition(" ")
        first, _, second = surnames.partition(" ")
        return await self._form(request, procedimiento_id, {
            "name": name, "first_surname": first, "second_surname": second})

    @post("/{procedimiento_id:int}/solicitud")
    async def present(self, request: Request, procedimiento_id: FromPath[int]) -> Template:
        """Present the solicitud; a refusal shows the form again, every wrong field named
        and everything typed kept (the files are named to be chosen again)."""
        tenant, actor = tenant_of(request), _citizen(request)
        values, form = await form_values(request), await request.form()
        try:
            solicitud = convert_input({k: values.get(k, "").strip()
                                       for k in _SOLICITUD_FIELDS}, asientos.Solicitud)
            anexos = [{"filename": f.filename[-80:], "content": await f.read(),
                       "mime": f.content_type or ""} for f in form.getall("anexos", [])
                      if isinstance(f, UploadFile) and f.filename]
            asiento = await asientos.present(tenant, actor, procedimiento_id, solicitud,
                                             convert_input(anexos, list[AnexoIn]))
        except DomainError as exc:
            return await self._form(request, procedimiento_id, values, error=exc,
                                    status_code=422, chosen=chosen_files(form))
        return await page(request, "expedientes/sede_presentada.html", status_code=201,
                          asiento=asiento)


def _citizen(request: Request) -> Actor:
    """The identified citizen (401 sends others to identify themselves)."""
    actor = actor_of(request)
    if actor.kind != "citizen":
        raise NotAuthorizedException("Identify yourself to present a solicitud")
    return actor
