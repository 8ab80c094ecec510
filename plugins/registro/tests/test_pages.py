"""Staff pages: the counter's entry form (with scans), look-up, search, detail actions,
the inbox, SIR and the libro de registro."""

from __future__ import annotations

import hashlib

from core.testing import csrf_headers
from plugins.registro import services, sir
from plugins.registro.schemas import SirEnvio
from plugins.registro.tests.conftest import PDF, pdf_text, solicitud

HTML = {"accept": "text/html"}


async def test_counter_registers_with_a_scan_and_shows_the_entry(client, make_entity, staff,
                                                                 drain):
    entity = await make_entity()
    await staff(client, entity.tenant, "registro")
    base = f"/{entity.slug}/registro"
    form = await client.get(f"{base}/nuevo", headers=HTML)
    assert form.status_code == 200
    assert 'id="documento"' in form.text and "autofocus" in form.text
    assert "registro.js" in form.text
    assert f"/api/v1/{entity.slug}/registro/interesados/" in form.text
    created = await client.post(
        f"{base}/nuevo", headers={**HTML, **await csrf_headers(client)},
        data={"direction": "entrada", "documento": "12345678z", "nombre": "Ana",
              "apellido1": "García", "extracto": "Solicitud de vado permanente",
              "unidad_destino": entity.urbanismo, "validez": "01",
              "documentacion_fisica": "3"},
        files={"anexos": ("escaneo.pdf", PDF, "application/pdf")})
    assert created.status_code in (302, 303), created.text
    detail_url = created.headers["location"]
    (found,), _ = await services.search(entity.tenant, services.Search())
    asiento = await services.get(entity.tenant, found.id)
    assert asiento.anexos[0].sha256 == hashlib.sha256(PDF).hexdigest()
    assert asiento.anexos[0].validez == "01" and asiento.distribution_state == "distribuido"
    await drain()
    detail = await client.get(detail_url, headers=HTML)
    assert asiento.numero in detail.text and "Ana García" in detail.text
    assert "Registrar otro" in detail.text and "Justificante (PDF)" in detail.text
    pdf = await client.get(f"{base}/{asiento.id}/justificante")
    assert asiento.numero in pdf_text(pdf.content)


async def test_bad_form_shows_the_error_keeps_the_values_and_saves_nothing(
        client, make_entity, staff):
    entity = await make_entity()
    await staff(client, entity.tenant, "registro")
    response = await client.post(
        f"/{entity.slug}/registro/nuevo", headers={**HTML, **await csrf_headers(client)},
        data={"documento": "12345678A", "nombre": "Ana", "apellido1": "García",
              "extracto": "Solicitud de vado permanente"})
    assert response.status_code == 422
    assert "no es un NIF" in response.text and 'role="alert"' in response.text
    assert 'value="Solicitud de vado permanente"' in response.text or \
        ">Solicitud de vado permanente</textarea>" in response.text
    assert (await services.search(entity.tenant, services.Search()))[1] == 0
    short = await client.post(
        f"/{entity.slug}/registro/nuevo", headers={**HTML, **await csrf_headers(client)},
        data={"documento": "12345678Z", "nombre": "Ana", "apellido1": "García",
              "extracto": "Va"})
    assert short.status_code == 422 and 'role="alert"' in short.text
    assert "No se ha podido enviar" in short.text
    assert "«Extracto» debe tener al menos 3 caracteres" in short.text
    assert 'value="Ana"' in short.text and 'value="García"' in short.text
    assert (await services.search(entity.tenant, services.Search()))[1] == 0


async def test_bad_values_in_the_detail_and_sir_forms_are_shown_readably(
        client, make_entity, staff):
    entity = await make_entity()
    asiento = await services.register(entity.tenant, solicitud(), channel="presencial",
                                      actor="t")
    sent = await sir.send(entity.tenant, asiento.id, SirEnvio(destino="O99999999"), actor="t")
    await staff(client, entity.tenant, "secretario")
    base = f"/{entity.slug}/registro"
    headers = {**HTML, **await csrf_headers(client)}
    rectified = await client.post(f"{base}/{asiento.id}/rectificar", headers=headers,
                                  data={"extracto": "Otro extracto", "reason": "x"})
    assert rectified.status_code == 422 and 'role="alert"' in rectified.text
    assert "No se ha podido enviar" in rectified.text
    assert "«Motivo» debe tener al menos 3 caracteres" in rectified.text
    assert ">Otro extracto</textarea>" in rectified.text  # what was typed is kept
    assert 'name="reason" value="x"' in rectified.text
    assert (await services.get(entity.tenant, asiento.id)).extracto == asiento.extracto
    resent = await client.post(f"{base}/sir/{sent.id}/reenviar", headers=headers,
                               data={"destino": "no vale"})
    assert resent.status_code == 422 and 'role="alert"' in resent.text
    assert "No se ha podido enviar" in resent.text
    assert "«Oficina de destino» no tiene el formato pedido" in resent.text
    assert (await sir.get(entity.tenant, sent.id)).counterpart == "O99999999"


async def test_look_up_prefills_a_known_person(client, make_entity, staff):
    entity = await make_entity()
    await services.register(entity.tenant, solicitud(), channel="presencial", actor="t")
    await staff(client, entity.tenant, "registro")
    form = await client.get(f"/{entity.slug}/registro/nuevo", headers=HTML)
    assert 'formmethod="get"' not in form.text  # the token and the data stay out of the URL
    found = await client.post(f"/{entity.slug}/registro/nuevo",
                              headers={**HTML, **await csrf_headers(client)},
                              data={"documento": "12345678Z", "buscar": "1",
                                    "extracto": "Lo que ya escribí", "apellido2": "Ruiz"})
    assert found.status_code == 200
    assert 'value="José María"' in found.text and 'value="Peña"' in found.text
    assert "Lo que ya escribí</textarea>" in found.text and 'value="Ruiz"' in found.text
    assert (await services.search(entity.tenant, services.Search()))[1] == 1  # no new one


async def test_an_unknown_nif_is_said_and_what_was_typed_is_kept(client, make_entity, staff):
    entity = await make_entity()
    await staff(client, entity.tenant, "registro")
    unknown = await client.post(
        f"/{entity.slug}/registro/nuevo", headers={**HTML, **await csrf_headers(client)},
        data={"documento": "00000000T", "buscar": "1", "nombre": "Lucía",
              "extracto": "Licencia de obra"},
        files={"anexos": ("plano.pdf", PDF, "application/pdf")})
    assert unknown.status_code == 200
    assert "No consta ningún interesado con el NIF 00000000T" in unknown.text
    assert 'value="Lucía"' in unknown.text and "Licencia de obra</textarea>" in unknown.text
    assert "Vuelva a elegir el fichero: plano.pdf" in unknown.text
    assert (await services.search(entity.tenant, services.Search()))[1] == 0


async def test_a_refused_entry_names_every_wrong_field_next_to_its_input(
        client, make_entity, staff):
    entity = await make_entity()
    await staff(client, entity.tenant, "registro")
    refused = await client.post(
        f"/{entity.slug}/registro/nuevo", headers={**HTML, **await csrf_headers(client)},
        data={"documento": "12345678Z", "nombre": "Ana", "apellido1": "García",
              "codigo_postal": "420000", "extracto": "Va"},
        files={"anexos": ("escaneo.pdf", PDF, "application/pdf")})
    assert refused.status_code == 422
    text = refused.text
    assert 'id="error-summary"' in text and "hay 2 errores" in text
    assert '<a href="#codigo_postal">«Código postal» admite como máximo 5 caracteres.</a>' in text
    assert '<a href="#extracto">«Extracto» debe tener al menos 3 caracteres.</a>' in text
    assert 'aria-invalid="true" aria-describedby="extracto-error"' in text
    assert 'id="extracto-error"' in text and 'id="codigo_postal-error"' in text
    assert 'aria-describedby="anexos-notice"' in text
    assert "Vuelva a elegir el fichero: escaneo.pdf" in text
    assert 'value="Ana"' in text and 'value="García"' in text


async def test_search_detail_actions_inbox_and_libro(client, make_entity, staff, drain):
    entity = await make_entity()
    pending = await services.register(entity.tenant, solicitud(extracto="Queja por ruidos"),
                                      channel="presencial", actor="t")
    await services.register(entity.tenant, solicitud(extracto="Solicitud de bonificación"),
                            channel="presencial", actor="t")
    await staff(client, entity.tenant, "secretario")
    base = f"/{entity.slug}/registro"
    headers = {**HTML, **await csrf_headers(client)}
    listing = await client.get(f"{base}/", params={"q": "ruidos"}, headers=HTML)
    assert "Queja por ruidos" in listing.text and "bonificación" not in listing.text
    assert "1 asiento" in listing.text
    moved = await client.post(f"{base}/{pending.id}/distribuir", headers=headers,
                              data={"unidad": entity.intervencion})
    assert moved.status_code in (302, 303)
    inbox = await client.get(f"{base}/bandeja", params={"unidad": entity.intervencion},
                             headers=HTML)
    assert pending.numero in inbox.text
    refused = await client.post(f"{base}/{pending.id}/devolver", headers=headers,
                                data={"reason": "x"})
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    assert "No se ha podido enviar" in refused.text
    assert 'id="devolver-motivo" name="reason" value="x"' in refused.text
    back = await client.post(f"{base}/{pending.id}/devolver", headers=headers,
                             data={"reason": "No corresponde a Intervención"})
    assert back.status_code in (302, 303)
    assert (await services.get(entity.tenant, pending.id)).distribution_state == "devuelto"
    annulled = await client.post(f"{base}/{pending.id}/anular", headers=headers,
                                 data={"reason": "Presentado por error"})
    assert annulled.status_code in (302, 303)
    detail = await client.get(f"{base}/{pending.id}", headers=HTML)
    assert "Anulado" in detail.text and "Presentado por error" in detail.text
    await drain()
    year = pending.received_at.year
    csv = await client.get(f"{base}/libro.csv",
                           params={"desde": f"{year}-01-01", "hasta": f"{year}-12-31"})
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Número,Tipo") and len(lines) == 3
    assert pending.numero in lines[1] and "anulado" in lines[1]
    pdf = await client.get(f"{base}/libro.pdf",
                           params={"desde": f"{year}-01-01", "hasta": f"{year}-12-31"})
    assert pdf.headers["content-type"] == "application/pdf"
    assert pending.numero in "".join(pdf_text(pdf.content).split())
    too_long = await client.get(f"{base}/libro.csv", params={"desde": "2020-01-01",
                                                             "hasta": "2026-01-01"})
    assert too_long.status_code == 422
