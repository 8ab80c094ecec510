"""Fixtures of the registro tests: entities with a registry office and units."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from io import BytesIO
from typing import Any

import pytest
from pypdf import PdfReader

from core.signing.samples import sample_pdf
from core.tenancy.context import TenantContext
from core.tenancy.services import add_unit
from plugins.registro.schemas import AsientoIn, InteresadoIn

PDF = sample_pdf("Anexo de prueba")  # a real PDF: uploads pass the qpdf structure check


def code(letter: str) -> str:
    """A unique DIR3-shaped demo code (not an official one)."""
    return letter + uuid.uuid4().hex[:8].upper()


class Entity:
    """A test entity with registro enabled, a registry office and two units."""

    def __init__(self, tenant: TenantContext, oficina: str, urbanismo: str,
                 intervencion: str) -> None:
        self.tenant, self.oficina = tenant, oficina
        self.urbanismo, self.intervencion = urbanismo, intervencion

    @property
    def slug(self) -> str:
        return self.tenant.slug

    @property
    def api(self) -> str:
        return f"/api/v1/{self.tenant.slug}/registro"


_SESSIONS: dict[str, tuple[int, dict[str, str]]] = {}  # role -> (user id, cookies)


@pytest.fixture
def staff(login: Callable[..., Awaitable[int]]) -> Callable[..., Awaitable[None]]:
    """Like ``login``, but one real login per role for the whole run: later calls grant the
    role in the new entity and reuse the session (password hashing is slow on purpose)."""
    from core.identity import sessions
    from core.identity.services import grant_role
    from core.identity.sessions import SESSION_COOKIE

    async def as_staff(client: Any, tenant: TenantContext, role: str) -> None:
        cached = _SESSIONS.get(role)
        if cached is None or await sessions.load(cached[1][SESSION_COOKIE], touch=False) is None:
            user_id = await login(client, tenant, role)  # first time, or the session expired
            _SESSIONS[role] = (user_id, dict(client.cookies))
            return
        user_id, cookies = cached
        await grant_role(user_id, tenant.id, role)
        client.cookies.update(cookies)

    return as_staff


@pytest.fixture
def make_entity(make_tenant: Callable[..., Awaitable[TenantContext]]
                ) -> Callable[..., Awaitable[Entity]]:
    async def factory(settings: dict[str, Any] | None = None, **tenant_args: Any) -> Entity:
        tenant = await make_tenant(plugins=("registro",), settings={"registro": settings or {}},
                                   **tenant_args)
        oficina, urbanismo, intervencion = code("O"), code("A"), code("A")
        await add_unit(tenant.id, tenant.dir3, tenant.name)
        await add_unit(tenant.id, oficina, "Oficina de asistencia en materia de registros",
                       is_office=True)
        await add_unit(tenant.id, urbanismo, "Urbanismo")
        await add_unit(tenant.id, intervencion, "Intervención")
        return Entity(tenant, oficina, urbanismo, intervencion)

    return factory


def solicitud(**changes: Any) -> AsientoIn:
    """A plain entrada of one person, to a unit given in ``changes`` if any."""
    fields: dict[str, Any] = {
        "extracto": "Solicitud de licencia de obra menor",
        "interesados": [InteresadoIn(document="12345678Z", name="José María",
                                     first_surname="Peña", second_surname="Muñoz")],
    }
    fields.update(changes)
    return AsientoIn(**fields)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)
