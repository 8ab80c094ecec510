"""Numbering under concurrency and failure: no duplicates, no gaps (SQLite and PostgreSQL).

On PostgreSQL the tasks below run on the connection pool at the same time, each in its
own transaction, so they really contend for the counter row. Bulk tests register salidas,
which numbering treats exactly like entradas but which have no justificante to render.
"""

from __future__ import annotations

import asyncio

import pytest

from core.db import atomic, engine
from core.numbering import next_number
from plugins.registro import services
from plugins.registro.schemas import Search
from plugins.registro.tests.conftest import solicitud


class Boom(Exception):
    """The failure a test injects after a number was taken."""


async def numbers_of(entity, direction="salida") -> list[int]:
    items, _ = await services.search(entity.tenant, Search(direction=direction, per_page=500))
    return sorted(int(item.numero.rsplit("-", 1)[1]) for item in items)


async def test_concurrent_registrations_get_every_number_once(make_entity):
    entity = await make_entity()
    count = 40 if engine().engine_type == "postgres" else 15  # SQLite serialises anyway

    async def one(i: int):
        data = solicitud(extracto=f"Solicitud {i}", direction="salida")
        return await services.register(entity.tenant, data, channel="presencial", actor="t")

    results = await asyncio.gather(*(one(i) for i in range(count)))
    assert sorted(r.number for r in results) == list(range(1, count + 1))
    assert await numbers_of(entity) == list(range(1, count + 1))
    # numbers follow the order of arrival: presentation times grow with the number
    by_number = sorted(results, key=lambda r: r.number)
    assert [r.received_at for r in by_number] == sorted(r.received_at for r in by_number)


async def test_a_transaction_that_dies_after_taking_a_number_leaves_no_gap(make_entity):
    entity = await make_entity()
    first = await services.register(entity.tenant, solicitud(), channel="presencial",
                                    actor="t")
    assert first.direction == "entrada"
    with pytest.raises(Boom):
        async with atomic():
            doomed = await services.register(entity.tenant, solicitud(), channel="presencial",
                                             actor="t")
            assert doomed.number == first.number + 1
            raise Boom  # e.g. the connection drops before the commit
    after = await services.register(entity.tenant, solicitud(), channel="presencial",
                                    actor="t")
    assert after.number == first.number + 1
    assert await numbers_of(entity, "entrada") == [1, 2]


async def test_concurrent_registrations_with_failures_stay_gapless(make_entity):
    entity = await make_entity()

    async def one(i: int) -> int | None:
        try:
            async with atomic():
                data = solicitud(extracto=f"Solicitud {i}", direction="salida")
                created = await services.register(entity.tenant, data, channel="presencial",
                                                  actor="t")
                if i % 3 == 0:
                    raise Boom
                return created.number
        except Boom:
            return None

    total = 30 if engine().engine_type == "postgres" else 12
    results = await asyncio.gather(*(one(i) for i in range(total)))
    kept = sorted(n for n in results if n is not None)
    assert len(kept) == total * 2 // 3
    assert kept == list(range(1, len(kept) + 1)) == await numbers_of(entity)


async def test_series_are_independent_per_tenant_year_and_direction(make_entity):
    a, b = await make_entity(), await make_entity()
    taken = [await next_number(a.tenant.id, "registro.entrada", 2030),
             await next_number(a.tenant.id, "registro.entrada", 2030),
             await next_number(a.tenant.id, "registro.salida", 2030),
             await next_number(a.tenant.id, "registro.entrada", 2031),
             await next_number(b.tenant.id, "registro.entrada", 2030)]
    assert taken == [1, 2, 1, 1, 1]


async def test_first_number_of_a_series_under_concurrency(make_entity):
    entity = await make_entity()

    async def take() -> int:
        async with atomic():
            return await next_number(entity.tenant.id, "registro.salida", 2040)

    assert sorted(await asyncio.gather(*(take() for _ in range(20)))) == list(range(1, 21))
