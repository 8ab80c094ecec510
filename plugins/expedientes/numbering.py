"""Gapless numbers per tenant, year and series: expedientes and the libro de resoluciones.

One ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` bumps (or starts) the counter row; the
row stays locked until the caller's transaction ends, so concurrent transactions wait
their turn and one that rolls back takes its number back with it. Call it inside the
``atomic()`` block that stores what it numbers.
"""

from __future__ import annotations

from plugins.expedientes.tables import Counter

EXPEDIENTE = "expediente"
RESOLUCION = "resolucion"

_BUMP = (
    "INSERT INTO expedientes_counter (tenant, year, series, last) VALUES ({}, {}, {}, 1) "
    "ON CONFLICT (tenant, year, series) DO UPDATE SET last = expedientes_counter.last + 1 "
    "RETURNING last"
)


async def next_number(tenant_id: int, year: int, series: str) -> int:
    """The next number of ``series`` in the tenant's ``year`` (1 for the first)."""
    rows = await Counter.raw(_BUMP, tenant_id, year, series)
    return int(rows[0]["last"])
