"""The sede electrónica: home, catálogo, procedure pages, calendar, legal pages, carpeta."""

import re

import httpx

from core.calendar_app.services import load_year
from core.tenancy.context import EntityContact
from core.tenancy.services import update_profile
from tests.fakes.citizen import HEADER

HTML = {"accept": "text/html"}


async def test_home_shows_the_entity_and_links_to_every_service(client, make_tenant):
    tenant = await make_tenant(plugins=("tablon", "ciudadano"))
    page = await client.get(f"/sede/{tenant.slug}/", headers=HTML)
    assert page.status_code == 200
    text = page.text
    assert f"<h1>{tenant.name}</h1>" in text
    assert tenant.nif in text and tenant.dir3 in text
    for path in ("tramites/", "carpeta/", "verificar", "tablon/", "calendario",
                 "accesibilidad", "privacidad", "contacto", "tramites/ciudadano-licencia"):
        assert f'href="/sede/{tenant.slug}/{path}"' in text, path
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00">', text)
    assert "Fecha y hora oficial de la sede" in text


async def test_catalogue_groups_procedures_of_enabled_plugins(client, make_tenant):
    tenant = await make_tenant(plugins=("tablon", "ciudadano"))
    text = (await client.get(f"/sede/{tenant.slug}/tramites/")).text
    assert "<h2" in text and "Urbanismo" in text and "Información pública" in text
    assert text.index("Información pública") < text.index("Urbanismo")
    bare = await make_tenant()
    assert "Esta entidad aún no ofrece trámites" in (
        await client.get(f"/sede/{bare.slug}/tramites/")).text


async def test_procedure_page_says_who_what_when_and_where_to_apply(client, make_tenant):
    tenant = await make_tenant(plugins=("ciudadano",))
    page = await client.get(f"/sede/{tenant.slug}/tramites/ciudadano-licencia")
    assert page.status_code == 200
    for text in ("Licencia de prueba", "Personas propietarias", "<li>Plano</li>", "Tres meses",
                 "Estimatorio", "Ordenanza (prueba)", "999999",
                 f'href="/sede/{tenant.slug}/ciudadano/solicitud"'):
        assert text in page.text, text
    other = await make_tenant()
    missing = await client.get(f"/sede/{other.slug}/tramites/ciudadano-licencia", headers=HTML)
    assert missing.status_code == 404
    assert (await client.get(f"/sede/{tenant.slug}/tramites/nada")).status_code == 404


async def test_calendar_page_lists_the_non_working_days_per_language(client, make_tenant):
    tenant = await make_tenant(community="CL", languages=("es", "eu"))
    unpublished = await client.get(f"/sede/{tenant.slug}/calendario?year=2026")
    assert "aún no está publicado" in unpublished.text
    await load_year(2026, community="CL", actor="test")
    page = await client.get(f"/sede/{tenant.slug}/calendario?year=2026")
    assert '<time datetime="2026-04-23">jueves, 23 de abril de 2026</time>' in page.text
    assert "Fiesta de la comunidad autónoma" in page.text
    basque = await client.get(f"/sede/{tenant.slug}/calendario?year=2026&lang=eu")
    assert '<html lang="eu">' in basque.text
    assert "2026(e)ko apirilaren 23(a), osteguna" in basque.text
    assert '<td lang="es">Fiesta de la Comunidad Autónoma</td>' in basque.text
    assert "Egun baliogabeen egutegia" in basque.text


async def test_legal_pages_and_contact_use_the_entity_data(client, make_tenant):
    tenant = await make_tenant()
    contact = EntityContact(address="Plaza Mayor 1", postcode="42001", town="Villa",
                            phone="975 000 000", email="registro@villa.test",
                            dpo_email="dpd@diputacion.test", office_hours="9 a 14 h")
    tenant = await update_profile(tenant, contact=contact, actor="test")
    base = f"/sede/{tenant.slug}"
    contact_page = (await client.get(f"{base}/contacto")).text
    assert "Plaza Mayor 1, 42001 Villa" in contact_page and 'href="tel:975000000"' in contact_page
    privacy = (await client.get(f"{base}/privacidad")).text
    assert "mailto:dpd@diputacion.test" in privacy and tenant.nif in privacy
    accessibility = (await client.get(f"{base}/accesibilidad")).text
    assert "Real Decreto 1112/2018" in accessibility and "registro@villa.test" in accessibility


async def test_carpeta_is_for_identified_citizens_only(client, make_tenant, login):
    tenant = await make_tenant(plugins=("ciudadano",))
    path = f"/sede/{tenant.slug}/carpeta/"
    anonymous = await client.get(path, headers=HTML)
    assert anonymous.status_code in (302, 303) and "/login" in anonymous.headers["location"]
    assert (await client.get(path)).status_code == 401
    await login(client, tenant, "entity_admin")
    assert (await client.get(path, headers=HTML)).status_code == 403


async def test_carpeta_gathers_the_sections_of_enabled_plugins(client, make_tenant):
    tenant = await make_tenant(plugins=("ciudadano",))
    page = await client.get(f"/sede/{tenant.slug}/carpeta/", headers={HEADER: "Marta Perez"})
    assert page.status_code == 200
    text = page.text
    assert "Hola, Marta Perez." in text
    assert text.index('id="registros"') < text.index('id="notificaciones"')  # by order
    assert "Solicitud de Marta Perez" in text and "Justificante E-2026-000001" in text
    assert '<time datetime="2026-03-16T09:30:00+00:00">' in text
    assert "No tiene notificaciones pendientes." in text


async def test_sections_of_one_key_keep_unique_anchors(client, make_tenant):
    # The test plugin and the registro both name their section "registros".
    tenant = await make_tenant(plugins=("ciudadano", "registro"))
    page = await client.get(f"/sede/{tenant.slug}/carpeta/", headers={HEADER: "Marta Perez"})
    assert page.status_code == 200
    assert page.text.count('id="registros"') == 1 and 'id="registros-2"' in page.text
    assert 'href="#registros-2"' in page.text and "Mis registros" in page.text


async def test_the_host_name_serves_the_whole_sede(concejo_app, make_tenant):
    from core.app import HostMiddleware

    tenant = await make_tenant(plugins=("ciudadano",), hosts=("sede.pueblo.test",))
    transport = httpx.ASGITransport(app=HostMiddleware(concejo_app))
    async with httpx.AsyncClient(transport=transport, base_url="http://sede.pueblo.test") as http:
        catalogue = await http.get("/tramites/", headers=HTML)
        linked = await http.get(f"/sede/{tenant.slug}/tramites/ciudadano-licencia")
    assert catalogue.status_code == 200 and "Licencia de prueba" in catalogue.text
    assert linked.status_code == 200


async def test_the_demo_citizen_login_exists_only_when_asked(client, make_tenant):
    from core.settings import Settings, load_settings

    # Off by default (this session's app): no such provider, none offered on the sede.
    tenant = await make_tenant()
    assert (await client.get("/login/with/demo", headers=HTML)).status_code == 404
    offered = await client.get("/login", params={"next": f"/sede/{tenant.slug}/carpeta/"})
    assert "Cl@ve (demostración)" not in offered.text
    # ``concejo serve --demo`` sets CONCEJO_DEMO_LOGIN; the production profile refuses it.
    assert load_settings(environ={"CONCEJO_DEMO_LOGIN": "true"}).demo_login
    assert not load_settings(environ={}).demo_login
    production = Settings(profile="production", demo_login=True)
    assert any("demo_login" in p for p in production.production_problems())
