"""Tablón de anuncios: manifest and thin hook implementations (logic in services.py)."""

from datetime import timedelta
from typing import Any

from core.plugins import PluginManifest, hookimpl
from core.web.i18n import N_
from core.web.i18n import gettext as _
from core.web.pages import MenuItem, SedeProcedure, Widget
from plugins.tablon import controllers, permissions, services, tasks
from plugins.tablon.schemas import AnuncioPublicado, AnuncioRetirado
from plugins.tablon.settings import Settings

MANIFEST = PluginManifest(name="tablon", label="Tablón de anuncios", version="1.0",
                          settings=Settings,
                          description="Anuncios con fechas de publicación y retirada.",
                          demo_entities=("diputacion-soria", "soria", "olvega",
                                         "mancomunidad-moncayo-demo",
                                         "consorcio-residuos-demo"))


@hookimpl
def register_routes(register: Any) -> None:
    register(controllers.StaffController, face="staff")
    register(controllers.SedeController, face="sede")
    register(controllers.ApiController, face="api")


@hookimpl
def register_permissions(register: Any) -> None:
    register(permissions.VIEW, permissions.PUBLISH, permissions.RETIRE)


@hookimpl
def register_role_grants(register: Any) -> None:
    register("tablon.*", role="tramitador")


@hookimpl
def register_event_types(register: Any) -> None:
    register(AnuncioPublicado, AnuncioRetirado)


@hookimpl
def register_jobs(register: Any) -> None:
    register(tasks.retire_expired)


@hookimpl
def register_schedules(register: Any) -> None:
    register(tasks.retire_expired, every=timedelta(hours=1))


@hookimpl
def register_sede_procedures(register: Any) -> None:
    register(SedeProcedure(plugin="tablon", code="tablon-consulta",
                           name=N_("Tablón de anuncios"),
                           description=N_("Consulta de los anuncios y edictos en exposición."),
                           category=N_("Información pública"),
                           who_may_apply=N_("Cualquier persona"), form_path="tablon/"))


@hookimpl
def register_dashboard_widgets(register: Any) -> None:
    register(Widget(plugin="tablon", title="Tablón de anuncios",
                    template="tablon/widget.html", permission=permissions.VIEW.name,
                    context=services.count_on_display))


@hookimpl
def menu_items(request: Any, tenant: Any, actor: Any) -> list[MenuItem] | None:
    if request.url.path.startswith("/sede/"):
        return [MenuItem(_("Tablón de anuncios"), f"/sede/{tenant.slug}/tablon/")]
    if actor.can(permissions.VIEW.name):
        return [MenuItem(_("Tablón de anuncios"), f"/{tenant.slug}/tablon/")]
    return None
