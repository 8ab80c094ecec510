"""The platform's calendars: tables per tenant and layer feeding ``core.calendar``."""

import datetime as dt

import pytest

from core.calendar import OutsideCalendarError, add_dias_habiles
from core.calendar_app import calendar_of
from core.calendar_app.services import (
    CalendarError,
    DayIn,
    add_registro_closure,
    load_year,
    set_local_days,
)
from core.testing import csrf_headers

D = dt.date


async def test_a_tenant_without_a_loaded_year_refuses_to_answer(make_tenant):
    tenant = await make_tenant(community="CL")
    calendar = await calendar_of(tenant)
    assert calendar.years == frozenset()
    with pytest.raises(OutsideCalendarError):
        calendar.is_working_day(D(2026, 4, 23))


async def test_loading_a_year_gives_each_entity_its_community_days(make_tenant):
    leon = await make_tenant(community="CL")
    cataluna = await make_tenant(community="CT")
    nowhere = await make_tenant()
    report = await load_year(2026, community="CL", actor="test")
    assert leon.slug in report.loaded and cataluna.slug not in report.loaded
    calendar = await calendar_of(leon)
    assert not calendar.is_working_day(D(2026, 4, 23))  # Villalar, fiesta de Castilla y León
    assert calendar.is_working_day(D(2026, 4, 6))  # Lunes de Pascua: hábil in CL
    with pytest.raises(OutsideCalendarError):
        (await calendar_of(cataluna)).is_working_day(D(2026, 4, 6))

    report = await load_year(2026, actor="test")
    assert {leon.slug, cataluna.slug} <= set(report.loaded)
    assert report.skipped[nowhere.slug] == "sin comunidad autónoma"
    catalan = await calendar_of(cataluna)
    assert not catalan.is_working_day(D(2026, 4, 6))
    assert catalan.is_working_day(D(2026, 4, 23))


async def test_local_days_and_closures_survive_a_reload(make_tenant):
    tenant = await make_tenant(community="CL")
    await load_year(2026, community="CL", actor="test")
    await set_local_days(tenant, 2026, [DayIn(date=D(2026, 6, 24), name="San Juan"),
                                        DayIn(date=D(2026, 10, 2), name="Fiesta (test)")],
                         actor="test")
    await add_registro_closure(tenant, DayIn(date=D(2026, 3, 10), name="Cierre (test)"),
                               actor="test")
    await load_year(2026, community="CL", actor="test")
    calendar = await calendar_of(tenant)
    scopes = {d.date: d.scope for d in calendar.non_working_days(2026)}
    assert scopes[D(2026, 6, 24)] == "local" and scopes[D(2026, 3, 10)] == "registro"
    assert scopes[D(2026, 4, 23)] == "autonomica" and scopes[D(2026, 1, 1)] == "national"
    # 10 días hábiles from Mon 2026-06-15 skip San Juan (Wed 24): Tue 30 June.
    assert add_dias_habiles(calendar, D(2026, 6, 15), 10) == D(2026, 6, 30)


async def test_at_most_two_fiestas_locales_in_their_year(make_tenant):
    tenant = await make_tenant(community="CL")
    three = [DayIn(date=D(2026, m, 1), name=f"Fiesta {m}") for m in (6, 7, 9)]
    with pytest.raises(CalendarError, match="At most 2"):
        await set_local_days(tenant, 2026, three, actor="test")
    with pytest.raises(CalendarError, match="2026"):
        await set_local_days(tenant, 2026, [DayIn(date=D(2027, 6, 1), name="x")],
                             actor="test")
    await set_local_days(tenant, 2026, three[:2], actor="test")
    await set_local_days(tenant, 2026, three[2:], actor="test")  # replaces the earlier two
    await load_year(2026, community="CL", actor="test")
    local = [d.date for d in (await calendar_of(tenant)).non_working_days(2026)
             if d.scope == "local"]
    assert local == [D(2026, 9, 1)]


async def test_shipped_local_days_seed_a_municipality_once(make_tenant):
    soria = await make_tenant(community="CL", ine_code="42173")
    await load_year(2026, community="CL", actor="test")
    local = [d for d in (await calendar_of(soria)).non_working_days(2026) if d.scope == "local"]
    assert len(local) == 2 and all(d.region == "42173" for d in local)


async def test_console_loads_a_year_and_the_sede_api_publishes_it(client, make_tenant, login):
    from core.tenancy.context import operator_tenant

    tenant = await make_tenant(community="CL")
    operator = await operator_tenant() or await make_tenant(kind="diputacion")
    path = "/api/v1/diputacion/calendar/load"
    assert (await client.post(path, json={"year": 2026})).status_code in (401, 403)
    await login(client, operator, "diputacion_admin")
    response = await client.post(path, json={"year": 2026, "community": "CL"},
                                 headers=await csrf_headers(client))
    assert response.status_code == 200 and tenant.slug in response.json()["loaded"]
    bad = await client.post(path, json={"year": 2026, "community": "XX"},
                            headers=await csrf_headers(client))
    assert bad.status_code == 422

    public = await client.get(f"/api/v1/{tenant.slug}/calendar/2026")
    assert public.status_code == 200
    body = public.json()
    assert body["zone"] == "Europe/Madrid"
    assert {"date": "2026-04-23", "scope": "autonomica", "name": "Fiesta de la Comunidad Autónoma",
            "region": "CL", "verified": True} in body["days"]
    assert (await client.get(f"/api/v1/{tenant.slug}/calendar/1999")).status_code == 404


async def test_entity_staff_declare_local_days_and_closures(client, make_tenant, login):
    tenant = await make_tenant(community="CL")
    base = f"/api/v1/{tenant.slug}/calendar"
    await login(client, tenant, "read_only")
    days = {"days": [{"date": "2026-06-24", "name": "San Juan"}]}
    denied = await client.put(f"{base}/2026/local", json=days,
                              headers=await csrf_headers(client))
    assert denied.status_code == 403
    await login(client, tenant, "entity_admin")
    response = await client.put(f"{base}/2026/local", json=days,
                                headers=await csrf_headers(client))
    assert response.status_code == 200, response.text
    closure = {"date": "2026-12-24", "name": "Cierre del registro"}
    created = await client.post(f"{base}/registro", json=closure,
                                headers=await csrf_headers(client))
    assert created.status_code == 201
    again = await client.post(f"{base}/registro", json=closure,
                              headers=await csrf_headers(client))
    assert again.status_code == 422


async def test_cli_loads_a_year_and_shows_a_calendar(make_tenant, concejo_cli):
    tenant = await make_tenant(community="GA")
    result = await concejo_cli("calendar", "load", "--year", "2026", "--community", "GA")
    assert result.returncode == 0, result.stderr
    assert "loaded for" in result.stdout
    result = await concejo_cli("calendar", "local", tenant.slug, "--year", "2026",
                               "--day", "2026-08-17=San Roque (test)")
    assert result.returncode == 0, result.stderr
    shown = await concejo_cli("calendar", "show", tenant.slug, "--year", "2026")
    assert "2026-07-25  autonomica GA        Día Nacional de Galicia" in shown.stdout
    assert "2026-08-17  local" in shown.stdout
    missing = await concejo_cli("calendar", "show", tenant.slug, "--year", "2030")
    assert missing.returncode == 1
