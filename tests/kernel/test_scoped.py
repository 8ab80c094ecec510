"""Tenant-scoped look-ups (``core.tenancy.scoped``): a row is the tenant's or not found."""

from __future__ import annotations

import pytest

from core.errors import NotFoundError
from core.numbering import Counter, next_number
from core.tenancy.scoped import as_id, get_or_404, scoped


async def test_a_row_is_found_only_in_its_tenant(make_tenant):
    mine, theirs = await make_tenant(), await make_tenant()
    await next_number(mine.id, "pruebas.acta", 2026)
    row = await Counter.select(Counter.id).where(scoped(Counter, mine)).first()
    found = await get_or_404(Counter, row["id"], mine, Counter.series, Counter.last)
    assert found == {"series": "pruebas.acta", "last": 1}
    assert (await get_or_404(Counter, str(row["id"]), mine.id))["tenant"] == mine.id
    with pytest.raises(NotFoundError):
        await get_or_404(Counter, row["id"], theirs)
    with pytest.raises(NotFoundError):  # the tenant's, but not what ``where`` asks for
        await get_or_404(Counter, row["id"], mine, where=Counter.year == 1999)


@pytest.mark.parametrize("bad", [2**31, 2**63, 10**30, 0, -1, "abc", "12abc", "1e3",
                                 "١٢", 1.0, True, None, [1]])
async def test_what_cannot_be_an_id_is_not_found_without_a_query(make_tenant, bad):
    tenant = await make_tenant()
    assert as_id(bad) is None
    with pytest.raises(NotFoundError):
        await get_or_404(Counter, bad, tenant)


def test_ids_that_fit_are_taken():
    assert [as_id(v) for v in (1, "42", " 7 ", 2**31 - 1)] == [1, 42, 7, 2**31 - 1]
