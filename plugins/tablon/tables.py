"""Tables of the tablón."""

from piccolo.columns import Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from core.tenancy.tables import Tenant


class Anuncio(Table, tablename="tablon_anuncio"):
    """A notice; shown on the sede from ``publish_from`` to ``publish_until`` inclusive."""

    tenant = ForeignKey(Tenant)
    number = Integer()  # per tenant, in order of creation
    title = Varchar(length=300)
    body = Text()
    category = Varchar(length=40)
    publish_from = Date()
    publish_until = Date()
    state = Varchar(length=12, default="publicado")  # publicado | retirado
    created_by = Varchar(length=254)
    created_at = Timestamptz()
    retired_at = Timestamptz(null=True, default=None)
    retired_reason = Text(default="")
    # unique key (tenant, number): a unique index in the migrations
