"""The diputación's console as pages: entities, an entity's modules (depends_on both ways),
the settings form made from the plugin's Struct (meaning checked, every wrong field named,
what was typed kept, secrets write-only), many entities at once; each change audited.

Forms are posted as the pages send them: the CSRF token is the page's hidden input."""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode

import pytest

from core.audit.tables import AuditEntry
from core.tenancy.context import operator_tenant, tenant_by_slug

SECRET = "una-clave-de-servicio-muy-larga-0123456789"


@pytest.fixture
async def console(client, make_tenant, login):
    """A client logged in as the diputación's administrator."""
    operator = await operator_tenant() or await make_tenant(kind="diputacion")
    await login(client, operator, "diputacion_admin")
    return client


def _token(page: str) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)


async def _post(http, page_url: str, action: str, data: dict | list) -> object:
    """Open the page, then post its form with the token of its hidden input."""
    token = _token((await http.get(page_url)).text)
    pairs = list(data.items()) if isinstance(data, dict) else list(data)
    return await http.post(action, content=urlencode([("_csrf_token", token), *pairs]),
                           headers={"content-type": "application/x-www-form-urlencoded"})


def _text(response) -> str:
    return html.unescape(response.text)


async def test_only_the_console_permission_opens_the_pages(client, make_tenant, login):
    entity = await make_tenant()
    await login(client, entity, "entity_admin")
    for url in ("/diputacion/", f"/diputacion/entidades/{entity.slug}/",
                f"/diputacion/entidades/{entity.slug}/modulos/beta"):
        assert (await client.get(url)).status_code == 403, url


async def test_the_entity_page_shows_its_codes_modules_and_links(console, make_tenant):
    entity = await make_tenant(plugins=("alpha",), ine_code="42134")
    listing = _text(await console.get("/diputacion/"))
    assert f'href="/diputacion/entidades/{entity.slug}/"' in listing
    page = await console.get(f"/diputacion/entidades/{entity.slug}/")
    assert page.status_code == 200
    text = _text(page)
    for shown in ("Ayuntamiento", "42134", entity.dir3, entity.nif, "Alpha", "Beta",
                  f"/diputacion/soporte/?tenant={entity.slug}",
                  f"/diputacion/auditoria/?tenant={entity.slug}"):
        assert shown in text, shown
    assert re.search(r"Alpha.*?</th>\s*<td>Activado", text, re.S)
    assert re.search(r"Beta.*?</th>\s*<td>Desactivado", text, re.S)
    support = _text(await console.get(f"/diputacion/soporte/?tenant={entity.slug}"))
    assert f'value="{entity.slug}" selected' in support
    assert (await console.get("/diputacion/entidades/no-existe/")).status_code == 404


async def test_depends_on_is_honoured_both_ways_with_a_clear_message(console, make_tenant):
    entity = await make_tenant()
    base = f"/diputacion/entidades/{entity.slug}/"

    async def change(plugin: str, enabled: str):
        return await _post(console, base, f"{base}modulos/{plugin}/estado", {"enabled": enabled})

    refused = await change("beta", "1")
    assert refused.status_code == 422
    assert "Para activar «Beta» active antes: «Alpha»." in _text(refused)
    assert (await change("alpha", "1")).status_code == 303
    assert (await change("beta", "1")).status_code == 303
    refused = await change("alpha", "0")
    assert refused.status_code == 422
    assert "No se puede desactivar «Alpha»: lo usan «Beta»." in _text(refused)
    assert (await tenant_by_slug(entity.slug)).enabled >= {"alpha", "beta"}
    assert (await change("beta", "0")).status_code == 303
    done = await console.get(f"{base}?cambio=beta")
    assert "«Beta» está desactivado." in _text(done)


async def test_the_form_has_the_right_input_for_each_setting(console, make_tenant):
    entity = await make_tenant(plugins=("alpha",))
    page = _text(await console.get(f"/diputacion/entidades/{entity.slug}/modulos/beta"))
    assert re.search(r'<input type="number" id="setting-limit" name="limit"[^>]* value="3" '
                     r'min="1" max="10" step="1"', page)
    assert '<input type="email" id="setting-contact" name="contact"' in page
    assert '<label for="setting-contact">Correo de contacto</label>' in page
    assert "Quién responde por beta" in page  # the description, from msgspec.Meta
    assert '<input type="password" id="setting-token" name="token"' in page
    assert "Estado: no configurado." in page
    assert re.search(r'<select id="setting-mode" name="mode"[^>]*><option value="lento">lento'
                     r'</option><option value="rapido" selected>', page)
    assert re.search(r'<input type="checkbox" class="check" id="setting-active" name="active" '
                     r'value="1" checked', page)
    assert '<textarea id="setting-tags" name="tags"' in page


async def test_a_refused_form_names_every_wrong_field_and_keeps_what_was_typed(
        console, make_tenant):
    entity = await make_tenant(plugins=("alpha",))
    url = f"/diputacion/entidades/{entity.slug}/modulos/beta"
    audit_before = await AuditEntry.count().where(AuditEntry.tenant == entity.id)
    refused = await _post(console, url, url, {
        "limit": "99", "label": "lo que escribí", "contact": "Pedro Alcalde",
        "token": SECRET, "mode": "lento", "tags": "uno\ndos"})
    assert refused.status_code == 422
    text = _text(refused)
    assert "«limit» debe ser 10 o menos" in text
    assert "«Correo de contacto» debe ser una dirección de correo electrónico" in text
    assert 'value="lo que escribí"' in text and 'value="99"' in text
    assert 'value="Pedro Alcalde"' in text and "uno\ndos</textarea>" in text
    assert '<option value="lento" selected>' in text
    assert 'aria-invalid="true"' in text and 'aria-describedby="setting-limit-error"' in text
    assert SECRET not in text  # a secret is never sent back, not even the one typed
    assert not re.search(r'name="active"[^>]*checked', text)  # unticked stays unticked
    assert not (await tenant_by_slug(entity.slug)).is_enabled("beta")
    assert await AuditEntry.count().where(AuditEntry.tenant == entity.id) == audit_before


async def test_settings_are_saved_and_secrets_are_write_only(console, make_tenant):
    entity = await make_tenant(plugins=("alpha",))
    url = f"/diputacion/entidades/{entity.slug}/modulos/beta"
    saved = await _post(console, url, url, {
        "limit": "5", "label": "beta", "contact": "ana@olvega.example", "token": SECRET,
        "mode": "rapido", "active": "1", "tags": "uno\n\ndos\n"})
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"/diputacion/entidades/{entity.slug}/?cambio=beta"
    tenant = await tenant_by_slug(entity.slug)
    assert tenant.is_enabled("beta")
    # only what differs from the defaults is stored
    assert tenant.settings_for("beta") == {"limit": 5, "contact": "ana@olvega.example",
                                           "token": SECRET, "tags": ["uno", "dos"]}
    page = _text(await console.get(url))
    assert SECRET not in page and "Estado: configurado." in page
    listing = (await console.get(f"/api/v1/diputacion/tenants/{entity.slug}/plugins")).json()
    beta = next(s for s in listing if s["plugin"] == "beta")
    assert "token" not in beta["settings"] and beta["secrets"] == {"token": True}
    assert beta["settings"]["label"] == "beta" and beta["settings"]["limit"] == 5
    assert SECRET not in str(listing)
    # left empty, the secret keeps its value; the change is audited without it
    again = await _post(console, url, url, {"limit": "6", "label": "beta",
                                            "contact": "ana@olvega.example",
                                            "token": "", "mode": "lento"})
    assert again.status_code == 303
    tenant = await tenant_by_slug(entity.slug)
    assert tenant.settings_for("beta") == {"limit": 6, "contact": "ana@olvega.example",
                                           "token": SECRET, "mode": "lento", "active": False}
    rows = await AuditEntry.select(AuditEntry.action, AuditEntry.detail).where(
        (AuditEntry.tenant == entity.id) & (AuditEntry.target == "beta")).order_by(
        AuditEntry.seq)
    assert [r["action"] for r in rows] == ["plugin.enabled", "plugin.settings_changed"]
    assert SECRET not in str([r["detail"] for r in rows])


async def test_the_api_keeps_a_secret_it_is_not_sent(console, make_tenant):
    entity = await make_tenant(plugins=("alpha",), settings={})
    api = f"/api/v1/diputacion/tenants/{entity.slug}/plugins/beta"
    headers = {"x-csrftoken": console.cookies["csrftoken"]}
    first = await console.post(api, json={"enabled": True, "settings": {"token": SECRET}},
                               headers=headers)
    assert first.status_code == 200 and SECRET not in first.text
    assert first.json()["secrets"] == {"token": True}
    bad = await console.post(api, json={"enabled": True, "settings": {"contact": "Pedro"}},
                             headers=headers)
    assert bad.status_code == 422 and "correo electrónico" in bad.json()["detail"]
    await console.post(api, json={"enabled": True, "settings": {"limit": 4}}, headers=headers)
    assert (await tenant_by_slug(entity.slug)).settings_for("beta") == {"limit": 4,
                                                                         "token": SECRET}


async def test_one_module_for_many_entities_at_once(console, make_tenant):
    first, second = await make_tenant(), await make_tenant()
    ready = await make_tenant(plugins=("alpha",))
    untouched = await make_tenant()
    chosen = [("entity", t.slug) for t in (first, second, ready)]
    result = await _post(console, "/diputacion/", "/diputacion/modulos",
                         [*chosen, ("plugin", "beta"), ("action", "activar")])
    assert result.status_code == 200
    text = _text(result)
    assert "1 de 3 entidades quedan como se pidió." in text
    assert text.count("Para activar «Beta» active antes: «Alpha».") == 2
    result = await _post(console, "/diputacion/", "/diputacion/modulos",
                         [*chosen, ("plugin", "alpha"), ("action", "activar")])
    assert "3 de 3 entidades quedan como se pidió." in _text(result)
    assert "Ya estaba así." in _text(result)
    for tenant in (first, second, ready):
        assert (await tenant_by_slug(tenant.slug)).is_enabled("alpha")
    assert not (await tenant_by_slug(untouched.slug)).is_enabled("alpha")
    actions = await AuditEntry.select(AuditEntry.action).where(
        (AuditEntry.tenant == first.id) & (AuditEntry.target == "alpha"))
    assert [a["action"] for a in actions] == ["plugin.enabled"]


async def test_all_the_entities_of_a_kind_and_a_refused_choice(console, make_tenant):
    emds = [await make_tenant(kind="emd"), await make_tenant(kind="emd")]
    other = await make_tenant()
    result = await _post(console, "/diputacion/", "/diputacion/modulos",
                         [("kind", "emd"), ("plugin", "alpha"), ("action", "activar")])
    assert result.status_code == 200
    for emd in emds:
        assert (await tenant_by_slug(emd.slug)).is_enabled("alpha")
    assert not (await tenant_by_slug(other.slug)).is_enabled("alpha")
    off = await _post(console, "/diputacion/", "/diputacion/modulos",
                      [("kind", "emd"), ("plugin", "alpha"), ("action", "desactivar")])
    assert "Desactivado." in _text(off)
    assert not (await tenant_by_slug(emds[0].slug)).is_enabled("alpha")
    refused = await _post(console, "/diputacion/", "/diputacion/modulos",
                          [("entity", other.slug), ("plugin", ""), ("action", "activar")])
    assert refused.status_code == 422
    text = _text(refused)
    assert "Elija el módulo." in text
    assert f'value="{other.slug}" id="entity-{other.slug}" checked' in text
    nothing = await _post(console, "/diputacion/", "/diputacion/modulos",
                          [("plugin", "alpha"), ("action", "activar")])
    assert nothing.status_code == 422 and "Elija al menos una entidad." in _text(nothing)
