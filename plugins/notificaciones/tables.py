"""Tables of notificaciones: the notices, their evidence trail, paper delivery, edicts,
bulk runs (remesas) and the acts waiting to be notified.

Every table is tenant-owned. Expedientes and resoluciones belong to another plugin: they
are referred to by id (``expediente_id``), never by foreign key to its tables. Composite
unique keys (all include ``tenant``) are created in the migrations.
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

from core.documents.tables import Document
from core.tenancy.tables import Tenant


class Remesa(Table, tablename="notificaciones_remesa"):
    """A bulk run: one act notified to many destinatarios (e.g. a padrón fiscal)."""

    tenant = ForeignKey(Tenant)
    title = Varchar(length=300)
    content = JSON(default={})  # the ContenidoIn shared by every notification
    channel = Varchar(length=12, default="electronica")
    expediente_id = Integer(null=True, default=None)
    document = ForeignKey(Document, null=True, default=None)
    total = Integer(default=0)
    done = Integer(default=0)
    state = Varchar(length=12, default="en_curso")  # en_curso | terminada
    created_by = Varchar(length=254, default="")
    created_at = Timestamptz()
    progress_at = Timestamptz()  # when the last chunk committed (or creation)
    finished_at = Timestamptz(null=True, default=None)


class Destinatario(Table, tablename="notificaciones_destinatario"):
    """One person of a remesa, stored when the remesa is accepted; ``notificacion`` is set
    in the same transaction that creates his notification (exactly one each)."""

    tenant = ForeignKey(Tenant)
    remesa = ForeignKey(Remesa)
    position = Integer()
    nif = Varchar(length=17)
    name = Varchar(length=200)
    email = Varchar(length=254, default="")
    phone = Varchar(length=20, default="")
    address = Varchar(length=300, default="")
    notificacion = Integer(null=True, default=None)
    # unique key (tenant, remesa, position)


class Notificacion(Table, tablename="notificaciones_notificacion"):
    """A notificación (or a comunicación, without legal effect) of an act to one person,
    with the content art. 40.2 requires and its state; the evidence is in ``Evento``."""

    tenant = ForeignKey(Tenant)
    kind = Varchar(length=12, default="notificacion")  # notificacion | comunicacion
    channel = Varchar(length=12, default="electronica")  # electronica | papel
    state = Varchar(length=20, default="puesta_disposicion")
    expediente_id = Integer(null=True, default=None)
    resolucion_id = Integer(null=True, default=None)
    document = ForeignKey(Document, null=True, default=None)  # the act notified
    remesa = ForeignKey(Remesa, null=True, default=None)
    # the person
    nif = Varchar(length=17)
    name = Varchar(length=200)
    email = Varchar(length=254, default="")
    phone = Varchar(length=20, default="")
    address = Varchar(length=300, default="")
    representante_nif = Varchar(length=17, default="")
    # content (art. 40.2)
    subject = Varchar(length=300)
    body = Text(default="")  # texto íntegro de la resolución
    fin_via = Boolean(default=False)  # pone fin a la vía administrativa
    recursos = Text(default="")  # recursos que procedan
    organo_recurso = Varchar(length=300, default="")
    plazo_recurso = Varchar(length=200, default="")
    act_date = Date(null=True, default=None)  # fecha en que se dictó el acto
    # clock
    created_at = Timestamptz()
    created_by = Varchar(length=254, default="")
    disposed_at = Timestamptz(null=True, default=None)  # puesta a disposición
    expires_on = Date(null=True, default=None)  # last day to access (art. 43.2)
    closed_at = Timestamptz(null=True, default=None)  # notificada / rechazada / expirada
    accessed_by = Varchar(length=254, default="")
    accessed_as = Varchar(length=14, default="")  # interesado | representante | receptor
    accessed_from = Varchar(length=64, default="")
    hub = Varchar(length=40, default="")  # external hub it was routed through
    hub_ref = Varchar(length=120, default="")
    printed_at = Timestamptz(null=True, default=None)  # paper: in a print batch
    certificate = ForeignKey(Document, null=True, default=None)


class Evento(Table, tablename="notificaciones_evento"):
    """One fact of a notification's evidence trail (it goes into the certificate)."""

    tenant = ForeignKey(Tenant)
    notificacion = ForeignKey(Notificacion)
    at = Timestamptz()
    kind = Varchar(length=24)
    actor = Varchar(length=254, default="")
    detail = JSON(default={})


class Intento(Table, tablename="notificaciones_intento"):
    """A delivery attempt on paper (art. 42.2): at most two, the second at another hour
    within three días hábiles."""

    tenant = ForeignKey(Tenant)
    notificacion = ForeignKey(Notificacion)
    number = Integer()
    at = Timestamptz()
    result = Varchar(length=16)  # entregada | ausente | desconocido | rehusada
    receptor_nif = Varchar(length=17, default="")
    receptor_name = Varchar(length=200, default="")
    note = Varchar(length=300, default="")
    recorded_by = Varchar(length=254, default="")
    # unique key (tenant, notificacion, number)


class Edicto(Table, tablename="notificaciones_edicto"):
    """The anuncio for the Tablón Edictal Único when paper delivery failed (art. 44)."""

    tenant = ForeignKey(Tenant)
    notificacion = ForeignKey(Notificacion)
    document = ForeignKey(Document, null=True, default=None)
    tablon_anuncio = Integer(null=True, default=None)  # the entity's tablón, if enabled
    created_at = Timestamptz()
    # unique key (tenant, notificacion)


class Pendiente(Table, tablename="notificaciones_pendiente"):
    """A signed resolución waiting to be notified: due within 10 días hábiles (art. 40.2)."""

    tenant = ForeignKey(Tenant)
    expediente_id = Integer()
    resolucion_id = Integer()
    numero = Varchar(length=20, default="")
    act_date = Date()
    due = Date(null=True, default=None)  # None: the calendar does not cover the plazo
    notified_at = Timestamptz(null=True, default=None)
    warned_at = Timestamptz(null=True, default=None)
    # unique key (tenant, resolucion_id)
