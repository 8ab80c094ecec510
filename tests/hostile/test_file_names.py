"""File names from outside (issue 18 item 11): stored without path parts or control
characters, sent back with an ASCII ``filename`` and the real name in ``filename*``
(RFC 6266 / 5987); a CJK name or ``€`` never answers 500. Downloads are sandboxed."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from core.documents.filenames import content_disposition, safe_filename
from core.signing.samples import sample_pdf
from core.testing import csrf_headers
from core.textclean import bad_text

NAMES = {
    "../../etc/passwd.pdf": "passwd.pdf",
    "契約書.pdf": "契約書.pdf",
    "factura 12 €.pdf": "factura 12 €.pdf",
    "C:\\Users\\ana\\solicitud.pdf": "solicitud.pdf",
    "a\x00b\x1f\ufffec\uffff.pdf": "abc.pdf",
    "\u202egnp.pdf": "gnp.pdf",
    "...pdf": "pdf",
}


@pytest.mark.parametrize(("given", "kept"), NAMES.items())
def test_names_lose_paths_and_control_characters(given, kept):
    assert safe_filename(given) == kept
    header = content_disposition(given)
    assert header.isascii() and f"filename*=UTF-8''{quote(kept, safe='')}" in header


def test_long_names_are_bounded_and_keep_their_extension():
    name = safe_filename("x" * 5000 + ".pdf")
    assert len(name) == 200 and name.endswith(".pdf")


async def test_upload_and_download_with_hostile_names(client, make_tenant, login):
    tenant = await make_tenant()
    await login(client, tenant, "registro")
    headers = {**await csrf_headers(client), "content-type": "application/pdf"}
    for given, kept in NAMES.items():
        if not given.endswith(".pdf") or kept == "pdf":
            continue
        created = await client.post(f"/api/v1/{tenant.slug}/documentos/", content=sample_pdf(),
                                    params={"filename": given, "title": "Anexo hostil"},
                                    headers=headers)
        if bad_text(given):  # refused at the edge (issue 18 item 10), the field named
            assert created.status_code == 422, (given, created.text)
            assert "«filename»" in created.json()["detail"]
            continue
        assert created.status_code == 201, (given, created.text)
        document = created.json()
        assert document["filename"] == kept
        download = await client.get(
            f"/api/v1/{tenant.slug}/documentos/{document['id']}/contenido")
        assert download.status_code == 200, (given, download.text[:200])
        disposition = download.headers["content-disposition"]
        assert disposition.startswith("attachment; filename=\"") and ".." not in disposition
        assert f"filename*=UTF-8''{quote(kept, safe='')}" in disposition
        assert download.headers["content-security-policy"] == "sandbox"
        assert download.headers["x-content-type-options"] == "nosniff"
