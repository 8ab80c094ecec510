"""The kernel's gapless numbering (``core.numbering``) on SQLite and PostgreSQL.

On PostgreSQL the concurrent tasks run on the connection pool at once, each in its own
transaction, so they really contend for the counter row.
"""

from __future__ import annotations

import asyncio

import pytest

from core.db import atomic, engine
from core.numbering import carry_over, next_number


class Boom(Exception):
    """The failure a test injects after a number was taken."""


async def test_concurrent_transactions_get_every_number_once(make_tenant):
    tenant = await make_tenant()
    count = 40 if engine().engine_type == "postgres" else 15

    async def take() -> int:
        async with atomic():
            number = await next_number(tenant.id, "pruebas.acta", 2026)
            await asyncio.sleep(0)  # hold the row a little, as a real insert does
            return number

    assert sorted(await asyncio.gather(*(take() for _ in range(count)))) == list(
        range(1, count + 1))


async def test_a_rolled_back_transaction_gives_its_number_back(make_tenant):
    tenant = await make_tenant()
    async with atomic():
        assert await next_number(tenant.id, "pruebas.acta", 2026) == 1
    with pytest.raises(Boom):
        async with atomic():
            assert await next_number(tenant.id, "pruebas.acta", 2026) == 2
            raise Boom
    async with atomic():
        assert await next_number(tenant.id, "pruebas.acta", 2026) == 2


async def test_concurrent_transactions_with_failures_stay_gapless(make_tenant):
    tenant = await make_tenant()
    total = 30 if engine().engine_type == "postgres" else 12

    async def one(i: int) -> int | None:
        try:
            async with atomic():
                number = await next_number(tenant.id, "pruebas.recibo", 2026)
                await asyncio.sleep(0)
                if i % 3 == 0:
                    raise Boom
                return number
        except Boom:
            return None

    kept = sorted(n for n in await asyncio.gather(*(one(i) for i in range(total)))
                  if n is not None)
    assert kept == list(range(1, total * 2 // 3 + 1))
    assert await next_number(tenant.id, "pruebas.recibo", 2026) == len(kept) + 1


async def test_years_series_and_tenants_are_independent(make_tenant):
    a, b = await make_tenant(), await make_tenant()
    taken = [await next_number(a.id, "pruebas.acta", 2030),
             await next_number(a.id, "pruebas.acta", 2030),
             await next_number(a.id, "pruebas.contrato", 2030),
             await next_number(a.id, "pruebas.acta", 2031),
             await next_number(a.id, "pruebas.acta"),  # a series that never restarts
             await next_number(b.id, "pruebas.acta", 2030),
             await next_number(a.id, "pruebas.acta", 2030)]
    assert taken == [1, 2, 1, 1, 1, 1, 3]


async def test_a_series_is_named_after_its_plugin(make_tenant):
    tenant = await make_tenant()
    with pytest.raises(ValueError, match=r"<plugin>\.<name>"):
        await next_number(tenant.id, "acta", 2030)


async def test_carried_over_counters_go_on_where_they_were(make_tenant):
    """A plugin's data migration hands its counters over: numbering continues, and a
    counter already ahead is never moved back."""
    tenant = await make_tenant()
    assert await next_number(tenant.id, "pruebas.ahead", 2026) == 1
    async with atomic():
        await carry_over(f"SELECT {tenant.id}, 'pruebas.' || 'old', 2026, 41")
        await carry_over(f"SELECT {tenant.id}, 'pruebas.ahead', 2026, 0")
    assert await next_number(tenant.id, "pruebas.old", 2026) == 42
    assert await next_number(tenant.id, "pruebas.ahead", 2026) == 2
