"""The procedures catalogue of each entity, and the model procedures of the diputación.

The diputación (the operator tenant) writes a procedure once and publishes it as a model;
every entity of the province sees the models and adopts the ones it uses, which copies
the procedure with its phases and templates into the entity's own catalogue, where it can
adapt it. Models are the one thing an entity reads from another tenant: explicitly, in
the diputación's scope (``core.tenancy.rls.tenant_scope``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from core.audit.log import record
from core.db import atomic
from core.errors import DomainError, NotFoundError
from core.tenancy.context import TenantContext, operator_tenant
from core.tenancy.rls import tenant_scope
from core.tenancy.scoped import get_or_404, scoped
from core.tenancy.tables import Unit
from core.web.i18n import gettext as _
from core.web.i18n import ngettext
from core.web.pages import SedeProcedure
from plugins.expedientes.schemas import (
    Fase,
    ModeloOut,
    PlantillaIn,
    PlantillaOut,
    ProcedimientoIn,
    ProcedimientoOut,
)
from plugins.expedientes.tables import Plantilla, Procedimiento


class InvalidProcedimiento(DomainError):
    """A procedure that breaks a rule; the message says which."""



async def plantillas(tenant: TenantContext, procedimiento_id: int) -> list[PlantillaOut]:
    """The templates of one of the tenant's procedures."""
    return await _plantillas(tenant.id, procedimiento_id)


async def _plantillas(tenant_id: int, procedimiento_id: int) -> list[PlantillaOut]:
    rows = await Plantilla.select(
        Plantilla.id, Plantilla.code, Plantilla.title, Plantilla.tipo_documental, Plantilla.body
    ).where((Plantilla.tenant == tenant_id) & (Plantilla.procedimiento == procedimiento_id)
            ).order_by(Plantilla.id)
    return [msgspec.convert(row, PlantillaOut, strict=False) for row in rows]


def _out(row: dict[str, Any], plantillas: list[PlantillaOut]) -> ProcedimientoOut:
    return msgspec.convert({**row, "plantillas": plantillas}, ProcedimientoOut, strict=False)


async def _insert_plantillas(tenant_id: int, procedimiento_id: int,
                             plantillas: list[PlantillaIn]) -> None:
    codes = [p.code for p in plantillas]
    if len(set(codes)) != len(codes):
        raise InvalidProcedimiento("Hay dos plantillas con el mismo código")
    if plantillas:
        await Plantilla.insert(*[Plantilla(
            tenant=tenant_id, procedimiento=procedimiento_id, code=p.code, title=p.title,
            tipo_documental=str(p.tipo_documental), body=p.body) for p in plantillas])


async def _check_code_free(tenant_id: int, code: str, *, but: int | None = None) -> None:
    where = scoped(Procedimiento, tenant_id) & (Procedimiento.code == code)
    if but is not None:
        where &= Procedimiento.id != but
    if await Procedimiento.exists().where(where):
        raise InvalidProcedimiento(f"Ya existe un procedimiento con el código {code!r}")


def _columns(tenant: TenantContext, data: ProcedimientoIn) -> dict[str, Any]:
    return {"code": data.code, "name": data.name, "sia_code": data.sia_code,
            "description": data.description, "plazo": data.plazo,
            "plazo_unit": data.plazo_unit, "silencio": data.silencio,
            "unit_dir3": data.unit_dir3 or tenant.dir3,
            "fases": msgspec.to_builtins(data.fases)}


async def check_unit(tenant: TenantContext, dir3: str) -> None:
    """A unit in charge must be the entity itself or one of its units (DIR3)."""
    if dir3 and dir3 != tenant.dir3 and not await Unit.exists().where(
            (Unit.tenant == tenant.id) & (Unit.dir3 == dir3)):
        raise InvalidProcedimiento(f"{dir3} no es una unidad de la entidad")


async def create(tenant: TenantContext, data: ProcedimientoIn, *, actor: str,
                 adopted_from: int | None = None) -> ProcedimientoOut:
    """Add a procedure to the tenant's catalogue."""
    await check_unit(tenant, data.unit_dir3)
    async with atomic():
        await _check_code_free(tenant.id, data.code)
        row = Procedimiento(tenant=tenant.id, **_columns(tenant, data), adopted_from=adopted_from,
                            created_by=actor, created_at=datetime.now(UTC))
        await row.save()
        await _insert_plantillas(tenant.id, row.id, data.plantillas)
        await record(tenant.id, "expedientes.procedimiento_created", actor=actor,
                     target=f"procedimiento:{row.id}",
                     detail={"code": data.code, "adopted_from": adopted_from})
    return await get(tenant, row.id)


async def update(tenant: TenantContext, procedimiento_id: int, data: ProcedimientoIn, *,
                 actor: str) -> ProcedimientoOut:
    """Replace a procedure's definition and templates (open expedientes keep their phase)."""
    await check_unit(tenant, data.unit_dir3)
    async with atomic():
        await get(tenant, procedimiento_id)
        await _check_code_free(tenant.id, data.code, but=procedimiento_id)
        await Procedimiento.update(_columns(tenant, data)).where(
            scoped(Procedimiento, tenant.id) & (Procedimiento.id == procedimiento_id))
        await Plantilla.delete().where((Plantilla.tenant == tenant.id)
                                       & (Plantilla.procedimiento == procedimiento_id))
        await _insert_plantillas(tenant.id, procedimiento_id, data.plantillas)
        await record(tenant.id, "expedientes.procedimiento_updated", actor=actor,
                     target=f"procedimiento:{procedimiento_id}", detail={"code": data.code})
    return await get(tenant, procedimiento_id)


async def add_plantilla(tenant: TenantContext, procedimiento_id: int, data: PlantillaIn, *,
                        actor: str) -> ProcedimientoOut:
    """Add a template to one of the tenant's procedures."""
    async with atomic():
        procedimiento = await get(tenant, procedimiento_id)
        if data.code in {p.code for p in procedimiento.plantillas}:
            raise InvalidProcedimiento(f"Ya hay una plantilla con el código {data.code!r}")
        await _insert_plantillas(tenant.id, procedimiento_id, [data])
        await record(tenant.id, "expedientes.plantilla_added", actor=actor,
                     target=f"procedimiento:{procedimiento_id}", detail={"code": data.code})
    return await get(tenant, procedimiento_id)


async def get(tenant: TenantContext, procedimiento_id: int) -> ProcedimientoOut:
    row = await get_or_404(Procedimiento, procedimiento_id, tenant, load_json=True)
    return _out(row, await _plantillas(tenant.id, procedimiento_id))


async def list_all(tenant: TenantContext, *, active_only: bool = False) -> list[ProcedimientoOut]:
    """The tenant's catalogue by name (templates included: two queries in all)."""
    where = scoped(Procedimiento, tenant.id)
    if active_only:
        where &= Procedimiento.active == True  # noqa: E712
    rows = await Procedimiento.select().where(where).order_by(Procedimiento.name).output(
        load_json=True)
    templates = await Plantilla.select(
        Plantilla.id, Plantilla.procedimiento, Plantilla.code, Plantilla.title,
        Plantilla.tipo_documental, Plantilla.body).where(Plantilla.tenant == tenant.id
                                                         ).order_by(Plantilla.id)
    by_procedure: dict[int, list[PlantillaOut]] = {}
    for t in templates:
        by_procedure.setdefault(t.pop("procedimiento"), []).append(
            msgspec.convert(t, PlantillaOut, strict=False))
    return [_out(row, by_procedure.get(row["id"], [])) for row in rows]


async def plantilla(tenant: TenantContext, plantilla_id: int) -> PlantillaOut:
    row = await Plantilla.select(
        Plantilla.id, Plantilla.code, Plantilla.title, Plantilla.tipo_documental, Plantilla.body
    ).where((Plantilla.tenant == tenant.id) & (Plantilla.id == plantilla_id)).first()
    if row is None:
        raise NotFoundError(f"plantilla {plantilla_id}")
    return msgspec.convert(row, PlantillaOut, strict=False)


# --------------------------------------------------------------------------- models


async def publish_model(tenant: TenantContext, procedimiento_id: int, published: bool, *,
                        actor: str) -> ProcedimientoOut:
    """The diputación publishes (or withdraws) one of its procedures as a model."""
    if tenant.kind != "diputacion":
        raise InvalidProcedimiento("Solo la diputación publica procedimientos modelo")
    async with atomic():
        await get(tenant, procedimiento_id)
        await Procedimiento.update({Procedimiento.is_model: published}).where(
            scoped(Procedimiento, tenant.id) & (Procedimiento.id == procedimiento_id))
        await record(tenant.id, "expedientes.model_published" if published
                     else "expedientes.model_withdrawn", actor=actor,
                     target=f"procedimiento:{procedimiento_id}")
    return await get(tenant, procedimiento_id)


async def _model_source() -> TenantContext:
    source = await operator_tenant()
    if source is None:
        raise NotFoundError("no diputación operates this deployment")
    return source


async def list_models(tenant: TenantContext) -> list[ModeloOut]:
    """The diputación's published models, marking those this entity has adopted."""
    source = await _model_source()
    async with tenant_scope(source.id):  # read in the diputación's own scope
        rows = await Procedimiento.select(
            Procedimiento.id, Procedimiento.code, Procedimiento.name, Procedimiento.sia_code,
            Procedimiento.description).where(
            scoped(Procedimiento, source.id) & (Procedimiento.is_model == True)  # noqa: E712
            & (Procedimiento.active == True)).order_by(Procedimiento.name)  # noqa: E712
    adopted = {r["adopted_from"] for r in await Procedimiento.select(
        Procedimiento.adopted_from).where(scoped(Procedimiento, tenant.id)
                                          & Procedimiento.adopted_from.is_not_null())}
    return [ModeloOut(**row, adopted=row["id"] in adopted) for row in rows]


async def adopt_model(tenant: TenantContext, model_id: int, *, actor: str) -> ProcedimientoOut:
    """Copy a published model into the entity's catalogue (its unit becomes the entity)."""
    source = await _model_source()
    async with tenant_scope(source.id):  # read in the diputación's own scope
        model = await Procedimiento.select().where(
            scoped(Procedimiento, source.id) & (Procedimiento.id == model_id)
            & (Procedimiento.is_model == True)).output(load_json=True).first()  # noqa: E712
        source_plantillas = await _plantillas(source.id, model_id)
    if model is None:
        raise NotFoundError(model_id)
    if await Procedimiento.exists().where(scoped(Procedimiento, tenant.id)
                                          & (Procedimiento.adopted_from == model_id)):
        raise InvalidProcedimiento("La entidad ya ha adoptado este procedimiento modelo")
    plantillas = [PlantillaIn(code=p.code, title=p.title, tipo_documental=p.tipo_documental,
                              body=p.body) for p in source_plantillas]
    data = ProcedimientoIn(
        code=model["code"], name=model["name"], sia_code=model["sia_code"],
        description=model["description"], plazo=model["plazo"],
        plazo_unit=model["plazo_unit"], silencio=model["silencio"],
        fases=msgspec.convert(model["fases"], list[Fase]), plantillas=plantillas)
    return await create(tenant, data, actor=actor, adopted_from=model_id)


def sede_procedure(procedimiento: ProcedimientoOut) -> SedeProcedure:
    """A procedimiento as the catálogo shows it (its own texts, in the page's language)."""
    unit = {"meses": ngettext("%(num)d mes", "%(num)d meses", procedimiento.plazo),
            "dias_naturales": ngettext("%(num)d día natural", "%(num)d días naturales",
                                       procedimiento.plazo)
            }.get(procedimiento.plazo_unit, ngettext("%(num)d día hábil", "%(num)d días hábiles",
                                                     procedimiento.plazo))
    return SedeProcedure(
        plugin="expedientes", code=f"procedimiento-{procedimiento.id}", own=True,
        name=procedimiento.name, description=procedimiento.description,
        category=_("Procedimientos de la entidad"),
        who_may_apply=_("Cualquier persona interesada, identificada en la sede"),
        deadline=unit % {"num": procedimiento.plazo},
        silence=_("Estimatorio") if procedimiento.silencio == "estimatorio"
        else _("Desestimatorio"),
        sia_code=procedimiento.sia_code,
        form_path=f"expedientes/{procedimiento.id}/solicitud")
