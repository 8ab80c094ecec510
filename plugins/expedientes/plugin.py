"""Expedientes electrónicos: manifest and thin hook implementations (logic in the modules)."""

from typing import Any

from core.plugins import PluginManifest, hookimpl
from core.signing.schemas import SignatureFlowCompleted, SignatureFlowRejected
from core.web.carpeta import CarpetaItem, CarpetaSection
from core.web.i18n import N_
from core.web.i18n import gettext as _
from core.web.pages import MenuItem, SedeProcedure, Widget
from plugins.expedientes import (
    api,
    asientos,
    busqueda,
    controllers,
    demo,
    permissions,
    resoluciones,
)
from plugins.expedientes.schemas import ExpedienteAbierto, ExpedienteCerrado, ResolucionFirmada
from plugins.expedientes.settings import Settings

STATE_LABELS = {"E01": N_("Abierto"), "E02": N_("Cerrado"),
                "E03": N_("Índice para remisión cerrado")}

MANIFEST = PluginManifest(
    name="expedientes", label="Expedientes electrónicos", version="1.0", settings=Settings,
    description="Procedimientos, expedientes, resoluciones, índice electrónico e intercambio ENI.")


@hookimpl
def register_routes(register: Any) -> None:
    register(controllers.StaffController, face="staff")
    register(controllers.SedeController, face="sede")
    register(api.ApiController, face="api")


@hookimpl
def register_permissions(register: Any) -> None:
    register(*permissions.ALL)


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
def register_sede_procedures(register: Any) -> None:
    register(SedeProcedure(
        plugin="expedientes", code="expedientes-solicitud",
        name=N_("Solicitudes en los procedimientos de la entidad"),
        description=N_("Inicie en línea un procedimiento del catálogo de la entidad: la "
                       "solicitud queda registrada y abre su expediente."),
        category=N_("Administración general"),
        who_may_apply=N_("Cualquier persona interesada, identificada en la sede"),
        form_path="expedientes/"))


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
    return [MenuItem(_("Expedientes"), f"/{tenant.slug}/expedientes/")]


@hookimpl
async def carpeta_sections(request: Any, tenant: Any, actor: Any) -> list[CarpetaSection]:
    expedientes = await busqueda.of_citizen(tenant, actor.subject_nif)
    return [CarpetaSection(
        key="expedientes", title=_("Mis expedientes"), order=20,
        empty=_("No es interesado en ningún expediente de la entidad."),
        items=tuple(CarpetaItem(title=f"{e.code} · {e.subject}", when=e.opened_at,
                                state=_(STATE_LABELS[e.state]),
                                detail=_("Procedimiento: %(name)s") % {"name": e.procedimiento})
                    for e in expedientes))]
