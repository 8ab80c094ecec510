"""Roles and permissions: deny by default, built-in roles, the entity's adjustments (UI and
API), vetoes, segregation of duties, and every denial in the audit log."""

import pytest

from core.audit.tables import AuditEntry
from core.identity.actor import ROLE_PERMISSIONS
from core.identity.permissions import expand, grants_for
from core.identity.tables import RolePermission
from core.testing import csrf_headers


@pytest.mark.parametrize(("role", "granted", "refused"), [
    ("diputacion_admin", {"core.console", "tablon.publish", "core.support"}, set()),
    ("diputacion_support", {"tablon.view", "core.support", "core.audit"}, {"tablon.publish"}),
    ("entity_admin", {"tablon.publish", "core.roles", "core.tokens"},
     {"core.console", "core.support"}),
    ("secretario", {"tablon.publish", "core.audit"}, {"core.roles", "core.console"}),
    ("registro", {"tablon.view"}, {"tablon.publish", "core.audit"}),
    ("tramitador", {"tablon.publish", "tablon.view"}, {"core.audit", "alpha.approve"}),
    ("firmante", {"tablon.view"}, {"tablon.publish", "core.audit"}),
    ("read_only", {"tablon.view", "alpha.view", "core.view"},
     {"tablon.publish", "alpha.approve", "core.audit"}),
])
async def test_built_in_roles(concejo_app, make_tenant, role, granted, refused):
    tenant = await make_tenant()
    held = await grants_for(tenant.id, [role])
    assert granted <= held and not refused & held


@pytest.mark.parametrize(("role", "granted", "refused"), [
    ("registro", {"registro.register", "registro.receive", "documents.upload"},
     {"expedientes.tramitar", "tablon.publish"}),
    ("tramitador", {"expedientes.tramitar", "notificaciones.notify", "tablon.publish",
                    "registro.receive", "firma.request"}, {"registro.register"}),
])
async def test_plugins_grant_their_permissions_to_the_built_in_roles(concejo_app, make_tenant,
                                                                    role, granted, refused):
    tenant = await make_tenant()
    held = await grants_for(tenant.id, [role])
    assert granted <= held and not refused & held


def test_patterns_grant_only_registered_names_and_minus_withdraws():
    names = ["a.view", "a.edit", "b.view", "core.console"]
    assert expand(["*.view"], names) == {"a.view", "b.view"}
    assert expand(["*", "-core.*", "-a.edit"], names) == {"a.view", "b.view"}
    assert expand(["nope.*"], names) == set()
    assert set(ROLE_PERMISSIONS) >= {"diputacion_admin", "diputacion_support", "entity_admin",
                                     "secretario", "registro", "tramitador", "firmante",
                                     "read_only"}


async def test_entity_admin_adjusts_a_role_through_the_api(client, make_tenant, login):
    tenant = await make_tenant(plugins=("alpha",))
    other = await make_tenant(plugins=("alpha",))
    await login(client, tenant, "entity_admin")
    headers = await csrf_headers(client)
    base = f"/api/v1/{tenant.slug}/admin/roles"
    assert (await client.get(base)).json()["read_only"]["alpha.approve"] is False
    changed = await client.put(f"{base}/read_only/alpha.approve", json={"granted": True},
                               headers=headers)
    assert changed.status_code == 200 and changed.json()["alpha.approve"] is True
    assert "alpha.approve" in await grants_for(tenant.id, ["read_only"])
    assert "alpha.approve" not in await grants_for(other.id, ["read_only"])
    withdrawn = await client.put(f"{base}/read_only/alpha.view", json={"granted": False},
                                 headers=headers)
    assert withdrawn.json()["alpha.view"] is False
    restored = await client.put(f"{base}/read_only/alpha.view", json={"granted": None},
                                headers=headers)
    assert restored.json()["alpha.view"] is True
    actions = [r["action"] for r in await AuditEntry.select(AuditEntry.action).where(
        (AuditEntry.tenant == tenant.id) & AuditEntry.action.like("role.%")
    ).order_by(AuditEntry.seq)]
    assert actions == ["role.granted", "role.withdrawn", "role.reset"]
    assert (await client.get(f"/api/v1/{other.slug}/admin/roles")).status_code == 403


@pytest.mark.parametrize(("role", "permission", "granted", "message"), [
    ("read_only", "core.console", True, "solo lo concede la diputación"),
    ("entity_admin", "core.roles", False, "no puede perder"),
    ("alcalde", "alpha.view", True, "Rol desconocido"),
    ("read_only", "alpha.nonexistent", True, "Permiso desconocido"),
])
async def test_adjustments_that_are_refused_change_nothing(client, make_tenant, login, role,
                                                           permission, granted, message):
    tenant = await make_tenant(plugins=("alpha",))
    await login(client, tenant, "entity_admin")
    response = await client.put(f"/api/v1/{tenant.slug}/admin/roles/{role}/{permission}",
                                json={"granted": granted}, headers=await csrf_headers(client))
    assert response.status_code == 422 and message in response.json()["detail"]
    assert response.headers["content-type"].startswith("application/problem+json")
    assert not await RolePermission.exists().where(RolePermission.tenant == tenant.id)


async def test_roles_page_changes_a_permission(client, make_tenant, login):
    tenant = await make_tenant(plugins=("alpha",))
    await login(client, tenant, "entity_admin")
    page = await client.get(f"/{tenant.slug}/admin/roles", headers={"accept": "text/html"})
    assert page.status_code == 200 and "Aprobar casos alfa" in page.text
    response = await client.post(f"/{tenant.slug}/admin/roles", data={
        "role": "tramitador", "permission": "alpha.approve", "granted": "yes"},
        headers=await csrf_headers(client))
    assert response.status_code in (302, 303)
    assert "alpha.approve" in await grants_for(tenant.id, ["tramitador"])


async def test_only_the_entity_admin_adjusts_roles_and_denials_are_audited(
        client, make_tenant, login):
    tenant = await make_tenant(plugins=("alpha",))
    await login(client, tenant, "secretario")
    response = await client.put(f"/api/v1/{tenant.slug}/admin/roles/read_only/alpha.approve",
                                json={"granted": True}, headers=await csrf_headers(client))
    assert response.status_code == 403
    denied = await AuditEntry.select().where(
        (AuditEntry.tenant == tenant.id) & (AuditEntry.action == "permission.denied"))
    assert len(denied) == 1 and denied[0]["outcome"] == "denied"
    assert denied[0]["target"] == "core.roles" and denied[0]["ip"] == "127.0.0.1"
    assert not await RolePermission.exists().where(RolePermission.tenant == tenant.id)


async def test_a_veto_denies_what_a_role_grants(client, make_tenant, login):
    tenant = await make_tenant(plugins=("alpha",))
    await login(client, tenant, "entity_admin")  # "*" includes alpha.forbidden
    response = await client.get(f"/api/v1/{tenant.slug}/alpha/prohibido")
    assert response.status_code == 403 and "refused" in response.json()["detail"]


async def test_who_prepares_may_not_approve_alone(client_at, make_tenant, login):
    tenant = await make_tenant(plugins=("alpha",))
    preparer, other = client_at(), client_at()
    await login(preparer, tenant, "entity_admin")
    await login(other, tenant, "entity_admin")
    base = f"/api/v1/{tenant.slug}/alpha/casos"
    prepared = await preparer.post(f"{base}/7/preparar", headers=await csrf_headers(preparer))
    assert prepared.status_code == 201
    refused = await preparer.post(f"{base}/7/aprobar", headers=await csrf_headers(preparer))
    assert refused.status_code == 403
    assert "no puede ser quien lo aprueba en solitario" in refused.json()["detail"]
    assert (await preparer.post(f"{base}/8/aprobar", headers=await csrf_headers(preparer))
            ).status_code == 201  # another case: no conflict
    assert (await other.post(f"{base}/7/aprobar", headers=await csrf_headers(other))
            ).status_code == 201
    assert (await preparer.post(f"{base}/7/aprobar", headers=await csrf_headers(preparer))
            ).status_code == 201  # now not the only one
    denied = await AuditEntry.select(AuditEntry.target, AuditEntry.detail).where(
        (AuditEntry.tenant == tenant.id) & (AuditEntry.action == "permission.denied"))
    assert [d["target"] for d in denied] == ["alpha:7"]
