"""Fixtures of the expedientes tests: an entity with its calendar loaded."""

from __future__ import annotations

from datetime import date

import pytest

from core.calendar_app.services import load_year


@pytest.fixture
def entidad(make_tenant):
    """A new ayuntamiento with expedientes enabled and this and next year's calendar."""

    async def factory(**kwargs):
        tenant = await make_tenant(plugins=("expedientes",), community="CL", **kwargs)
        for year in (date.today().year, date.today().year + 1):
            await load_year(year, actor="test", community="CL")
        return tenant

    return factory
