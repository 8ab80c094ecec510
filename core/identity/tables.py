"""Identity tables: global users, their roles per tenant, and server-side sessions."""

from piccolo.columns import Boolean, ForeignKey, Timestamptz, Varchar
from piccolo.table import Table

from core.tenancy.tables import Tenant


class User(Table, tablename="core_user"):
    """A person with a staff account; global, since one secretario serves several entities."""

    email = Varchar(length=254, unique=True)
    name = Varchar(length=200)
    password_hash = Varchar(length=200, default="")
    is_active = Boolean(default=True)
    created_at = Timestamptz()


class Membership(Table, tablename="core_membership"):
    """A role of a user in a tenant."""

    user = ForeignKey(User)
    tenant = ForeignKey(Tenant)
    role = Varchar(length=40)
    # unique key (user, tenant, role): a unique index in the migrations


class Session(Table, tablename="core_session"):
    """A server-side login session; the cookie carries only its random id."""

    key = Varchar(length=64, unique=True)
    user = ForeignKey(User)
    created_at = Timestamptz()
    last_seen = Timestamptz()
