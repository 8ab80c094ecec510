"""Gapless numbering: one counter row per tenant, year and series.

``next_number`` must run inside the transaction that stores what it numbers. It bumps the
counter with ``UPDATE … RETURNING``, which locks the row until that transaction ends:
concurrent transactions wait their turn (no duplicates), and a transaction that dies after
taking a number rolls the bump back with everything else (no gaps). On SQLite the
``atomic()`` transaction is ``IMMEDIATE``, which serialises writers anyway.
"""

from __future__ import annotations

from core.db import atomic
from plugins.registro.tables import Counter


async def next_number(tenant_id: int, year: int, series: str) -> int:
    """The next number of ``series`` for the tenant and year (1 for the first)."""
    where = (Counter.tenant == tenant_id) & (Counter.year == year) & (Counter.series == series)
    async with atomic():
        rows = await Counter.update({Counter.last: Counter.last + 1}).where(where).returning(
            Counter.last)
        if not rows:  # first of the year: create the row (a racing twin waits, then skips)
            await Counter.insert(Counter(tenant=tenant_id, year=year, series=series, last=0)
                                 ).on_conflict(action="DO NOTHING")
            rows = await Counter.update({Counter.last: Counter.last + 1}).where(
                where).returning(Counter.last)
    return rows[0]["last"]
