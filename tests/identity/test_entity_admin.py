"""The entity administration pages: staff and roles, units (DIR3), seal and certificates
with the step-up policy; every refused form names each wrong field and keeps what was
typed, every change is audited, another entity's ids answer 404, and a person who only
signs lands on the portafirmas."""

from __future__ import annotations

import pytest

from core.audit.tables import AuditEntry
from core.identity.services import ensure_user, grant_role, roles_in
from core.signing.credentials import list_credentials
from core.signing.devpki import SealSubject, make_dev_pki
from core.signing.stepup import step_up_on
from core.tenancy.services import units_of
from core.testing import csrf_headers

HTML = {"accept": "text/html"}


async def _actions(tenant, prefix: str) -> list[str]:
    rows = await AuditEntry.select(AuditEntry.action).where(
        (AuditEntry.tenant == tenant.id) & AuditEntry.action.like(f"{prefix}%")
    ).order_by(AuditEntry.seq)
    return [r["action"] for r in rows]


async def test_the_administration_adds_a_person_gives_and_withdraws_roles(
        client, make_tenant, login, smtp):
    tenant = await make_tenant()
    me = await login(client, tenant, "entity_admin")
    base = f"/{tenant.slug}/admin/usuarios"
    headers = {**HTML, **await csrf_headers(client)}
    assert "Usuarios de la entidad" in (await client.get(base, headers=HTML)).text

    refused = await client.post(base, headers=headers, data={
        "email": "no-es-correo", "name": "X", "role": "diputacion_admin"})
    assert refused.status_code == 422
    for named in ("«Correo electrónico»", "«Nombre y apellidos»", "«Rol»"):
        assert named in refused.text
    assert 'value="no-es-correo"' in refused.text and 'aria-invalid="true"' in refused.text

    added = await client.post(base, headers=headers, data={
        "email": "Nueva.Tramitadora@Test.invalid", "name": "Nuria Nueva", "role": "tramitador"})
    assert added.status_code in (302, 303), added.text
    page = added.headers["location"].split("?")[0]
    user_id = int(page.rsplit("/", 1)[1])
    assert await roles_in(user_id, tenant.id) == {"tramitador"}
    assert "invitado=si" in added.headers["location"]
    [mail] = smtp.messages
    assert mail["To"] == "nueva.tramitadora@test.invalid"

    given = await client.post(f"{page}/roles", headers=headers, data={"role": "registro"})
    assert given.status_code in (302, 303)
    assert await roles_in(user_id, tenant.id) == {"tramitador", "registro"}
    taken = await client.post(f"{page}/retirar", headers=headers, data={"role": "tramitador"})
    assert taken.status_code in (302, 303)
    assert await roles_in(user_id, tenant.id) == {"registro"}
    gone = await client.post(f"{page}/retirar", headers=headers, data={"role": "todos"})
    assert gone.status_code in (302, 303) and await roles_in(user_id, tenant.id) == set()

    alone = await client.post(f"{base}/{me}/retirar", headers=headers, data={"role": "todos"})
    assert alone.status_code == 422 and "sin administración" in alone.text
    assert "entity_admin" in await roles_in(me, tenant.id)
    assert await _actions(tenant, "membership.") == [
        "membership.granted", "membership.granted", "membership.granted",
        "membership.withdrawn", "membership.withdrawn"]


async def test_another_entitys_people_are_not_found_on_these_pages(client, make_tenant, login):
    tenant, other = await make_tenant(), await make_tenant()
    await login(client, tenant, "entity_admin")
    stranger = await ensure_user("ajena@test.invalid", "Persona Ajena")
    await grant_role(stranger, other.id, "tramitador")
    headers = {**HTML, **await csrf_headers(client)}
    base = f"/{tenant.slug}/admin/usuarios/{stranger}"
    assert (await client.get(base, headers=HTML)).status_code == 404
    for action, role in (("roles", "registro"), ("retirar", "tramitador"),
                         ("retirar", "todos")):
        response = await client.post(f"{base}/{action}", headers=headers, data={"role": role})
        assert response.status_code == 404
    assert await roles_in(stranger, other.id) == {"tramitador"}
    assert await roles_in(stranger, tenant.id) == set()
    refused = await client.post(f"/{tenant.slug}/admin/certificados", headers=headers,
                                data={"owner": str(stranger), "password": "x"},
                                files={"pkcs12": ("a.p12", b"not really", "application/x-pkcs12")})
    assert refused.status_code == 422 and "«Titular»" in refused.text
    for page in ("usuarios", "unidades", "certificados"):
        assert (await client.get(f"/{other.slug}/admin/{page}", headers=HTML)).status_code == 403


async def test_units_are_added_with_a_checked_dir3_code(client, make_tenant, login):
    tenant = await make_tenant()
    await login(client, tenant, "entity_admin")
    base = f"/{tenant.slug}/admin/unidades"
    headers = {**HTML, **await csrf_headers(client)}
    refused = await client.post(base, headers=headers, data={
        "dir3": "l0142", "name": "", "parent_dir3": "A99999999", "is_office": "si"})
    assert refused.status_code == 422
    for named in ("«Código DIR3»", "«Nombre»", "«Unidad de la que depende»"):
        assert named in refused.text
    assert 'value="l0142"' in refused.text and "checked" in refused.text
    assert await units_of(tenant.id) == []
    added = await client.post(base, headers=headers, data={"dir3": "l01421736",
                                                           "name": "Secretaría general"})
    assert added.status_code in (302, 303), added.text
    office = await client.post(base, headers=headers, data={
        "dir3": "O00012345", "name": "Oficina de registro", "is_office": "si",
        "parent_dir3": "L01421736"})
    assert office.status_code in (302, 303), office.text
    twice = await client.post(base, headers=headers, data={"dir3": "L01421736",
                                                           "name": "Otra vez"})
    assert twice.status_code == 422 and "ya tiene la unidad" in twice.text
    units = {u.dir3: u for u in await units_of(tenant.id)}
    assert set(units) == {"L01421736", "O00012345"}
    assert units["O00012345"].is_office and units["O00012345"].parent_dir3 == "L01421736"
    assert await _actions(tenant, "unit.") == ["unit.created", "unit.created"]


async def test_the_seal_is_installed_from_a_pkcs12_and_a_wrong_password_is_refused(
        client, make_tenant, login, tmp_path):
    tenant = await make_tenant()
    await login(client, tenant, "entity_admin")
    pki = make_dev_pki(tmp_path, seals=[SealSubject(entity_name="Ayuntamiento de Prueba",
                                                    nif="P4299999E")], people=[])
    p12 = pki.seals["P4299999E"].pkcs12.read_bytes()
    base = f"/{tenant.slug}/admin/certificados"
    headers = {**HTML, **await csrf_headers(client)}
    wrong = await client.post(base, headers=headers, data={"owner": "sello",
                                                           "password": "no-es-esta"},
                              files={"pkcs12": ("sello.p12", p12, "application/x-pkcs12")})
    assert wrong.status_code == 422 and "«Contraseña del fichero»" in wrong.text
    assert await list_credentials(tenant) == []
    empty = await client.post(base, headers=headers, data={"owner": "sello", "password": "x"})
    assert empty.status_code == 422 and "«Fichero PKCS#12 (.p12, .pfx)»" in empty.text
    right = await client.post(base, headers=headers,
                              data={"owner": "sello", "password": pki.password.decode()},
                              files={"pkcs12": ("sello.p12", p12, "application/x-pkcs12")})
    assert right.status_code in (302, 303), right.text
    [seal] = await list_credentials(tenant)
    assert seal.purpose == "seal" and seal.active
    listed = await client.get(base, headers=HTML)
    assert "AYUNTAMIENTO DE PRUEBA" in listed.text.upper() and "En uso" in listed.text
    assert await _actions(tenant, "signing.") == ["signing.credential_installed"]

    assert await step_up_on(tenant)
    off = await client.post(f"{base}/politica", headers=headers, data={"step_up": "no"})
    assert off.status_code in (302, 303) and not await step_up_on(tenant)
    assert await _actions(tenant, "signing.policy") == ["signing.policy_changed"]


@pytest.mark.parametrize(("roles", "landing"), [
    (("firmante",), "/{slug}/firma/"), (("tramitador",), "/{slug}/"),
    (("firmante", "tramitador"), "/{slug}/")])
async def test_who_only_signs_lands_on_the_portafirmas(client, make_tenant, roles, landing):
    tenant = await make_tenant()
    email = f"persona-{tenant.slug}@test.invalid"
    user_id = await ensure_user(email, "Persona", "correct horse battery")
    for role in roles:
        await grant_role(user_id, tenant.id, role)
    response = await client.post("/login", headers=await csrf_headers(client),
                                 data={"email": email, "password": "correct horse battery",
                                       "next": "/"})
    assert response.headers["location"] == landing.format(slug=tenant.slug)
    asked = await client.post("/login", headers=await csrf_headers(client),
                              data={"email": email, "password": "correct horse battery",
                                    "next": f"/{tenant.slug}/"})
    assert asked.headers["location"] == f"/{tenant.slug}/"
