"""API shapes and events of expedientes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from core.documents.eni import TipoDocumental

Dir3 = Annotated[str, msgspec.Meta(pattern=r"^[A-Z0-9]{9}$")]
OptionalDir3 = Annotated[str, msgspec.Meta(pattern=r"^([A-Z0-9]{9})?$")]  # "": not said
Code = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9-]{1,39}$",
                                   description="minúsculas, cifras y guiones")]
SiaCode = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_-]{1,30}$")]
Title = Annotated[str, msgspec.Meta(min_length=3, max_length=300)]
Name = Annotated[str, msgspec.Meta(min_length=2, max_length=200)]
Nif = Annotated[str, msgspec.Meta(min_length=8, max_length=17)]
Email = Annotated[str, msgspec.Meta(max_length=254)]
Address = Annotated[str, msgspec.Meta(max_length=300)]
Note = Annotated[str, msgspec.Meta(max_length=300)]
Body = Annotated[str, msgspec.Meta(min_length=1, max_length=100_000)]
PlazoUnit = Literal["dias_habiles", "dias_naturales", "meses"]
Silencio = Literal["estimatorio", "desestimatorio"]
Estado = Literal["E01", "E02", "E03"]
Days = Annotated[int, msgspec.Meta(ge=1, le=365)]


# --------------------------------------------------------------------------- catálogo


class TareaModelo(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A task every expediente gets when it enters the phase; due ``dias`` días hábiles later."""

    title: Annotated[Title, msgspec.Meta(title="Tarea")]
    dias: Annotated[Days, msgspec.Meta(title="Plazo en días hábiles")]


class Fase(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Annotated[Title, msgspec.Meta(title="Fase")]
    tareas: Annotated[list[TareaModelo], msgspec.Meta(title="Tareas")] = []


class PlantillaIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A document template: ``body`` is Jinja2 text (sandboxed), paragraphs by blank lines."""

    code: Annotated[Code, msgspec.Meta(title="Código")]
    title: Annotated[Title, msgspec.Meta(title="Título")]
    tipo_documental: Annotated[TipoDocumental, msgspec.Meta(
        title="Tipo documental")] = TipoDocumental.OTROS
    body: Annotated[Body, msgspec.Meta(title="Texto")]


class PlantillaOut(PlantillaIn, kw_only=True):
    id: int


class ProcedimientoIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    code: Annotated[Code, msgspec.Meta(title="Código (minúsculas, cifras y guiones)")]
    name: Annotated[Title, msgspec.Meta(title="Nombre")]
    sia_code: Annotated[SiaCode, msgspec.Meta(title="Código SIA")]
    description: Annotated[str, msgspec.Meta(max_length=4000, title="Descripción")] = ""
    plazo: Annotated[int, msgspec.Meta(ge=1, le=730, title="Plazo para resolver")]
    plazo_unit: Annotated[PlazoUnit, msgspec.Meta(title="Unidad del plazo")] = "meses"
    silencio: Annotated[Silencio, msgspec.Meta(title="Silencio")] = "desestimatorio"
    unit_dir3: Annotated[OptionalDir3, msgspec.Meta(
        title="Unidad tramitadora (DIR3)")] = ""  # empty: the entity itself
    fases: Annotated[list[Fase], msgspec.Meta(max_length=20, title="Fases")] = []
    plantillas: Annotated[list[PlantillaIn], msgspec.Meta(max_length=50,
                                                          title="Plantillas")] = []


class ProcedimientoOut(msgspec.Struct, kw_only=True):
    id: int
    code: str
    name: str
    sia_code: str
    description: str
    plazo: int
    plazo_unit: str
    silencio: str
    unit_dir3: str
    fases: list[Fase]
    plantillas: list[PlantillaOut]
    is_model: bool
    adopted_from: int | None
    active: bool


class ModeloOut(msgspec.Struct, kw_only=True):
    """A model procedure the diputación publishes, as an entity sees it."""

    id: int
    code: str
    name: str
    sia_code: str
    description: str
    adopted: bool  # the entity has a procedure copied from it


# --------------------------------------------------------------------------- expedientes


class PersonaIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A person or company; the NIF / NIE / CIF is checked."""

    nif: Annotated[Nif, msgspec.Meta(title="NIF, NIE o CIF")]
    name: Annotated[Name, msgspec.Meta(title="Nombre o razón social")]
    email: Annotated[Email, msgspec.Meta(title="Correo electrónico")] = ""
    address: Annotated[Address, msgspec.Meta(title="Dirección")] = ""


class InteresadoIn(PersonaIn, forbid_unknown_fields=True, kw_only=True):
    """An interesado, with the representative acting for them if any."""

    representante: Annotated[PersonaIn, msgspec.Meta(title="Representante")] | None = None


class InteresadoOut(msgspec.Struct, kw_only=True):
    position: int
    role: str
    represents: int | None
    nif: str
    name: str
    email: str
    address: str


class ExpedienteIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    procedimiento_id: Annotated[int, msgspec.Meta(title="Procedimiento")]
    subject: Annotated[Title, msgspec.Meta(title="Asunto")]
    interesados: Annotated[list[InteresadoIn], msgspec.Meta(max_length=100,
                                                            title="Interesados")] = []
    unit_dir3: Annotated[OptionalDir3, msgspec.Meta(
        title="Unidad tramitadora (DIR3)")] = ""  # empty: the procedure's unit
    responsables: Annotated[list[int], msgspec.Meta(
        max_length=20, title="Responsables")] = []  # empty: the opener


class UserRef(msgspec.Struct, kw_only=True):
    id: int
    name: str
    email: str


class TareaIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An ad hoc task: due ``dias`` días hábiles from today, or on ``due_date``."""

    title: Annotated[Title, msgspec.Meta(title="Tarea")]
    dias: Annotated[Days, msgspec.Meta(title="Plazo en días hábiles")] | None = None
    due_date: Annotated[date, msgspec.Meta(title="Fecha de vencimiento")] | None = None
    assignee_id: Annotated[int, msgspec.Meta(title="Asignada a")] | None = None


class TareaOut(msgspec.Struct, kw_only=True):
    id: int
    expediente_id: int
    expediente_code: str
    expediente_subject: str
    phase: int
    title: str
    assignee: UserRef | None
    due_date: date
    done_at: datetime | None
    done_by: str


class RelacionIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    related_id: Annotated[int, msgspec.Meta(title="Expediente relacionado")]
    note: Annotated[Note, msgspec.Meta(title="Nota")] = ""


class ExpedienteRef(msgspec.Struct, kw_only=True):
    id: int
    code: str
    subject: str
    state: str
    note: str = ""


class ActividadOut(msgspec.Struct, kw_only=True):
    at: datetime
    actor: str
    action: str
    summary: str


class ExpedienteSummary(msgspec.Struct, kw_only=True):
    """A row of a list of expedientes."""

    id: int
    code: str
    identificador: str
    subject: str
    state: str
    procedimiento: str
    unit_dir3: str
    opened_at: datetime
    due_date: date | None


class ExpedienteOut(ExpedienteSummary, kw_only=True):
    """An expediente with its people, phase and tasks, related files and history."""

    year: int
    number: int
    procedimiento_id: int | None
    clasificacion: str
    phase: int
    phase_name: str
    origin: str
    registro_ref: str
    opened_by: str
    closed_at: datetime | None
    interesados: list[InteresadoOut]
    responsables: list[UserRef]
    tareas: list[TareaOut]
    relacionados: list[ExpedienteRef]


class Busqueda(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Filters of the expedientes list; every one optional, combined with AND."""

    q: Annotated[str, msgspec.Meta(max_length=100, title=(
        "Número, asunto, NIF o nombre de un interesado"))] = ""  # code, subject or interesado
    state: Annotated[Estado | Literal[""], msgspec.Meta(title="Estado")] = ""
    procedimiento_id: Annotated[int, msgspec.Meta(title="Procedimiento")] | None = None
    unit_dir3: Annotated[OptionalDir3, msgspec.Meta(title="Unidad tramitadora (DIR3)")] = ""
    year: Annotated[int, msgspec.Meta(ge=2000, le=2100, title="Año")] | None = None
    nif: Annotated[str, msgspec.Meta(max_length=17, title="NIF")] = ""
    limit: Annotated[int, msgspec.Meta(ge=1, le=500, title="Límite de resultados")] = 100
    offset: Annotated[int, msgspec.Meta(ge=0, title="Desplazamiento")] = 0


class ExpedienteCiudadano(msgspec.Struct, kw_only=True):
    """What the carpeta ciudadana shows a citizen about one of their expedientes."""

    id: int
    code: str
    subject: str
    procedimiento: str
    state: str  # E01 | E02 | E03
    opened_at: datetime
    due_date: date | None
    role: str  # interesado | representante


# --------------------------------------------------------------------------- events


class ExpedienteAbierto(msgspec.Struct, frozen=True):
    """Event: an expediente was opened (by hand, from a registry entry or imported)."""

    expediente_id: int
    code: str
    origin: str


class ExpedienteCerrado(msgspec.Struct, frozen=True):
    """Event: an expediente was closed with its signed índice electrónico."""

    expediente_id: int
    code: str


# --------------------------------------------------------------------------- resoluciones


class ResolucionIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A draft: from a template of the procedure (``plantilla_id``) or written (``body``)."""

    title: Annotated[Title, msgspec.Meta(title="Título")] | None = None
    body: Annotated[Body, msgspec.Meta(title="Texto")] | None = None
    plantilla_id: Annotated[int, msgspec.Meta(title="Plantilla")] | None = None


class EnvioFirma(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Signers in order (user ids); empty: the entity's alcalde, then its secretario."""

    signers: Annotated[list[int], msgspec.Meta(max_length=5)] = []


class ResolucionOut(msgspec.Struct, kw_only=True):
    id: int
    expediente_id: int
    title: str
    body: str
    state: str  # borrador | en_firma | firmada | rechazada
    document_id: int | None
    flow_id: int | None
    numero: str  # in the libro de resoluciones: 2026/0001 once signed
    signed_at: datetime | None
    reason: str
    created_by: str
    created_at: datetime


class AsientoLibro(msgspec.Struct, kw_only=True):
    """An entry of the libro de resoluciones."""

    numero: str
    signed_at: datetime
    title: str
    expediente_id: int
    expediente_code: str
    document_id: int
    csv: str | None
    sha256: str


class ResolucionFirmada(msgspec.Struct, frozen=True):
    """Event: a resolución was signed and numbered in the libro de resoluciones."""

    resolucion_id: int
    expediente_id: int
    numero: str
