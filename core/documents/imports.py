"""Documents received from other administrations as ENI documentos.

A received documento keeps its identity: its ENI identificador, órgano, fecha de captura,
origen, estado de elaboración and tipo documental are stored as they came, with the
content (checked by its bytes against the format it claims, and a PDF by its structure:
no polyglot or bomb comes in from another administration) as version 1. It has no CSV of
ours: its firmas (a CSV of the issuing administration, PAdES inside the PDF…) belong to it.
"""

from __future__ import annotations

import sqlite3

from asyncpg.exceptions import UniqueViolationError

from core import kernel as _kernel
from core.audit.log import record
from core.db import atomic
from core.documents.blobs import BlobRef
from core.documents.eni import DocumentoEni
from core.documents.schemas import DocumentOut
from core.documents.services import (
    InvalidDocument,
    RefusedContent,
    _insert,
    _sha256,
    check_pdf_structure,
    get_document,
)
from core.documents.sniff import SNIFF_BYTES, TYPES, ContentMismatch, check_content
from core.documents.tables import Document
from core.tenancy.context import TenantContext


def _extension(nombre_formato: str) -> str:
    wanted = nombre_formato.strip().lower().lstrip(".")
    for ftype in TYPES.values():
        if wanted in ftype.extensions:
            return wanted
    raise InvalidDocument(f"Formato {nombre_formato!r} no admitido")


async def import_documento(tenant: TenantContext, documento: DocumentoEni, content: bytes, *,
                           title: str, actor: str) -> DocumentOut:
    """Store a received ENI documento with its own metadata (joins the caller's
    transaction). ``InvalidDocument`` when the tenant already holds its identificador (another
    tenant may: an expediente remitted between two entities of the platform) or its
    content is not the format it names; nothing is stored then."""
    meta = documento.metadatos
    if await Document.exists().where((Document.tenant == tenant.id)
                                     & (Document.identificador == meta.identificador)):
        raise InvalidDocument(f"La entidad ya tiene el documento {meta.identificador}")
    filename = f"{meta.identificador}.{_extension(documento.nombre_formato)}"
    whole = filename.endswith(".svg")  # a script may hide past the first bytes
    try:
        mime = check_content(content if whole else content[:SNIFF_BYTES], "", filename)
    except ContentMismatch as exc:
        raise RefusedContent(f"{meta.identificador}: {exc}", exc.status_code) from exc
    limit = _kernel.current().settings.upload_max_bytes
    if len(content) > limit:
        raise InvalidDocument(f"{meta.identificador}: supera el tamaño máximo ({limit} bytes)")
    if mime == "application/pdf":
        try:
            await check_pdf_structure(content)
        except RefusedContent as exc:  # 422 whatever the kind: the package is what came
            raise RefusedContent(f"{meta.identificador}: {exc}") from exc
    async with atomic():
        try:
            document_id = await _insert(tenant, meta, csv=None, title=title[:300],
                                        filename=filename, mime=mime,
                                        blob=BlobRef(_sha256(content), len(content)),
                                        actor=actor, note="recibido (ENI)")
        except (sqlite3.IntegrityError, UniqueViolationError):  # received meanwhile
            raise InvalidDocument(f"La entidad ya tiene el documento {meta.identificador}"
                                  ) from None
        await record(tenant.id, "documents.imported", actor=actor, target=meta.identificador,
                     detail={"sha256": _sha256(content), "organo": meta.organos[0]})
        await _kernel.current().blobs.put_bytes(content)
    return await get_document(tenant, document_id)
