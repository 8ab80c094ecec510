"""Tables of expedientes: procedures, expedientes and everything that hangs from them.

Every table is tenant-owned; composite unique keys (all of them include ``tenant``) and
the indexes searches use are created in the migrations.
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
from core.identity.tables import User
from core.signing.tables import SignatureFlow
from core.tenancy.tables import Tenant


class Procedimiento(Table, tablename="expedientes_procedimiento"):
    """A procedure of the entity's catalogue, or a model the diputación publishes."""

    tenant = ForeignKey(Tenant)
    code = Varchar(length=40)  # short code, unique in the tenant
    name = Varchar(length=300)
    sia_code = Varchar(length=30)  # ENI Clasificacion of its expedientes
    description = Text(default="")
    plazo = Integer()  # plazo máximo para resolver y notificar
    plazo_unit = Varchar(length=16)  # dias_habiles | dias_naturales | meses
    silencio = Varchar(length=16)  # estimatorio | desestimatorio
    unit_dir3 = Varchar(length=9)  # the unit in charge (tramitadora)
    fases = JSON(default=[])  # [{"name": ..., "tareas": [{"title": ..., "dias": n}]}]
    is_model = Boolean(default=False)  # published for the province's entities to adopt
    adopted_from = Integer(null=True, default=None)  # id of the model it was copied from
    active = Boolean(default=True)
    created_by = Varchar(length=254)
    created_at = Timestamptz()
    # unique key (tenant, code)


class Plantilla(Table, tablename="expedientes_plantilla"):
    """A document template of a procedure; ``body`` is sandboxed Jinja2 text."""

    tenant = ForeignKey(Tenant)
    procedimiento = ForeignKey(Procedimiento)
    code = Varchar(length=40)
    title = Varchar(length=300)
    tipo_documental = Varchar(length=4)  # TD01 resolución, TD13 informe, ...
    body = Text()
    # unique key (tenant, procedimiento, code)


class Expediente(Table, tablename="expedientes_expediente"):
    """An electronic case file (NTI de Expediente electrónico)."""

    tenant = ForeignKey(Tenant)
    year = Integer()
    number = Integer()  # per tenant and year, gapless
    identificador = Varchar(length=52)  # ENI: ES_<DIR3>_<AAAA>_EXP_<id>
    procedimiento = ForeignKey(Procedimiento, null=True, default=None)  # None: imported
    clasificacion = Varchar(length=60)  # SIA code (ENI Clasificacion)
    subject = Varchar(length=300)
    state = Varchar(length=3, default="E01")  # E01 abierto | E02 cerrado | E03 remitido
    unit_dir3 = Varchar(length=9)
    phase = Integer(default=0)  # index into the procedure's fases
    origin = Varchar(length=10, default="manual")  # manual | registro | importado
    registro_ref = Varchar(length=40, default="")  # number of the asiento that opened it
    opened_at = Timestamptz()
    opened_by = Varchar(length=254)
    due_date = Date(null=True, default=None)  # plazo máximo para resolver
    closed_at = Timestamptz(null=True, default=None)
    # unique keys (tenant, year, number) and (tenant, identificador)


class Interesado(Table, tablename="expedientes_interesado"):
    """An interesado of an expediente, or the representative of one (``represents``)."""

    tenant = ForeignKey(Tenant)
    expediente = ForeignKey(Expediente)
    position = Integer()
    role = Varchar(length=14, default="interesado")  # interesado | representante
    represents = Integer(null=True, default=None)  # position of the represented interesado
    nif = Varchar(length=17)
    name = Varchar(length=200)
    email = Varchar(length=254, default="")
    address = Varchar(length=300, default="")
    # unique key (tenant, expediente, position); index (tenant, nif)


class Responsable(Table, tablename="expedientes_responsable"):
    """A person responsible for the tramitación of an expediente."""

    tenant = ForeignKey(Tenant)
    expediente = ForeignKey(Expediente)
    user = ForeignKey(User)
    # unique key (tenant, expediente, user)


class Adscripcion(Table, tablename="expedientes_adscripcion"):
    """A staff member works in a unit: the unit's expedientes are theirs to see."""

    tenant = ForeignKey(Tenant)
    user = ForeignKey(User)
    unit_dir3 = Varchar(length=9)
    # unique key (tenant, user, unit_dir3)


class Tarea(Table, tablename="expedientes_tarea"):
    """A task of a phase of an expediente, with its assignee and due date."""

    tenant = ForeignKey(Tenant)
    expediente = ForeignKey(Expediente)
    phase = Integer()
    title = Varchar(length=300)
    assignee = ForeignKey(User, null=True, default=None)
    due_date = Date()
    done_at = Timestamptz(null=True, default=None)
    done_by = Varchar(length=254, default="")
    created_at = Timestamptz()


class Relacion(Table, tablename="expedientes_relacion"):
    """A link between two expedientes of the same tenant (stored once per direction)."""

    tenant = ForeignKey(Tenant)
    expediente = ForeignKey(Expediente)
    related = ForeignKey(Expediente)
    note = Varchar(length=300, default="")
    # unique key (tenant, expediente, related)


class AsientoIncorporado(Table, tablename="expedientes_asiento"):
    """An entrada of the registro incorporated into an expediente (opening it or joining
    it): each entrada goes into one expediente, once."""

    tenant = ForeignKey(Tenant)
    expediente = ForeignKey(Expediente)
    asiento = Integer()  # the registro's asiento id (its tables are the registro's)
    numero = Varchar(length=40)  # the registry number, as people read it
    added_at = Timestamptz()
    # unique key (tenant, asiento)


class Actividad(Table, tablename="expedientes_actividad"):
    """One entry of an expediente's activity history (its timeline)."""

    tenant = ForeignKey(Tenant)
    expediente = ForeignKey(Expediente)
    at = Timestamptz()
    actor = Varchar(length=254)
    action = Varchar(length=40)
    summary = Text(default="")
    detail = JSON(default={})


class DocumentoExpediente(Table, tablename="expedientes_documento"):
    """A core document incorporated into an expediente; ``position`` is its order in the
    índice electrónico."""

    tenant = ForeignKey(Tenant)
    expediente = ForeignKey(Expediente)
    document = ForeignKey(Document)
    position = Integer()
    source = Varchar(length=12)  # plantilla | subida | registro | resolucion | importado
    added_at = Timestamptz()
    added_by = Varchar(length=254)
    # unique keys (tenant, expediente, position) and (tenant, expediente, document)


class Resolucion(Table, tablename="expedientes_resolucion"):
    """A resolución or decreto drafted in an expediente; numbered in the libro de
    resoluciones (per tenant and year, gapless) when its signature flow completes."""

    tenant = ForeignKey(Tenant)
    expediente = ForeignKey(Expediente)
    title = Varchar(length=300)
    body = Text()
    state = Varchar(length=10, default="borrador")  # borrador | en_firma | firmada | rechazada
    document = ForeignKey(Document, null=True, default=None)
    flow = ForeignKey(SignatureFlow, null=True, default=None)
    year = Integer(null=True, default=None)
    number = Integer(null=True, default=None)
    signed_at = Timestamptz(null=True, default=None)
    reason = Text(default="")  # why a signer rejected it
    created_by = Varchar(length=254)
    created_at = Timestamptz()
    # unique key (tenant, year, number)


class Indice(Table, tablename="expedientes_indice"):
    """The signed índice electrónico made when the expediente was closed; the signed
    ``eniexpind:indice`` XML is a blob. A remisión (E03) sends this same índice."""

    tenant = ForeignKey(Tenant)
    expediente = ForeignKey(Expediente)
    fecha = Timestamptz()
    documents = Integer()
    xml_sha256 = Varchar(length=64)
    created_by = Varchar(length=254)
