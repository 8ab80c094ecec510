"""The libro de registro of a period: CSV for spreadsheets, PDF with a CSV code sealed
with the entity's seal."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import datetime, time, timedelta
from typing import Any

from core.audit.log import record
from core.calendar import MADRID
from core.db import atomic
from core.documents.csvcode import new_csv
from core.documents.eni import TipoDocumental
from core.documents.pdf import render_pdf
from core.documents.services import verify_url
from core.errors import DomainError
from core.tenancy.context import TenantContext
from core.tenancy.scoped import scoped
from plugins.registro import labels, services
from plugins.registro.anexos import blob_store
from plugins.registro.justificante import environment, issue_sealed
from plugins.registro.schemas import LibroPeriodo
from plugins.registro.tables import Anexo, Asiento

MAX_PDF_ROWS = 5000
MAX_DAYS = 366
HEADER = ("Número", "Tipo", "Fecha de presentación", "Fecha oficial", "Canal", "Oficina",
          "Interesados", "Extracto", "Unidad de origen", "Unidad de destino", "Anexos",
          "Documentación física", "Estado", "Motivo de anulación", "CSV del justificante")


class InvalidPeriod(DomainError):
    """A period the libro cannot be exported for."""


async def entries(tenant: TenantContext, period: LibroPeriodo) -> list[dict[str, Any]]:
    """The asientos whose official date falls in the period, in libro order."""
    if period.hasta < period.desde:
        raise InvalidPeriod("La fecha final es anterior a la inicial")
    if (period.hasta - period.desde).days >= MAX_DAYS:
        raise InvalidPeriod(f"El periodo no puede superar {MAX_DAYS} días")
    where = scoped(Asiento, tenant) & (
        Asiento.official_at >= datetime.combine(period.desde, time(0), MADRID)) & (
        Asiento.official_at < datetime.combine(period.hasta + timedelta(days=1), time(0),
                                               MADRID))
    if period.direction:
        where &= Asiento.direction == period.direction
    rows = await Asiento.select().where(where).order_by(Asiento.direction).order_by(
        Asiento.year).order_by(Asiento.number)
    summaries = {s.id: s for s in await services.summaries(tenant, rows)}
    counts: dict[int, int] = {}
    if rows:
        for anexo in await Anexo.select(Anexo.asiento).where(
                (Anexo.tenant == tenant.id) & Anexo.asiento.is_in([r["id"] for r in rows])):
            counts[anexo["asiento"]] = counts.get(anexo["asiento"], 0) + 1
    return [{**row, "numero": summaries[row["id"]].numero,
             "interesados": summaries[row["id"]].interesados,
             "anexos": counts.get(row["id"], 0)} for row in rows]


def _local(moment: datetime) -> str:
    return moment.astimezone(MADRID).strftime("%d/%m/%Y %H:%M:%S")


def _line(entry: dict[str, Any]) -> tuple[Any, ...]:
    return (entry["numero"], labels.DIRECTION[entry["direction"]], _local(entry["received_at"]),
            _local(entry["official_at"]), labels.CHANNEL[entry["channel"]], entry["oficina"],
            entry["interesados"], entry["extracto"], entry["unidad_origen"],
            entry["unidad_destino"], entry["anexos"],
            labels.DOCUMENTACION_FISICA[entry["documentacion_fisica"]], entry["state"],
            entry["annul_reason"], entry["justificante_csv"])


def _name(tenant: TenantContext, period: LibroPeriodo, extension: str) -> str:
    kind = f"-{period.direction}" if period.direction else ""
    return f"libro-registro{kind}-{tenant.slug}-{period.desde}-{period.hasta}.{extension}"


async def csv_export(tenant: TenantContext, period: LibroPeriodo) -> tuple[str, bytes]:
    """The libro as UTF-8 CSV (with BOM, so spreadsheets read the accents)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for entry in await entries(tenant, period):
        writer.writerow(_line(entry))
    return _name(tenant, period, "csv"), ("\ufeff" + out.getvalue()).encode()


async def pdf_export(tenant: TenantContext, period: LibroPeriodo, *,
                     actor: str) -> tuple[str, bytes]:
    """The libro as a PDF/A with a CSV code, issued as a document sealed with the entity's
    seal, and audited."""
    rows = await entries(tenant, period)
    if len(rows) > MAX_PDF_ROWS:
        raise InvalidPeriod(f"{len(rows)} asientos: el PDF admite {MAX_PDF_ROWS}; "
                            "exporte un periodo menor o use el CSV")
    code = new_csv()
    title = f"Libro de registro {period.desde:%d/%m/%Y} – {period.hasta:%d/%m/%Y}"
    context = {"entidad": tenant.name, "period": period, "lines": [_line(r) for r in rows],
               "header": HEADER, "labels": labels}
    pdf = await asyncio.to_thread(render_pdf, "registro/libro.html", context, csv=code,
                                  verify_url=verify_url(tenant, code), title=title,
                                  env=environment())
    name = _name(tenant, period, "pdf")
    async with atomic():
        document = await issue_sealed(tenant, pdf, csv=code, title=title, filename=name,
                                      tipo=TipoDocumental.OTROS)
        await record(tenant.id, "registro.libro_exported", actor=actor,
                     target=f"{period.desde}/{period.hasta}",
                     detail={"direction": period.direction, "asientos": len(rows),
                             "document": document.id, "csv": document.csv})
    return name, await blob_store().read_bytes(document.sha256)
