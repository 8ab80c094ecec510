"""Polyglots and bombs (issue 18 item 9) are refused on upload by the structure check
(core/documents/pdfcheck): a %PDF- header before HTML, PDF+HTML and PDF+ZIP files, a
nested-Flate stream that inflates to 2 GiB and a PDF of 200,000 objects. Nothing is
stored; an ordinary PDF still goes in."""

from __future__ import annotations

import pytest

from core.documents.tables import Document
from core.signing.samples import sample_pdf
from core.testing import csrf_headers
from tests.hostile.corrupt_pdfs import HOSTILE


@pytest.mark.parametrize("kind", HOSTILE)
async def test_hostile_pdfs_are_refused_and_nothing_is_stored(client, make_tenant, login,
                                                              kind):
    tenant = await make_tenant()
    await login(client, tenant, "registro")
    response = await client.post(
        f"/api/v1/{tenant.slug}/documentos/", content=HOSTILE[kind](),
        params={"filename": f"{kind}.pdf", "title": "Documento hostil"},
        headers={**await csrf_headers(client), "content-type": "application/pdf"})
    assert response.status_code in (415, 422), (kind, response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "PDF" in response.json()["detail"]
    assert await Document.count().where(Document.tenant == tenant.id) == 0


async def test_an_ordinary_pdf_goes_in(client, make_tenant, login):
    tenant = await make_tenant()
    await login(client, tenant, "registro")
    response = await client.post(
        f"/api/v1/{tenant.slug}/documentos/", content=sample_pdf(pages=3),
        params={"filename": "normal.pdf", "title": "Documento normal"},
        headers={**await csrf_headers(client), "content-type": "application/pdf"})
    assert response.status_code == 201, response.text
