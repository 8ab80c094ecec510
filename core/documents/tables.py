"""Document records: ENI metadata, versions (each one blob) and the signatures they carry.

A document is immutable content that grows by versions: version 1 is what was issued or
uploaded; every signature of a flow (an incremental update of the PDF) adds a version, as
does a copy stripped of metadata for publishing. The blobs themselves live in the blob
store, addressed by ``sha256``.
"""

from piccolo.columns import BigInt, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from core.identity.tables import User
from core.tenancy.tables import Tenant


class Document(Table, tablename="core_document"):
    """One electronic document with its ENI metadata (NTI de Documento electrónico)."""

    tenant = ForeignKey(Tenant)
    identificador = Varchar(length=52)  # ES_<DIR3>_<AAAA>_<id específico>, unique per tenant
    csv = Varchar(length=29, unique=True, null=True, default=None)  # only issued documents
    title = Varchar(length=300)
    organo = Varchar(length=9)  # DIR3 of the unit that produced or received it
    fecha_captura = Timestamptz()
    origen = Integer()  # 0 ciudadano, 1 administración
    estado_elaboracion = Varchar(length=4)  # EE01 …
    identificador_origen = Varchar(length=52, null=True, default=None)  # for copies
    tipo_documental = Varchar(length=4)  # TD01 …
    filename = Varchar(length=255)
    mime = Varchar(length=100)
    current_version = Integer(default=1)
    created_by = Varchar(length=254)
    created_at = Timestamptz()


class DocumentVersion(Table, tablename="core_document_version"):
    """One stored content of a document; ``number`` counts from 1 per document."""

    tenant = ForeignKey(Tenant)
    document = ForeignKey(Document)
    number = Integer()
    sha256 = Varchar(length=64, index=True)
    size = BigInt()
    mime = Varchar(length=100)
    note = Varchar(length=200, default="")
    created_by = Varchar(length=254)
    created_at = Timestamptz()
    # unique key (tenant, document, number): a unique index in the migrations


class DocumentSignature(Table, tablename="core_document_signature"):
    """A PAdES signature added to a document; ``version`` is the version it produced."""

    tenant = ForeignKey(Tenant)
    document = ForeignKey(Document)
    version = Integer()
    field_name = Varchar(length=100)
    purpose = Varchar(length=10)  # seal | personal
    user = ForeignKey(User, null=True, default=None)  # the person, for personal signatures
    signer_name = Varchar(length=300)  # certificate common name
    signer_subject = Text()
    timestamped = Boolean(default=False)  # B-T (RFC 3161 token) rather than B-B
    signed_at = Timestamptz()
