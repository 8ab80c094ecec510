"""Calendar tables: the non-working days of each tenant by layer, and the years it covers."""

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.table import Table

from core.tenancy.tables import Tenant


class NonWorkingDayRow(Table, tablename="core_non_working_day"):
    """One declared non-working day of a tenant's calendar (a `NonWorkingDay` record)."""

    tenant = ForeignKey(Tenant)
    date = Date()
    scope = Varchar(length=10)  # national | autonomica | local | registro
    region = Varchar(length=9, null=True, default=None)  # community, INE code or office DIR3
    name = Varchar(length=200)
    verified = Boolean(default=True)
    # unique key (tenant, date, scope, name): a unique index in the migrations


class CalendarYear(Table, tablename="core_calendar_year"):
    """A year whose national and autonomic days are loaded for a tenant (its coverage)."""

    tenant = ForeignKey(Tenant)
    year = Integer()
    community = Varchar(length=2)
    loaded_at = Timestamptz()
    loaded_by = Varchar(length=200)
    # unique key (tenant, year): a unique index in the migrations
