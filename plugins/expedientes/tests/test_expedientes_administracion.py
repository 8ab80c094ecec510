"""The expedientes administration pages: who signs resoluciones (firmantes), the
adscripciones of the staff to units, and «Enviar a firma» refused on the expediente page
with the reason and a way on."""

from __future__ import annotations

from expedientes_tools import add_licencia, staff_member

from core.audit.tables import AuditEntry
from core.tenancy.context import tenant_by_id
from core.tenancy.services import add_unit
from core.testing import csrf_headers
from plugins.expedientes import busqueda, resoluciones, services
from plugins.expedientes.schemas import ExpedienteIn, ResolucionIn
from plugins.expedientes.settings import settings_of

HTML = {"accept": "text/html"}


async def _draft(tenant):
    licencia = await add_licencia(tenant)
    expediente = await services.open_expediente(tenant, ExpedienteIn(
        procedimiento_id=licencia.id, subject="Cambio de ventanas"), actor="t", user_id=None)
    draft = await resoluciones.draft(tenant, expediente.id, ResolucionIn(
        title="Decreto de concesión", body="RESUELVO conceder."), actor="t")
    return expediente, draft


async def test_enviar_a_firma_without_signers_shows_the_page_again_with_a_way_on(
        entidad, staff, drain):
    tenant = await entidad()
    client, _me = await staff(tenant, "entity_admin")
    _, draft = await _draft(tenant)
    headers = {**HTML, **await csrf_headers(client)}
    refused = await client.post(f"/{tenant.slug}/expedientes/resoluciones/{draft.id}/firma",
                                headers=headers, data={})
    assert refused.status_code == 422
    assert "Configure la alcaldía y la secretaría" in refused.text
    assert "Cambio de ventanas" in refused.text  # the expediente page, not an error page
    assert f'href="/{tenant.slug}/expedientes/firmantes"' in refused.text
    assert (await resoluciones.get(tenant, draft.id)).state == "borrador"

    alcaldesa = await staff_member(tenant, "firmante", "alcaldesa")
    chosen = await client.post(f"/{tenant.slug}/expedientes/resoluciones/{draft.id}/firma",
                               headers=headers, data={"signers": [str(alcaldesa), "999999"]})
    assert chosen.status_code == 422 and "No pertenecen a esta entidad" in chosen.text
    assert f'<option value="{alcaldesa}" selected>' in chosen.text  # the choice is kept


async def test_the_firmantes_page_sets_who_signs_and_enviar_a_firma_uses_it(
        entidad, staff, drain):
    tenant = await entidad()
    client, me = await staff(tenant, "entity_admin")
    alcaldesa = await staff_member(tenant, "firmante", "alcaldesa")
    page = f"/{tenant.slug}/expedientes/firmantes"
    headers = {**HTML, **await csrf_headers(client)}
    shown = await client.get(page, headers=HTML)
    assert shown.status_code == 200 and "Alcaldía" in shown.text
    both_wrong = await client.post(page, headers=headers, data={"alcalde": "", "secretario":
                                                                "424242"})
    assert both_wrong.status_code == 422
    assert "«Alcaldía (firma la resolución)»" in both_wrong.text
    assert "«Secretaría (toma razón en el libro)»" in both_wrong.text
    same = await client.post(page, headers=headers, data={"alcalde": str(alcaldesa),
                                                          "secretario": str(alcaldesa)})
    assert same.status_code == 422 and "otra persona" in same.text
    assert f'<option value="{alcaldesa}" selected>' in same.text
    saved = await client.post(page, headers=headers, data={"alcalde": str(alcaldesa),
                                                           "secretario": str(me)})
    assert saved.status_code in (302, 303), saved.text
    tenant = await tenant_by_id(tenant.id)
    assert settings_of(tenant).alcalde.startswith("alcaldesa")
    assert await AuditEntry.exists().where((AuditEntry.tenant == tenant.id)
                                           & (AuditEntry.action == "expedientes.firmantes"))
    _, draft = await _draft(tenant)
    sent = await resoluciones.send_to_sign(tenant, draft.id, resoluciones.EnvioFirma(),
                                           actor="t")
    assert sent.state == "en_firma"


async def test_adscripciones_page_and_its_refusals(entidad, make_tenant, staff):
    tenant = await entidad()
    other = await entidad()
    client, me = await staff(tenant, "entity_admin")
    await add_unit(tenant.id, tenant.dir3, "Secretaría")
    stranger = await staff_member(other, "tramitador", "ajeno")
    page = f"/{tenant.slug}/expedientes/adscripciones"
    headers = {**HTML, **await csrf_headers(client)}
    assert tenant.dir3 in (await client.get(page, headers=HTML)).text
    saved = await client.post(f"{page}/{me}", headers=headers, data={"units": tenant.dir3})
    assert saved.status_code in (302, 303)
    assert await busqueda.units_of_user(tenant, me) == [tenant.dir3]
    unknown = await client.post(f"{page}/{me}", headers=headers, data={"units": "Z99999999"})
    assert unknown.status_code == 422 and "no es una unidad de la entidad" in unknown.text
    assert await busqueda.units_of_user(tenant, me) == [tenant.dir3]
    foreign = await client.post(f"{page}/{stranger}", headers=headers,
                                data={"units": tenant.dir3})
    assert foreign.status_code == 404
    assert await busqueda.units_of_user(tenant, stranger) == []
