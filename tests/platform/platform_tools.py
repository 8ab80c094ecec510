"""Helpers shared by the platform tests (a plain module: conftest files are not imported)."""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader

from core import kernel as _kernel
from core.testing import csrf_headers


async def stored_blobs() -> set[str]:
    """The hashes of every blob in the kernel's store."""
    return {ref.sha256 async for ref in _kernel.current().blobs.iter_all()}


def stamps(pdf: bytes) -> bytes:
    """The decoded appearance streams of every signature widget (the visible stamps)."""
    reader = PdfReader(BytesIO(pdf))
    return b"".join(annot.get_object()["/AP"]["/N"].get_object().get_data()
                    for page in reader.pages for annot in page.get("/Annots", [])
                    if annot.get_object().get("/FT") == "/Sig")


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")


def limit() -> int:
    return _kernel.current().settings.upload_max_bytes


async def api_upload(client, tenant, content, *, filename="informe.pdf",
                     mime="application/pdf", title="Informe técnico"):
    return await client.post(
        f"/api/v1/{tenant.slug}/documentos/",
        params={"filename": filename, "title": title, "tipo_documental": "TD13"},
        content=content, headers={**await csrf_headers(client), "content-type": mime})
