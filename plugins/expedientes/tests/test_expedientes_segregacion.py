"""Segregation of duties on resoluciones (ENS op.acc.3): whoever prepares a resolución is
never its only signer — refused on "Enviar a firma" (page and API) and on signing."""

from __future__ import annotations

from expedientes_tools import add_licencia

from core.audit.log import record
from core.identity.tables import User
from core.signing import flows
from core.signing.schemas import FlowIn
from core.tenancy.services import set_plugin
from core.testing import csrf_headers
from plugins.expedientes import resoluciones
from plugins.expedientes.tests.test_expedientes_documentos import _expediente, api


async def _draft(client, tenant, expediente_id, headers):
    drafted = await client.post(api(tenant, f"{expediente_id}/resoluciones"), headers=headers,
                                json={"title": "Decreto de archivo", "body": "RESUELVO."})
    assert drafted.status_code == 201, drafted.text
    return drafted.json()["id"]


async def test_the_preparer_cannot_be_the_only_signer(sealed_entidad, staff):
    tenant, alcalde, _ = await sealed_entidad()
    licencia = await add_licencia(tenant)
    client, me = await staff(tenant, "secretario")
    headers = await csrf_headers(client)
    exp = await _expediente(client, tenant, licencia.id)
    resolucion = await _draft(client, tenant, exp["id"], headers)
    for signers in ([me], [me, alcalde]):
        sent = await client.post(api(tenant, f"resoluciones/{resolucion}/firma"),
                                 json={"signers": signers}, headers=headers)
        assert sent.status_code == 422, sent.text
        assert sent.headers["content-type"].startswith("application/problem+json")
        assert resoluciones.SOLE_SIGNER in sent.json()["detail"]
    assert (await resoluciones.get(tenant, resolucion)).state == "borrador"
    sent = await client.post(api(tenant, f"resoluciones/{resolucion}/firma"),
                             json={"signers": [alcalde, me]}, headers=headers)
    assert sent.status_code == 200, sent.text  # someone else signs first: allowed


async def test_the_page_shows_the_expediente_again_with_the_reason(sealed_entidad, staff):
    tenant, _, secretario = await sealed_entidad()
    client, me = await staff(tenant, "secretario")
    email = (await User.select(User.email).where(User.id == me).first())["email"]
    second = (await User.select(User.email).where(User.id == secretario).first())["email"]
    tenant = await set_plugin(tenant, "expedientes", True, actor="test",
                              settings={"alcalde": email, "secretario": second})
    licencia = await add_licencia(tenant)
    headers = await csrf_headers(client)
    exp = await _expediente(client, tenant, licencia.id)
    resolucion = await _draft(client, tenant, exp["id"], headers)
    page = await client.post(f"/{tenant.slug}/expedientes/resoluciones/{resolucion}/firma",
                             headers={"accept": "text/html", **headers})
    assert page.status_code == 422
    assert resoluciones.SOLE_SIGNER in page.text and exp["code"] in page.text
    assert (await resoluciones.get(tenant, resolucion)).state == "borrador"


async def test_the_preparer_cannot_sign_alone(sealed_entidad, staff):
    """A circuito made around "Enviar a firma" (straight in the portafirmas) is refused
    when the preparer comes to sign it alone."""
    tenant, alcalde, _ = await sealed_entidad()
    licencia = await add_licencia(tenant)
    client, me = await staff(tenant, "secretario")
    email = (await User.select(User.email).where(User.id == me).first())["email"]
    headers = await csrf_headers(client)
    exp = await _expediente(client, tenant, licencia.id)
    resolucion = await _draft(client, tenant, exp["id"], headers)
    sent = await resoluciones.send_to_sign(
        tenant, resolucion, resoluciones.EnvioFirma(signers=[alcalde, me]), actor=email)
    (first,) = await flows.pending_for(tenant, alcalde)
    await flows.reject_step(tenant, first.step_id, user_id=alcalde, reason="Falta informe",
                            actor="alcaldesa")
    alone = await flows.start_flow(tenant, FlowIn(
        document_id=sent.document_id, signers=[me], mode="ordered", subject="Firma sola",
        kind=resoluciones.FLOW_KIND, reference=str(resolucion)), actor=email)
    await record(tenant.id, resoluciones.PREPARED, actor=email, target=str(alone.id))
    (step,) = [p for p in await flows.pending_for(tenant, me) if p.flow_id == alone.id]
    signed = await client.post(f"/api/v1/{tenant.slug}/firma/pasos/{step.step_id}/firmar",
                               headers=headers)
    assert signed.status_code == 403, signed.text
    assert resoluciones.SOLE_SIGNER in signed.json()["detail"]
    page = await client.post(f"/{tenant.slug}/firma/{step.step_id}/firmar",
                             headers={"accept": "text/html", **headers},
                             data={"confirmo": "si"})
    assert page.status_code == 403 and resoluciones.SOLE_SIGNER in page.text
    assert [p.step_id for p in await flows.pending_for(tenant, me)
            if p.flow_id == alone.id] == [step.step_id]  # nothing signed
