"""The audit chain of the entity asked records each refusal: staff asking for another
entity's ids get 404 and a "denied" entry in their own chain (naming nothing of the
other entity), and a rejected API token leaves no token material in any chain."""

from __future__ import annotations

import httpx

from core.audit.tables import AuditEntry
from core.testing import csrf_headers
from plugins.registro import services
from plugins.registro.tests.conftest import solicitud


async def _entries(tenant_id: int, action: str) -> list[dict]:
    return await AuditEntry.select().where(
        (AuditEntry.tenant == tenant_id) & (AuditEntry.action == action)).order_by(
        AuditEntry.seq)


async def test_asking_for_another_entitys_id_is_denied_in_ones_own_chain(
        client, make_entity, staff):
    a, b = await make_entity(), await make_entity()
    theirs = await services.register(b.tenant, solicitud(unidad_destino=b.urbanismo),
                                     channel="presencial", actor="t")
    await staff(client, a.tenant, "registro")
    answer = await client.get(f"{a.api}/asientos/{theirs.id}")
    assert answer.status_code == 404
    [denied] = await _entries(a.tenant.id, "access.denied")
    assert denied["outcome"] == "denied" and denied["actor"] != "anonymous"
    assert denied["target"] == f"GET /api/v1/{a.slug}/registro/asientos/{theirs.id}"
    text = str(denied)
    assert b.slug not in text and str(b.tenant.id) not in (denied["detail"] or "")
    assert theirs.numero not in text
    assert await _entries(b.tenant.id, "access.denied") == []  # B learns nothing either


async def test_a_rejected_token_leaves_no_token_material(client, concejo_app, make_tenant,
                                                         login):
    mine = await make_tenant(plugins=("alpha",))
    other = await make_tenant(plugins=("alpha",))
    await login(client, mine, "entity_admin")
    created = await client.post(f"/api/v1/{mine.slug}/admin/tokens",
                                json={"name": "integración", "scopes": ["alpha.view"]},
                                headers=await csrf_headers(client))
    secret = created.json()["token"]
    transport = httpx.ASGITransport(app=concejo_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
        for token in (secret, "cjt_forgedforgedforged"):
            refused = await api.get(f"/api/v1/{other.slug}/alpha/hola",
                                    headers={"authorization": f"Bearer {token}"})
            assert refused.status_code == 401
    rejected = await _entries(other.id, "token.rejected")
    assert len(rejected) == 2  # in the chain of the entity of the URL
    for entry in rejected:
        text = str(entry)
        assert secret[:8] not in text and "cjt_" not in text and "forged" not in text
        assert mine.slug not in text
