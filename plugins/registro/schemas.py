"""API shapes of the registro: asientos in and out, corrections, distribution, SIR."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec

from plugins.registro.sicres import S2, S4, S5, S16, S17, S20, S30, S50, S80, S160, S4000

Direction = Literal["entrada", "salida"]
Channel = Literal["presencial", "sede", "sir"]
DocumentType = Literal["N", "C", "P", "E", "X", "O"]
Dir3 = Annotated[str, msgspec.Meta(pattern=r"^[A-Z][A-Z0-9]{8}$")]
Extracto = Annotated[str, msgspec.Meta(min_length=3, max_length=240, title="Extracto")]
Reason = Annotated[str, msgspec.Meta(min_length=3, max_length=2000, title="Motivo")]


class Persona(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A person or company: identification (NIF/NIE/CIF checked) and contact details.

    ``document_type`` is deduced from ``document`` when left empty; a person needs
    ``name`` and ``first_surname``, a company ``business_name``.
    """

    document_type: DocumentType | Literal[""] = ""
    document: Annotated[S17, msgspec.Meta(title="NIF, NIE o documento")] = ""
    business_name: Annotated[S80, msgspec.Meta(title="Razón social")] = ""
    name: Annotated[S30, msgspec.Meta(title="Nombre")] = ""
    first_surname: Annotated[S30, msgspec.Meta(title="Primer apellido")] = ""
    second_surname: Annotated[S30, msgspec.Meta(title="Segundo apellido")] = ""
    country: S4 = ""
    province: S2 = ""
    municipality: S5 = ""
    address: Annotated[S160, msgspec.Meta(title="Dirección")] = ""
    postal_code: Annotated[S5, msgspec.Meta(title="Código postal")] = ""
    email: Annotated[S160, msgspec.Meta(title="Correo electrónico")] = ""
    phone: Annotated[S20, msgspec.Meta(title="Teléfono")] = ""
    deh: S160 = ""
    preferred_channel: Literal["", "01", "02", "03"] = ""

    @property
    def display_name(self) -> str:
        if self.business_name:
            return self.business_name
        return " ".join(p for p in (self.name, self.first_surname, self.second_surname) if p) \
            or self.document  # an administration may come only as its DIR3 code


class InteresadoIn(Persona, forbid_unknown_fields=True, kw_only=True):
    """An interesado, with the representative acting for them if any."""

    notes: S160 = ""
    representante: Persona | None = None


Interesados = Annotated[list[InteresadoIn], msgspec.Meta(min_length=1, max_length=50,
                                                         title="Interesados")]


class AnexoIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An attachment sent as base64 in JSON (the staff form uploads files instead)."""

    filename: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
    content: bytes
    mime: str = ""
    validez: Literal["", "01", "02", "03", "04"] = ""
    tipo_documento: Literal["01", "02", "03"] = "02"
    notes: S50 = ""
    signs: Annotated[int, msgspec.Meta(ge=0)] | None = None  # detached signature of anexo n


class AsientoIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A new asiento as the counter, the API or the sede gives it."""

    direction: Direction = "entrada"
    extracto: Extracto
    interesados: Interesados
    unidad_origen: Dir3 | Literal[""] = ""
    unidad_destino: Dir3 | Literal[""] = ""
    oficina: Dir3 | Literal[""] = ""
    expone: Annotated[S4000, msgspec.Meta(title="Expone")] = ""
    solicita: Annotated[S4000, msgspec.Meta(title="Solicita")] = ""
    documentacion_fisica: Literal["1", "2", "3"] = "3"
    observaciones: Annotated[S50, msgspec.Meta(title="Observaciones")] = ""
    tipo_transporte: Literal["", "01", "02", "03", "04", "05", "06", "07"] = ""
    numero_transporte: S20 = ""
    referencia_externa: Annotated[S16, msgspec.Meta(title="Referencia externa")] = ""
    numero_expediente: Annotated[S80, msgspec.Meta(title="Número de expediente")] = ""
    codigo_asunto: S16 = ""
    anexos: list[AnexoIn] = []



class AnexoOut(msgspec.Struct, kw_only=True):
    id: int
    position: int
    filename: str
    mime: str
    size: int
    sha256: str
    validez: str
    tipo_documento: str
    notes: str
    signs: int | None = None
    document: int | None = None  # the core document holding it (None: kept as SIR sent it)


class AsientoOut(msgspec.Struct, kw_only=True):
    id: int
    numero: str  # e.g. 2026-E-000123
    direction: Direction
    year: int
    number: int
    channel: Channel
    oficina: str
    received_at: datetime
    official_at: datetime
    extracto: str
    interesados: list[InteresadoIn]
    anexos: list[AnexoOut]
    unidad_origen: str
    unidad_destino: str
    expone: str
    solicita: str
    documentacion_fisica: str
    observaciones: str
    tipo_transporte: str
    numero_transporte: str
    referencia_externa: str
    numero_expediente: str
    codigo_asunto: str
    presenter: str
    origen_entidad_registral: str
    origen_numero: str
    origen_fecha: str
    state: str
    annul_reason: str
    rectifications: int
    distribution_state: str
    distribution_reason: str
    justificante_csv: str
    justificante_ready: bool
    created_by: str


class AsientoSummary(msgspec.Struct, kw_only=True):
    """One line of a search result or of the libro de registro."""

    id: int
    numero: str
    direction: Direction
    channel: Channel
    received_at: datetime
    official_at: datetime
    extracto: str
    interesados: str
    unidad_destino: str
    state: str
    distribution_state: str


class Search(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Filters of the search; every one optional."""

    q: str = ""  # words of the extracto or the numero
    documento: str = ""  # NIF of an interesado or representative
    direction: Direction | Literal[""] = ""
    channel: Channel | Literal[""] = ""
    state: Literal["", "vigente", "anulado"] = ""
    distribution_state: Literal["", "pendiente", "distribuido", "aceptado", "devuelto"] = ""
    unidad: str = ""
    desde: date | None = None  # official date, inclusive
    hasta: date | None = None
    page: Annotated[int, msgspec.Meta(ge=1)] = 1
    per_page: Annotated[int, msgspec.Meta(ge=1, le=500)] = 50


class Anulacion(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


class Rectificacion(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What to correct (None leaves a field as it is) and why."""

    reason: Reason
    extracto: Extracto | None = None
    observaciones: S50 | None = None
    documentacion_fisica: Literal["1", "2", "3"] | None = None
    referencia_externa: S16 | None = None
    codigo_asunto: S16 | None = None
    interesados: Interesados | None = None


class RectificacionOut(msgspec.Struct, kw_only=True):
    """A recorded correction: the fields before and after, why, who and when."""

    reason: str
    before: dict[str, Any]
    after: dict[str, Any]
    actor: str
    at: datetime


class Distribucion(msgspec.Struct, forbid_unknown_fields=True):
    unidad: Dir3


class Devolucion(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


class ExpedienteLink(msgspec.Struct, forbid_unknown_fields=True):
    numero_expediente: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]


class SirEnvio(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Send an asiento through SIR to a destination registry (and unit)."""

    destino: Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9]{1,21}$",
                                         title="Oficina de destino")]
    unidad: Annotated[str, msgspec.Meta(pattern=r"^([A-Za-z0-9]{1,21})?$",
                                        title="Unidad de destino")] = ""


class SirRechazo(msgspec.Struct, forbid_unknown_fields=True):
    motivo: Reason


class ExchangeOut(msgspec.Struct, kw_only=True):
    id: int
    asiento_id: int | None
    direction: Literal["outgoing", "incoming"]
    identificador: str
    state: str
    counterpart: str
    counterpart_unit: str
    tipo_anotacion: str
    motivo: str
    extracto: str
    origen_numero: str
    destino_numero: str
    destino_fecha: str
    attempts: int
    last_error: str
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[str]


class LibroPeriodo(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    desde: date
    hasta: date
    direction: Direction | Literal[""] = ""
