"""Corrupt PDFs (tests/hostile/corrupt_pdfs.py) never answer 500: signature validation
(API and page) and the portafirmas sign step (API and page) refuse each one with 4xx, the
API as problem+json and the page as HTML with the reason; a failed signature leaves its
step pending."""

from __future__ import annotations

from core import kernel as _kernel
from core.documents.services import issue_document
from core.documents.tables import DocumentVersion
from core.signing.flows import get_flow, start_flow
from core.signing.samples import sample_pdf
from core.signing.schemas import FlowIn
from core.testing import csrf_headers
from tests.hostile.corrupt_pdfs import corpus

HTML = {"accept": "text/html"}


def test_the_corpus_is_large_and_every_entry_looks_like_a_pdf():
    pdfs = corpus()
    assert len(pdfs) >= 30 and all(pdf.startswith(b"%PDF-") for pdf in pdfs.values())


async def test_validation_refuses_every_corrupt_pdf_as_problem_or_page(client, signer_session):
    tenant, _ = signer_session
    headers = await csrf_headers(client)
    for name, pdf in corpus().items():
        api = await client.post(f"/api/v1/{tenant.slug}/firma/validar", content=pdf,
                                headers={**headers, "content-type": "application/pdf"})
        assert 400 <= api.status_code < 500, (name, api.status_code, api.text[:300])
        assert api.headers["content-type"].startswith("application/problem+json"), name
        assert "PDF" in api.json()["detail"], name
        page = await client.post(f"/{tenant.slug}/firma/validar", headers={**headers, **HTML},
                                 files={"pdf": (f"{name}.pdf", pdf, "application/pdf")})
        assert 400 <= page.status_code < 500, (name, page.status_code, page.text[:300])
        assert page.headers["content-type"].startswith("text/html"), name
        assert "PDF" in page.text and 'role="alert"' in page.text, name


async def _swap_content(tenant, document_id: int, pdf: bytes) -> None:
    """Make the stored content of a document ``pdf`` (as if it had come in unchecked)."""
    blob = await _kernel.current().blobs.put_bytes(pdf)
    await DocumentVersion.update({DocumentVersion.sha256: blob.sha256,
                                  DocumentVersion.size: blob.size}).where(
        (DocumentVersion.tenant == tenant.id) & (DocumentVersion.document == document_id))


async def test_signing_a_corrupt_pdf_is_refused_and_the_step_stays_pending(
        client, signer_session):
    tenant, user_id = signer_session
    document = await issue_document(tenant, pdf=sample_pdf("Decreto"), title="Decreto 1",
                                    tipo_documental="TD01", actor="t", sign_with_seal=False)
    flow = await start_flow(tenant, FlowIn(document_id=document.id, signers=[user_id]),
                            actor="t")
    [step] = flow.steps
    headers = await csrf_headers(client)
    for name, pdf in corpus().items():
        await _swap_content(tenant, document.id, pdf)
        api = await client.post(f"/api/v1/{tenant.slug}/firma/pasos/{step.id}/firmar",
                                headers=headers)
        assert 400 <= api.status_code < 500, (name, api.status_code, api.text[:300])
        assert api.headers["content-type"].startswith("application/problem+json"), name
        page = await client.post(f"/{tenant.slug}/firma/{step.id}/firmar",
                                 data={"confirmo": "si"}, headers={**headers, **HTML})
        assert 400 <= page.status_code < 500, (name, page.status_code, page.text[:300])
        assert page.headers["content-type"].startswith("text/html"), name
        assert 'role="alert"' in page.text and "PDF" in page.text, name
    assert [s.state for s in (await get_flow(tenant, flow.id)).steps] == ["pending"]
