"""Tables of cita previa; every one belongs to a tenant and every unique key includes it.

``Franja`` is the per-slot counter that makes double booking impossible: a booking takes
a place with one conditional ``UPDATE … SET booked = booked + 1 WHERE booked < capacity``,
which the database serialises per row on PostgreSQL and per transaction on SQLite.
"""

from piccolo.columns import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from core.tenancy.tables import Tenant


class Oficina(Table, tablename="cita_previa_oficina"):
    """A place where citizens are attended (an oficina de asistencia, a town hall)."""

    tenant = ForeignKey(Tenant)
    name = Varchar(length=200)
    address = Varchar(length=300, default="")
    dir3 = Varchar(length=9, default="")
    active = Boolean(default=True)


class Servicio(Table, tablename="cita_previa_servicio"):
    """What a citizen books (padrón, registro, urbanismo) and its channels and triage."""

    tenant = ForeignKey(Tenant)
    code = Varchar(length=40)  # unique per tenant; in the sede's URLs
    name = Varchar(length=200)
    description = Text(default="")
    channels = JSON(default=[])  # subset of presencial | telefono | videollamada
    triage = JSON(default=[])  # list of Pregunta (schemas.py)
    active = Boolean(default=True)


class Agenda(Table, tablename="cita_previa_agenda"):
    """Who attends a service at an office, when (weekly timetable), and slot size."""

    tenant = ForeignKey(Tenant)
    servicio = ForeignKey(Servicio)
    oficina = ForeignKey(Oficina)
    name = Varchar(length=200)
    attendees = Varchar(length=300, default="")  # who attends, as shown to staff
    channels = JSON(default=[])
    timetable = JSON(default={})  # weekday 0-6 → ["09:00-14:00", ...]
    slot_minutes = Integer(default=15)
    capacity = Integer(default=1)
    active = Boolean(default=True)


class Excepcion(Table, tablename="cita_previa_excepcion"):
    """A day an agenda departs from its timetable: closed (no hours) or other hours."""

    tenant = ForeignKey(Tenant)
    agenda = ForeignKey(Agenda)
    date = Date()
    hours = JSON(default=[])  # [] closed, else ["10:00-12:00", ...]
    reason = Varchar(length=200, default="")


class Franja(Table, tablename="cita_previa_franja"):
    """One slot of an agenda with its capacity and how many places are taken."""

    tenant = ForeignKey(Tenant)
    agenda = ForeignKey(Agenda)
    starts_at = Timestamptz()
    capacity = Integer()
    booked = Integer(default=0)
    # unique key (tenant, agenda, starts_at): a unique index in the migrations


class Reserva(Table, tablename="cita_previa_reserva"):
    """One booking: a contact, its confirmation code, and one or more citas."""

    tenant = ForeignKey(Tenant)
    localizador = Varchar(length=12)  # unique per tenant; said on the phone and at the desk
    name = Varchar(length=200)
    nif = Varchar(length=12)
    email = Varchar(length=254, default="")
    phone = Varchar(length=20, default="")
    citizen_nif = Varchar(length=12, default="")  # set when booked while logged in
    created_at = Timestamptz()
    expires_at = Timestamptz(null=True, default=None)  # pending until then
    confirmed_at = Timestamptz(null=True, default=None)
    code_hash = Varchar(length=64, default="")
    code_attempts = Integer(default=0)
    ip = Varchar(length=45, default="")


class Cita(Table, tablename="cita_previa_cita"):
    """One person, one service, one slot, on one channel."""

    tenant = ForeignKey(Tenant)
    reserva = ForeignKey(Reserva)
    servicio = ForeignKey(Servicio)
    agenda = ForeignKey(Agenda)
    franja = ForeignKey(Franja)
    channel = Varchar(length=12)
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    person_name = Varchar(length=200)
    person_nif = Varchar(length=12, index=True)
    answers = JSON(default={})
    # pendiente | confirmada | cancelada | caducada | atendida | no_presentada
    state = Varchar(length=14, default="pendiente")
    room = Varchar(length=80, default="")  # video room name (videollamada)
    sequence = Integer(default=0)  # iCalendar SEQUENCE: bumped when the cita changes
    reminded_at = Timestamptz(null=True, default=None)
    checked_in_at = Timestamptz(null=True, default=None)
    closed_by = Varchar(length=254, default="")


class Intento(Table, tablename="cita_previa_intento"):
    """A booking attempt, for the rate limits: ``key`` is a keyed hash of an IP or NIF."""

    tenant = ForeignKey(Tenant)
    key = Varchar(length=64, index=True)
    at = Timestamptz()
