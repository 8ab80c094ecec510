"""The sede: the instancia general of an identified citizen becomes an entrada; the
justificante is handed back to them (and only them) and listed in their carpeta."""

from __future__ import annotations

import hashlib
import re

import httpx
from stdnum.es import cif

from core.identity.citizens import open_citizen_session
from core.identity.providers import ExternalIdentity
from core.identity.sessions import SESSION_COOKIE
from core.testing import csrf_headers
from plugins.registro import services
from plugins.registro.tests.conftest import PDF, pdf_text

HTML = {"accept": "text/html"}
ME = "12345678Z"
COMPANY = "B4200000" + cif.calc_check_digits("B4200000")[1]


async def as_citizen(http, tenant, **identity) -> None:
    token = await open_citizen_session(ExternalIdentity(
        provider="clave", audience="citizen", nif=ME, name="María José Ruiz Gil", **identity),
        "127.0.0.1", tenant.id)
    http.cookies.set(SESSION_COOKIE, token)


INSTANCIA = {"nombre": "María José", "apellido1": "Ruiz", "apellido2": "Gil",
             "email": "mj@example.org", "extracto": "Solicitud de poda de un árbol",
             "expone": "Que el árbol de mi calle toca el tendido.", "solicita": "Su poda."}


async def test_a_citizen_presents_an_instancia_and_gets_the_justificante(
        client, make_entity, drain, concejo_app):
    entity = await make_entity()
    catalogue = await client.get(f"/sede/{entity.slug}/tramites/registro-instancia-general")
    assert "Instancia general" in catalogue.text
    assert f'href="/sede/{entity.slug}/registro/instancia"' in catalogue.text
    anonymous = await client.get(f"/sede/{entity.slug}/registro/instancia", headers=HTML)
    assert anonymous.status_code in (302, 303) and "/login" in anonymous.headers["location"]
    await as_citizen(client, entity.tenant)
    form = await client.get(f"/sede/{entity.slug}/registro/instancia", headers=HTML)
    assert form.status_code == 200 and ME in form.text and 'value="María José"' in form.text
    sent = await client.post(f"/sede/{entity.slug}/registro/instancia",
                             data={**INSTANCIA, "unidad_destino": entity.urbanismo},
                             files={"anexos": ("foto.pdf", PDF, "application/pdf")},
                             headers={**HTML, **await csrf_headers(client)})
    assert sent.status_code in (302, 303), sent.text
    receipt_url = sent.headers["location"]
    (found,), _ = await services.search(entity.tenant, services.Search())
    asiento = await services.get(entity.tenant, found.id)
    assert (asiento.channel, asiento.presenter, asiento.unidad_destino) == (
        "sede", ME, entity.urbanismo)
    person = asiento.interesados[0]
    assert (person.document, person.name, person.first_surname, person.email) == (
        ME, "María José", "Ruiz", "mj@example.org")
    assert asiento.anexos[0].sha256 == hashlib.sha256(PDF).hexdigest()
    await drain()
    receipt = await client.get(receipt_url, headers=HTML)
    assert asiento.numero in receipt.text and "Descargar el justificante" in receipt.text
    pdf = await client.get(f"{receipt_url}/pdf")
    assert pdf.status_code == 200 and asiento.numero in pdf_text(pdf.content)
    carpeta = await client.get(f"/sede/{entity.slug}/carpeta/", headers=HTML)
    assert "Solicitud de poda de un árbol" in carpeta.text and asiento.numero in carpeta.text
    token = await open_citizen_session(ExternalIdentity(
        provider="clave", audience="citizen", nif="00000000T", name="Otro Vecino"),
        "127.0.0.1", entity.tenant.id)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=concejo_app),
                                 base_url="http://testserver",
                                 cookies={SESSION_COOKIE: token}) as stranger:
        assert (await stranger.get(receipt_url)).status_code == 404
        assert (await stranger.get(f"{receipt_url}/pdf")).status_code == 404


async def test_a_representative_presents_for_a_company(client, make_entity):
    entity = await make_entity()
    await as_citizen(client, entity.tenant, company_nif=COMPANY,
                     company_name="Talleres Ruiz, S.L.")
    sent = await client.post(f"/sede/{entity.slug}/registro/instancia", data=INSTANCIA,
                             headers={**HTML, **await csrf_headers(client)})
    assert sent.status_code in (302, 303), sent.text
    (found,), _ = await services.search(entity.tenant, services.Search())
    interesado = (await services.get(entity.tenant, found.id)).interesados[0]
    assert (interesado.document, interesado.business_name) == (COMPANY, "Talleres Ruiz, S.L.")
    assert interesado.representante.document == ME


async def test_an_incomplete_instancia_saves_nothing(client, make_entity):
    entity = await make_entity()
    await as_citizen(client, entity.tenant)
    sent = await client.post(f"/sede/{entity.slug}/registro/instancia",
                             data={**INSTANCIA, "solicita": " "},
                             headers={**HTML, **await csrf_headers(client)})
    assert sent.status_code == 422 and "solicita" in sent.text
    short = await client.post(f"/sede/{entity.slug}/registro/instancia",
                              data={**INSTANCIA, "extracto": "Va"},
                              headers={**HTML, **await csrf_headers(client)})
    assert short.status_code == 422 and "No se ha podido enviar" in short.text
    assert "«Asunto» debe tener al menos 3 caracteres" in short.text  # as the label says
    assert "«Extracto»" not in short.text
    assert "Que el árbol de mi calle" in short.text
    assert (await services.search(entity.tenant, services.Search()))[1] == 0
    both = await client.post(f"/sede/{entity.slug}/registro/instancia",
                             data={**INSTANCIA, "expone": "", "solicita": ""},
                             headers={**HTML, **await csrf_headers(client)},
                             files={"anexos": ("foto.png", b"\x89PNG", "image/png")})
    assert both.status_code == 422 and "hay 2 errores" in both.text
    assert '<a href="#expone">' in both.text and '<a href="#solicita">' in both.text
    assert 'id="solicita-error"' in both.text
    assert "Vuelva a elegir el fichero: foto.png" in both.text


async def test_each_label_of_the_instancia_sits_right_above_its_own_input(client, make_entity):
    entity = await make_entity()
    await as_citizen(client, entity.tenant)
    form = (await client.get(f"/sede/{entity.slug}/registro/instancia", headers=HTML)).text
    control = r"<(?:input|textarea|select) id=\"([\w-]+)\""
    pairs = re.findall(r"<label for=\"([\w-]+)\">[^<]*</label>\s*" + control,
                       form)
    fields = ["nombre", "apellido1", "apellido2", "email", "telefono", "direccion",
              "codigo_postal", "extracto", "expone", "solicita", "anexos"]
    assert [label for label, _ in pairs if label in fields] == fields
    assert all(label == control for label, control in pairs)
    assert form.count('class="field"') >= len(fields)  # one grid cell per label + input
