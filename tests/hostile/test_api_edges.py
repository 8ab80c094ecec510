"""What schemathesis found at the edges of the API (issue 18 item 12), one test each:
integers out of their range answer 404/422 (never 500), a refused body lists only its own
errors, and the OpenAPI document is readable with a bearer header."""

from __future__ import annotations

import pytest

from core.testing import csrf_headers

PLUGINS = ("expedientes", "notificaciones")


@pytest.fixture
async def staff(client, make_tenant, login):
    """(tenant, csrf headers) of a logged-in secretario of an entity with expedientes."""
    tenant = await make_tenant(plugins=PLUGINS)
    await login(client, tenant, "secretario")
    return tenant, await csrf_headers(client)


@pytest.mark.parametrize("expediente_id", [2**31, 2**64, 2**90])
async def test_a_path_id_of_32_bits_or_more_names_nothing(client, staff, expediente_id):
    tenant, headers = staff
    base = f"/api/v1/{tenant.slug}/expedientes/{expediente_id}"
    assert (await client.get(base)).status_code == 404
    response = await client.post(f"{base}/relaciones", json={"related_id": 1}, headers=headers)
    assert response.status_code == 404, response.text


@pytest.mark.parametrize(("name", "value"), [("offset", -1), ("limit", -8628381911),
                                             ("expediente_id", 2**70)])
async def test_a_query_integer_out_of_range_is_refused_naming_it(client, staff, name, value):
    tenant, _ = staff
    response = await client.get(f"/api/v1/{tenant.slug}/notificaciones", params={name: value})
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [name]


@pytest.mark.parametrize("year", [0, 99999, 2**40])
async def test_a_calendar_year_out_of_range_names_nothing(client, staff, year):
    tenant, headers = staff
    assert (await client.get(f"/api/v1/{tenant.slug}/calendar/{year}")).status_code == 404
    response = await client.put(f"/api/v1/{tenant.slug}/calendar/{year}/local",
                                json={"days": []}, headers=headers)
    assert response.status_code == 404, response.text


async def test_a_refused_body_lists_no_path_parameter_it_did_not_name(client, staff):
    tenant, headers = staff
    assert (await client.get("/schema/openapi.json")).status_code == 200  # what spoils them
    response = await client.post(f"/api/v1/{tenant.slug}/expedientes/1/relaciones",
                                 content=b'{"related_id": 1, ":t": 1}',
                                 headers={**headers, "content-type": "application/json"})
    assert response.status_code == 400, response.text
    errors = response.json()["errors"]
    assert errors and all(e.get("key") != "tenant_slug" for e in errors), errors


async def test_the_openapi_document_is_read_with_a_bearer_header(client):
    for header in ("Bearer cjt_not-a-token", "Bearer "):
        response = await client.get("/schema/openapi.json", headers={"authorization": header})
        assert response.status_code == 200, response.text
        assert response.json()["info"]["title"] == "Concejo API"
