"""Fixtures of the notificaciones tests: an entity with expedientes, notificaciones and its
calendar, a real SMTP server, pdfsig (helpers: ``notificaciones_tools``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from notificaciones_tools import COMMUNITY

from core.calendar_app.services import load_year
from plugins.cita_previa.tests.helpers import Inbox, smtp_inbox
from tests.platform.conftest import pdfsig  # noqa: F401  (the platform tests' fixture)


@pytest.fixture
def entidad(make_tenant):
    """``await entidad(plugins=..., settings=...)``: a new ayuntamiento with expedientes and
    notificaciones enabled and this and next year's calendar."""

    async def factory(plugins=("expedientes", "notificaciones"), **kwargs):
        tenant = await make_tenant(plugins=plugins, community=COMMUNITY, **kwargs)
        for year in (date.today().year, date.today().year + 1):
            await load_year(year, actor="test", community=COMMUNITY)
        return tenant

    return factory


@pytest.fixture
def inbox(concejo_kernel: Any) -> Iterator[Inbox]:
    """Mail really sent to an SMTP server on loopback."""
    with smtp_inbox(concejo_kernel.settings) as box:
        yield box
