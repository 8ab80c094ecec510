"""The CSRF token of a browser's multipart form travels in the body, as the page's hidden
``_csrf_token`` input sends it: it is checked there, and the handler still streams the whole
body (before, Litestar's middleware read the form and the upload waited for ever)."""

from __future__ import annotations

import asyncio
import hashlib
import io

import httpx
import pikepdf

from core.signing.samples import sample_pdf
from core.testing import csrf_headers
from core.web.csrf import TOKEN_WINDOW

SECONDS = 20  # an upload that hangs fails here instead of hanging the suite


def _multipart(parts: list[tuple[str, str | None, bytes]], boundary: str) -> bytes:
    body = b""
    for name, filename, value in parts:
        disposition = f'form-data; name="{name}"' + (
            f'; filename="{filename}"\r\nContent-Type: application/pdf' if filename else "")
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        body += value + b"\r\n"
    return body + f"--{boundary}--\r\n".encode()


async def _post_in_chunks(client: httpx.AsyncClient, url: str, body: bytes,
                          boundary: str) -> httpx.Response:
    async def chunks():  # a browser's body arrives in pieces
        for start in range(0, len(body), 1000):
            yield body[start:start + 1000]

    return await asyncio.wait_for(client.post(
        url, content=chunks(),
        headers={"content-type": f"multipart/form-data; boundary={boundary}"}), SECONDS)


def _padded_pdf(size: int) -> bytes:
    """A sound PDF of more than ``size`` bytes (an uncompressed stream the catalog names),
    which the upload's structure check accepts."""
    with pikepdf.open(io.BytesIO(sample_pdf("Acta de la sesión"))) as pdf:
        pdf.Root.Relleno = pdf.make_stream(b"0" * size)
        out = io.BytesIO()
        pdf.save(out, compress_streams=False)
    return out.getvalue()


async def test_an_upload_with_the_token_only_in_the_body_is_stored(client, make_tenant, login):
    tenant = await make_tenant()
    await login(client, tenant, "secretario")
    token = (await csrf_headers(client))["x-csrftoken"]
    pdf = _padded_pdf(3 * TOKEN_WINDOW)  # past the window
    body = _multipart([("_csrf_token", None, token.encode()), ("title", None, b"Acta"),
                       ("tipo_documental", None, b"TD10"), ("fichero", "acta.pdf", pdf)],
                      "frontera")
    created = await _post_in_chunks(client, f"/{tenant.slug}/documentos/", body, "frontera")
    assert created.status_code in (302, 303), created.text
    detail = await client.get(created.headers["location"])
    assert "Acta" in detail.text and hashlib.sha256(pdf).hexdigest() in detail.text


async def test_a_form_without_a_good_token_before_its_file_is_refused(client, make_tenant,
                                                                      login):
    tenant = await make_tenant()
    await login(client, tenant, "secretario")
    token = (await csrf_headers(client))["x-csrftoken"]
    url = f"/{tenant.slug}/documentos/"
    forged = _multipart([("_csrf_token", None, b"0" * 128), ("title", None, b"Acta"),
                         ("fichero", "acta.pdf", sample_pdf())], "b1")
    assert (await _post_in_chunks(client, url, forged, "b1")).status_code == 403
    after_file = _multipart([("title", None, b"Acta"), ("fichero", "acta.pdf", sample_pdf()),
                             ("_csrf_token", None, token.encode())], "b2")
    assert (await _post_in_chunks(client, url, after_file, "b2")).status_code == 403
    none = _multipart([("title", None, b"Acta")], "b3")
    assert (await _post_in_chunks(client, url, none, "b3")).status_code == 403
    listed = await client.get(f"/api/v1/{tenant.slug}/documentos/")
    assert listed.json() == []
