"""Tenants and per-entity module sets: validation, depends_on, settings, audit."""

import pytest

from core.audit.tables import AuditEntry
from core.tenancy.codes import InvalidCode, ine_check_digit, municipality_dir3, validate_nif
from core.tenancy.services import NewTenant, TenancyError, add_tenant, set_plugin
from core.tenancy.tables import Tenant, TenantKind, TenantPlugin
from tests.fakes import alpha


@pytest.mark.parametrize(("ine", "dc"), [("28079", 6), ("08019", 3), ("41091", 7)])
def test_ine_control_digit_matches_official_codes(ine, dc):
    assert ine_check_digit(ine) == dc


def test_municipality_dir3_follows_the_rule():
    assert municipality_dir3("28079") == "L01280796"


@pytest.mark.parametrize("bad", ["12345678A", "P4217300X", "", "hello"])
def test_bad_nif_is_refused(bad):
    with pytest.raises(InvalidCode):
        validate_nif(bad)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("nif", "P0000000X", "NIF"),
    ("dir3", "l0142173", "DIR3"),
    ("slug", "sede", "Slug"),
    ("slug", "Mayúsculas", "Slug"),
    ("ine_code", "99999", "INE"),
])
async def test_invalid_tenant_is_refused_and_nothing_saved(concejo_app, field, value, message):
    data = {"slug": "valid-slug-x", "kind": TenantKind.ayuntamiento, "name": "X",
            "dir3": "Z12345678", "nif": "P4217300E", field: value}
    before = await Tenant.count()
    with pytest.raises((TenancyError, InvalidCode), match=message):
        await add_tenant(NewTenant(**data), actor="test")
    assert await Tenant.count() == before


async def test_duplicate_slug_is_refused(make_tenant):
    tenant = await make_tenant()
    with pytest.raises(TenancyError, match="exists"):
        await add_tenant(NewTenant(slug=tenant.slug, kind=TenantKind.emd, name="Otra",
                                   dir3="Z99999999", nif="P4217300E"), actor="test")


async def test_cannot_enable_without_dependency_nor_disable_a_dependency_in_use(make_tenant):
    tenant = await make_tenant()
    with pytest.raises(TenancyError, match="enable alpha first"):
        await set_plugin(tenant, "beta", True, actor="test")
    tenant = await set_plugin(tenant, "alpha", True, actor="test")
    tenant = await set_plugin(tenant, "beta", True, actor="test")
    with pytest.raises(TenancyError, match="beta depend on it"):
        await set_plugin(tenant, "alpha", False, actor="test")
    tenant = await set_plugin(tenant, "beta", False, actor="test")
    tenant = await set_plugin(tenant, "alpha", False, actor="test")
    assert not tenant.enabled & {"alpha", "beta"}


async def test_bad_settings_give_a_clear_error_and_save_nothing(make_tenant):
    tenant = await make_tenant(plugins=("alpha",))
    audit_before = await AuditEntry.count().where(AuditEntry.tenant == tenant.id)
    for bad, message in (({"limit": 99}, "limit"), ({"colour": "red"}, "colour"),
                         ({"limit": "three"}, "limit")):
        with pytest.raises(TenancyError, match=message):
            await set_plugin(tenant, "beta", True, actor="test", settings=bad)
    assert not await TenantPlugin.exists().where(
        (TenantPlugin.tenant == tenant.id) & (TenantPlugin.plugin == "beta"))
    assert await AuditEntry.count().where(AuditEntry.tenant == tenant.id) == audit_before
    good = await set_plugin(tenant, "beta", True, actor="test", settings={"limit": 5})
    assert good.settings_for("beta") == {"limit": 5}  # only what differs from the defaults


async def test_plugin_without_settings_rejects_any(make_tenant):
    tenant = await make_tenant()
    with pytest.raises(TenancyError, match="takes no settings"):
        await set_plugin(tenant, "alpha", True, actor="test", settings={"x": 1})


async def test_enable_and_disable_are_audited_and_call_the_hooks(make_tenant):
    tenant = await make_tenant()
    tenant = await set_plugin(tenant, "alpha", True, actor="ana@test")
    await set_plugin(tenant, "alpha", False, actor="ana@test")
    rows = await AuditEntry.select(AuditEntry.action, AuditEntry.actor, AuditEntry.target).where(
        AuditEntry.tenant == tenant.id).order_by(AuditEntry.seq)
    assert [r["action"] for r in rows][-2:] == ["plugin.enabled", "plugin.disabled"]
    assert {(r["actor"], r["target"]) for r in rows[-2:]} == {("ana@test", "alpha")}
    assert ("on_plugin_enabled", f"{tenant.slug}:alpha") in alpha.CALLS
    assert ("on_plugin_disabled", f"{tenant.slug}:alpha") in alpha.CALLS


async def test_unknown_plugin_is_refused(make_tenant):
    tenant = await make_tenant()
    with pytest.raises(TenancyError, match="not installed"):
        await set_plugin(tenant, "nonexistent", True, actor="test")
