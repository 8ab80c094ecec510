"""Diputación support (SAM): a time-boxed access with a reason, seen by the entity, every
action audited under both names; nothing opened on a bad request."""

import uuid
from datetime import UTC, datetime, timedelta

from core.audit.tables import AuditEntry
from core.identity.services import ensure_user, grant_role
from core.identity.tables import SupportAccess
from core.testing import csrf_headers, enrol_totp, totp_now


async def sam_login(http, operator):
    """A diputación support user logged in (password + TOTP)."""
    email = f"sam-{uuid.uuid4().hex[:6]}@diputacion.invalid"
    user_id = await ensure_user(email, "Sergio Soporte", "clave larga de soporte")
    await grant_role(user_id, operator.id, "diputacion_support")
    secret = await enrol_totp(user_id)
    headers = await csrf_headers(http)
    await http.post("/login", data={"email": email, "password": "clave larga de soporte"},
                    headers=headers)
    done = await http.post("/login/code", data={"code": totp_now(secret)}, headers=headers)
    assert done.status_code in (302, 303)
    return user_id, email


async def open_access(http, tenant, reason="Ayuda con la configuración del tablón", hours=1):
    return await http.post("/diputacion/soporte/", data={
        "tenant": tenant.slug, "reason": reason, "hours": str(hours)},
        headers={**await csrf_headers(http), "accept": "text/html"})


async def test_support_access_is_time_boxed_visible_and_audited_under_both_names(
        client_at, make_tenant, operator, login):
    tenant = await make_tenant(plugins=("alpha",))
    sam = client_at()
    user_id, email = await sam_login(sam, operator)
    assert (await sam.get(f"/api/v1/{tenant.slug}/alpha/hola")).status_code == 403
    desk = await sam.get("/diputacion/soporte/", headers={"accept": "text/html"})
    assert desk.status_code == 200 and tenant.name in desk.text
    opened = await open_access(sam, tenant)
    assert opened.status_code in (302, 303) and opened.headers["location"] == f"/{tenant.slug}/"
    assert (await sam.get(f"/api/v1/{tenant.slug}/alpha/hola")).status_code == 200
    assert (await sam.get(f"/api/v1/{tenant.slug}/alpha/prohibido")).status_code == 403
    [access] = await SupportAccess.select().where(SupportAccess.tenant == tenant.id)
    label = f"soporte SAM #{access['id']}"
    denied = await AuditEntry.select().where(
        (AuditEntry.tenant == tenant.id) & (AuditEntry.action == "permission.denied")
    ).order_by(AuditEntry.seq)
    assert [(d["actor"], d["on_behalf_of"]) for d in denied] == [(email, ""), (email, label)]

    admin = client_at()
    await login(admin, tenant, "entity_admin")
    dashboard = await admin.get(f"/{tenant.slug}/", headers={"accept": "text/html"})
    assert "Sergio Soporte" in dashboard.text and "soporte de la diputación" in dashboard.text
    listing = await admin.get(f"/{tenant.slug}/admin/soporte", headers={"accept": "text/html"})
    assert "Ayuda con la configuración del tablón" in listing.text and "activo" in listing.text

    await SupportAccess.update({SupportAccess.expires_at: datetime.now(UTC)
                                - timedelta(seconds=1)}).where(
        SupportAccess.id == access["id"])
    assert (await sam.get(f"/api/v1/{tenant.slug}/alpha/hola")).status_code == 403
    opened = await open_access(sam, tenant, reason="Segunda consulta de la entidad")
    [live] = await SupportAccess.select().where(
        (SupportAccess.tenant == tenant.id) & SupportAccess.ended_at.is_null()
        & (SupportAccess.expires_at > datetime.now(UTC)))
    closed = await admin.post(f"/{tenant.slug}/admin/soporte/{live['id']}/cerrar",
                              headers=await csrf_headers(admin))
    assert closed.status_code in (302, 303)
    assert (await sam.get(f"/api/v1/{tenant.slug}/alpha/hola")).status_code == 403
    actions = [r["action"] for r in await AuditEntry.select(AuditEntry.action).where(
        (AuditEntry.tenant == tenant.id) & AuditEntry.action.like("support.%")
    ).order_by(AuditEntry.seq)]
    assert actions == ["support.opened", "support.opened", "support.closed"]
    assert live["user"] == user_id


async def test_bad_requests_open_nothing_and_others_cannot_open(client_at, make_tenant,
                                                                operator, login):
    tenant = await make_tenant()
    sam = client_at()
    await sam_login(sam, operator)
    for reason, hours, message in (("corto", 1, "al menos 10"),
                                   ("Motivo suficientemente largo", 9, "8 horas")):
        response = await open_access(sam, tenant, reason, hours)
        assert response.status_code == 422 and message in response.text
    unknown = await sam.post("/diputacion/soporte/", data={
        "tenant": "no-such-entity", "reason": "Motivo suficientemente largo", "hours": "1"},
        headers=await csrf_headers(sam))
    assert unknown.status_code == 404
    assert not await SupportAccess.exists().where(SupportAccess.tenant == tenant.id)
    entity_admin = client_at()
    await login(entity_admin, tenant, "entity_admin")
    assert (await open_access(entity_admin, tenant)).status_code == 403
