"""Shapes of cita previa: configuration, slots, bookings, statistics and events."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

Channel = Literal["presencial", "telefono", "videollamada"]
CHANNELS: tuple[Channel, ...] = ("presencial", "telefono", "videollamada")
#: Spanish labels (msgids) of the channels.
CHANNEL_LABELS: dict[str, str] = {"presencial": "Presencial", "telefono": "Teléfono",
                                  "videollamada": "Videollamada"}

Weekday = Literal["lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo"]
WEEKDAYS: tuple[Weekday, ...] = ("lunes", "martes", "miercoles", "jueves", "viernes",
                                 "sabado", "domingo")
#: Spanish labels (msgids) of the weekdays and of the states of a cita.
WEEKDAY_LABELS: dict[str, str] = {"lunes": "Lunes", "martes": "Martes",
                                  "miercoles": "Miércoles", "jueves": "Jueves",
                                  "viernes": "Viernes", "sabado": "Sábado",
                                  "domingo": "Domingo"}
STATE_LABELS: dict[str, str] = {"pendiente": "Pendiente de confirmar", "confirmada": "Confirmada",
                                "cancelada": "Anulada", "caducada": "Caducada sin confirmar",
                                "atendida": "Atendida", "no_presentada": "No presentada"}
#: Every label above, for templates (the keys do not collide).
LABELS: dict[str, str] = {**CHANNEL_LABELS, **WEEKDAY_LABELS, **STATE_LABELS}
#: ``09:00-14:00``; checked further (start before end) by ``slots.parse_range``.
TimeRange = Annotated[str, msgspec.Meta(
    pattern=r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$")]
Name = Annotated[str, msgspec.Meta(min_length=2, max_length=200, title="Nombre")]
Code = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9-]{1,39}$", title="Código")]
Key = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9_]{1,30}$")]
Email = Annotated[str, msgspec.Meta(max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$",
                                    title="Correo electrónico")]
Phone = Annotated[str, msgspec.Meta(max_length=20, pattern=r"^$|^\+?[0-9 ]{9,19}$",
                                    title="Teléfono")]


class OficinaIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name
    address: Annotated[str, msgspec.Meta(max_length=300, title="Dirección")] = ""
    dir3: Annotated[str, msgspec.Meta(pattern=r"^$|^[A-Z0-9]{9}$", title="Código DIR3")] = ""


class OficinaOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    address: str
    dir3: str
    active: bool


class Opcion(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An answer to a triage question; ``agenda`` routes the booking to that agenda."""

    value: Key
    label: Name
    agenda: int | None = None


class Pregunta(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A triage question asked before the citizen picks a day."""

    key: Key
    text: Annotated[str, msgspec.Meta(min_length=3, max_length=300)]
    options: Annotated[list[Opcion], msgspec.Meta(min_length=2, max_length=20)]


class ServicioIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    code: Code
    name: Name
    description: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    channels: Annotated[list[Channel], msgspec.Meta(min_length=1, max_length=3,
                                                    title="Canales")]
    triage: Annotated[list[Pregunta], msgspec.Meta(max_length=10)] = []


class ServicioOut(msgspec.Struct, kw_only=True):
    id: int
    code: str
    name: str
    description: str
    channels: list[str]
    triage: list[Pregunta]
    active: bool


class AgendaIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """``timetable``: weekday → time ranges, e.g. ``{"lunes": ["09:00-14:00"]}``."""

    servicio: int
    oficina: int
    name: Name
    attendees: Annotated[str, msgspec.Meta(max_length=300, title="Quién atiende")] = ""
    channels: Annotated[list[Channel], msgspec.Meta(min_length=1, max_length=3,
                                                    title="Canales")]
    timetable: dict[Weekday, Annotated[list[TimeRange], msgspec.Meta(max_length=6)]]
    slot_minutes: Annotated[int, msgspec.Meta(ge=5, le=240, title="Minutos por franja")] = 15
    capacity: Annotated[int, msgspec.Meta(ge=1, le=50, title="Personas por franja")] = 1


class AgendaOut(msgspec.Struct, kw_only=True):
    id: int
    servicio: int
    oficina: int
    name: str
    attendees: str
    channels: list[str]
    timetable: dict[str, list[str]]
    slot_minutes: int
    capacity: int
    active: bool


class ExcepcionIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A day off the timetable: no ``hours`` closes the agenda that day."""

    date: Annotated[date, msgspec.Meta(title="Fecha")]
    hours: Annotated[list[TimeRange], msgspec.Meta(max_length=6)] = []
    reason: Annotated[str, msgspec.Meta(max_length=200, title="Motivo")] = ""


class ExcepcionOut(msgspec.Struct, kw_only=True):
    id: int
    agenda: int
    date: Annotated[date, msgspec.Meta(title="Fecha")]
    hours: list[str]
    reason: str


class FranjaOut(msgspec.Struct, kw_only=True):
    """A slot a citizen can pick: ``free`` places left."""

    agenda: int
    oficina: str
    starts_at: datetime
    ends_at: datetime
    free: int


class LineaIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One cita of a booking: a service on a channel at a slot, for one person (the
    contact when ``person_name`` is empty); ``answers`` are the triage answers."""

    servicio: Code
    channel: Channel
    agenda: int
    starts_at: datetime
    person_name: Annotated[str, msgspec.Meta(max_length=200)] = ""
    person_nif: Annotated[str, msgspec.Meta(max_length=20)] = ""
    answers: dict[str, str] = {}


class ReservaIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A booking: the contact and its citas. A logged-in citizen's NIF replaces ``nif``."""

    name: Name
    nif: Annotated[str, msgspec.Meta(max_length=20, title="NIF o NIE")] = ""
    email: Email = ""
    phone: Phone = ""
    lines: Annotated[list[LineaIn], msgspec.Meta(min_length=1, max_length=10)]


class CitaOut(msgspec.Struct, kw_only=True):
    id: int
    servicio: str
    servicio_name: str
    channel: str
    agenda: int
    oficina: str
    oficina_address: str
    starts_at: datetime
    ends_at: datetime
    person_name: str
    person_nif: str
    state: str
    localizador: str
    sequence: int = 0  # iCalendar SEQUENCE: bumped each time the cita changes
    checked_in_at: datetime | None = None


class ReservaOut(msgspec.Struct, kw_only=True):
    localizador: str
    name: str
    email: str
    phone: str
    confirmed: bool
    expires_at: datetime | None
    citas: list[CitaOut]


class ReservaCreada(msgspec.Struct, kw_only=True):
    """What booking answers: the booking and its management token (also in the link)."""

    reserva: ReservaOut
    token: str


class Codigo(msgspec.Struct, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(pattern=r"^\d{6}$")]


class Cambio(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    agenda: int
    starts_at: datetime


class Anulacion(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Cancel one cita of the booking, or all of them when ``cita`` is None."""

    cita: int | None = None


class EnlaceVideo(msgspec.Struct, kw_only=True):
    url: str
    not_before: datetime
    expires: datetime


class FilaEstadistica(msgspec.Struct, kw_only=True):
    servicio: str
    channel: str
    total: int
    atendidas: int
    no_presentadas: int
    canceladas: int
    no_show_rate: float  # no_presentadas / (atendidas + no_presentadas)


class Estadisticas(msgspec.Struct, kw_only=True):
    desde: date
    hasta: date
    rows: list[FilaEstadistica]
    total: FilaEstadistica
    repeat_no_show_people: int  # people with two or more no-shows in the period


class ReservaConfirmada(msgspec.Struct, frozen=True):
    """Event: a booking was confirmed (by its code, or at once for a logged-in citizen)."""

    localizador: str
    citas: int


class CitaCancelada(msgspec.Struct, frozen=True):
    """Event: a cita was cancelled by the citizen."""

    cita_id: int
    localizador: str


class CitaReprogramada(msgspec.Struct, frozen=True):
    """Event: a cita moved to another slot."""

    cita_id: int
    localizador: str


class CitaCerrada(msgspec.Struct, frozen=True):
    """Event: staff marked a cita ``atendida`` or ``no_presentada``."""

    cita_id: int
    state: str
