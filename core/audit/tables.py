"""The audit log table: one chain per tenant, each entry holding the previous hash."""

from piccolo.columns import JSON, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.table import Table

from core.tenancy.tables import Tenant


class AuditEntry(Table, tablename="core_audit_entry"):
    """Who did what, when, from where, with what outcome; never updated or deleted."""

    tenant = ForeignKey(Tenant)
    seq = Integer()
    at = Timestamptz()
    actor = Varchar(length=200)
    on_behalf_of = Varchar(length=200, default="")  # e.g. diputación support acting inside
    action = Varchar(length=100)
    target = Varchar(length=200, default="")
    outcome = Varchar(length=10, default="ok")  # ok | denied | failed
    ip = Varchar(length=45, default="")
    detail = JSON(default={})
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64)
    # unique key (tenant, seq): a unique index in the migrations
