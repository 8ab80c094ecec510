"""issue_document: ENI identificador, CSV, metadata stripped, sealed PAdES with the CSV
stamp (pdfsig accepts it), blob stored once; refusals store nothing."""

from __future__ import annotations

import hashlib
import re
from io import BytesIO

import pytest
from pypdf import PdfWriter

from core.audit.log import verify
from core.audit.tables import AuditEntry
from core.documents.csvcode import is_valid_csv, new_csv
from core.documents.services import (
    InvalidDocument,
    RefusedContent,
    get_document,
    issue_document,
    read_content,
)
from core.signing.credentials import NoCredential
from core.signing.samples import sample_pdf
from core.testing import csrf_headers
from tests.fakes import alpha
from tests.platform.platform_tools import stamps, stored_blobs


def pdf_with_author() -> bytes:
    writer = PdfWriter(clone_from=BytesIO(sample_pdf("Decreto de Alcaldía")))
    writer.add_metadata({"/Author": "Pepe Secreto", "/Producer": "Procesador Interno 3.1"})
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


async def test_issued_document_is_sealed_stamped_and_verifiable(sealed_tenant, pdfsig, drain):
    tenant = await sealed_tenant(plugins=("alpha",))
    alpha.CALLS.clear()
    document = await issue_document(tenant, pdf=pdf_with_author(), title="Decreto 1/2026",
                                    tipo_documental="TD01", actor="secretaria@test")
    assert re.fullmatch(rf"ES_{tenant.dir3}_\d{{4}}_[0-9A-F]{{32}}", document.identificador)
    assert len(document.identificador) <= 52 and is_valid_csv(document.csv)
    assert (document.organo, document.origen, document.estado_elaboracion) == (
        tenant.dir3, 1, "EE01")
    assert [s.purpose for s in document.signatures] == ["seal"]
    assert document.signatures[0].signer_name.startswith("SELLO DE ")
    _, content = await read_content(tenant, document.id)
    assert hashlib.sha256(content).hexdigest() == document.sha256
    stamp = stamps(content)
    assert document.csv.encode() in stamp  # the visible stamp carries the CSV …
    assert f"/sede/{tenant.slug}/verificar?csv={document.csv}".encode() in stamp  # … and URL
    assert b"Pepe Secreto" not in content and b"Procesador Interno" not in content
    signatures = pdfsig(content)
    assert len(signatures) == 1
    assert signatures[0]["Signature Validation"] == "Signature is Valid."
    assert signatures[0]["Certificate Validation"] == "Certificate is Trusted."
    assert signatures[0]["coverage"] == "Total document signed"
    await drain()
    assert ("on_event", f"{tenant.slug}:DocumentIssued") in alpha.CALLS
    actions = await AuditEntry.select(AuditEntry.action).where(AuditEntry.tenant == tenant.id)
    assert "documents.issued" in [a["action"] for a in actions]
    assert await verify(tenant.id) is None


async def test_unsealed_document_keeps_the_csv_the_caller_printed(sealed_tenant):
    tenant = await sealed_tenant()
    csv = new_csv()
    document = await issue_document(tenant, pdf=sample_pdf(f"CSV {csv}"), title="Borrador",
                                    tipo_documental="TD13", actor="t", csv=csv.lower(),
                                    sign_with_seal=False)
    assert document.csv == csv and document.signatures == []
    with pytest.raises(InvalidDocument, match="ya identifica"):
        await issue_document(tenant, pdf=sample_pdf(), title="Otro", tipo_documental="TD13",
                             actor="t", csv=csv, sign_with_seal=False)


@pytest.mark.parametrize(("change", "error", "message"), [
    ({"pdf": b"GIF89a not a pdf at all"}, RefusedContent, "no un documento PDF"),
    ({"title": "x"}, InvalidDocument, "título"),
    ({"tipo_documental": "TD42"}, InvalidDocument, "ENI"),
    ({"organo": "L01999999"}, InvalidDocument, "no es una unidad"),
    ({"estado_elaboracion": "EE02"}, InvalidDocument, "identificador_documento_origen"),
    ({"csv": "AAAAA-AAAAA"}, InvalidDocument, "CSV"),
])
async def test_bad_input_is_refused_and_stores_nothing(sealed_tenant, change, error, message):
    tenant = await sealed_tenant()
    before = await stored_blobs()
    arguments = {"pdf": sample_pdf("Válido"), "title": "Resolución", "tipo_documental": "TD01",
                 **change}
    with pytest.raises(error, match=message):
        await issue_document(tenant, actor="t", **arguments)
    assert await stored_blobs() == before


async def test_an_entity_without_seal_cannot_issue_sealed(make_tenant):
    tenant = await make_tenant()
    before = await stored_blobs()
    with pytest.raises(NoCredential, match="sello"):
        await issue_document(tenant, pdf=sample_pdf(), title="Certificado",
                             tipo_documental="TD11", actor="t")
    assert await stored_blobs() == before


async def test_another_tenants_document_answers_404(client, sealed_tenant, login):
    mine, theirs = await sealed_tenant(), await sealed_tenant()
    foreign = await issue_document(theirs, pdf=sample_pdf(), title="Ajeno",
                                   tipo_documental="TD01", actor="t")
    await login(client, mine, "secretario")
    for path in ("", "/contenido", "/eni", "/versiones"):
        response = await client.get(f"/api/v1/{mine.slug}/documentos/{foreign.id}{path}")
        assert response.status_code == 404, path
    page = await client.get(f"/{mine.slug}/documentos/{foreign.id}")
    assert page.status_code == 404
    assert (await get_document(theirs, foreign.id)).title == "Ajeno"


async def test_a_publication_copy_has_no_metadata(client, sealed_tenant, login):
    tenant = await sealed_tenant()
    await login(client, tenant, "secretario")
    headers = {**await csrf_headers(client), "content-type": "application/pdf"}
    uploaded = (await client.post(f"/api/v1/{tenant.slug}/documentos/", headers=headers,
                                  params={"filename": "bando.pdf", "title": "Bando"},
                                  content=pdf_with_author())).json()
    url = f"/api/v1/{tenant.slug}/documentos/{uploaded['id']}"
    copy = await client.post(f"{url}/publicacion", headers=headers)
    assert copy.status_code == 200, copy.text
    assert copy.json()["version"] == 2
    content = (await client.get(f"{url}/contenido")).content
    assert b"Pepe Secreto" not in content and content.startswith(b"%PDF-")
    original = (await client.get(f"{url}/contenido", params={"version": 1})).content
    assert b"Pepe Secreto" in original
    sealed = await issue_document(tenant, pdf=sample_pdf(), title="Sellado",
                                  tipo_documental="TD11", actor="t")
    refused = await client.post(f"/api/v1/{tenant.slug}/documentos/{sealed.id}/publicacion",
                                headers=headers)
    assert refused.status_code == 422 and "firmas" in refused.json()["detail"]
