"""API shapes, state labels and events of notificaciones."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from core.web.i18n import N_

Title = Annotated[str, msgspec.Meta(min_length=3, max_length=300)]
Name = Annotated[str, msgspec.Meta(min_length=2, max_length=200)]
Nif = Annotated[str, msgspec.Meta(min_length=8, max_length=17)]
Email = Annotated[str, msgspec.Meta(max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Phone = Annotated[str, msgspec.Meta(max_length=20, pattern=r"^$|^\+?[0-9 ]{9,19}$")]
Address = Annotated[str, msgspec.Meta(max_length=300)]
Text300 = Annotated[str, msgspec.Meta(max_length=300)]
Body = Annotated[str, msgspec.Meta(max_length=100_000)]
Kind = Literal["notificacion", "comunicacion"]
Channel = Literal["electronica", "papel"]
Result = Literal["entregada", "ausente", "desconocido", "rehusada"]

#: Spanish labels (msgids) of the states.
STATE_LABELS: dict[str, str] = {
    "puesta_disposicion": N_("Puesta a disposición"), "en_reparto": N_("En reparto"),
    "notificada": N_("Notificada"), "rechazada": N_("Rechazada"),
    "expirada": N_("Rechazada por no acceder en 10 días"), "edicto": N_("Notificada por edicto"),
    "pendiente_edicto": N_("Pendiente de edicto")}
#: States after which nothing changes but the certificate.
FINAL_STATES = frozenset({"notificada", "rechazada", "expirada", "edicto"})
#: Spanish labels (msgids) of the evidence events.
EVENT_LABELS: dict[str, str] = {
    "creada": N_("Creada"), "puesta_disposicion": N_("Puesta a disposición"),
    "aviso_email": N_("Aviso por correo electrónico"), "aviso_sms": N_("Aviso por SMS"),
    "hub": N_("Enviada al sistema de notificaciones"),
    "accedida": N_("Acceso al contenido"), "rechazada": N_("Rechazo expreso"),
    "expirada": N_("Diez días naturales sin acceso"), "impresa": N_("Impresa en lote"),
    "intento": N_("Intento de entrega"), "edicto": N_("Anuncio en el Tablón Edictal Único"),
    "certificado": N_("Certificado emitido")}
RESULT_LABELS: dict[str, str] = {"entregada": N_("Entregada"), "ausente": N_("Ausente"),
                                 "desconocido": N_("Desconocido en el domicilio"),
                                 "rehusada": N_("Rehusada")}


class PersonaIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A destinatario; the NIF is checked. ``representante_nif`` may also access."""

    nif: Annotated[Nif, msgspec.Meta(title="NIF")]
    name: Annotated[Name, msgspec.Meta(title="Nombre")]
    email: Annotated[Email, msgspec.Meta(title="Correo electrónico")] = ""
    phone: Annotated[Phone, msgspec.Meta(title="Teléfono")] = ""
    address: Annotated[Address, msgspec.Meta(title="Domicilio")] = ""
    representante_nif: Annotated[str, msgspec.Meta(title="NIF del representante")] = ""


class ContenidoIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What art. 40.2 requires a notificación to hold (a comunicación needs only text)."""

    subject: Annotated[Title, msgspec.Meta(title="Asunto")]
    body: Annotated[Body, msgspec.Meta(title="Texto íntegro del acto")] = ""
    fin_via: Annotated[bool, msgspec.Meta(title="Pone fin a la vía administrativa")] = False
    recursos: Annotated[Body, msgspec.Meta(title="Recursos que proceden")] = ""
    organo_recurso: Annotated[Text300, msgspec.Meta(
        title="Órgano ante el que se interponen")] = ""
    plazo_recurso: Annotated[Text300, msgspec.Meta(title="Plazo para interponerlos")] = ""
    act_date: Annotated[date, msgspec.Meta(title="Fecha del acto")] | None = None


class NotificacionIn(ContenidoIn, forbid_unknown_fields=True, kw_only=True):
    """Notify an act (a resolución of an expediente, or a stored document) to people."""

    kind: Annotated[Kind, msgspec.Meta(title="Tipo")] = "notificacion"
    channel: Annotated[Channel, msgspec.Meta(title="Canal")] = "electronica"
    expediente_id: Annotated[int, msgspec.Meta(title="Expediente")] | None = None
    resolucion_id: Annotated[int, msgspec.Meta(title="Resolución que se notifica")] | None = None
    document_id: Annotated[int, msgspec.Meta(title="Documento")] | None = None
    destinatarios: Annotated[list[PersonaIn], msgspec.Meta(min_length=1, max_length=100,
                                                           title="Destinatarios")]


class RemesaIn(ContenidoIn, forbid_unknown_fields=True, kw_only=True):
    """One act to many people (a padrón fiscal): run as a job, in chunks."""

    channel: Annotated[Channel, msgspec.Meta(title="Canal")] = "electronica"
    expediente_id: Annotated[int, msgspec.Meta(title="Expediente")] | None = None
    document_id: Annotated[int, msgspec.Meta(title="Documento")] | None = None
    destinatarios: Annotated[list[PersonaIn], msgspec.Meta(min_length=1, max_length=20_000,
                                                           title="Destinatarios")]


class IntentoIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A paper delivery attempt as the notifier reports it."""

    at: Annotated[datetime, msgspec.Meta(title="Fecha y hora del intento")]
    result: Annotated[Result, msgspec.Meta(title="Resultado")]
    receptor_nif: Annotated[str, msgspec.Meta(title="NIF de quien recibe")] = ""
    receptor_name: Annotated[str, msgspec.Meta(max_length=200,
                                               title="Persona que recibe")] = ""
    note: Annotated[Text300, msgspec.Meta(title="Observaciones")] = ""


class RechazoIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    reason: Text300 = ""


class EventoOut(msgspec.Struct, kw_only=True):
    at: datetime
    kind: str
    actor: str
    detail: dict


class IntentoOut(msgspec.Struct, kw_only=True):
    number: int
    at: datetime
    result: str
    receptor_nif: str
    receptor_name: str
    note: str


class NotificacionOut(msgspec.Struct, kw_only=True):
    id: int
    kind: str
    channel: str
    state: str
    expediente_id: int | None
    resolucion_id: int | None
    document_id: int | None
    remesa_id: int | None
    nif: str
    name: str
    email: str
    phone: str
    address: str
    representante_nif: str
    subject: str
    body: str
    fin_via: bool
    recursos: str
    organo_recurso: str
    plazo_recurso: str
    act_date: date | None
    created_at: datetime
    created_by: str
    disposed_at: datetime | None
    expires_on: date | None
    closed_at: datetime | None
    accessed_by: str
    accessed_as: str
    accessed_from: str
    hub: str
    hub_ref: str
    printed_at: datetime | None
    certificate_id: int | None
    events: list[EventoOut] = []
    intentos: list[IntentoOut] = []


class RemesaOut(msgspec.Struct, kw_only=True):
    id: int
    title: str
    channel: str
    expediente_id: int | None
    total: int
    done: int
    state: str
    created_at: datetime
    finished_at: datetime | None


class PendienteOut(msgspec.Struct, kw_only=True):
    expediente_id: int
    resolucion_id: int
    numero: str
    act_date: date
    due: date | None
    overdue: bool


class NotificacionPracticada(msgspec.Struct, frozen=True):
    """Event: the notification took effect (accessed, delivered or by edict)."""

    notificacion_id: int
    expediente_id: int | None
    state: str


class NotificacionRechazada(msgspec.Struct, frozen=True):
    """Event: rejected, expressly or after 10 natural days; the procedure goes on (art. 41.5)."""

    notificacion_id: int
    expediente_id: int | None
    state: str
