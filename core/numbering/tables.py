"""The table of the numbering service: the last number given in each series."""

from piccolo.columns import ForeignKey, Integer, Varchar
from piccolo.table import Table

from core.tenancy.tables import Tenant


class Counter(Table, tablename="core_counter"):
    """The last number given in a series (``"<plugin>.<name>"``) of a tenant and year
    (``0``: a series that never restarts).

    Taken with ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` inside the transaction that
    stores what it numbers (``core.numbering.next_number``).
    """

    tenant = ForeignKey(Tenant)
    series = Varchar(length=40)
    year = Integer(default=0)
    last = Integer(default=0)
    # unique key (tenant, series, year): a unique index in the migrations
