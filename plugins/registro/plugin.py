"""Registro general: manifest and thin hook implementations (logic in the other modules)."""

from typing import Any

import pluggy

from core.plugins import PluginManifest, hookimpl
from core.web.i18n import gettext as _
from core.web.pages import MenuItem
from plugins.registro import controllers, hookspecs, pages, permissions, tasks, transports
from plugins.registro.settings import Settings

MANIFEST = PluginManifest(
    name="registro", label="Registro general", version="1.0", settings=Settings,
    description="Registro electrónico general de entrada y salida, justificantes y SIR.")


@hookimpl
def addhooks(pm: pluggy.PluginManager) -> None:
    pm.add_hookspecs(hookspecs)


@hookimpl
def register_routes(register: Any) -> None:
    register(pages.StaffController, face="staff")
    register(controllers.ApiController, face="api")
    register(controllers.SirController, face="api")


@hookimpl
def register_permissions(register: Any) -> None:
    register(*permissions.ALL)


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
