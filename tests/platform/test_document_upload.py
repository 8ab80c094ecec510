"""Uploads: streamed into the blob store, size limit before the body is read (413), content
sniffed against name and type (415/422), no blob left behind by a refusal."""

from __future__ import annotations

import hashlib
import json

import pytest

from core.signing.samples import sample_pdf
from core.testing import csrf_headers
from tests.platform.platform_tools import PNG, api_upload, limit, stored_blobs


async def test_api_upload_stores_the_content_and_reads_it_back(client, make_tenant, login):
    tenant = await make_tenant()
    await login(client, tenant, "secretario")
    pdf = sample_pdf("Informe de intervención")
    response = await api_upload(client, tenant, pdf)
    assert response.status_code == 201, response.text
    document = response.json()
    assert document["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert (document["csv"], document["origen"], document["tipo_documental"]) == (
        None, 0, "TD13")
    assert document["sha256"] in await stored_blobs()
    content = await client.get(f"/api/v1/{tenant.slug}/documentos/{document['id']}/contenido")
    assert content.content == pdf
    assert content.headers["content-type"] == "application/pdf"


async def test_streamed_upload_past_the_limit_is_413_and_stores_nothing(client, make_tenant,
                                                                        login):
    tenant = await make_tenant()
    await login(client, tenant, "secretario")
    before = await stored_blobs()
    sent = 0

    async def body():  # no Content-Length: the limit is enforced on what arrives
        nonlocal sent
        yield sample_pdf()
        for _ in range(limit() // (1 << 20) + 2):
            sent += 1 << 20
            yield b"\0" * (1 << 20)

    response = await api_upload(client, tenant, body())
    assert response.status_code == 413, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "tamaño máximo" in response.json()["detail"]
    assert await stored_blobs() == before


async def test_announced_length_past_the_limit_is_refused_before_reading(
        concejo_app, client, make_tenant, login):
    tenant = await make_tenant()
    await login(client, tenant, "secretario")
    headers = await csrf_headers(client)
    cookies = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "server": ("testserver", 80),
             "client": ("10.8.0.1", 5000), "root_path": "",
             "path": f"/api/v1/{tenant.slug}/documentos/", "raw_path": b"",
             "query_string": b"filename=grande.pdf&title=Grande",
             "headers": [(b"host", b"testserver"), (b"content-type", b"application/pdf"),
                         (b"content-length", str(limit() + 1).encode()),
                         (b"cookie", cookies.encode()),
                         (b"x-csrftoken", headers["x-csrftoken"].encode())]}
    read = []
    sent: list[dict] = []

    async def receive():
        read.append(1)
        return {"type": "http.request", "body": b"%PDF-", "more_body": True}

    async def send(message):
        sent.append(message)

    await concejo_app(scope, receive, send)
    assert sent[0]["status"] == 413
    assert not read, "the body was read although its announced length is over the limit"
    assert json.loads(sent[1]["body"])["status"] == 413


@pytest.mark.parametrize(("filename", "mime", "content", "status", "message"), [
    ("programa.exe", "application/octet-stream", b"MZ\x90\x00", 415, "no admitido"),
    ("foto.pdf", "application/pdf", PNG, 422, "imagen PNG"),
    ("foto.png", "application/pdf", PNG, 422, "se declara como application/pdf"),
    ("dibujo.svg", "image/svg+xml",
     b'<svg xmlns="http://www.w3.org/2000/svg">' + b" " * 70000 + b"<script>x()</script></svg>",
     422, "script"),
    ("vacio.pdf", "application/pdf", b"", 422, "vacío"),
])
async def test_content_that_is_not_what_it_claims_is_refused(client, make_tenant, login,
                                                             filename, mime, content, status,
                                                             message):
    tenant = await make_tenant()
    await login(client, tenant, "secretario")
    before = await stored_blobs()
    response = await api_upload(client, tenant, content, filename=filename, mime=mime)
    assert response.status_code == status, response.text
    assert message in response.json()["detail"]
    assert await stored_blobs() == before
    assert (await client.get(f"/api/v1/{tenant.slug}/documentos/")).json() == []


async def test_staff_form_upload_and_refusal_page(client, make_tenant, login):
    tenant = await make_tenant()
    await login(client, tenant, "secretario")
    headers = await csrf_headers(client)
    pdf = sample_pdf("Acta de la sesión")
    created = await client.post(f"/{tenant.slug}/documentos/", headers=headers,
                                data={"title": "Acta", "tipo_documental": "TD10"},
                                files={"fichero": ("acta.pdf", pdf, "application/pdf")})
    assert created.status_code in (302, 303), created.text
    detail = await client.get(created.headers["location"])
    assert "Acta" in detail.text and hashlib.sha256(pdf).hexdigest() in detail.text
    refused = await client.post(f"/{tenant.slug}/documentos/", headers=headers,
                                data={"title": "Foto", "tipo_documental": "TD99"},
                                files={"fichero": ("foto.pdf", PNG, "application/pdf")})
    assert refused.status_code == 422
    assert "text/html" in refused.headers["content-type"] and "imagen PNG" in refused.text


async def test_read_only_staff_cannot_upload(client, make_tenant, login):
    tenant = await make_tenant()
    await login(client, tenant, "read_only")
    assert (await api_upload(client, tenant, sample_pdf())).status_code == 403
    assert (await client.get(f"/api/v1/{tenant.slug}/documentos/")).status_code == 200
