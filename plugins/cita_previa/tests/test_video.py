"""Video calls: Jitsi JWT links (claims, moderator only for staff, valid only around the
slot) and the provider hook through which another video system plugs in."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import jwt
import pytest

from core.identity.actor import Actor
from core.plugins import hookimpl
from plugins.cita_previa.schemas import LineaIn, ReservaIn
from plugins.cita_previa.services import booking, links, queries, video
from plugins.cita_previa.services.common import InvalidCita, as_utc
from plugins.cita_previa.services.slots import availability
from plugins.cita_previa.tests.helpers import make_nif, slots_tomorrow

SECRET = "a-jitsi-secret-for-the-tests-only-0123456789"


def _claims(url: str) -> dict:
    parsed = urlparse(url)
    assert parsed.scheme == "https" and parsed.netloc == "meet.example.org"
    token = parse_qs(parsed.query)["jwt"][0]
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience="jitsi",
                        options={"verify_nbf": False, "verify_exp": False})
    assert parsed.path == f"/{claims['room']}"
    return claims


async def _video_cita(setup, slot, nif=make_nif(31)) -> dict:
    citizen = Actor(kind="citizen", nif=nif, name="Rosa Díaz", email="rosa@example.org")
    booked = await booking.book(setup.tenant, ReservaIn(
        name="Rosa Díaz", email="rosa@example.org", lines=[LineaIn(
            servicio="padron", channel="videollamada", agenda=slot.agenda,
            starts_at=slot.starts_at)]), actor=citizen, ip="10.1.1.1")
    return await queries.get_cita(setup.tenant, booked.reserva.citas[0].id)


async def test_jitsi_links_carry_the_claims_and_only_staff_moderates(cita_tenant):
    setup = await cita_tenant()
    slot = (await slots_tomorrow(setup, "videollamada"))[12]
    cita = await _video_cita(setup, slot)
    assert cita["room"].startswith(f"{setup.tenant.slug}-")
    during = slot.starts_at + timedelta(minutes=5)
    staff = Actor(kind="staff", name="Teresa Técnica", email="teresa@ayto.example")
    enlace = video.link(setup.tenant, cita, video.staff(staff), now=during)
    claims = _claims(enlace.url)
    assert claims["aud"] == "jitsi" and claims["iss"] == "concejo"
    assert claims["sub"] == "meet.example.org" and claims["room"] == cita["room"]
    assert claims["nbf"] == int((slot.starts_at - timedelta(minutes=10)).timestamp())
    assert claims["exp"] == int((slot.ends_at + timedelta(minutes=30)).timestamp())
    assert claims["context"]["user"] == {"id": "teresa@ayto.example", "name": "Teresa Técnica",
                                         "email": "teresa@ayto.example", "moderator": True}
    citizen = _claims(video.link(setup.tenant, cita, video.citizen(cita), now=during).url)
    assert citizen["context"]["user"]["moderator"] is False
    assert citizen["context"]["user"]["name"] == "Rosa Díaz"
    assert citizen["room"] == claims["room"]
    with pytest.raises(InvalidCita, match="se abre"):
        video.link(setup.tenant, cita, video.citizen(cita),
                   now=slot.starts_at - timedelta(minutes=11))
    with pytest.raises(InvalidCita, match="terminado"):
        video.link(setup.tenant, cita, video.citizen(cita),
                   now=slot.ends_at + timedelta(minutes=31))


async def test_staff_and_citizen_get_their_links_over_http(client, cita_tenant, login):
    setup = await cita_tenant({"video_open_minutes": 120})
    day = min((await availability(setup.tenant, setup.servicio, "videollamada", {},
                                  days=2)).items())
    cita = await _video_cita(setup, day[1][0])
    token = links.sign(setup.tenant, cita["localizador"], as_utc(cita["ends_at"]))
    sede = await client.get(
        f"/sede/{setup.tenant.slug}/cita_previa/reservas/{token}/citas/{cita['id']}/video")
    assert sede.status_code == 303
    assert _claims(sede.headers["location"])["context"]["user"]["moderator"] is False
    await login(client, setup.tenant, "secretario")
    staff = await client.get(
        f"/api/v1/{setup.tenant.slug}/cita_previa/gestion/citas/{cita['id']}/video")
    assert staff.status_code == 200, staff.text
    assert _claims(staff.json()["url"])["context"]["user"]["moderator"] is True


class _Salas:
    """Another video system: rooms of a (pretend) provincial service."""

    name = "salas"

    def join_url(self, tenant, settings, room, participant, not_before, expires):
        role = "anfitrion" if participant.moderator else "invitado"
        return f"https://salas.example/{room}?rol={role}&hasta={int(expires.timestamp())}"


class _SalasPlugin:
    @hookimpl
    def register_video_providers(self, register):
        register(_Salas())


async def test_another_video_system_plugs_in_through_the_hook(concejo_kernel, cita_tenant):
    setup = await cita_tenant({"video_provider": "salas"})
    slot = (await slots_tomorrow(setup, "videollamada"))[4]
    cita = await _video_cita(setup, slot)
    during = slot.starts_at + timedelta(minutes=1)
    with pytest.raises(InvalidCita, match="no está disponible"):
        video.link(setup.tenant, cita, video.citizen(cita), now=during)
    pm = concejo_kernel.plugins.pm
    pm.register(_SalasPlugin(), name="salas-test")
    try:
        url = video.link(setup.tenant, cita, video.staff(Actor(kind="staff", name="X")),
                         now=during).url
    finally:
        pm.unregister(name="salas-test")
    closes = int((slot.ends_at + timedelta(minutes=30)).timestamp())
    assert url == f"https://salas.example/{cita['room']}?rol=anfitrion&hasta={closes}"


async def test_without_a_jitsi_server_videollamada_says_it_is_not_configured(cita_tenant):
    # No default server: a tenant that set only the secret has no video calls, and the
    # service's slots by videollamada say so instead of giving links to a public server.
    setup = await cita_tenant({"jitsi_domain": ""})
    assert not video.JitsiProvider().configured(video.settings_of(setup.tenant))
    with pytest.raises(InvalidCita, match="no está configurada"):
        await availability(setup.tenant, setup.servicio, "videollamada", {}, days=2)
