"""The evidence certificate (certificado de notificación / acuse) of each notification:
a PDF with the act notified (its document's SHA-256), the person, every event of the
trail (who, when, from where) and the paper attempts, sealed with the entity's seal
(``core.documents.issue_document`` → PAdES) and downloadable by staff and by the
interesado. Issued once the notification reaches a final state.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from core.db import atomic
from core.documents.eni import TipoDocumental
from core.documents.services import get_document, issue_document, read_content
from core.errors import NotFoundError
from core.signing.credentials import NoCredential
from core.tenancy.context import TenantContext
from core.tenancy.scoped import scoped
from plugins.notificaciones import evidence, pdfs, services
from plugins.notificaciones.schemas import FINAL_STATES
from plugins.notificaciones.tables import Notificacion

log = logging.getLogger(__name__)


async def issue(tenant: TenantContext, notificacion_id: int) -> bool:
    """Issue the sealed certificate unless there is one; False when the notification is
    not final yet or the entity has no seal installed (staff may ask again later)."""
    async with atomic():
        await services.lock(tenant, notificacion_id)
        notificacion = await services.get(tenant, notificacion_id)
        if notificacion.certificate_id is not None or notificacion.state not in FINAL_STATES:
            return False
        act = await get_document(tenant, notificacion.document_id) \
            if notificacion.document_id else None
        title = f"Certificado de notificación {notificacion_id}"
        pdf, csv = await pdfs.render(tenant, "certificado", title, n=notificacion, act=act,
                                     now=datetime.now(UTC))
        try:
            document = await issue_document(tenant, pdf=pdf, title=title, csv=csv,
                                            tipo_documental=TipoDocumental.ACUSE_RECIBO,
                                            actor="sistema",
                                            filename=f"certificado-{notificacion_id}.pdf")
        except NoCredential:
            log.warning("Notificaciones of %s: no seal installed, certificate of %s waits",
                        tenant.slug, notificacion_id)
            return False
        await Notificacion.update({Notificacion.certificate: document.id}).where(
            scoped(Notificacion, tenant) & (Notificacion.id == notificacion_id))
        await evidence.step(tenant, notificacion_id, notificacion.expediente_id,
                            "certificado", actor="sistema",
                            detail={"document": document.id, "csv": document.csv,
                                    "sha256": document.sha256})
    return True


async def download(tenant: TenantContext, notificacion_id: int) -> tuple[str, bytes]:
    """File name and bytes of the certificate (404 until it is issued)."""
    notificacion = await services.get(tenant, notificacion_id, full=False)
    if notificacion.certificate_id is None:
        raise NotFoundError(notificacion_id)
    document, content = await read_content(tenant, notificacion.certificate_id)
    return document.filename, content
