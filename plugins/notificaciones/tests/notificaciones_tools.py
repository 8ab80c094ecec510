"""Shared data and helpers of the notificaciones tests (imported by name, like
expedientes_tools)."""

from __future__ import annotations

from typing import Any

import msgspec

from core.identity.citizens import open_citizen_session
from core.identity.providers import ExternalIdentity
from core.identity.sessions import SESSION_COOKIE
from plugins.expedientes import catalogo, demo, services
from plugins.expedientes.schemas import ExpedienteIn, ProcedimientoIn

#: Andalucía: no other test loads its calendar (loading a year loads it for every entity
#: of the comunidad, so this keeps the load small).
COMMUNITY = "AN"
ANA = "12345678Z"
LUIS = "87654321X"
GESTORA = "00000000T"
HTML = {"accept": "text/html"}
CONTENT = {"subject": "Concesión de licencia de obra menor",
           "body": "RESUELVO conceder la licencia solicitada.", "fin_via": True,
           "recursos": "Reposición o contencioso-administrativo",
           "organo_recurso": "Alcaldía", "plazo_recurso": "Un mes"}


async def open_expediente(tenant: Any) -> Any:
    """An obra menor expediente of Ana (with her gestora as representative) and Luis."""
    existing = [p.id for p in await catalogo.list_all(tenant)]
    procedimiento_id = existing[0] if existing else (await catalogo.create(
        tenant, msgspec.convert(demo.MODELS[0], ProcedimientoIn), actor="t")).id
    return await services.open_expediente(tenant, msgspec.convert({
        "procedimiento_id": procedimiento_id, "subject": "Cambio de ventanas",
        "interesados": [{"nif": ANA, "name": "Ana Ruiz", "email": "ana@example.org",
                         "representante": {"nif": GESTORA, "name": "Gestoría Sur"}},
                        {"nif": LUIS, "name": "Luis Gil", "address": "Calle Mayor 1"}]},
        ExpedienteIn), actor="t", user_id=None)


async def as_citizen(http: Any, tenant: Any, nif: str, name: str = "Persona de prueba") -> None:
    """Log ``http`` in on the tenant's sede as the citizen ``nif`` (as Cl@ve would)."""
    http.cookies.set(SESSION_COOKIE, await open_citizen_session(ExternalIdentity(
        provider="clave", audience="citizen", nif=nif, name=name), "127.0.0.1", tenant.id))
