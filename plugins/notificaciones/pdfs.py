"""PDFs of notificaciones (print batch, certificate, edict): the plugin's layouts under
``templates/notificaciones/pdf/`` printed as PDF/A with the CSV footer."""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import jinja2

from core.calendar import MADRID
from core.documents.csvcode import new_csv
from core.documents.pdf import pdf_template_loader, render_pdf
from core.documents.services import verify_url
from core.tenancy.context import TenantContext
from plugins.notificaciones.schemas import EVENT_LABELS, RESULT_LABELS, STATE_LABELS


@functools.cache
def _layouts() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.PackageLoader("plugins.notificaciones"),
                                    pdf_template_loader()]),
        autoescape=jinja2.select_autoescape(["html"]), undefined=jinja2.StrictUndefined)
    env.filters["local"] = lambda moment: moment.astimezone(MADRID).strftime(
        "%d/%m/%Y %H:%M:%S") if moment else ""
    env.globals.update(states=STATE_LABELS, events=EVENT_LABELS, results=RESULT_LABELS)
    return env


async def render(tenant: TenantContext, layout: str, title: str, **context: Any
                 ) -> tuple[bytes, str]:
    """Print ``notificaciones/pdf/<layout>.html``; returns the PDF and its CSV."""
    csv = new_csv()
    pdf = await asyncio.to_thread(
        render_pdf, f"notificaciones/pdf/{layout}.html",
        {"entidad": tenant.name, "title": title, **context}, csv=csv,
        verify_url=verify_url(tenant, csv), title=title, env=_layouts())
    return pdf, csv
