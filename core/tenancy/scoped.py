"""Tenant-scoped look-ups: the first wall between tenants, written once.

Every query of a tenant-owned table says which tenant it works for (``scoped``); a row
looked up by id is either the tenant's or it does not exist (``get_or_404``), so another
tenant's id answers exactly what a missing one does: ``NotFoundError``, which the web
layer turns into 404 problem+json in the API and the 404 page for people.

An id from a path, a form or an event is taken as it comes: what is not a positive
integer that fits an id column (PostgreSQL ``integer``: below 2³¹) cannot name a row,
so it is not found — it never reaches the database to fail there with a 500.
"""

from __future__ import annotations

from typing import Any

from piccolo.columns import Column
from piccolo.columns.combination import Combinable
from piccolo.table import Table

from core.errors import NotFoundError
from core.tenancy.context import TenantContext

MAX_ID = 2**31 - 1  # a Serial column on PostgreSQL


def tenant_id_of(tenant: TenantContext | int) -> int:
    return tenant if isinstance(tenant, int) else tenant.id


def scoped(table: type[Table], tenant: TenantContext | int) -> Combinable:
    """The clause every query of ``table`` for ``tenant`` carries."""
    return table._meta.get_column_by_name("tenant") == tenant_id_of(tenant)


def as_id(value: object) -> int | None:
    """``value`` as a row id, or None when it cannot be one (not an integer, ≤ 0, ≥ 2³¹)."""
    if isinstance(value, str) and value.isascii() and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    return value if 0 < value <= MAX_ID else None


async def get_or_404(table: type[Table], row_id: object, tenant: TenantContext | int,
                     *columns: Column, where: Combinable | None = None,
                     load_json: bool = False) -> dict[str, Any]:
    """The row of ``table`` with ``row_id`` that belongs to ``tenant`` (and matches
    ``where``, if given), as a dict of ``columns`` (all when none); ``NotFoundError``
    otherwise — also for another tenant's row and for an id that cannot be one."""
    number = as_id(row_id)
    if number is not None:
        clause = scoped(table, tenant) & (table._meta.primary_key == number)
        if where is not None:
            clause = clause & where
        row = await table.select(*columns).where(clause).output(load_json=load_json).first()
        if row is not None:
            return row
    raise NotFoundError(f"{table._meta.tablename} {row_id!r}")
