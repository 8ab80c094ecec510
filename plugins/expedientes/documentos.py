"""Documents of an expediente: core documents (ENI metadata, CSV, versions) in order.

A document enters an expediente generated from a template of its procedure (issued and
sealed), uploaded by staff, copied from a registry entry, as a resolución, or imported.
Its ``position`` is its order in the índice electrónico. The list of an expediente's
documents is one query, however many there are.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import msgspec

from core.calendar import MADRID
from core.db import atomic
from core.documents import services as documents
from core.documents.eni import Origen, TipoDocumental
from core.documents.schemas import DocumentOut
from core.errors import NotFoundError
from core.tenancy.context import TenantContext
from plugins.expedientes import catalogo, history, pdfs, services
from plugins.expedientes.tables import DocumentoExpediente

SOURCE_LABELS = {"plantilla": "Generado de plantilla", "subida": "Incorporado",
                 "registro": "Del registro", "resolucion": "Resolución",
                 "importado": "Importado (ENI)"}



class DocumentoOut(msgspec.Struct, kw_only=True):
    """A document of an expediente, as its list and its índice need it."""

    id: int  # the core document id
    position: int
    source: str
    added_at: datetime
    added_by: str
    identificador: str
    csv: str | None
    title: str
    tipo_documental: str
    estado_elaboracion: str
    origen: int
    organo: str
    fecha_captura: datetime
    filename: str
    mime: str
    version: int
    sha256: str
    size: int
    signatures: int

    @property
    def added_on(self) -> date:
        """The day it was incorporated, at the sede's official time."""
        return self.added_at.astimezone(MADRID).date()


_LIST = """
SELECT d.id, l.position, l.source, l.added_at, l.added_by, d.identificador, d.csv, d.title,
       d.tipo_documental, d.estado_elaboracion, d.origen, d.organo, d.fecha_captura,
       d.filename, d.mime, d.current_version AS version, v.sha256, v.size,
       COALESCE(s.n, 0) AS signatures
FROM expedientes_documento l
JOIN core_document d ON d.id = l.document AND d.tenant = l.tenant
JOIN core_document_version v
  ON v.document = d.id AND v.number = d.current_version AND v.tenant = l.tenant
LEFT JOIN (SELECT document, COUNT(*) AS n FROM core_document_signature
           WHERE tenant = {} GROUP BY document) s ON s.document = d.id
WHERE l.tenant = {} AND l.expediente = {}
ORDER BY l.position
"""


async def list_documents(tenant: TenantContext, expediente_id: int) -> list[DocumentoOut]:
    """The expediente's documents in order, with their current version (one query)."""
    rows = await DocumentoExpediente.raw(_LIST, tenant.id, tenant.id, expediente_id)
    return msgspec.convert(rows, list[DocumentoOut])


async def link(tenant: TenantContext, expediente_id: int, document: DocumentOut, source: str,
               *, actor: str) -> None:
    """Incorporate a stored document at the end of an open expediente (inside a
    transaction)."""
    await services.require_open(tenant, expediente_id)
    await append(tenant, expediente_id, document, source, actor=actor)


async def append(tenant: TenantContext, expediente_id: int, document: DocumentOut,
                 source: str, *, actor: str) -> None:
    """Add a document at the end of the expediente, whatever its state (a received one
    arrives closed)."""
    await services.lock(tenant, expediente_id)
    last = await DocumentoExpediente.select(DocumentoExpediente.position).where(
        (DocumentoExpediente.tenant == tenant.id)
        & (DocumentoExpediente.expediente == expediente_id)).order_by(
        DocumentoExpediente.position, ascending=False).first()
    await DocumentoExpediente.insert(DocumentoExpediente(
        tenant=tenant.id, expediente=expediente_id, document=document.id,
        position=(last["position"] + 1) if last else 1, source=source,
        added_at=datetime.now(UTC), added_by=actor))
    await history.log(tenant, expediente_id, "document_added",
                      f"{SOURCE_LABELS[source]}: {document.title}", actor=actor,
                      detail={"document": document.identificador, "csv": document.csv})


async def generate(tenant: TenantContext, expediente_id: int, plantilla_id: int, *,
                   actor: str) -> DocumentOut:
    """Issue a document from a template of the expediente's procedure, sealed, with CSV."""
    expediente = await services.get(tenant, expediente_id)
    plantilla = await catalogo.plantilla(tenant, plantilla_id)
    text = pdfs.render_body(plantilla.body, pdfs.template_context(tenant, expediente))
    pdf, csv = await pdfs.render(tenant, "documento", plantilla.title, expediente=expediente,
                                 paragraphs=pdfs.paragraphs(text))
    async with atomic():
        await services.require_open(tenant, expediente_id)
        document = await documents.issue_document(
            tenant, pdf=pdf, title=plantilla.title, tipo_documental=plantilla.tipo_documental,
            actor=actor, csv=csv, organo=expediente.unit_dir3)
        await link(tenant, expediente_id, document, "plantilla", actor=actor)
    return document


async def upload(tenant: TenantContext, expediente_id: int, *, chunks: AsyncIterator[bytes],
                 filename: str, declared_mime: str, title: str, actor: str,
                 tipo_documental: TipoDocumental | str = TipoDocumental.OTROS,
                 origen: Origen | int = Origen.CIUDADANO) -> DocumentOut:
    """Store an uploaded file and incorporate it; nothing is kept if either step fails."""
    async with atomic():
        await services.require_open(tenant, expediente_id)
        document = await documents.upload_document(
            tenant, chunks=chunks, filename=filename, declared_mime=declared_mime, title=title,
            actor=actor, tipo_documental=tipo_documental, origen=origen)
        await link(tenant, expediente_id, document, "subida", actor=actor)
    return document


async def content(tenant: TenantContext, expediente_id: int, document_id: int
                  ) -> tuple[DocumentOut, bytes]:
    """A document of the expediente and its current content (404 when not in it)."""
    if not await DocumentoExpediente.exists().where(
            (DocumentoExpediente.tenant == tenant.id)
            & (DocumentoExpediente.expediente == expediente_id)
            & (DocumentoExpediente.document == document_id)):
        raise NotFoundError(document_id)
    return await documents.read_content(tenant, document_id)
