"""The demo document: one sealed, CSV-stamped PDF per entity, for the sede to verify."""

from __future__ import annotations

import asyncio

from core.documents.csvcode import new_csv
from core.documents.eni import TipoDocumental
from core.documents.pdf import render_pdf
from core.documents.schemas import DocumentOut
from core.documents.services import get_document, issue_document, verify_url
from core.documents.tables import Document
from core.tenancy.context import TenantContext

DEMO_TITLE = "Documento de demostración"


async def demo_document(tenant: TenantContext) -> DocumentOut:
    """The tenant's demo document, issued (sealed) the first time (the seal must exist)."""
    row = await Document.select(Document.id).where(
        (Document.tenant == tenant.id) & (Document.title == DEMO_TITLE)).first()
    if row is not None:
        return await get_document(tenant, row["id"])
    csv = new_csv()
    pdf = await asyncio.to_thread(render_pdf, "pdf/demo.html", {"entity": tenant.name},
                                  csv=csv, verify_url=verify_url(tenant, csv), title=DEMO_TITLE)
    return await issue_document(tenant, pdf=pdf, title=DEMO_TITLE, csv=csv, actor="demo",
                                tipo_documental=TipoDocumental.CERTIFICADO,
                                filename="documento-de-demostracion.pdf")
