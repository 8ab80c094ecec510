"""Tables of the registro: asientos, their interesados and anexos, SIR exchanges.

Asientos are never deleted: they are annulled or rectified (with a reason, audited). Every
table is tenant-owned; composite keys and search indexes are in the migrations.
"""

from piccolo.columns import (
    JSON,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from core.tenancy.tables import Tenant


class Asiento(Table, tablename="registro_asiento"):
    """An entry of the libro de registro (entrada or salida)."""

    tenant = ForeignKey(Tenant)
    direction = Varchar(length=8)  # entrada | salida
    year = Integer()
    number = Integer()  # per tenant, year and direction, gapless
    channel = Varchar(length=12)  # presencial | sede | sir
    oficina = Varchar(length=21)  # DIR3 of the oficina (entidad registral)
    received_at = Timestamptz()  # when it was presented
    official_at = Timestamptz()  # when it counts (next working day when presented on one)
    extracto = Varchar(length=240)
    unidad_origen = Varchar(length=21, default="")
    unidad_destino = Varchar(length=21, default="")
    expone = Text(default="")
    solicita = Text(default="")
    documentacion_fisica = Varchar(length=1, default="3")  # SICRES 1, 2, 3
    observaciones = Varchar(length=50, default="")
    tipo_transporte = Varchar(length=2, default="")
    numero_transporte = Varchar(length=20, default="")
    referencia_externa = Varchar(length=16, default="")
    numero_expediente = Varchar(length=80, default="")
    codigo_asunto = Varchar(length=16, default="")
    presenter = Varchar(length=17, default="")  # NIF of the citizen who presented it (sede)
    origen_entidad_registral = Varchar(length=21, default="")  # SIR: first registry
    origen_numero = Varchar(length=20, default="")
    origen_fecha = Varchar(length=14, default="")  # yyyyMMddHHmmss as received
    state = Varchar(length=10, default="vigente")  # vigente | anulado
    annul_reason = Text(default="")
    rectifications = Integer(default=0)
    distribution_state = Varchar(length=12, default="pendiente")
    distribution_reason = Text(default="")
    distribution_at = Timestamptz(null=True, default=None)
    justificante_csv = Varchar(length=29, default="")
    justificante_sha256 = Varchar(length=64, default="")
    justificante_document = Integer(null=True, default=None)  # core document id, if any
    justificante_at = Timestamptz(null=True, default=None)
    created_by = Varchar(length=254)
    # unique key (tenant, year, direction, number)


class Interesado(Table, tablename="registro_interesado"):
    """An interesado of an asiento, or the representative of the one at ``position``."""

    tenant = ForeignKey(Tenant)
    asiento = ForeignKey(Asiento)
    position = Integer()
    role = Varchar(length=14)  # interesado | representante
    document_type = Varchar(length=1, default="")  # SICRES N C P E X O
    document = Varchar(length=17, default="")
    business_name = Varchar(length=80, default="")
    name = Varchar(length=30, default="")
    first_surname = Varchar(length=30, default="")
    second_surname = Varchar(length=30, default="")
    country = Varchar(length=4, default="")
    province = Varchar(length=2, default="")
    municipality = Varchar(length=5, default="")
    address = Varchar(length=160, default="")
    postal_code = Varchar(length=5, default="")
    email = Varchar(length=160, default="")
    phone = Varchar(length=20, default="")
    deh = Varchar(length=160, default="")  # dirección electrónica habilitada
    preferred_channel = Varchar(length=2, default="")
    notes = Varchar(length=160, default="")


class Anexo(Table, tablename="registro_anexo"):
    """A document attached to an asiento; its content is a blob named by its SHA-256."""

    tenant = ForeignKey(Tenant)
    asiento = ForeignKey(Asiento)
    position = Integer()
    filename = Varchar(length=80)
    mime = Varchar(length=127)
    size = Integer()
    sha256 = Varchar(length=64)
    document = Integer(null=True, default=None)  # core document id, if any
    validez = Varchar(length=2, default="")  # SICRES Validez_Documento
    tipo_documento = Varchar(length=2, default="02")  # SICRES Tipo_Documento
    notes = Varchar(length=50, default="")
    signs = Integer(null=True, default=None)  # position of the anexo this one signs
    sir_identificador = Varchar(length=50, default="")  # Identificador_Fichero received
    sir_extra = JSON(default={})  # certificate, signature, timestamp, OCSP (base64)


class Rectificacion(Table, tablename="registro_rectificacion"):
    """A correction of an asiento: what changed, why and by whom."""

    tenant = ForeignKey(Tenant)
    asiento = ForeignKey(Asiento)
    reason = Text()
    before = JSON(default={})
    after = JSON(default={})
    actor = Varchar(length=254)
    at = Timestamptz()


class Exchange(Table, tablename="registro_sir_exchange"):
    """One SIR exchange (intercambio) sent or received, with its state."""

    tenant = ForeignKey(Tenant)
    asiento = ForeignKey(Asiento, null=True, default=None)
    direction = Varchar(length=8)  # outgoing | incoming
    identificador = Varchar(length=33)
    state = Varchar(length=16)  # sicres.SirState
    counterpart = Varchar(length=21)  # the other entidad registral
    counterpart_unit = Varchar(length=21, default="")
    tipo_anotacion = Varchar(length=2)
    motivo = Text(default="")
    file_sha256 = Varchar(length=64)  # the SICRES file as sent or received (blob)
    extracto = Varchar(length=240, default="")
    origen_numero = Varchar(length=20, default="")
    destino_numero = Varchar(length=20, default="")  # from the destination's confirmación
    destino_fecha = Varchar(length=14, default="")
    attempts = Integer(default=0)
    last_error = Text(default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()
    # unique key (tenant, direction, identificador, file_sha256)
