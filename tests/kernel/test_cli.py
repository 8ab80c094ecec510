"""The ``concejo`` command end to end, in a subprocess against the test database."""

from datetime import date

from core.calendar_app import calendar_of
from core.tenancy.context import tenant_by_slug


async def test_demo_loads_a_province_and_running_it_twice_is_safe(concejo_cli):
    first = await concejo_cli("demo")
    assert first.returncode == 0, first.stderr
    assert "password 'concejo-demo'" in first.stdout
    second = await concejo_cli("demo")
    assert second.returncode == 0, second.stderr
    soria = await tenant_by_slug("soria")
    assert soria is not None and soria.ine_code == "42173" and soria.is_enabled("tablon")
    assert soria.community == "CL" and "eu" in soria.languages
    calendar = await calendar_of(soria)
    assert {2025, 2026, 2027} <= calendar.years
    assert not calendar.is_working_day(date(2026, 10, 2))  # San Saturio (demo local day)
    listing = await concejo_cli("tenants", "list")
    kinds = {line.split()[1] for line in listing.stdout.splitlines() if line.strip()}
    assert {"diputacion", "ayuntamiento", "mancomunidad", "emd"} <= kinds
    assert listing.stdout.count("[demo]") >= 2
    plugins = await concejo_cli("plugins", "list")
    assert "tablon" in plugins.stdout and "soria" in plugins.stdout


async def test_tenants_enable_with_bad_settings_fails_clearly(concejo_cli, make_tenant):
    tenant = await make_tenant()
    result = await concejo_cli("tenants", "enable", tenant.slug, "tablon",
                               "--settings", '{"default_display_days": 0}')
    assert result.returncode == 2
    assert "default_display_days" in result.stderr
    assert not (await tenant_by_slug(tenant.slug)).is_enabled("tablon")
    ok = await concejo_cli("tenants", "enable", tenant.slug, "tablon",
                           "--settings", '{"default_display_days": 15}')
    assert ok.returncode == 0, ok.stderr
    assert (await tenant_by_slug(tenant.slug)).settings_for("tablon")["default_display_days"] == 15


async def test_tenants_add_validates_codes(concejo_cli):
    bad = await concejo_cli("tenants", "add", "--slug", "villa-x", "--kind", "ayuntamiento",
                            "--name", "Villa X", "--dir3", "L01999999", "--nif", "P0000000X")
    assert bad.returncode == 2 and "NIF" in bad.stderr
    assert await tenant_by_slug("villa-x") is None
