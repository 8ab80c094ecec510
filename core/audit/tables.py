"""The audit log tables: one chain per tenant, each entry holding the previous hash, and
the head of each chain."""

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


class AuditHead(Table, tablename="core_audit_head"):
    """Where each tenant's chain ends: the last entry's seq and hash. Appending locks this
    row and reads it in one statement; a trigger moves it on with every entry, so a chain
    cut short at its end no longer verifies."""

    tenant = ForeignKey(Tenant, unique=True)
    seq = Integer()
    hash = Varchar(length=64)
