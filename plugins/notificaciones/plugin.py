"""Notificaciones: manifest and thin hook implementations (logic in the modules)."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pluggy

from core.calendar_app.services import calendar_of
from core.plugins import PluginManifest, hookimpl
from core.web.carpeta import CarpetaItem, CarpetaSection
from core.web.i18n import N_
from core.web.i18n import gettext as _
from core.web.pages import MenuItem, Widget
from plugins.expedientes.public import ResolucionFirmada
from plugins.notificaciones import (
    acceso,
    channels,
    demo,
    hookspecs,
    pendientes,
    permissions,
    services,
    tasks,
)
from plugins.notificaciones.controllers.api import ApiController
from plugins.notificaciones.controllers.sede import SedeController
from plugins.notificaciones.controllers.staff import StaffController
from plugins.notificaciones.schemas import (
    STATE_LABELS,
    NotificacionPracticada,
    NotificacionRechazada,
)
from plugins.notificaciones.settings import Settings

MANIFEST = PluginManifest(
    name="notificaciones", label="Notificaciones", version="1.0", settings=Settings,
    depends_on=("expedientes",), optional_depends_on=("tablon",),  # edictos on the tablón
    description="Notificaciones electrónicas y en papel con su plazo legal y su evidencia.",
    demo_entities=("soria", "agreda"))

#: Carpeta texts (msgids) shown per state.
CARPETA_DETAIL = {"puesta_disposicion": N_("Puede acceder hasta el %(date)s"),
                  "notificada": N_("Accedió el %(date)s")}


@hookimpl
def addhooks(pm: pluggy.PluginManager) -> None:
    pm.add_hookspecs(hookspecs)


@hookimpl
def register_sms_providers(register: Any) -> None:
    register(channels.FileSms())


@hookimpl
def register_routes(register: Any) -> None:
    register(StaffController, face="staff")
    register(SedeController, face="sede")
    register(ApiController, face="api")


@hookimpl
def register_permissions(register: Any) -> None:
    register(*permissions.ALL)


@hookimpl
def register_role_grants(register: Any) -> None:
    register("notificaciones.*", role="tramitador")


@hookimpl
def register_event_types(register: Any) -> None:
    register(NotificacionPracticada, NotificacionRechazada)


@hookimpl
def register_jobs(register: Any) -> None:
    register(tasks.open_channel, tasks.open_channels, tasks.certify, tasks.publish_edict,
             tasks.run_remesa, tasks.clock)


@hookimpl
def register_schedules(register: Any) -> None:
    register(tasks.clock, every=timedelta(hours=1))


@hookimpl
async def on_event(event: Any, tenant: Any) -> None:
    if isinstance(event, ResolucionFirmada):
        await pendientes.on_signed(tenant, event.resolucion_id)


async def widget_context(tenant: Any, actor: Any) -> dict[str, Any]:
    today = (await calendar_of(tenant)).local_date(datetime.now(UTC))
    due = await pendientes.open_ones(tenant, today)
    return {"counts": await services.counts(tenant), "overdue": [p for p in due if p.overdue],
            "open": len(due)}


@hookimpl
def register_dashboard_widgets(register: Any) -> None:
    register(Widget(plugin="notificaciones", title="Notificaciones",
                    template="notificaciones/widget.html", permission=permissions.VIEW.name,
                    context=widget_context))


@hookimpl
def menu_items(request: Any, tenant: Any, actor: Any) -> list[MenuItem] | None:
    if request.url.path.startswith("/sede/") or not actor.can(permissions.VIEW.name):
        return None
    return [MenuItem(_("Notificaciones"), f"/{tenant.slug}/notificaciones/")]


@hookimpl
async def carpeta_sections(request: Any, tenant: Any, actor: Any) -> list[CarpetaSection]:
    base = f"/sede/{tenant.slug}/notificaciones"
    items = []
    for n in await acceso.of_citizen(tenant, actor):
        when = n.expires_on if n.state == "puesta_disposicion" else n.closed_at
        detail = _(CARPETA_DETAIL[n.state]) % {"date": when.strftime("%d/%m/%Y")} \
            if n.state in CARPETA_DETAIL and when else ""
        items.append(CarpetaItem(title=n.subject, url=f"{base}/{n.id}", when=n.disposed_at,
                                 state=_(STATE_LABELS[n.state]), detail=detail))
    return [CarpetaSection(key="notificaciones", title=_("Mis notificaciones"), order=15,
                           items=tuple(items),
                           empty=_("No tiene notificaciones electrónicas."))]


@hookimpl(trylast=True)
async def on_demo_loaded(tenant: Any) -> None:
    """After expedientes has seeded its demo expedientes (trylast)."""
    await demo.seed(tenant)
