"""PDFs of expedientes: documents from templates, resoluciones and the libro de resoluciones.

Template bodies are written by the entity's staff, so they run in Jinja2's sandbox with
only the data of the expediente at hand; the result is plain text (paragraphs separated by
blank lines), escaped into the plugin's PDF layouts, which ``render_pdf`` prints as PDF/A
with the CSV footer.
"""

from __future__ import annotations

import asyncio
import functools
from datetime import date
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from core.documents.csvcode import new_csv
from core.documents.pdf import pdf_template_loader, render_pdf
from core.documents.services import verify_url
from core.errors import DomainError
from core.tenancy.context import TenantContext
from plugins.expedientes.schemas import ExpedienteOut

MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
          "septiembre", "octubre", "noviembre", "diciembre")


class InvalidPlantilla(DomainError):
    """A template body that does not render; the message says where."""


@functools.cache
def _sandbox() -> SandboxedEnvironment:
    return SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)


@functools.cache
def _layouts() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.PackageLoader("plugins.expedientes"),
                                    pdf_template_loader()]),
        autoescape=jinja2.select_autoescape(["html"]), undefined=jinja2.StrictUndefined)


def fecha_larga(day: date) -> str:
    """``22 de noviembre de 2026``, as Spanish administrative documents date themselves."""
    return f"{day.day} de {MONTHS[day.month - 1]} de {day.year}"


def template_context(tenant: TenantContext, expediente: ExpedienteOut) -> dict[str, Any]:
    """What a template body may use: the entity, the expediente and its interesados."""
    interesados = [{"nombre": i.name, "nif": i.nif, "representante": i.role == "representante"}
                   for i in expediente.interesados]
    principal = next((i for i in interesados if not i["representante"]), None)
    return {"entidad": {"nombre": tenant.name, "dir3": tenant.dir3},
            "expediente": {"numero": expediente.code, "asunto": expediente.subject,
                           "identificador": expediente.identificador,
                           "procedimiento": expediente.procedimiento,
                           "apertura": fecha_larga(expediente.opened_at.date()),
                           "vencimiento": fecha_larga(expediente.due_date)
                           if expediente.due_date else ""},
            "interesados": interesados, "interesado": principal,
            "fecha": fecha_larga(date.today())}


def render_body(body: str, context: dict[str, Any]) -> str:
    """Render a template body in the sandbox (``InvalidPlantilla`` when it fails)."""
    try:
        return _sandbox().from_string(body).render(context).strip()
    except jinja2.TemplateError as exc:
        where = f" (línea {exc.lineno})" if getattr(exc, "lineno", None) else ""
        raise InvalidPlantilla(f"La plantilla no se puede aplicar{where}: {exc}") from None


def paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


async def render(tenant: TenantContext, layout: str, title: str, **context: Any
                 ) -> tuple[bytes, str]:
    """Print ``expedientes/pdf/<layout>.html``; returns the PDF and the CSV in its footer."""
    csv = new_csv()
    pdf = await asyncio.to_thread(
        render_pdf, f"expedientes/pdf/{layout}.html",
        {"entidad": tenant.name, "title": title, **context}, csv=csv,
        verify_url=verify_url(tenant, csv), title=title, env=_layouts())
    return pdf, csv
