"""OpenID Connect against a real provider on loopback: discovery, authorize with state,
nonce and PKCE, code for a signed ID token, JWKS; every check that must fail, fails."""

from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from core.identity.providers.oidc import OidcProvider
from core.identity.services import ensure_user, grant_role
from core.identity.settings import OidcProviderSettings
from core.identity.tables import AuthFlow, Session

CLIENT_ID, CLIENT_SECRET = "concejo-test", "s3cret-of-the-test-client"


@pytest.fixture
def clave(oidc_provider, concejo_kernel, monkeypatch):
    """The test provider registered as a citizen provider (a Cl@ve bridge)."""
    oidc_provider.tamper = ""
    oidc_provider.claims = {"sub": "ciudadana-1", "nif": "12345678Z",
                            "name": "María Pérez Gómez"}
    config = OidcProviderSettings(name="clave-test", label="Cl@ve (prueba)",
                                  issuer=oidc_provider.issuer, client_id=CLIENT_ID,
                                  client_secret=CLIENT_SECRET)
    monkeypatch.setitem(concejo_kernel.identity_providers, "clave-test",
                        OidcProvider(config, concejo_kernel.settings.effective_base_url))
    return oidc_provider


async def run_flow(http, next_path, provider="clave-test"):
    """Browser steps: our start → the provider's authorize → back to our callback."""
    start = await http.get(f"/login/with/{provider}", params={"next": next_path})
    assert start.status_code in (302, 303), start.text
    authorize = start.headers["location"]
    query = parse_qs(urlparse(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
    async with httpx.AsyncClient() as browser:  # the real provider, over loopback TCP
        consent = await browser.get(authorize)
    assert consent.status_code in (302, 303)
    back = urlparse(consent.headers["location"])
    return await http.get(f"{back.path}?{back.query}", headers={"accept": "text/html"})


async def test_citizen_logs_in_through_oidc_on_the_sede(client, make_tenant, clave):
    tenant = await make_tenant()
    done = await run_flow(client, f"/sede/{tenant.slug}/representacion")
    assert done.status_code in (302, 303), done.text
    assert done.headers["location"] == f"/sede/{tenant.slug}/representacion"
    page = await client.get(done.headers["location"], headers={"accept": "text/html"})
    assert page.status_code == 200 and "12345678Z" in page.text
    session = await Session.select().order_by(Session.id, ascending=False).first()
    assert session["kind"] == "citizen" and session["nif"] == "12345678Z"
    assert session["provider"] == "clave-test"
    assert not await AuthFlow.exists().where(AuthFlow.provider == "clave-test")


@pytest.mark.parametrize(("tamper", "message"), [
    ("nonce", "no corresponde a este acceso"),
    ("aud", "Token de identidad no válido"),
    ("iss", "Token de identidad no válido"),
    ("exp", "Token de identidad no válido"),
    ("key", "Token de identidad no válido"),
])
async def test_a_bad_id_token_logs_nobody_in(client, make_tenant, clave, tamper, message):
    tenant = await make_tenant()
    clave.tamper = tamper
    sessions_before = await Session.count()
    done = await run_flow(client, f"/sede/{tenant.slug}/")
    assert done.status_code == 401 and message in done.text
    assert await Session.count() == sessions_before


async def test_state_must_match_a_flow_started_in_this_browser(client, client_at,
                                                               make_tenant, clave):
    tenant = await make_tenant()
    start = await client.get("/login/with/clave-test", params={"next": f"/sede/{tenant.slug}/"})
    async with httpx.AsyncClient() as browser:
        consent = await browser.get(start.headers["location"])
    back = urlparse(consent.headers["location"])
    other_browser = client_at()  # same callback URL, but not the browser that started
    stolen = await other_browser.get(f"{back.path}?{back.query}",
                                     headers={"accept": "text/html"})
    assert stolen.status_code == 401 and "no se inició en este navegador" in stolen.text
    replay = await client.get(f"{back.path}?{back.query}", headers={"accept": "text/html"})
    assert replay.status_code == 401  # the flow was spent by the first callback
    forged = await client.get("/login/with/clave-test/callback?code=x&state=forged",
                              headers={"accept": "text/html"})
    assert forged.status_code == 401


async def test_an_invalid_nif_from_the_provider_is_refused(client, make_tenant, clave):
    tenant = await make_tenant()
    clave.claims = {"sub": "x", "nif": "12345678A", "name": "Letra mala"}
    done = await run_flow(client, f"/sede/{tenant.slug}/")
    assert done.status_code == 401 and "NIF o NIE válido" in done.text


async def test_staff_log_in_through_keycloak_by_e_mail(client, make_tenant, oidc_provider,
                                                       concejo_kernel, monkeypatch):
    tenant = await make_tenant(plugins=("alpha",))
    user_id = await ensure_user("keycloak-user@test.invalid", "Kiko Keycloak")
    await grant_role(user_id, tenant.id, "read_only")
    config = OidcProviderSettings(name="keycloak-test", label="Keycloak", audience="staff",
                                  issuer=oidc_provider.issuer, client_id=CLIENT_ID,
                                  client_secret=CLIENT_SECRET)
    monkeypatch.setitem(concejo_kernel.identity_providers, "keycloak-test",
                        OidcProvider(config, concejo_kernel.settings.effective_base_url))
    oidc_provider.tamper = ""
    oidc_provider.claims = {"sub": "kc-1", "email": "keycloak-user@test.invalid"}
    done = await run_flow(client, "/x/", provider="keycloak-test")
    assert done.status_code in (302, 303) and done.headers["location"] == "/x/"
    assert (await client.get(f"/api/v1/{tenant.slug}/alpha/hola")).status_code == 200
    oidc_provider.claims = {"sub": "kc-2", "email": "stranger@test.invalid"}
    refused = await run_flow(client, "/x/", provider="keycloak-test")
    assert refused.status_code == 401 and "No hay una cuenta" in refused.text


async def test_unknown_provider_answers_404(client):
    assert (await client.get("/login/with/nope")).status_code == 404
    assert (await client.get("/login/with/local/callback")).status_code == 404
