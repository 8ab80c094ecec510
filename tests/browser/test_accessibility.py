"""The sede and the staff pages in a real Chromium: WCAG 2.1 AA with axe-core, keyboard,
language switching, a phone-sized screen, the citizen's carpeta and the staff login form."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec
import pytest

from core.calendar_app.services import load_year
from core.demo import synthetic_nif
from core.identity.services import ensure_user, grant_role
from core.tenancy.context import EntityContact, TenantContext
from core.tenancy.services import NewTenant, add_tenant, set_plugin
from core.tenancy.tables import TenantKind
from core.testing import enrol_totp, totp_now
from plugins.tablon import services as tablon
from plugins.tablon.schemas import AnuncioIn
from tests.browser.browser_tools import check_accessibility
from tests.fakes.citizen import HEADER

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
#: The built-in plugins whose staff pages the walk checks (notificaciones: being built),
#: and the throw-away citizen plugin of the carpeta test.
STAFF_PLUGINS = ("tablon", "registro", "expedientes", "cita_previa", "ciudadano")


class Site(msgspec.Struct):
    tenant: TenantContext
    anuncio_id: int
    staff_email: str
    admin_email: str
    admin_totp: str  # the TOTP secret of the entity's administrator


@pytest.fixture(scope="session")
async def site(concejo_app: Any) -> Site:
    """A municipality with the built-in plugins, a notice, its 2026 calendar, five languages,
    a tramitadora and an administrator (who logs in with a TOTP code)."""
    suffix = uuid.uuid4().hex[:6]
    tenant = await add_tenant(NewTenant(
        slug=f"villanueva-{suffix}", kind=TenantKind.ayuntamiento,
        name="Ayuntamiento de Villanueva del Monte (demostración)",
        dir3=f"Z{uuid.uuid4().hex[:8].upper()}", nif=synthetic_nif("P4299900"),
        community="CL", languages=["es", "ca", "gl", "eu", "en"], demo=True,
        contact=EntityContact(address="Plaza Mayor, 1", postcode="42999", town="Villanueva",
                              email="registro@villanueva.demo",
                              dpo_email="dpd@diputacion.demo",
                              office_hours="Lunes a viernes, de 9:00 a 14:00")), actor="test")
    for plugin in STAFF_PLUGINS:
        tenant = await set_plugin(tenant, plugin, True, actor="test")
    await load_year(2026, community="CL", actor="test", replace=False)
    today = dt.date.today()
    anuncio = await tablon.publish(tenant, AnuncioIn(
        title="Aprobación inicial del presupuesto general", category="edicto",
        body="Queda expuesto al público durante quince días hábiles.",
        publish_from=today, publish_until=today + dt.timedelta(days=20)), actor="test")
    email = f"tramitador-{suffix}@villanueva.demo"
    await grant_role(await ensure_user(email, "Teresa Tramitadora", PASSWORD), tenant.id,
                     "tramitador")
    admin_email = f"admin-{suffix}@villanueva.demo"
    admin_id = await ensure_user(admin_email, "Adrián Administrador", PASSWORD)
    await grant_role(admin_id, tenant.id, "entity_admin")
    return Site(tenant=tenant, anuncio_id=anuncio.id, staff_email=email,
                admin_email=admin_email, admin_totp=await enrol_totp(admin_id))


SEDE_PAGES = [
    ("sede-home", ""),
    ("sede-catalogue", "tramites/"),
    ("sede-procedure", "tramites/ciudadano-licencia"),
    ("sede-calendar", "calendario?year=2026"),
    ("sede-accessibility", "accesibilidad"),
    ("sede-privacy", "privacidad"),
    ("sede-contact", "contacto"),
    ("sede-tablon", "tablon/"),
    ("sede-home-eu", "?lang=eu"),
    ("sede-not-found", "tramites/no-existe"),
]


async def test_sede_pages_meet_wcag_21_aa(browser_context, live_server, site):
    page = await (await browser_context()).new_page()
    base = f"{live_server}/sede/{site.tenant.slug}/"
    for name, path in [*SEDE_PAGES, ("sede-notice", f"tablon/{site.anuncio_id}")]:
        response = await page.goto(base + path)
        assert response.status == (404 if name == "sede-not-found" else 200), name
        await check_accessibility(page, name)


async def test_phone_screen_has_no_horizontal_scroll(browser_context, live_server, site):
    context = await browser_context(viewport={"width": 375, "height": 740},
                                    device_scale_factor=2, is_mobile=True, has_touch=True)
    page = await context.new_page()
    for path in ("", "tramites/ciudadano-licencia", "calendario?year=2026"):
        await page.goto(f"{live_server}/sede/{site.tenant.slug}/{path}")
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path or 'home'} scrolls sideways by {overflow}px on a phone"
        if not path:
            await check_accessibility(page, "sede-home-phone")


async def test_keyboard_reaches_the_content_first(browser_context, live_server, site):
    page = await (await browser_context()).new_page()
    await page.goto(f"{live_server}/sede/{site.tenant.slug}/")
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.className") == "skip"
    await page.keyboard.press("Enter")
    assert await page.evaluate("location.hash") == "#main"
    assert await page.evaluate("document.activeElement.id") == "main"


async def test_the_language_selector_switches_and_remembers(browser_context, live_server,
                                                             site):
    page = await (await browser_context()).new_page()
    await page.goto(f"{live_server}/sede/{site.tenant.slug}/")
    await page.get_by_role("navigation", name="Idioma").get_by_role("link",
                                                                    name="Euskara").click()
    assert await page.get_attribute("html", "lang") == "eu"
    await page.get_by_role("navigation", name="Egoitzako nabigazioa").get_by_role(
        "link", name="Izapideak").click()
    assert page.url.endswith("/tramites/")
    assert await page.get_attribute("html", "lang") == "eu"
    assert await page.get_by_role("heading", level=1).inner_text() == "Izapideen katalogoa"


async def test_a_citizen_sees_the_carpeta(browser_context, live_server, site):
    context = await browser_context(extra_http_headers={HEADER: "Marta Perez"})
    page = await context.new_page()
    response = await page.goto(f"{live_server}/sede/{site.tenant.slug}/carpeta/")
    assert response.status == 200
    assert await page.get_by_role("heading", name="Mis solicitudes de prueba").is_visible()
    assert await page.get_by_role("heading", name="Mis registros").is_visible()  # registro
    await check_accessibility(page, "sede-carpeta")


async def test_staff_log_in_through_the_form(browser_context, live_server, site):
    page = await (await browser_context()).new_page()
    await page.goto(f"{live_server}/login?next=/{site.tenant.slug}/")
    await check_accessibility(page, "staff-login")
    await page.get_by_label("Correo electrónico").fill(site.staff_email)
    await page.get_by_label("Contraseña").fill(PASSWORD)
    await page.get_by_role("button", name="Entrar").click()
    await page.wait_for_url(f"**/{site.tenant.slug}/")
    await check_accessibility(page, "staff-dashboard")
    await page.goto(f"{live_server}/{site.tenant.slug}/tablon/")
    assert await page.get_by_role("cell", name="Aprobación inicial del presupuesto general"
                                  ).is_visible()
    await check_accessibility(page, "staff-tablon")


async def test_the_checker_catches_a_violation(browser_context):
    page = await (await browser_context()).new_page()
    await page.set_content('<html><body><img src="plano.png"><a href="/"></a></body></html>')
    with pytest.raises(AssertionError, match="image-alt"):
        await check_accessibility(page, "broken")


async def test_every_staff_page_of_the_menu_meets_wcag_21_aa(browser_context, live_server,
                                                            site):
    # The administrator logs in (password, then the TOTP code) and opens every entry of
    # the staff navigation: the dashboard, each plugin's pages and the admin pages.
    page = await (await browser_context()).new_page()
    await page.goto(f"{live_server}/login?next=/{site.tenant.slug}/")
    await page.get_by_label("Correo electrónico").fill(site.admin_email)
    await page.get_by_label("Contraseña").fill(PASSWORD)
    await page.get_by_role("button", name="Entrar").click()
    await page.wait_for_url("**/login/code**")
    await check_accessibility(page, "staff-login-code")
    await page.get_by_label("Código de seis cifras").fill(totp_now(site.admin_totp))
    await page.get_by_role("button", name="Verificar").click()
    await page.wait_for_url(f"**/{site.tenant.slug}/")
    menu = page.get_by_role("navigation", name="Navegación principal").get_by_role("link")
    links = [(await a.inner_text(), await a.get_attribute("href"))
             for a in await menu.all()]
    for expected in ("Registro", "Expedientes", "Cita previa", "Tablón de anuncios",
                     "Auditoría", "Roles y permisos"):
        assert any(label.startswith(expected) for label, _ in links), (expected, links)
    for label, href in links:
        response = await page.goto(live_server + href)
        assert response.status == 200, (label, href)
        under_tenant = href.strip("/").partition("/")[2]  # "registro", "admin/roles", ""
        await check_accessibility(page, f"staff-{under_tenant.replace('/', '-') or 'home'}")
