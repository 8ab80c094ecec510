"""Demo data (``concejo demo``): the diputación's model procedures, adopted by the
entities, each with a few expedientes in different procedures and phases (one further on,
its first task done and the plan the citizen brought, and its decreto of concesión waiting
for the alcalde's signature; one with a representative; two related to each other). The
entity's first ``firmante`` and ``secretario`` sign its resoluciones, and its staff is
adscribed to its own unit.

People and NIFs are synthetic (valid check letters, not real persons); SIA codes are
marked as demo codes. Running it again changes nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import msgspec

from core.demo import JAVIER
from core.demo import LUCIA as DEMO_LUCIA
from core.identity.tables import Membership
from core.signing.samples import sample_pdf
from core.tenancy.context import TenantContext
from core.tenancy.services import set_plugin
from plugins.expedientes import busqueda, catalogo, documentos, resoluciones, services, tareas
from plugins.expedientes.schemas import (
    Busqueda,
    EnvioFirma,
    ExpedienteIn,
    ExpedienteOut,
    ProcedimientoIn,
    RelacionIn,
    ResolucionIn,
)
from plugins.expedientes.settings import settings_of

ACTOR = "demo"

MODELS = (
    {"code": "licencia-obra-menor", "name": "Licencia de obra menor", "sia_code": "DEMO-001",
     "description": "Obras de escasa entidad técnica que no afectan a la estructura.",
     "plazo": 3, "plazo_unit": "meses", "silencio": "estimatorio",
     "fases": [{"name": "Instrucción", "tareas": [{"title": "Informe técnico", "dias": 10}]},
               {"name": "Propuesta", "tareas": [{"title": "Propuesta de resolución",
                                                 "dias": 5}]}],
     "plantillas": [
         {"code": "requerimiento", "title": "Requerimiento de subsanación",
          "tipo_documental": "TD06",
          "body": "En relación con su solicitud ({{ expediente.asunto }}, expediente "
                  "{{ expediente.numero }}), se le requiere para que en el plazo de diez días "
                  "hábiles aporte la documentación que falta (art. 68 de la Ley 39/2015).\n\n"
                  "{{ entidad.nombre }}, {{ fecha }}."},
         {"code": "concesion", "title": "Decreto de concesión de licencia de obra menor",
          "tipo_documental": "TD01",
          "body": "Vista la solicitud presentada por {{ interesado.nombre }} "
                  "({{ interesado.nif }}) y el informe técnico favorable, RESUELVO conceder "
                  "la licencia solicitada: {{ expediente.asunto }}."}]},
    {"code": "ocupacion-via-publica", "name": "Ocupación de la vía pública",
     "sia_code": "DEMO-002", "description": "Terrazas, andamios, contenedores y mudanzas.",
     "plazo": 1, "plazo_unit": "meses", "silencio": "desestimatorio",
     "fases": [{"name": "Tramitación", "tareas": [{"title": "Comprobar la ubicación",
                                                   "dias": 3}]}],
     "plantillas": [
         {"code": "autorizacion", "title": "Decreto de autorización de ocupación",
          "tipo_documental": "TD01",
          "body": "RESUELVO autorizar a {{ interesado.nombre }} la ocupación de la vía "
                  "pública solicitada: {{ expediente.asunto }}."}]},
    {"code": "instancia-general", "name": "Instancia general", "sia_code": "DEMO-003",
     "description": "Solicitudes que no tienen un procedimiento específico.",
     "plazo": 3, "plazo_unit": "meses", "silencio": "desestimatorio",
     "fases": [{"name": "Estudio", "tareas": [{"title": "Asignar a la unidad competente",
                                               "dias": 2}]}]},
)

LUCIA = {"nif": DEMO_LUCIA.nif, "name": DEMO_LUCIA.name}
EXPEDIENTES = (
    ("licencia-obra-menor", "Sustitución de ventanas en calle Real 12", LUCIA),
    ("licencia-obra-menor", "Reforma de baño en avenida de Valladolid 5",
     {"nif": JAVIER.nif, "name": JAVIER.name}),
    ("ocupacion-via-publica", "Andamio frente a calle Real 12 durante dos semanas",
     {"nif": "B12345674", "name": "Construcciones Moncayo (demostración)",
      "representante": {"nif": "11111111H", "name": "Pilar Ruiz Lafuente"}}),
    ("instancia-general", "Solicitud de cesión del salón de actos", LUCIA),
)


async def seed(tenant: TenantContext) -> None:
    """Models at the diputación; adopted procedures and expedientes at the entities."""
    if tenant.kind == "diputacion":
        await _publish_models(tenant)
        return
    tenant = await _signers_and_units(tenant)
    if await catalogo.list_all(tenant):
        return
    for model in await catalogo.list_models(tenant):
        await catalogo.adopt_model(tenant, model.id, actor=ACTOR)
    if await busqueda.search(tenant, Busqueda(limit=1)):
        return
    by_code = {p.code: p.id for p in await catalogo.list_all(tenant)}
    opened = [await services.open_expediente(
        tenant, msgspec.convert({"procedimiento_id": by_code[code], "subject": subject,
                                 "interesados": [interesado]}, ExpedienteIn),
        actor=ACTOR, user_id=None)
        for code, subject, interesado in EXPEDIENTES if code in by_code]
    if len(opened) == len(EXPEDIENTES):
        ventanas, bano, andamio, _ = opened

        async def plano() -> AsyncIterator[bytes]:
            yield sample_pdf("Plano de la reforma (documento de demostración)")

        await documentos.upload(tenant, bano.id, chunks=plano(), filename="plano.pdf",
                                declared_mime="application/pdf", title="Plano de la reforma",
                                actor=ACTOR)
        for tarea in bano.tareas:  # the technical report is in: on to the propuesta
            await tareas.complete_tarea(tenant, tarea.id, actor=ACTOR)
        await tareas.advance_phase(tenant, bano.id, actor=ACTOR, user_id=None)
        await services.relate(tenant, ventanas.id, RelacionIn(
            related_id=andamio.id, note="Andamio para la misma obra"), actor=ACTOR)
        await _resolucion_to_sign(tenant, bano)


#: Roles whose holders work expedientes and entradas of the entity's own unit in the demo.
UNIT_ROLES = ("tramitador", "secretario", "registro")


async def _signers_and_units(tenant: TenantContext) -> TenantContext:
    """The entity's alcalde (its first ``firmante``) and secretario sign resoluciones, and
    its staff is adscribed to its unit, so entradas reach a bandeja (when still unset)."""
    rows = await Membership.select(Membership.role, Membership.user.id.as_alias("id"),
                                   Membership.user.email.as_alias("email")).where(
        Membership.tenant == tenant.id).order_by(Membership.id)
    first = {}
    for row in rows:
        first.setdefault(row["role"], row["email"])
    settings = settings_of(tenant)
    if not (settings.alcalde or settings.secretario) and {"firmante", "secretario"} <= set(first):
        tenant = await set_plugin(tenant, "expedientes", True, actor=ACTOR, settings={
            **tenant.settings_for("expedientes"), "alcalde": first["firmante"],
            "secretario": first["secretario"]})
    for user_id in dict.fromkeys(r["id"] for r in rows if r["role"] in UNIT_ROLES):
        if not await busqueda.units_of_user(tenant, user_id):
            await services.set_adscripciones(tenant, user_id, [tenant.dir3], actor=ACTOR)
    return tenant


async def _resolucion_to_sign(tenant: TenantContext, expediente: ExpedienteOut) -> None:
    """A decreto of concesión waiting in the alcalde's portafirmas."""
    settings = settings_of(tenant)
    concesion = [p for p in await catalogo.plantillas(tenant, expediente.procedimiento_id)
                 if p.code == "concesion"]
    if not (settings.alcalde and settings.secretario and concesion):
        return
    draft = await resoluciones.draft(tenant, expediente.id, ResolucionIn(
        plantilla_id=concesion[0].id), actor=ACTOR)
    await resoluciones.send_to_sign(tenant, draft.id, EnvioFirma(), actor=ACTOR)


async def _publish_models(tenant: TenantContext) -> None:
    existing = {p.code for p in await catalogo.list_all(tenant)}
    for model in MODELS:
        if model["code"] in existing:
            continue
        created = await catalogo.create(tenant, msgspec.convert(model, ProcedimientoIn),
                                        actor=ACTOR)
        await catalogo.publish_model(tenant, created.id, True, actor=ACTOR)
