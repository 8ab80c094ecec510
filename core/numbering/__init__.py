"""Gapless numbering, one counter row per tenant, series and year, for every plugin that
numbers what it stores.

``next_number`` must run inside the ``atomic()`` block that stores what it numbers. One
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` starts or bumps the counter row and locks it
until that transaction ends: a concurrent transaction waits its turn on the row (no
duplicate), and a transaction that rolls back after taking a number takes the bump back
with it (no gap). On SQLite the ``atomic()`` transaction is ``IMMEDIATE``: writers are
serial anyway. There is no advisory lock and no key to pick: the row is the lock.

Hold the number as briefly as possible: take it just before the inserts that use it (do
slow work — documents, hashing, look-ups — before), since every other transaction of the
same series waits from here to the commit.

A series is named ``"<plugin>.<name>"``; ``year`` is the year it restarts in, or ``0``
for a series that never restarts.
"""

from __future__ import annotations

from core.db import engine
from core.numbering.tables import Counter

__all__ = ["Counter", "carry_over", "next_number"]

_BUMP = (
    "INSERT INTO core_counter (tenant, series, year, last) VALUES ({}, {}, {}, 1) "
    "ON CONFLICT (tenant, series, year) DO UPDATE SET last = core_counter.last + 1 "
    "RETURNING last"
)


async def next_number(tenant_id: int, series: str, year: int = 0) -> int:
    """The next number of ``series`` in the tenant's ``year`` (1 for the first)."""
    if "." not in series:
        raise ValueError(f"Series {series!r} must be named '<plugin>.<name>'")
    rows = await Counter.raw(_BUMP, tenant_id, series, year)
    return int(rows[0]["last"])


async def carry_over(select: str) -> None:
    """A plugin's data migration: ``select`` yields ``(tenant, series, year, last)`` rows
    of the counters it kept itself; they become (or raise) the service's counters, so
    numbering goes on where it was. Run as the owner, past row-level security."""
    db = engine()
    if db.engine_type == "postgres":
        await db.run_ddl("SELECT set_config('app.cross_tenant', 'migration', true)")
    await db.run_ddl(
        "INSERT INTO core_counter (tenant, series, year, last) "
        f"SELECT * FROM ({select}) AS carried WHERE true "  # SQLite: an upsert's needs WHERE
        "ON CONFLICT (tenant, series, year) DO UPDATE "
        "SET last = CASE WHEN excluded.last > core_counter.last "
        "THEN excluded.last ELSE core_counter.last END")
