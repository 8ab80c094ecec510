"""Plugin ``ciudadano``: a throw-away citizen login and carpeta sections for the sede tests.

Where enabled, a request carrying ``x-test-citizen: <name>`` is a citizen with the NIF
``00000000T`` (tests of pages, not of login, skip the identity providers this way); the
plugin fills two carpeta sections and puts a fully described procedure in the catálogo.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.identity.actor import Actor
from core.plugins import PluginManifest, hookimpl
from core.web.carpeta import CarpetaItem, CarpetaLink, CarpetaSection
from core.web.pages import SedeProcedure

MANIFEST = PluginManifest(name="ciudadano", label="Ciudadano de prueba", version="0.1")

HEADER = "x-test-citizen"
NIF = "00000000T"


@hookimpl
def authenticate(request: Any, tenant: Any) -> Actor | None:
    name = request.headers.get(HEADER)
    return Actor(kind="citizen", name=name, nif=NIF) if name else None


@hookimpl
def carpeta_sections(request: Any, tenant: Any, actor: Any) -> list[CarpetaSection]:
    entry = CarpetaItem(
        title=f"Solicitud de {actor.name}", url=f"/sede/{tenant.slug}/ciudadano/1",
        when=dt.datetime(2026, 3, 16, 9, 30, tzinfo=dt.UTC), state="Registrada",
        detail="Número de registro E-2026-000001",
        links=(CarpetaLink("Justificante E-2026-000001", f"/sede/{tenant.slug}/ciudadano/1.pdf"),))
    return [CarpetaSection(key="notificaciones", title="Mis notificaciones", order=20,
                           empty="No tiene notificaciones pendientes."),
            CarpetaSection(key="registros", title="Mis solicitudes de prueba", order=10,
                           items=(entry,))]


@hookimpl
def register_sede_procedures(register: Any) -> None:
    register(SedeProcedure(
        plugin="ciudadano", code="ciudadano-licencia", name="Licencia de prueba",
        description="Un trámite completo de prueba.", category="Urbanismo",
        who_may_apply="Personas propietarias", documents_required=("Plano", "Memoria"),
        deadline="Tres meses", silence="Estimatorio", legal_basis="Ordenanza (prueba)",
        sia_code="999999", form_path="ciudadano/solicitud"))
