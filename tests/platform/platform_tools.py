"""Helpers shared by the platform tests (a plain module: conftest files are not imported)."""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader

from core import kernel as _kernel


async def stored_blobs() -> set[str]:
    """The hashes of every blob in the kernel's store."""
    return {ref.sha256 async for ref in _kernel.current().blobs.iter_all()}


def stamps(pdf: bytes) -> bytes:
    """The decoded appearance streams of every signature widget (the visible stamps)."""
    reader = PdfReader(BytesIO(pdf))
    return b"".join(annot.get_object()["/AP"]["/N"].get_object().get_data()
                    for page in reader.pages for annot in page.get("/Annots", [])
                    if annot.get_object().get("/FT") == "/Sig")
