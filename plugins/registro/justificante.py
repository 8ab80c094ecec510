"""The justificante de registro: a PDF with the asiento's number, dates, interesados,
extracto and anexos (with their SHA-256), a CSV on every page, kept in the blob store.

``issue`` runs inside the job's transaction (``tasks.make_justificante``): the kernel
records the message as done in that same transaction, so a worker killed before the commit
leaves nothing and the redelivered message issues it again; the conditional update makes a
second message for the same asiento a no-op. Exactly one justificante per entrada.
"""

from __future__ import annotations

import asyncio
import functools
from datetime import UTC, datetime
from typing import Any

import jinja2

from core import kernel as _kernel
from core.audit.log import record
from core.calendar import MADRID
from core.documents.csvcode import new_csv
from core.documents.pdf import pdf_template_loader, render_pdf
from core.tenancy.context import TenantContext
from plugins.registro import labels, services
from plugins.registro.anexos import blob_store
from plugins.registro.schemas import AsientoOut
from plugins.registro.tables import Asiento

TEMPLATE = "registro/justificante.html"


@functools.cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.PackageLoader("plugins.registro", "templates"),
                                    pdf_template_loader()]),
        autoescape=jinja2.select_autoescape(["html"]), undefined=jinja2.StrictUndefined)


def verify_url(tenant: TenantContext, csv: str) -> str:
    """Where anyone holding the CSV can check the document on the entity's sede."""
    base = _kernel.current().settings.base_url.rstrip("/")
    return f"{base}/sede/{tenant.slug}/verificar/{csv}"


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


async def issue(tenant: TenantContext, asiento_id: int) -> bool:
    """Produce the asiento's justificante unless it has one; True when this call made it."""
    asiento = await services.get(tenant, asiento_id)
    if asiento.justificante_ready or asiento.direction != "entrada":
        return False
    units = await services.units_of(tenant)
    csv = new_csv()
    pdf = await asyncio.to_thread(render, tenant, asiento, units, csv)
    ref = await blob_store().put_bytes(pdf)
    updated = await Asiento.update({
        Asiento.justificante_csv: csv, Asiento.justificante_sha256: ref.sha256,
        Asiento.justificante_at: datetime.now(UTC),
    }).where(services.scoped(tenant) & (Asiento.id == asiento_id)
             & (Asiento.justificante_sha256 == "")).returning(Asiento.id)
    if not updated:
        return False
    await record(tenant.id, "registro.justificante", actor="sistema", target=asiento.numero,
                 detail={"id": asiento_id, "csv": csv, "sha256": ref.sha256})
    return True


async def download(tenant: TenantContext, asiento_id: int) -> tuple[str, bytes]:
    """File name and bytes of the justificante (NotFound until it is ready)."""
    row = await services.row_of(tenant, asiento_id)
    if not row["justificante_sha256"]:
        raise services.NotFound(asiento_id)
    name = services.numero(row["year"], row["direction"], row["number"])
    return f"justificante-{name}.pdf", await blob_store().read_bytes(row["justificante_sha256"])
