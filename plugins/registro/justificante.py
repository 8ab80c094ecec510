"""The justificante de registro: a PDF with the asiento's number, dates, interesados,
extracto and anexos (with their SHA-256), a CSV on every page, issued as a core document
sealed with the entity's seal (``core.documents.services.issue_document``).

``issue`` runs inside the job's transaction (``tasks.make_justificante``): the kernel
records the message as done in that same transaction, so a worker killed before the commit
leaves nothing and the redelivered message issues it again; the asiento row is locked
first, so a second message for the same asiento waits and then finds it done. Exactly one
justificante per entrada.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from datetime import UTC, datetime
from typing import Any

import jinja2

from core.audit.log import record
from core.calendar import MADRID
from core.db import engine
from core.documents.csvcode import new_csv
from core.documents.eni import TipoDocumental
from core.documents.pdf import pdf_template_loader, render_pdf
from core.documents.schemas import DocumentOut
from core.documents.services import issue_document, verify_url
from core.errors import NotFoundError
from core.signing.credentials import NoCredential
from core.tenancy.context import TenantContext
from core.tenancy.scoped import scoped
from plugins.registro import labels, services
from plugins.registro.anexos import blob_store
from plugins.registro.schemas import AsientoOut
from plugins.registro.tables import Asiento

TEMPLATE = "registro/justificante.html"
log = logging.getLogger(__name__)


@functools.cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.PackageLoader("plugins.registro", "templates"),
                                    pdf_template_loader()]),
        autoescape=jinja2.select_autoescape(["html"]), undefined=jinja2.StrictUndefined)


def context(tenant: TenantContext, asiento: AsientoOut, units: dict[str, Any]) -> dict:
    """What the justificante template shows."""
    def unit(code: str) -> str:
        return f"{units[code]['name']} ({code})" if code in units else code

    return {
        "entidad": tenant.name, "asiento": asiento,
        "received": asiento.received_at.astimezone(MADRID),
        "official": asiento.official_at.astimezone(MADRID),
        "oficina": unit(asiento.oficina), "destino": unit(asiento.unidad_destino),
        "origen": unit(asiento.unidad_origen), "labels": labels,
    }


def render(tenant: TenantContext, asiento: AsientoOut, units: dict[str, Any],
           csv: str) -> bytes:
    return render_pdf(TEMPLATE, context(tenant, asiento, units), csv=csv,
                      verify_url=verify_url(tenant, csv),
                      title=f"Justificante de registro {asiento.numero}", env=environment())


async def issue_sealed(tenant: TenantContext, pdf: bytes, *, csv: str, title: str,
                       filename: str, tipo: TipoDocumental) -> DocumentOut:
    """Issue a PDF of the registro as a core document sealed with the entity's seal; an
    entity with no seal installed yet gets it unsealed (the CSV still authenticates it)
    and the gap is logged."""
    options = {"pdf": pdf, "title": title, "tipo_documental": tipo, "actor": "registro",
               "csv": csv, "filename": filename}
    try:
        return await issue_document(tenant, **options)
    except NoCredential:
        log.warning("Registro of %s: no seal installed; %s issued unsealed", tenant.slug,
                    filename)
        return await issue_document(tenant, **options, sign_with_seal=False)


async def issue(tenant: TenantContext, asiento_id: int) -> bool:
    """Produce the asiento's justificante unless it has one; True when this call made it."""
    locked = Asiento.select(Asiento.id).where(scoped(Asiento, tenant)
                                              & (Asiento.id == asiento_id))
    if engine().engine_type == "postgres":
        locked = locked.lock_rows()  # a second message for it waits, then sees it done
    await locked.first()
    asiento = await services.get(tenant, asiento_id)
    if asiento.justificante_ready or asiento.direction != "entrada":
        return False
    units = await services.units_of(tenant)
    csv = new_csv()
    pdf = await asyncio.to_thread(render, tenant, asiento, units, csv)
    document = await issue_sealed(tenant, pdf, csv=csv, tipo=TipoDocumental.ACUSE_RECIBO,
                                  title=f"Justificante de registro {asiento.numero}",
                                  filename=f"justificante-{asiento.numero}.pdf")
    await Asiento.update({
        Asiento.justificante_csv: document.csv, Asiento.justificante_sha256: document.sha256,
        Asiento.justificante_document: document.id, Asiento.justificante_at: datetime.now(UTC),
    }).where(scoped(Asiento, tenant) & (Asiento.id == asiento_id))
    await record(tenant.id, "registro.justificante", actor="sistema", target=asiento.numero,
                 detail={"id": asiento_id, "document": document.id, "csv": document.csv,
                         "sha256": document.sha256, "sealed": bool(document.signatures)})
    return True


async def download(tenant: TenantContext, asiento_id: int) -> tuple[str, bytes]:
    """File name and bytes of the justificante (NotFound until it is ready)."""
    row = await services.row_of(tenant, asiento_id)
    if not row["justificante_sha256"]:
        raise NotFoundError(asiento_id)
    name = services.numero(row["year"], row["direction"], row["number"])
    return f"justificante-{name}.pdf", await blob_store().read_bytes(row["justificante_sha256"])
