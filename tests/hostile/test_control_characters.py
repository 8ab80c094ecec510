"""Control and non-characters (issue 18 item 10) are refused once, at the edge, for every
plugin: JSON bodies, url-encoded forms, query strings and multipart upload fields answer
422 naming the field; nothing is stored, no blob is left behind."""

from __future__ import annotations

import hashlib
import json

import pytest

from core import kernel as _kernel
from core.documents.tables import Document
from core.signing.samples import sample_pdf
from core.testing import csrf_headers

BAD = ["\x00", "\ufffe", "\uffff", "\x1b[31m"]  # lone surrogates: msgspec answers 400


async def _blobs() -> set[str]:
    return {ref.sha256 async for ref in _kernel.current().blobs.iter_all()}


@pytest.mark.parametrize("bad", BAD, ids=["nul", "fffe", "ffff", "escape"])
async def test_json_bodies_and_queries_refuse_them_naming_the_field(client, make_tenant, login,
                                                                    bad):
    tenant = await make_tenant(plugins=("registro",))
    await login(client, tenant, "registro")
    headers = await csrf_headers(client)
    body = {"extracto": "Solicitud de licencia", "interesados": [
        {"document": "12345678Z", "name": f"Ana{bad}", "first_surname": "P"}]}
    response = await client.post(f"/api/v1/{tenant.slug}/registro/asientos",
                                 content=json.dumps(body),  # \u0000, \ufffe… escaped
                                 headers={**headers, "content-type": "application/json"})
    assert response.status_code == 422, (bad, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "interesados[0].name" in response.json()["detail"], response.text
    # the same asiento without the character goes in:
    body["interesados"][0]["name"] = "Ana"
    ok = await client.post(f"/api/v1/{tenant.slug}/registro/asientos", json=body,
                           headers=headers)
    assert ok.status_code == 201, ok.text
    pdf = sample_pdf(f"NUL {ord(bad[0])}")
    upload = await client.post(f"/api/v1/{tenant.slug}/documentos/", content=pdf,
                               params={"filename": "a.pdf", "title": f"Título{bad}"},
                               headers={**headers, "content-type": "application/pdf"})
    assert upload.status_code == 422 and "title" in upload.json()["detail"], upload.text
    assert hashlib.sha256(pdf).hexdigest() not in await _blobs()
    assert not await Document.exists().where((Document.tenant == tenant.id)
                                             & Document.title.like("Título%"))


async def test_a_multipart_upload_title_is_refused_before_the_blob_is_written(
        client, make_tenant, login):
    tenant = await make_tenant()
    await login(client, tenant, "registro")
    pdf = sample_pdf("Informe multipart")
    page = await client.post(f"/{tenant.slug}/documentos/",
                             headers={**await csrf_headers(client), "accept": "text/html"},
                             data={"title": "Informe\x00técnico"},
                             files={"fichero": ("informe.pdf", pdf, "application/pdf")})
    assert page.status_code == 422, page.text[:300]
    assert "«Título» contiene caracteres de control" in page.text
    assert hashlib.sha256(pdf).hexdigest() not in await _blobs()
