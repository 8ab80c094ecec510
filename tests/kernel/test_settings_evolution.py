"""Settings that can evolve: only what an entity set is stored, defaults come from the
Struct when read, renamed and removed settings are migrated on read, and stored values a
new version does not know never stop a page."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import msgspec
import pytest

from core.plugins import PluginError, PluginManifest, load_plugins
from core.tenancy.context import tenant_by_slug
from core.tenancy.services import set_plugin
from core.tenancy.settings import read, settings_of
from core.tenancy.tables import TenantPlugin
from tests.fakes.beta import MANIFEST, Settings


async def _store(tenant, settings: dict) -> None:
    """What an older version left in the database (written as it was, unchecked)."""
    await TenantPlugin.insert(TenantPlugin(tenant=tenant.id, plugin="beta", enabled=True,
                                           settings=settings, updated_at=datetime.now(UTC)))


def test_defaults_come_from_the_struct_when_read():
    assert read(MANIFEST, Settings, {}) == Settings()
    assert read(MANIFEST, Settings, {"limit": 7}).label == "beta"


def test_a_renamed_setting_is_read_under_its_new_name_and_the_new_name_wins():
    assert read(MANIFEST, Settings, {"max": 7}).limit == 7
    assert read(MANIFEST, Settings, {"max": 7, "limit": 2}).limit == 2


def test_removed_and_unknown_settings_are_dropped_with_a_warning_for_the_unknown(caplog):
    with caplog.at_level(logging.WARNING, logger="core.tenancy.settings"):
        value = read(MANIFEST, Settings, {"colour": "red", "shade": "dark", "limit": 4})
    assert value.limit == 4
    assert "'shade'" in caplog.text and "'colour'" not in caplog.text


def test_a_stored_value_the_struct_now_refuses_falls_back_to_the_default(caplog):
    with caplog.at_level(logging.WARNING, logger="core.tenancy.settings"):
        value = read(MANIFEST, Settings, {"limit": 99, "contact": "Pedro Alcalde",
                                          "label": "kept"})
    assert (value.limit, value.contact, value.label) == (3, "", "kept")
    assert "'limit'" in caplog.text and "'contact'" in caplog.text


async def test_old_stored_settings_do_not_break_the_plugin_nor_the_console(
        make_tenant, client, login):
    tenant = await make_tenant(plugins=("alpha",))
    await _store(tenant, {"max": 8, "colour": "red", "from_the_future": True,
                          "contact": "Pedro Alcalde", "label": "vieja"})
    tenant = await tenant_by_slug(tenant.slug)
    read_now = settings_of(tenant, "beta", Settings)
    assert (read_now.limit, read_now.contact, read_now.label) == (8, "", "vieja")
    from core.tenancy.context import operator_tenant

    await login(client, await operator_tenant() or await make_tenant(kind="diputacion"),
                "diputacion_admin")
    for url in (f"/diputacion/entidades/{tenant.slug}/",
                f"/diputacion/entidades/{tenant.slug}/modulos/beta",
                f"/api/v1/diputacion/tenants/{tenant.slug}/plugins"):
        assert (await client.get(url)).status_code == 200, url
    # enabling again stores the migrated settings, under today's names only
    after = await set_plugin(tenant, "beta", True, actor="test")
    assert after.settings_for("beta") == {"limit": 8, "label": "vieja"}


async def test_only_what_differs_from_the_defaults_is_stored(make_tenant):
    tenant = await make_tenant(plugins=("alpha",))
    tenant = await set_plugin(tenant, "beta", True, actor="test",
                              settings={"limit": 3, "label": "otra", "mode": "rapido"})
    assert tenant.settings_for("beta") == {"label": "otra"}
    assert settings_of(tenant, "beta", Settings) == Settings(label="otra")


class _Renamed(msgspec.Struct, forbid_unknown_fields=True):
    size: int = 1


@pytest.mark.parametrize(("renamed", "removed"), [
    ({"old": "missing"}, ()),  # renamed to a name that is not a setting
    ({"size": "size"}, ()),  # the old name is still a setting
    ({}, ("size",)),  # removed, but still a setting
])
def test_a_declaration_the_struct_contradicts_fails_the_boot(renamed, removed):
    module = type("module", (), {"MANIFEST": PluginManifest(
        name="evolving", label="Evolving", version="2", settings=_Renamed,
        settings_renamed=renamed, settings_removed=removed)})
    with pytest.raises(PluginError, match=r"evolving.*renamed or removed"):
        load_plugins(extra=[module], include_defaults=False, include_entry_points=False)
