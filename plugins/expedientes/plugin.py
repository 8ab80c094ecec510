"""Expedientes electrónicos: manifest and thin hook implementations (logic in the modules)."""

from typing import Any

from core.plugins import PluginManifest, hookimpl
from core.signing.schemas import SignatureFlowCompleted, SignatureFlowRejected
from core.web.carpeta import CarpetaSection
from core.web.i18n import gettext as _
from core.web.pages import MenuItem, SedeProcedure, Widget
from plugins.expedientes import (
    administracion,
    api,
    asientos,
    busqueda,
    carpeta,
    catalogo,
    controllers,
    demo,
    permissions,
    resoluciones,
)
from plugins.expedientes.schemas import ExpedienteAbierto, ExpedienteCerrado, ResolucionFirmada
from plugins.expedientes.settings import Settings

MANIFEST = PluginManifest(
    name="expedientes", label="Expedientes electrónicos", version="1.0", settings=Settings,
    optional_depends_on=("registro",),  # entradas of its sede solicitudes, asientos linked
    description="Procedimientos, expedientes, resoluciones, índice electrónico e intercambio ENI.",
    demo_entities=("diputacion-soria", "soria", "olvega", "agreda"))


@hookimpl
def register_routes(register: Any) -> None:
    register(controllers.StaffController, face="staff")
    register(administracion.AdminController, face="staff")
    register(controllers.SedeController, face="sede")
    register(carpeta.CarpetaController, face="sede")
    register(api.ApiController, face="api")


@hookimpl
def register_permissions(register: Any) -> None:
    register(*permissions.ALL)


@hookimpl
def register_role_grants(register: Any) -> None:
    register("expedientes.*", role="tramitador")


@hookimpl
def register_duty_rules(register: Any) -> None:
    register(resoluciones.DUTY_RULE)


@hookimpl
def register_event_types(register: Any) -> None:
    register(ExpedienteAbierto, ExpedienteCerrado, ResolucionFirmada)


@hookimpl
async def on_event(event: Any, tenant: Any) -> None:
    if isinstance(event, SignatureFlowCompleted):
        await resoluciones.on_flow_completed(tenant, event)
    elif isinstance(event, SignatureFlowRejected):
        await resoluciones.on_flow_rejected(tenant, event)


@hookimpl
async def sede_procedures(tenant: Any) -> list[SedeProcedure]:
    """Each active procedimiento of the entity in the sede's catálogo, with its solicitud."""
    return [catalogo.sede_procedure(p)
            for p in await catalogo.list_all(tenant, active_only=True)]


@hookimpl
def register_dashboard_widgets(register: Any) -> None:
    register(Widget(plugin="expedientes", title="Mis tareas",
                    template="expedientes/widget.html", permission=permissions.VIEW.name,
                    context=busqueda.widget_context))


@hookimpl(optionalhook=True)
async def on_asiento_distributed(asiento: Any, unidad: str, tenant: Any) -> None:
    """Published by the registro: an entrada reached one of the entity's units."""
    await asientos.on_distributed(tenant, asiento, unidad)


@hookimpl
async def on_demo_loaded(tenant: Any) -> None:
    await demo.seed(tenant)


@hookimpl
def menu_items(request: Any, tenant: Any, actor: Any) -> list[MenuItem] | None:
    if request.url.path.startswith("/sede/") or not actor.can(permissions.VIEW.name):
        return None
    items = [MenuItem(_("Expedientes"), f"/{tenant.slug}/expedientes/")]
    if actor.can(permissions.PROCEDIMIENTOS.name):
        items += [MenuItem(_("Firmantes"), f"/{tenant.slug}/expedientes/firmantes", "admin"),
                  MenuItem(_("Adscripciones"), f"/{tenant.slug}/expedientes/adscripciones",
                           "admin")]
    return items


@hookimpl
async def carpeta_sections(request: Any, tenant: Any, actor: Any) -> list[CarpetaSection]:
    return [await carpeta.section(tenant, actor)]
