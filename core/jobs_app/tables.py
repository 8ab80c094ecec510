"""Outbox rows (jobs and events written in the business transaction) and done messages."""

from piccolo.columns import JSON, UUID, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from core.tenancy.tables import Tenant


class OutboxMessage(Table, tablename="core_outbox"):
    """A job or event committed with the business change, relayed to the broker after."""

    message_id = UUID(unique=True)
    tenant = ForeignKey(Tenant)
    actor_name = Varchar(length=120)
    payload = JSON(default={})
    created_at = Timestamptz()
    relayed_at = Timestamptz(null=True, default=None)
    attempts = Integer(default=0)
    last_error = Text(default="")


class DoneMessage(Table, tablename="core_done_message"):
    """A processed message id: makes every actor idempotent (exactly-once effects)."""

    tenant = ForeignKey(Tenant)
    message_id = UUID()
    actor_name = Varchar(length=120)
    outcome = Varchar(length=10)  # done | skipped
    done_at = Timestamptz()
    # unique key (tenant, message_id): a unique index in the migrations
