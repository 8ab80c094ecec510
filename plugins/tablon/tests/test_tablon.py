"""Tablón de anuncios: publication, public display, retirement, expiry job, isolation."""

from datetime import date, timedelta

from core.audit.log import verify
from core.testing import csrf_headers
from plugins.tablon import services
from plugins.tablon.schemas import AnuncioIn


async def _publish(client, tenant, **fields):
    body = {"title": "Convocatoria de pleno", "body": "Se convoca sesión ordinaria.",
            **fields}
    return await client.post(f"/api/v1/{tenant.slug}/tablon/anuncios", json=body,
                             headers=await csrf_headers(client))


async def test_publish_shows_on_the_sede_with_default_display_days(client, make_tenant, login):
    tenant = await make_tenant(plugins=("tablon",),
                               settings={"tablon": {"default_display_days": 10}})
    await login(client, tenant, "tramitador")
    response = await _publish(client, tenant)
    assert response.status_code == 201, response.text
    anuncio = response.json()
    assert anuncio["number"] == 1 and anuncio["state"] == "publicado"
    start = date.fromisoformat(anuncio["publish_from"])
    assert date.fromisoformat(anuncio["publish_until"]) == start + timedelta(days=9)
    sede = await client.get(f"/sede/{tenant.slug}/tablon/", headers={"accept": "text/html"})
    assert "Convocatoria de pleno" in sede.text
    public = await client.get(f"/api/v1/{tenant.slug}/tablon/anuncios")
    assert [a["id"] for a in public.json()] == [anuncio["id"]]
    assert await verify(tenant.id) is None


async def test_staff_form_publishes_and_retires(client, make_tenant, login):
    tenant = await make_tenant(plugins=("tablon",), languages=("es", "ca"))
    await login(client, tenant, "secretario")
    headers = await csrf_headers(client)
    created = await client.post(f"/{tenant.slug}/tablon/", headers=headers,
                                data={"title": "Bando de fiestas", "body": "Programa",
                                      "category": "bando"})
    assert created.status_code in (302, 303), created.text
    listing = await client.get(f"/{tenant.slug}/tablon/")
    assert "Bando de fiestas" in listing.text and "<td>Publicado</td>" in listing.text
    anuncio = (await client.get(f"/api/v1/{tenant.slug}/tablon/anuncios/todos")).json()[0]
    retired = await client.post(f"/{tenant.slug}/tablon/{anuncio['id']}/retirar",
                                headers=headers, data={"reason": "Error material"})
    assert retired.status_code in (302, 303)
    state = (await client.get(f"/api/v1/{tenant.slug}/tablon/anuncios/{anuncio['id']}")).json()
    assert state["state"] == "retirado" and state["retired_reason"] == "Error material"
    for lang, words in (("es", "Retirado"), ("ca", "Retirat")):  # the state in words
        listing = await client.get(f"/{tenant.slug}/tablon/", params={"lang": lang})
        assert f"<td>{words}</td>" in listing.text, lang


async def test_bad_input_gets_a_clear_error_and_saves_nothing(client, make_tenant, login):
    tenant = await make_tenant(plugins=("tablon",))
    await login(client, tenant, "tramitador")
    cases = [({"title": "x"}, "title"), ({"category": "poesía"}, "Categoría"),
             ({"publish_from": "2030-05-10", "publish_until": "2030-05-01"}, "anterior"),
             ({"unknown": 1}, "unknown")]
    for fields, message in cases:
        response = await _publish(client, tenant, **fields)
        assert response.status_code in (400, 422), response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert message in response.text
    assert await services.list_all(tenant) == []


async def test_a_refused_staff_form_says_why_and_keeps_what_was_typed(client, make_tenant,
                                                                       login):
    tenant = await make_tenant(plugins=("tablon",))
    await login(client, tenant, "secretario")
    headers = {"accept": "text/html", **await csrf_headers(client)}
    base = f"/{tenant.slug}/tablon"
    cases = [({"title": "Ba"}, "«Título» debe tener al menos 3 caracteres"),
             ({"category": "poesía"}, "Categoría &#39;poesía&#39; no admitida"),
             ({"publish_until": "2020-01-01"}, "anterior a la de publicación")]
    for change, message in cases:
        form = {"title": "Bando de fiestas", "body": "Programa de las fiestas",
                "category": "bando", "publish_from": "2030-05-01", **change}
        refused = await client.post(f"{base}/", headers=headers, data=form)
        assert refused.status_code == 422 and 'role="alert"' in refused.text
        assert message in refused.text
        assert ">Programa de las fiestas</textarea>" in refused.text
        assert f'name="title" value="{form["title"]}"' in refused.text
        assert 'value="2030-05-01"' in refused.text
    assert await services.list_all(tenant) == []
    await client.post(f"{base}/", headers=headers, data={"title": "Bando", "body": "Texto"})
    [anuncio] = await services.list_all(tenant)
    short = await client.post(f"{base}/{anuncio.id}/retirar", headers=headers,
                              data={"reason": "No"})
    assert short.status_code == 422 and "«Motivo» debe tener al menos 3" in short.text
    assert f'id="reason{anuncio.id}" name="reason" value="No"' in short.text
    assert f'aria-invalid="true" aria-describedby="reason{anuncio.id}-error"' in short.text
    assert f'href="#reason{anuncio.id}"' in short.text  # the summary leads to that input
    both = await client.post(f"{base}/", headers=headers,
                             data={"title": "Ba", "body": "Texto", "publish_from": "ayer"})
    assert 'href="#title"' in both.text and 'href="#publish_from"' in both.text
    assert 'id="publish_from-error"' in both.text
    assert (await services.list_all(tenant))[0].state == "publicado"


async def test_read_only_cannot_publish(client, make_tenant, login):
    tenant = await make_tenant(plugins=("tablon",))
    await login(client, tenant, "read_only")
    assert (await _publish(client, tenant)).status_code == 403


async def test_other_tenants_ids_answer_404(client, make_tenant, login):
    mine = await make_tenant(plugins=("tablon",))
    theirs = await make_tenant(plugins=("tablon",))
    foreign = await services.publish(theirs, AnuncioIn(title="Ajeno", body="x"), actor="t")
    await login(client, mine, "secretario")
    headers = await csrf_headers(client)
    for response in (
        await client.get(f"/api/v1/{mine.slug}/tablon/anuncios/{foreign.id}"),
        await client.post(f"/api/v1/{mine.slug}/tablon/anuncios/{foreign.id}/retirar",
                          json={"reason": "no es mío"}, headers=headers),
        await client.get(f"/sede/{mine.slug}/tablon/{foreign.id}"),
    ):
        assert response.status_code == 404
    assert (await services.get(theirs, foreign.id)).state == "publicado"


async def test_ids_that_cannot_be_a_row_answer_404_not_500(client, make_tenant, login):
    """Ids past PostgreSQL's integer (2³¹) and past SQLite's (2⁶³) are simply not found."""
    tenant = await make_tenant(plugins=("tablon",))
    await login(client, tenant, "secretario")
    for too_big in (2**31, 2**63, 10**30):
        api = await client.get(f"/api/v1/{tenant.slug}/tablon/anuncios/{too_big}")
        assert api.status_code == 404, api.text
        assert api.headers["content-type"] == "application/problem+json"
        retire = await client.post(f"/api/v1/{tenant.slug}/tablon/anuncios/{too_big}/retirar",
                                   json={"reason": "no existe"},
                                   headers=await csrf_headers(client))
        assert retire.status_code == 404, retire.text
        page = await client.get(f"/sede/{tenant.slug}/tablon/{too_big}",
                                headers={"accept": "text/html"})
        assert page.status_code == 404


async def test_expired_notices_are_retired_by_the_scheduled_job(concejo_kernel, make_tenant,
                                                                 drain):
    tenant = await make_tenant(plugins=("tablon",))
    old = await services.publish(tenant, AnuncioIn(
        title="Antiguo", body="x", publish_from=date(2020, 1, 1),
        publish_until=date(2020, 1, 20)), actor="t")
    current = await services.publish(tenant, AnuncioIn(title="Vigente", body="x"), actor="t")
    await concejo_kernel.run_schedules()
    await drain()
    assert (await services.get(tenant, old.id)).state == "retirado"
    assert (await services.get(tenant, current.id)).state == "publicado"
    assert [a.id for a in await services.list_public(tenant)] == [current.id]


async def test_numbers_are_per_tenant(make_tenant):
    a = await make_tenant(plugins=("tablon",))
    b = await make_tenant(plugins=("tablon",))
    first_a = await services.publish(a, AnuncioIn(title="Uno A", body="x"), actor="t")
    first_b = await services.publish(b, AnuncioIn(title="Uno B", body="x"), actor="t")
    second_a = await services.publish(a, AnuncioIn(title="Dos A", body="x"), actor="t")
    assert (first_a.number, first_b.number, second_a.number) == (1, 1, 2)


async def test_simultaneous_publications_get_distinct_numbers(make_tenant):
    import asyncio

    tenant = await make_tenant(plugins=("tablon",))
    published = await asyncio.gather(*(
        services.publish(tenant, AnuncioIn(title=f"Anuncio {i}", body="x"), actor="t")
        for i in range(8)))
    assert sorted(a.number for a in published) == list(range(1, 9))
