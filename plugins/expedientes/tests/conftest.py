"""Fixtures of the expedientes tests: an entity with its calendar loaded."""

from __future__ import annotations

import uuid
from datetime import date

import httpx
import pytest
from expedientes_tools import staff_member

from core.calendar_app.services import load_year
from core.identity.services import ensure_user, grant_role
from core.identity.tables import User
from core.signing.devsetup import provision_dev_pki
from core.tenancy.services import set_plugin
from core.testing import csrf_headers

COMMUNITY = "PV"


@pytest.fixture
def entidad(make_tenant):
    """A new ayuntamiento with expedientes enabled and this and next year's calendar.

    Its comunidad is the País Vasco, which no other test uses: loading a year loads it for
    every entity of the comunidad, so this keeps the load small in a long session."""

    async def factory(plugins=("expedientes",), **kwargs):
        tenant = await make_tenant(plugins=plugins, community=COMMUNITY, **kwargs)
        for year in (date.today().year, date.today().year + 1):
            await load_year(year, actor="test", community=COMMUNITY)
        return tenant

    return factory


@pytest.fixture
def sealed_entidad(entidad):
    """An entity with a seal, an alcalde and a secretario (with certificates) set as the
    signers of its resoluciones; returns (tenant, alcalde id, secretario id)."""

    async def factory(**kwargs):
        tenant = await entidad(**kwargs)
        alcalde = await staff_member(tenant, "firmante", "alcaldesa")
        secretario = await staff_member(tenant, "secretario", "secretario")
        await provision_dev_pki([tenant.slug])
        emails = {r["id"]: r["email"] for r in await User.select(User.id, User.email).where(
            User.id.is_in([alcalde, secretario]))}
        tenant = await set_plugin(tenant, "expedientes", True, actor="test", settings={
            "alcalde": emails[alcalde], "secretario": emails[secretario]})
        return tenant, alcalde, secretario

    return factory


@pytest.fixture(scope="session")
async def _staff_session(concejo_app):
    """One logged-in staff user for the whole session: logging in costs two password
    hashes (over a second), so tests grant this user a role in their new entity instead."""
    transport = httpx.ASGITransport(app=concejo_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        email = f"tramitacion-{uuid.uuid4().hex[:6]}@test.invalid"
        user_id = await ensure_user(email, "Teresa Tramitadora", "correct horse battery")
        response = await http.post("/login", headers=await csrf_headers(http),
                                   data={"email": email, "password": "correct horse battery"})
        assert response.status_code in (302, 303), response.text
        yield http, user_id


@pytest.fixture
def staff(_staff_session):
    """``await staff(tenant, role)`` → (logged-in client, user id) holding ``role`` there."""

    async def grant(tenant, role):
        http, user_id = _staff_session
        await grant_role(user_id, tenant.id, role)
        return http, user_id

    return grant
