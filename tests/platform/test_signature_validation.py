"""Validation of uploaded signed PDFs: who, when, integrity, whole-document coverage and
trust chain, as JSON and as a page; bad input refused."""

from __future__ import annotations

from core.documents.services import issue_document, read_content
from core.signing.samples import sample_pdf
from core.testing import csrf_headers

HTML = {"accept": "text/html"}


async def sealed_pdf(tenant) -> bytes:
    document = await issue_document(tenant, pdf=sample_pdf("Certificado"), title="Certificado",
                                    tipo_documental="TD11", actor="t")
    return (await read_content(tenant, document.id))[1]


async def validate(client, tenant, body: bytes):
    return await client.post(f"/api/v1/{tenant.slug}/firma/validar", content=body,
                             headers={**await csrf_headers(client),
                                      "content-type": "application/pdf"})


async def test_the_report_says_who_when_intact_whole_and_trusted(client, sealed_tenant, login):
    tenant = await sealed_tenant()
    await login(client, tenant, "read_only")
    pdf = await sealed_pdf(tenant)
    response = await validate(client, tenant, pdf)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["all_ok"] is True
    [signature] = report["signatures"]
    assert signature["signer_common_name"].startswith("SELLO DE ")
    assert signature["signing_time"] and signature["pades"]
    assert (signature["intact"], signature["valid"], signature["whole_document"],
            signature["trusted"]) == (True, True, True, True)
    page = await client.post(f"/{tenant.slug}/firma/validar",
                             headers={**await csrf_headers(client), **HTML},
                             files={"pdf": ("certificado.pdf", pdf, "application/pdf")})
    assert page.status_code == 200 and "todas las firmas son válidas" in page.text
    assert "SELLO DE " in page.text


async def test_altered_unsigned_and_non_pdf_input(client, sealed_tenant, login):
    tenant = await sealed_tenant()
    await login(client, tenant, "read_only")
    pdf = await sealed_pdf(tenant)
    offset = pdf.index(b"Certificado - p. 1")
    altered = pdf[:offset] + b"Falsificado - p. 1" + pdf[offset + 18:]
    [signature] = (await validate(client, tenant, altered)).json()["signatures"]
    assert signature["intact"] is False and signature["ok"] is False
    unsigned = (await validate(client, tenant, sample_pdf())).json()
    assert unsigned == {"signatures": [], "all_ok": False}
    refused = await validate(client, tenant, b"GIF89a...")
    assert refused.status_code == 422 and "PDF" in refused.json()["detail"]
