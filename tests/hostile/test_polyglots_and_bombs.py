"""Polyglots and bombs (issue 18 item 9) are refused on upload by the structure check
(core/documents/pdfcheck): a %PDF- header before HTML, PDF+HTML and PDF+ZIP files, a
nested-Flate stream that inflates to 2 GiB and a PDF of 200,000 objects. Nothing is
stored; an ordinary PDF still goes in."""

from __future__ import annotations

import io
import zipfile
import zlib

import pytest

from core.documents.tables import Document
from core.signing.samples import sample_pdf
from core.testing import csrf_headers
from tests.hostile.corrupt_pdfs import build

CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << >> >>")


def flate_bomb(gibibytes: int = 2) -> bytes:
    """A page whose content stream is zeros deflated twice: 2 GiB once inflated."""
    inner = zlib.compressobj(9)
    block = bytes(64 << 20)
    data = b"".join(inner.compress(block) for _ in range(gibibytes * 16)) + inner.flush()
    twice = zlib.compress(data, 9)
    stream = (b"<< /Length %d /Filter [/FlateDecode /FlateDecode] >>\nstream\n%s\nendstream"
              % (len(twice), twice))
    return build([CATALOG, PAGES, PAGE, stream])


def object_bomb(count: int = 200_000) -> bytes:
    content = b"<< /Length 11 >>\nstream\nBT 0 0 Td ET\nendstream"
    return build([CATALOG, PAGES, PAGE, content] + [b"null"] * (count - 4))


def zip_of(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, data)
    return out.getvalue()


HOSTILE = {
    "only-the-header": lambda: b"%PDF-1.7\n<html><body><script>alert(1)</script></body></html>",
    "pdf-then-html": lambda: sample_pdf() + b"<html><script>alert(document.domain)</script>",
    "pdf-then-zip": lambda: sample_pdf() + zip_of("index.html", b"<script>x()</script>"),
    "flate-bomb": flate_bomb,
    "object-bomb": object_bomb,
}


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
