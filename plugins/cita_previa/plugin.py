"""Cita previa: manifest and thin hook implementations (logic in services/)."""

from datetime import timedelta
from typing import Any

import pluggy

from core.plugins import PluginManifest, hookimpl
from core.web.carpeta import CarpetaItem, CarpetaLink, CarpetaSection
from core.web.i18n import N_
from core.web.i18n import gettext as _
from core.web.pages import MenuItem, SedeProcedure, Widget
from plugins.cita_previa import hookspecs, permissions, tasks
from plugins.cita_previa.controllers.api import PublicApiController, StaffApiController
from plugins.cita_previa.controllers.sede import SedeController
from plugins.cita_previa.controllers.staff import StaffController
from plugins.cita_previa.schemas import (
    CHANNEL_LABELS,
    STATE_LABELS,
    CitaCancelada,
    CitaCerrada,
    CitaReprogramada,
    ReservaConfirmada,
)
from plugins.cita_previa.services import attendance, demo, links, queries, video
from plugins.cita_previa.services.common import utcnow
from plugins.cita_previa.settings import Settings

MANIFEST = PluginManifest(name="cita_previa", label="Cita previa", version="1.0",
                          settings=Settings,
                          description="Citas presenciales, por teléfono y por videollamada.",
                          demo_entities=("soria", "olvega"))


@hookimpl
def addhooks(pm: pluggy.PluginManager) -> None:
    pm.add_hookspecs(hookspecs)


@hookimpl
def register_video_providers(register: Any) -> None:
    register(video.JitsiProvider())


@hookimpl
def register_routes(register: Any) -> None:
    register(StaffController, face="staff")
    register(SedeController, face="sede")
    register(PublicApiController, StaffApiController, face="api")


@hookimpl
def register_permissions(register: Any) -> None:
    register(permissions.VIEW, permissions.ATTEND, permissions.MANAGE)


@hookimpl
def register_event_types(register: Any) -> None:
    register(ReservaConfirmada, CitaCancelada, CitaReprogramada, CitaCerrada)


@hookimpl
def register_jobs(register: Any) -> None:
    register(tasks.send_notice, tasks.send_reminders, tasks.housekeeping)


@hookimpl
def register_schedules(register: Any) -> None:
    register(tasks.send_reminders, every=timedelta(hours=1))
    register(tasks.housekeeping, every=timedelta(minutes=5))


@hookimpl
def register_sede_procedures(register: Any) -> None:
    register(SedeProcedure(
        plugin="cita_previa", code="cita-previa", name=N_("Cita previa"),
        description=N_("Pida cita para ser atendido en la oficina, por teléfono o por "
                       "videollamada; cámbiela o anúlela cuando quiera."),
        category=N_("Atención a la ciudadanía"), who_may_apply=N_("Cualquier persona"),
        form_path="cita_previa/"))


@hookimpl
def register_dashboard_widgets(register: Any) -> None:
    register(Widget(plugin="cita_previa", title="Cita previa",
                    template="cita_previa/widget.html", permission=permissions.VIEW.name,
                    context=attendance.widget))


@hookimpl
def menu_items(request: Any, tenant: Any, actor: Any) -> list[MenuItem] | None:
    if request.url.path.startswith("/sede/"):
        return [MenuItem(_("Cita previa"), f"/sede/{tenant.slug}/cita_previa/")]
    if actor.can(permissions.VIEW.name):
        return [MenuItem(_("Cita previa"), f"/{tenant.slug}/cita_previa/")]
    return None


@hookimpl
async def carpeta_sections(request: Any, tenant: Any, actor: Any) -> list[CarpetaSection]:
    citas = [c for c in await queries.citas_of_person(tenant, actor.nif)
             if c.ends_at >= utcnow() and c.state in ("pendiente", "confirmada")]
    base = f"/sede/{tenant.slug}/cita_previa"
    items = tuple(CarpetaItem(
        title=f"{c.servicio_name} · {_(CHANNEL_LABELS[c.channel])}", when=c.starts_at,
        state=_(STATE_LABELS[c.state]), detail=f"{_('Localizador')}: {c.localizador} · {c.oficina}",
        links=(CarpetaLink(_("Cambiar o anular"), f"{base}/reservas/"
                           f"{links.sign(tenant, c.localizador, c.ends_at)}"),))
        for c in citas)
    return [CarpetaSection(key="cita_previa", title=_("Mis citas"), order=40, items=items,
                           empty=_("No tiene citas pendientes."))]


@hookimpl
async def on_demo_loaded(tenant: Any) -> None:
    await demo.seed(tenant)
