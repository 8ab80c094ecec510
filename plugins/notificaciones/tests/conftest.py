"""Fixtures of the notificaciones tests: an entity with expedientes, notificaciones and its
calendar, an expediente with interesados, a real SMTP server, pdfsig."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import msgspec
import pytest

from core.calendar_app.services import load_year
from plugins.cita_previa.tests.helpers import Inbox, smtp_inbox
from plugins.expedientes import catalogo, demo, services
from plugins.expedientes.schemas import ExpedienteIn, ProcedimientoIn
from tests.platform.conftest import pdfsig  # noqa: F401  (the platform tests' fixture)

#: Andalucía: no other test loads its calendar (loading a year loads it for every entity
#: of the comunidad, so this keeps the load small).
COMMUNITY = "AN"
ANA = "12345678Z"
LUIS = "87654321X"
GESTORA = "00000000T"


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


async def open_expediente(tenant) -> Any:
    """An obra menor expediente of Ana (with her gestora as representative) and Luis."""
    procedimiento = await catalogo.create(tenant, msgspec.convert(demo.MODELS[0],
                                                                  ProcedimientoIn), actor="t")
    return await services.open_expediente(tenant, msgspec.convert({
        "procedimiento_id": procedimiento.id, "subject": "Cambio de ventanas",
        "interesados": [{"nif": ANA, "name": "Ana Ruiz", "email": "ana@example.org",
                         "representante": {"nif": GESTORA, "name": "Gestoría Sur"}},
                        {"nif": LUIS, "name": "Luis Gil", "address": "Calle Mayor 1"}]},
        ExpedienteIn), actor="t", user_id=None)


@pytest.fixture
def inbox(concejo_kernel: Any) -> Iterator[Inbox]:
    """Mail really sent to an SMTP server on loopback."""
    with smtp_inbox(concejo_kernel.settings) as box:
        yield box
