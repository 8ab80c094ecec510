"""Remisión of a closed expediente as an ENI package (ZIP), for courts or other
administrations.

The package holds ``expediente.xml`` (``eniexp:expediente``: metadatos and the signed
índice made at closing) and one ``documentos/<identificador>.xml`` (``enidoc:documento``
with the content embedded) per document, in the índice's order. The first remisión moves
the expediente to E03 (índice para remisión cerrado); later ones send the same índice.
"""

from __future__ import annotations

import io
import zipfile

from core.db import atomic
from core.documents import services as documents
from core.documents.eni import EstadoExpediente, ExpedienteEniMetadata, expediente_xml, parse_indice
from core.errors import DomainError
from core.tenancy.context import TenantContext
from plugins.expedientes import documentos, history, indice, services
from plugins.expedientes.schemas import ExpedienteOut
from plugins.expedientes.tables import Expediente

EXPEDIENTE_XML = "expediente.xml"
DOCUMENTOS_DIR = "documentos/"


class CannotRemit(DomainError):
    """Only a closed expediente (with its signed índice) is remitted."""


def metadata_of(expediente: ExpedienteOut, estado: EstadoExpediente) -> ExpedienteEniMetadata:
    """The expediente's ENI metadatos; the interesados are named by their NIF."""
    return ExpedienteEniMetadata(
        identificador=expediente.identificador, organos=[expediente.unit_dir3],
        fecha_apertura=expediente.opened_at, clasificacion=expediente.clasificacion,
        estado=estado, interesados=[i.nif for i in expediente.interesados
                                    if i.role == "interesado"])


async def export_zip(tenant: TenantContext, expediente_id: int, *, actor: str) -> bytes:
    """The ENI package of a closed expediente; the first one marks it E03."""
    expediente = await services.get(tenant, expediente_id)
    if expediente.state == "E01":
        raise CannotRemit("Cierre el expediente (índice firmado) antes de remitirlo")
    signed = parse_indice(await indice.signed_xml(tenant, expediente_id))
    metadata = metadata_of(expediente, EstadoExpediente.INDICE_REMISION_CERRADO)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr(EXPEDIENTE_XML, expediente_xml(metadata, signed.contenido,
                                                        signed.firmas))
        for document in await documentos.list_documents(tenant, expediente_id):
            package.writestr(f"{DOCUMENTOS_DIR}{document.identificador}.xml",
                             await documents.eni_documento(tenant, document.id))
    async with atomic():
        if expediente.state == "E02":
            await Expediente.update({Expediente.state: "E03"}).where(
                (Expediente.tenant == tenant.id) & (Expediente.id == expediente_id)
                & (Expediente.state == "E02"))
        await history.log(tenant, expediente_id, "remitted",
                          "Remisión del expediente en formato ENI", actor=actor)
    return buffer.getvalue()
