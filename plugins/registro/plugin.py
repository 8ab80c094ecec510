"""Registro general: manifest and thin hook implementations (logic in the other modules)."""

from typing import Any

import pluggy

from core.plugins import PluginManifest, hookimpl
from core.web.i18n import N_
from core.web.i18n import gettext as _
from core.web.pages import MenuItem, SedeProcedure
from plugins.registro import (
    controllers,
    demo,
    hookspecs,
    pages,
    permissions,
    sede,
    tasks,
    transports,
)
from plugins.registro.settings import Settings

MANIFEST = PluginManifest(
    name="registro", label="Registro general", version="1.0", settings=Settings,
    description="Registro electrónico general de entrada y salida, justificantes y SIR.",
    demo_entities=("soria", "olvega", "agreda"))


@hookimpl
def addhooks(pm: pluggy.PluginManager) -> None:
    pm.add_hookspecs(hookspecs)


@hookimpl
def register_routes(register: Any) -> None:
    register(pages.StaffController, face="staff")
    register(controllers.ApiController, face="api")
    register(controllers.SirController, face="api")
    register(sede.SedeController, face="sede")


@hookimpl
def register_permissions(register: Any) -> None:
    register(*permissions.ALL)


@hookimpl
def register_role_grants(register: Any) -> None:
    register("registro.*", role="registro")
    register(permissions.RECEIVE.name, role="tramitador")


@hookimpl
def register_jobs(register: Any) -> None:
    register(tasks.make_justificante, tasks.announce_distribution, tasks.sir_deliver,
             tasks.sir_receive, tasks.sir_message)


@hookimpl
def register_sir_transports(register: Any) -> None:
    register(transports.ConcejoTransport())


@hookimpl
def menu_items(request: Any, tenant: Any, actor: Any) -> list[MenuItem] | None:
    if not request.url.path.startswith("/sede/") and actor.can(permissions.VIEW.name):
        return [MenuItem(_("Registro"), f"/{tenant.slug}/registro/")]
    return None


@hookimpl
def register_sede_procedures(register: Any) -> None:
    register(SedeProcedure(
        plugin="registro", code="registro-instancia-general", name=N_("Instancia general"),
        description=N_("Escritos, solicitudes y comunicaciones dirigidos a la entidad que no "
                       "tienen un trámite propio."),
        category=N_("Registro"), who_may_apply=N_("Cualquier persona física o jurídica"),
        legal_basis=N_("Ley 39/2015, artículos 16 y 66"), form_path="registro/instancia"))


@hookimpl
async def carpeta_sections(request: Any, tenant: Any, actor: Any) -> list[Any] | None:
    if actor.kind != "citizen":
        return None
    return [await sede.carpeta_section(tenant, actor)]


@hookimpl
async def on_demo_loaded(tenant: Any) -> None:
    await demo.seed(tenant)
