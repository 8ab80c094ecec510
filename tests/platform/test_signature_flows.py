"""Signature flows: ordered and parallel signers, each signature an incremental update that
pdfsig accepts, rejection with a reason, events for plugins, the signer's queue pages."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from core.documents.services import issue_document, read_content
from core.identity.services import ensure_user, grant_role
from core.signing.credentials import NoCredential
from core.signing.flows import (
    FlowNotFound,
    InvalidFlow,
    get_flow,
    pending_for,
    sign_step,
    start_flow,
)
from core.signing.samples import sample_pdf
from core.signing.schemas import FlowIn
from core.testing import csrf_headers, enrol_totp, totp_now
from tests.fakes import alpha

HTML = {"accept": "text/html"}


@pytest.fixture
def circuit(sealed_tenant, certify):
    """A tenant with ``alpha``, signers (user ids) with certificates and an unsigned PDF."""

    async def make(signers: int = 2, certified: bool = True):
        tenant = await sealed_tenant(plugins=("alpha",))
        people = []
        for n in range(signers):
            user = await ensure_user(f"firmante{n}-{uuid.uuid4().hex[:8]}@test.invalid",
                                     f"Firmante {n} Prueba")
            await grant_role(user, tenant.id, "firmante")
            people.append(user)
        if certified:
            await certify(tenant)
        document = await issue_document(tenant, pdf=sample_pdf("Decreto de Alcaldía"),
                                        title="Decreto 7/2026", tipo_documental="TD01",
                                        actor="t", sign_with_seal=False)
        return tenant, people, document

    return make


def flow_in(document, people, mode="ordered") -> FlowIn:
    return FlowIn(document_id=document.id, signers=people, mode=mode, kind="resolucion",
                  reference="R-7")


def events(tenant):
    return [d.split(":", 1)[1] for h, d in alpha.CALLS
            if h == "on_event" and d.startswith(f"{tenant.slug}:SignatureFlow")]


async def test_ordered_flow_in_the_pages_and_api_and_every_signature_validates(
        client, own_client, circuit, login, certify, pdfsig, drain):
    tenant, [secretario], document = await circuit(signers=1)
    await login(client, tenant, "tramitador")
    alcaldesa = own_client()
    alcaldesa_id = await login(alcaldesa, tenant, "firmante")
    await certify(tenant)
    alpha.CALLS.clear()
    created = await client.post(
        f"/api/v1/{tenant.slug}/firma/circuitos", headers=await csrf_headers(client),
        json={"document_id": document.id, "signers": [alcaldesa_id, secretario],
              "kind": "resolucion", "reference": "R-7"})
    assert created.status_code == 201, created.text
    flow = created.json()
    first, second = flow["steps"]
    assert await pending_for(tenant, secretario) == []
    with pytest.raises(InvalidFlow, match="turno"):
        await sign_step(tenant, second["id"], user_id=secretario, actor="s")
    listed = (await alcaldesa.get(f"/api/v1/{tenant.slug}/firma/pendientes")).json()
    assert [p["step_id"] for p in listed] == [first["id"]]
    queue = await alcaldesa.get(f"/{tenant.slug}/firma/", headers=HTML)
    assert "Decreto 7/2026" in queue.text and f"/{tenant.slug}/firma/{first['id']}" in queue.text
    step_page = await alcaldesa.get(f"/{tenant.slug}/firma/{first['id']}", headers=HTML)
    assert step_page.status_code == 200 and 'name="confirmo"' in step_page.text
    pdf = await alcaldesa.get(f"/{tenant.slug}/firma/{first['id']}/documento")
    assert pdf.content.startswith(b"%PDF-")
    headers = {**await csrf_headers(alcaldesa), **HTML}
    unconfirmed = await alcaldesa.post(f"/{tenant.slug}/firma/{first['id']}/firmar",
                                       headers=headers, data={})
    assert unconfirmed.status_code == 422 and "confirmar" in unconfirmed.text
    secret = await enrol_totp(alcaldesa_id)  # the entity asks for step-up by default
    wrong = await alcaldesa.post(f"/{tenant.slug}/firma/{first['id']}/firmar",
                                 headers=headers, data={"confirmo": "si", "code": "000000"})
    assert wrong.status_code == 422 and "no es correcto" in wrong.text
    assert [p.step_id for p in await pending_for(tenant, alcaldesa_id)] == [first["id"]]
    signed = await alcaldesa.post(f"/{tenant.slug}/firma/{first['id']}/firmar",
                                  headers=headers, data={"confirmo": "si",
                                                         "code": totp_now(secret)})
    assert signed.status_code in (302, 303)
    assert [p.step_id for p in await pending_for(tenant, secretario)] == [second["id"]]
    done = await sign_step(tenant, second["id"], user_id=secretario, actor="s")
    assert done.state == "completed"
    _, content = await read_content(tenant, document.id)
    report = pdfsig(content)
    assert [s["Signature Validation"] for s in report] == ["Signature is Valid."] * 2
    assert [s["Certificate Validation"] for s in report] == ["Certificate is Trusted."] * 2
    assert report[-1]["coverage"] == "Total document signed"
    versions = (await client.get(f"/api/v1/{tenant.slug}/documentos/{document.id}/versiones")
                ).json()
    assert [v["number"] for v in versions] == [1, 2, 3]
    _, first_signed = await read_content(tenant, document.id, 2)
    assert content.startswith(first_signed)  # an incremental update of the earlier version
    await drain()
    assert events(tenant) == ["SignatureFlowCompleted"]


async def test_parallel_flow_lets_every_signer_sign_at_once(circuit, pdfsig):
    tenant, people, document = await circuit(signers=3)
    flow = await start_flow(tenant, flow_in(document, people, "parallel"), actor="t")
    for user in people:
        assert len(await pending_for(tenant, user)) == 1
    for user, step in zip(reversed(people), reversed(flow.steps), strict=True):
        state = await sign_step(tenant, step.id, user_id=user, actor="t")
    assert state.state == "completed" and {s.state for s in state.steps} == {"signed"}
    _, content = await read_content(tenant, document.id)
    assert [s["Signature Validation"] for s in pdfsig(content)] == ["Signature is Valid."] * 3


async def test_simultaneous_signers_of_a_parallel_flow_lose_no_signature(circuit, pdfsig):
    tenant, people, document = await circuit(signers=3)
    flow = await start_flow(tenant, flow_in(document, people, "parallel"), actor="t")
    await asyncio.gather(*[sign_step(tenant, step.id, user_id=user, actor="t")
                           for user, step in zip(people, flow.steps, strict=True)])
    final = await get_flow(tenant, flow.id)
    assert final.state == "completed"
    assert sorted(s.version for s in final.steps) == [2, 3, 4]
    _, content = await read_content(tenant, document.id)
    assert [s["Signature Validation"] for s in pdfsig(content)] == ["Signature is Valid."] * 3


async def test_a_rejection_needs_a_reason_and_stops_the_flow(client, circuit, login, certify,
                                                           drain):
    tenant, [secretario], document = await circuit(signers=1)
    alcaldesa = await login(client, tenant, "firmante")
    await certify(tenant)
    alpha.CALLS.clear()
    flow = await start_flow(tenant, flow_in(document, [alcaldesa, secretario], "parallel"),
                            actor="t")
    first, second = flow.steps
    url = f"/api/v1/{tenant.slug}/firma/pasos/{first.id}/rechazar"
    headers = await csrf_headers(client)
    assert (await client.post(url, headers=headers, json={"reason": "no"})).status_code == 400
    rejected = await client.post(url, headers=headers,
                                 json={"reason": "Falta el informe de intervención"})
    assert rejected.status_code == 200
    body = rejected.json()
    assert body["state"] == "rejected" and body["reason"] == "Falta el informe de intervención"
    assert await pending_for(tenant, secretario) == []
    with pytest.raises(FlowNotFound):
        await sign_step(tenant, second.id, user_id=secretario, actor="s")
    await drain()
    assert events(tenant) == ["SignatureFlowRejected"]
    again = await start_flow(tenant, flow_in(document, [secretario]), actor="t")
    assert again.state == "pending"  # a rejected flow frees the document


async def test_foreign_steps_missing_certificates_and_bad_flows(circuit, make_tenant):
    tenant, people, document = await circuit(certified=False)
    first, second = (await start_flow(tenant, flow_in(document, people, "parallel"),
                                      actor="t")).steps
    with pytest.raises(FlowNotFound):  # not this person's step
        await sign_step(tenant, first.id, user_id=people[1], actor="t")
    with pytest.raises(NoCredential, match="certificado"):
        await sign_step(tenant, first.id, user_id=people[0], actor="t")
    other = await make_tenant()
    stranger = await ensure_user(f"ajeno-{uuid.uuid4().hex[:8]}@test.invalid", "Ajeno")
    await grant_role(stranger, other.id, "firmante")
    with pytest.raises(FlowNotFound):  # another tenant's step id
        await sign_step(other, second.id, user_id=people[1], actor="t")
    cases = [([stranger], "No pertenecen"), ([people[0], people[0]], "dos veces"),
             ([people[1]], "circuito de firma pendiente")]
    for signers, message in cases:
        with pytest.raises(InvalidFlow, match=message):
            await start_flow(tenant, flow_in(document, signers), actor="t")


async def test_step_up_asks_the_signer_for_a_code_unless_the_entity_turns_it_off(
        own_client, circuit, login, certify):
    from core.audit.tables import AuditEntry
    from core.signing.stepup import set_step_up

    tenant, _, document = await circuit(signers=0, certified=False)
    alcaldesa = own_client()
    alcaldesa_id = await login(alcaldesa, tenant, "firmante")
    await certify(tenant)
    flow = await start_flow(tenant, flow_in(document, [alcaldesa_id]), actor="t")
    sign = f"/api/v1/{tenant.slug}/firma/pasos/{flow.steps[0].id}/firmar"
    headers = await csrf_headers(alcaldesa)
    not_enrolled = await alcaldesa.post(sign, headers=headers)
    assert not_enrolled.status_code == 422 and "segundo factor" in not_enrolled.json()["detail"]
    secret = await enrol_totp(alcaldesa_id)
    missing = await alcaldesa.post(sign, headers=headers, json={})
    assert missing.status_code == 422 and "Escriba el código" in missing.json()["detail"]
    bad = await alcaldesa.post(sign, headers=headers, content=b"{not json")
    assert bad.status_code == 422
    assert len(await pending_for(tenant, alcaldesa_id)) == 1
    failures = await AuditEntry.count().where(
        (AuditEntry.tenant == tenant.id) & (AuditEntry.action == "firma.step_up_failed")
        & (AuditEntry.outcome == "denied"))
    assert failures == 2
    signed = await alcaldesa.post(sign, headers=headers, json={"code": totp_now(secret)})
    assert signed.status_code == 200 and signed.json()["state"] == "completed"

    await set_step_up(tenant, False, actor="admin")
    second = await issue_document(tenant, pdf=sample_pdf("Otro decreto"), title="Decreto 8",
                                  tipo_documental="TD01", actor="t", sign_with_seal=False)
    flow = await start_flow(tenant, flow_in(second, [alcaldesa_id]), actor="t")
    page = await alcaldesa.post(f"/{tenant.slug}/firma/{flow.steps[0].id}/firmar",
                                headers={**headers, **HTML}, data={"confirmo": "si"})
    assert page.status_code in (302, 303)
