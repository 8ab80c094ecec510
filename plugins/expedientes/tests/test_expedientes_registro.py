"""Registry entries into expedientes: open from an entrada, join an open one, the
automatic path when an entrada reaches a unit naming a procedure or an expediente, and a
procedure's solicitud in the sede (an entrada that opens its expediente)."""

from __future__ import annotations

import asyncio
import uuid

from expedientes_tools import add_licencia

from core.documents.eni import TipoDocumental
from core.identity.citizens import open_citizen_session
from core.identity.providers import ExternalIdentity
from core.identity.sessions import SESSION_COOKIE
from core.signing.samples import sample_pdf
from core.tenancy.services import add_unit
from core.testing import csrf_headers
from plugins.expedientes import asientos, busqueda, documentos
from plugins.expedientes.schemas import Busqueda
from plugins.registro import services as registro
from plugins.registro.schemas import AnexoIn, AsientoIn, InteresadoIn, Persona

PLUGINS = ("registro", "expedientes")
HTML = {"accept": "text/html"}


def api(tenant, path=""):
    return f"/api/v1/{tenant.slug}/expedientes/{path}"


async def _with_units(tenant):
    """The entity, a registry office and an urbanismo unit (DIR3-shaped demo codes)."""
    oficina, urbanismo = (letter + uuid.uuid4().hex[:8].upper() for letter in "OA")
    await add_unit(tenant.id, tenant.dir3, tenant.name)
    await add_unit(tenant.id, oficina, "Oficina de registro", is_office=True)
    await add_unit(tenant.id, urbanismo, "Urbanismo")
    return urbanismo


def _entrada(**changes):
    return AsientoIn(**{
        "extracto": "Solicitud de licencia de obra menor en calle Real 12",
        "interesados": [InteresadoIn(
            document="12345678Z", name="José María", first_surname="Peña",
            representante=Persona(document="B12345674", business_name="Gestoría Moncayo SL"))],
        "anexos": [AnexoIn(filename="solicitud.pdf", content=sample_pdf("Solicitud"),
                           tipo_documento="01"),
                   AnexoIn(filename="plano.pdf", content=sample_pdf("Plano", pages=2))],
        **changes})


async def test_an_entrada_opens_an_expediente_with_its_anexos_and_justificante(
        sealed_entidad, staff, drain):
    tenant, _, _ = await sealed_entidad(plugins=PLUGINS)
    await _with_units(tenant)
    licencia = await add_licencia(tenant)
    asiento = await registro.register(tenant, _entrada(), channel="presencial", actor="t")
    await drain()  # the justificante job
    asiento = await registro.get(tenant, asiento.id)
    assert asiento.justificante_csv
    client, user_id = await staff(tenant, "tramitador")
    headers = await csrf_headers(client)
    opened = await client.post(api(tenant, f"registro/{asiento.id}/expediente"),
                               json={"procedimiento_id": licencia.id}, headers=headers)
    assert opened.status_code == 201, opened.text
    exp = opened.json()
    assert exp["origin"] == "registro" and exp["registro_ref"] == asiento.numero
    assert exp["subject"] == asiento.extracto
    assert [(i["role"], i["nif"]) for i in exp["interesados"]] == [
        ("interesado", "12345678Z"), ("representante", "B12345674")]
    assert [r["id"] for r in exp["responsables"]] == [user_id]
    docs = await documentos.list_documents(tenant, exp["id"])
    assert [(d.source, d.title, d.tipo_documental) for d in docs] == [
        ("registro", "solicitud.pdf", TipoDocumental.SOLICITUD),
        ("registro", "plano.pdf", TipoDocumental.OTROS),
        ("registro", docs[2].title, docs[2].tipo_documental)]
    assert [d.sha256 for d in docs[:2]] == [a.sha256 for a in asiento.anexos]
    assert docs[2].title == f"Justificante de registro {asiento.numero}"
    assert (await registro.get(tenant, asiento.id)).numero_expediente == exp["code"]
    [followed] = await busqueda.of_citizen(tenant, "B12345674")  # the carpeta's list
    assert (followed.code, followed.role, followed.state) == (exp["code"], "representante",
                                                              "E01")
    again = await client.post(api(tenant, f"registro/{asiento.id}/expediente"),
                              json={"procedimiento_id": licencia.id}, headers=headers)
    assert again.status_code == 422 and exp["code"] in again.json()["detail"]
    assert len(await busqueda.search(tenant, Busqueda())) == 1


async def test_an_entrada_joins_an_open_expediente_only(entidad, staff, drain):
    tenant = await entidad(plugins=PLUGINS)
    await _with_units(tenant)
    licencia = await add_licencia(tenant)
    client, _ = await staff(tenant, "tramitador")
    headers = await csrf_headers(client)
    exp = (await client.post(api(tenant), headers=headers, json={
        "procedimiento_id": licencia.id, "subject": "Obra menor"})).json()
    extra = await registro.register(tenant, _entrada(extracto="Aporta documentación",
                                                     anexos=[AnexoIn(
                                                         filename="licencia-actividad.pdf",
                                                         content=sample_pdf("Anexo"))]),
                                    channel="sede", actor="t")
    await drain()  # its justificante is issued
    joined = await client.post(api(tenant, f"{exp['id']}/registro/{extra.id}"),
                               headers=headers)
    assert joined.status_code == 200, joined.text
    docs = await documentos.list_documents(tenant, exp["id"])
    assert [d.sha256 for d in docs][:1] == [extra.anexos[0].sha256]
    assert [d.tipo_documental for d in docs] == ["TD99", "TD09"]  # the anexo, the justificante
    history = [h["action"] for h in (await client.get(api(tenant, f"{exp['id']}/actividad"))
                                     ).json()]
    assert "registro_attached" in history

    other = await entidad(plugins=PLUGINS)
    await _with_units(other)
    foreign = await registro.register(other, _entrada(), channel="sede", actor="t")
    stolen = await client.post(api(tenant, f"{exp['id']}/registro/{foreign.id}"),
                               headers=headers)
    assert stolen.status_code == 404
    assert (await registro.get(other, foreign.id)).numero_expediente == ""


async def test_distribution_opens_or_joins_by_itself(entidad, drain):
    tenant = await entidad(plugins=PLUGINS)
    urbanismo = await _with_units(tenant)
    licencia = await add_licencia(tenant)
    first = await registro.register(tenant, _entrada(unidad_destino=urbanismo,
                                                     codigo_asunto=licencia.sia_code),
                                    channel="sede", actor="t")
    await drain()
    found = await busqueda.search(tenant, Busqueda())
    assert len(found) == 1 and found[0].unit_dir3 == urbanismo
    code = (await registro.get(tenant, first.id)).numero_expediente
    assert code == found[0].code
    follow_up = await registro.register(tenant, _entrada(
        unidad_destino=urbanismo, numero_expediente=code, extracto="Subsanación",
        anexos=[AnexoIn(filename="subsanacion.pdf", content=sample_pdf("Subsana"))]),
        channel="sede", actor="t")
    unrelated = await registro.register(tenant, _entrada(unidad_destino=urbanismo,
                                                         extracto="Queja sin procedimiento"),
                                        channel="sede", actor="t")
    await drain()
    assert len(await busqueda.search(tenant, Busqueda())) == 1
    titles = [d.title for d in await documentos.list_documents(tenant, found[0].id)]
    assert "subsanacion.pdf" in titles
    assert (await registro.get(tenant, follow_up.id)).numero_expediente == code
    assert (await registro.get(tenant, unrelated.id)).numero_expediente == ""

    # The news delivered again (jobs run at least once): nothing is added twice.
    for entrada in (first, follow_up):
        await asientos.on_distributed(tenant, await registro.get(tenant, entrada.id),
                                      urbanismo)
    assert len(await busqueda.search(tenant, Busqueda())) == 1
    assert [d.title for d in await documentos.list_documents(tenant, found[0].id)] == titles


async def test_one_entrada_opens_one_expediente_even_at_the_same_time(entidad, drain):
    tenant = await entidad(plugins=PLUGINS)
    await _with_units(tenant)
    licencia = await add_licencia(tenant)
    entrada = await registro.register(tenant, _entrada(), channel="presencial", actor="t")
    await drain()
    results = await asyncio.gather(*[
        asientos.open_from(tenant, entrada.id, licencia.id, actor="t", user_id=None)
        for _ in range(3)], return_exceptions=True)
    [opened] = [r for r in results if not isinstance(r, Exception)]
    assert all(isinstance(r, asientos.InvalidAsiento) for r in results if r is not opened)
    assert [e.id for e in await busqueda.search(tenant, Busqueda())] == [opened.id]
    assert (await registro.get(tenant, entrada.id)).numero_expediente == opened.code
    assert len(await documentos.list_documents(tenant, opened.id)) == 3


async def test_a_solicitud_in_the_sede_opens_its_expediente(client, entidad, drain):
    tenant = await entidad(plugins=PLUGINS)
    await _with_units(tenant)
    licencia = await add_licencia(tenant)
    sede = f"/sede/{tenant.slug}/expedientes"
    anonymous = await client.get(f"{sede}/{licencia.id}/solicitud", headers=HTML)
    assert anonymous.status_code in (302, 303, 401)
    client.cookies.set(SESSION_COOKIE, await open_citizen_session(ExternalIdentity(
        provider="clave", audience="citizen", nif="12345678Z", name="Ana Pérez Gil"),
        "127.0.0.1", tenant.id))
    catalogue = await client.get(f"/sede/{tenant.slug}/tramites/", headers=HTML)
    assert "Solicitudes en los procedimientos de la entidad" not in catalogue.text
    own = f"/sede/{tenant.slug}/tramites/procedimiento-{licencia.id}"
    assert f'href="{own}">Licencia de obra menor</a>' in catalogue.text  # each its own entry
    procedure = await client.get(own, headers=HTML)
    assert procedure.status_code == 200 and "Estimatorio" in procedure.text
    assert f'href="/sede/{tenant.slug}/expedientes/{licencia.id}/solicitud"' in procedure.text
    listing = await client.get(f"{sede}/", headers=HTML)
    assert "Licencia de obra menor" in listing.text and "Estimatorio" in listing.text
    form = await client.get(f"{sede}/{licencia.id}/solicitud", headers=HTML)
    assert form.status_code == 200 and 'value="Ana"' in form.text
    headers = {**HTML, **await csrf_headers(client)}
    refused = await client.post(
        f"{sede}/{licencia.id}/solicitud", headers=headers,
        data={"name": "Ana", "first_surname": "", "second_surname": "Gil", "asunto": "ab",
              "expone": "Que es propietaria <y vecina>.", "solicita": ""},
        files={"anexos": ("presupuesto.pdf", sample_pdf("Presupuesto"), "application/pdf")})
    assert refused.status_code == 422 and "text/html" in refused.headers["content-type"]
    for wrong in ("first_surname", "asunto", "solicita"):  # each named, at its input
        assert f'id="{wrong}-error"' in refused.text and f'href="#{wrong}"' in refused.text
    assert 'id="name-error"' not in refused.text
    assert 'value="Ana"' in refused.text and 'value="Gil"' in refused.text
    assert 'value="ab"' in refused.text and "Que es propietaria &lt;y vecina&gt;." in refused.text
    assert "Vuelva a elegir el fichero: presupuesto.pdf" in refused.text
    presented = await client.post(
        f"{sede}/{licencia.id}/solicitud", headers=headers,
        data={"name": "Ana", "first_surname": "Pérez", "second_surname": "Gil",
              "asunto": "Cambio de ventanas en calle Real 12", "expone": "Que es propietaria.",
              "solicita": "Licencia de obra menor."},
        files={"anexos": ("presupuesto.pdf", sample_pdf("Presupuesto"), "application/pdf")})
    assert presented.status_code == 201, presented.text
    assert "Número de registro" in presented.text
    await drain()  # justificante, distribution to the unit, the expediente opened

    [summary] = await busqueda.search(tenant, Busqueda())
    assert summary.procedimiento == "Licencia de obra menor"
    assert summary.subject.endswith("Cambio de ventanas en calle Real 12")
    docs = await documentos.list_documents(tenant, summary.id)
    assert docs[0].title == "presupuesto.pdf" and docs[0].source == "registro"
    carpeta = await client.get(f"/sede/{tenant.slug}/carpeta/", headers=HTML)
    assert summary.code in carpeta.text and "Abierto" in carpeta.text
    mine = f"/sede/{tenant.slug}/expedientes/mis/{summary.id}"
    assert f'href="{mine}"' in carpeta.text  # the expediente can be opened
    opened = await client.get(mine, headers=HTML)
    assert opened.status_code == 200 and summary.code in opened.text
    assert "Abierto" in opened.text and "presupuesto.pdf" in opened.text
    pdf = await client.get(f"{mine}/documentos/{docs[0].id}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    other = await entidad(plugins=PLUGINS)
    client.cookies.set(SESSION_COOKIE, await open_citizen_session(ExternalIdentity(
        provider="clave", audience="citizen", nif="00000000T", name="Otro Vecino"),
        "127.0.0.1", tenant.id))
    assert (await client.get(mine, headers=HTML)).status_code == 404  # another citizen
    assert (await client.get(f"{mine}/documentos/{docs[0].id}")).status_code == 404
    client.cookies.set(SESSION_COOKIE, await open_citizen_session(ExternalIdentity(
        provider="clave", audience="citizen", nif="12345678Z", name="Ana Pérez Gil"),
        "127.0.0.1", other.id))
    elsewhere = f"/sede/{other.slug}/expedientes/mis/{summary.id}"
    assert (await client.get(elsewhere, headers=HTML)).status_code == 404  # another entity
