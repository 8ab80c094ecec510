"""Signing tables: signer credentials (seals and personal certificates) and signature flows.

A credential's secret (PKCS#12 and its password, a PKCS#11 PIN, a remote service's key) is
stored only sealed with the deployment master key (AES-256-GCM, bound to the tenant and
purpose by the authenticated context); its certificate is stored in clear to show it.
"""

from piccolo.columns import JSON, Boolean, Bytea, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from core.documents.tables import Document
from core.identity.tables import User
from core.tenancy.tables import Tenant


class SignerCredential(Table, tablename="core_signer_credential"):
    """A key a tenant signs with: its seal (``user`` empty) or a person's certificate."""

    tenant = ForeignKey(Tenant)
    purpose = Varchar(length=10)  # seal | personal
    user = ForeignKey(User, null=True, default=None)
    backend = Varchar(length=40)  # a registered signer backend: pkcs12, pkcs11, …
    config = JSON(default={})  # non-secret settings of the backend (token label, …)
    sealed_secret = Bytea()
    certificate = Bytea()  # DER
    subject = Text()
    not_after = Timestamptz()
    active = Boolean(default=True)
    created_by = Varchar(length=254)
    created_at = Timestamptz()


class SignatureFlow(Table, tablename="core_signature_flow"):
    """A circuito de firma over one document: ordered or parallel signers."""

    tenant = ForeignKey(Tenant)
    document = ForeignKey(Document)
    mode = Varchar(length=10)  # ordered | parallel
    state = Varchar(length=10, default="pending")  # pending | completed | rejected
    subject = Varchar(length=300)
    kind = Varchar(length=40, default="")  # what the requesting plugin calls it
    reference = Varchar(length=100, default="")  # the requesting plugin's own id
    reason = Text(default="")  # why it was rejected
    created_by = Varchar(length=254)
    created_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)


class SignatureStep(Table, tablename="core_signature_step"):
    """One signer of a flow; ``position`` orders the signers of an ordered flow."""

    tenant = ForeignKey(Tenant)
    flow = ForeignKey(SignatureFlow)
    position = Integer()
    user = ForeignKey(User)
    state = Varchar(length=10, default="pending")  # pending | signed | rejected
    reason = Text(default="")
    version = Integer(null=True, default=None)  # document version this signature made
    acted_at = Timestamptz(null=True, default=None)
    # unique key (tenant, flow, position): a unique index in the migrations


class SigningPolicy(Table, tablename="core_signing_policy"):
    """An entity's signing rules; no row means the defaults (step-up on)."""

    tenant = ForeignKey(Tenant, unique=True)
    step_up = Boolean(default=True)  # a TOTP code at the moment of a server-held signature
    changed_by = Varchar(length=254, default="")
    changed_at = Timestamptz()
