"""The paper channel and the evidence: print batch, two attempts (art. 42.2), delivery with
acuse, failure → edict for the Tablón Edictal Único (and on the entity's tablón), and the
certificate of each notification sealed with the entity's seal (checked with pdfsig)."""

from __future__ import annotations

from datetime import datetime

import pytest
from notificaciones_tools import CONTENT, HTML, LUIS, open_expediente

from core.calendar import MADRID
from core.documents.services import read_content
from core.signing.devsetup import provision_dev_pki
from core.testing import csrf_headers
from plugins.notificaciones import papel, plazos, services
from plugins.notificaciones.schemas import IntentoIn, NotificacionIn, PersonaIn
from plugins.registro.tests.conftest import pdf_text
from plugins.tablon import services as tablon

LUIS_EN_CASA = PersonaIn(nif=LUIS, name="Luis Gil", address="Calle Mayor 1, Soria")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=MADRID)


async def paper(tenant, **changes):
    expediente = await open_expediente(tenant)
    [sent] = await services.notify(tenant, NotificacionIn(
        **{**CONTENT, **changes}, channel="papel", expediente_id=expediente.id,
        destinatarios=[LUIS_EN_CASA]), actor="t")
    return sent


async def test_two_failed_attempts_lead_to_the_edict_on_the_tablon(entidad, drain):
    tenant = await entidad(plugins=("tablon", "expedientes", "notificaciones"))
    sent = await paper(tenant)
    assert sent.state == "en_reparto"
    with pytest.raises(services.InvalidNotificacion, match="lote"):
        await papel.record_attempt(tenant, sent.id, IntentoIn(at=at(2026, 3, 6, 10),
                                                              result="ausente"), actor="t")
    batch = await papel.print_batch(tenant, actor="t")
    _, content = await read_content(tenant, batch.id)
    text = pdf_text(content)
    assert "Calle Mayor 1, Soria" in text and CONTENT["subject"] in text and "2.º" in text
    assert await papel.print_batch(tenant, actor="t") is None  # each notice printed once
    await papel.record_attempt(tenant, sent.id, IntentoIn(at=at(2026, 3, 6, 10),
                                                          result="ausente"), actor="cartero")
    with pytest.raises(plazos.InvalidAttempt, match="hora distinta"):
        await papel.record_attempt(tenant, sent.id, IntentoIn(at=at(2026, 3, 9, 11),
                                                              result="ausente"), actor="t")
    second = await papel.record_attempt(tenant, sent.id, IntentoIn(
        at=at(2026, 3, 9, 17), result="ausente"), actor="cartero")
    assert second.state == "pendiente_edicto" and len(second.intentos) == 2
    await drain()
    done = await services.get(tenant, sent.id)
    assert done.state == "edicto" and done.events[-1].kind in ("edicto", "certificado")
    [anuncio] = [a for a in await tablon.list_all(tenant) if a.category == "edicto"]
    assert LUIS in anuncio.body and "Luis Gil" not in anuncio.body  # NIF only (LOPDGDD)


async def test_delivery_with_acuse_and_a_sealed_certificate(entidad, drain, pdfsig, client,
                                                            login):
    tenant = await entidad()
    await provision_dev_pki([tenant.slug])
    sent = await paper(tenant)
    await papel.print_batch(tenant, actor="t")
    with pytest.raises(services.InvalidNotificacion, match="quién recibe"):
        await papel.record_attempt(tenant, sent.id, IntentoIn(at=at(2026, 3, 6, 10),
                                                              result="entregada"), actor="t")
    await login(client, tenant, "secretario")
    answer = await client.post(
        f"/{tenant.slug}/notificaciones/{sent.id}/intentos",
        data={"at": "2026-03-06T10:15", "result": "entregada", "receptor_nif": LUIS,
              "receptor_name": "Luis Gil"}, headers={**HTML, **await csrf_headers(client)})
    assert answer.status_code in (302, 303), answer.text
    await drain()
    done = await services.get(tenant, sent.id)
    assert done.state == "notificada" and done.accessed_as == "receptor"
    assert done.certificate_id is not None
    page = await client.get(f"/{tenant.slug}/notificaciones/{sent.id}", headers=HTML)
    assert "certificado.pdf" in page.text and "Intento de entrega" in page.text
    pdf = await client.get(f"/{tenant.slug}/notificaciones/{sent.id}/certificado.pdf")
    assert pdf.status_code == 200
    [signature] = pdfsig(pdf.content)
    assert signature["Signature Validation"] == "Signature is Valid."
    assert signature["Certificate Validation"] == "Certificate is Trusted."
    text = pdf_text(pdf.content)
    assert "Certificado de notificación" in text and "Luis Gil" in text
    assert "06/03/2026" in text and "10:15:00" in text  # the attempt, at the seat's time


async def test_a_refused_delivery_is_a_rejection_and_an_unknown_address_goes_to_edict(
        entidad, drain):
    tenant = await entidad()
    refused = await paper(tenant)
    unknown = await paper(tenant)
    await papel.print_batch(tenant, actor="t")
    done = await papel.record_attempt(tenant, refused.id, IntentoIn(
        at=at(2026, 3, 6, 10), result="rehusada", receptor_name="Luis Gil"), actor="t")
    assert done.state == "rechazada"
    edict = await papel.record_attempt(tenant, unknown.id, IntentoIn(
        at=at(2026, 3, 6, 10), result="desconocido"), actor="t")
    assert edict.state == "pendiente_edicto"
    await drain()
    assert (await services.get(tenant, unknown.id)).state == "edicto"  # no tablón: TEU only
