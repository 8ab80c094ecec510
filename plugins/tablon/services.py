"""Domain logic of the tablón; every query is scoped to one tenant."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import msgspec

from core.audit.log import record
from core.db import atomic
from core.errors import DomainError, NotFoundError
from core.events import emit
from core.numbering import next_number
from core.tenancy import settings as tenant_settings
from core.tenancy.context import TenantContext
from core.tenancy.scoped import get_or_404, scoped
from plugins.tablon.schemas import AnuncioIn, AnuncioOut, AnuncioPublicado, AnuncioRetirado
from plugins.tablon.settings import Settings
from plugins.tablon.tables import Anuncio


class InvalidAnuncio(DomainError):
    """A notice that breaks a rule; the message says which."""


def settings_of(tenant: TenantContext) -> Settings:
    return tenant_settings.settings_of(tenant, "tablon", Settings)


def _out(row: dict[str, Any]) -> AnuncioOut:
    return msgspec.convert(row, AnuncioOut, from_attributes=False, strict=False)


async def publish(tenant: TenantContext, data: AnuncioIn, *, actor: str,
                  today: date | None = None) -> AnuncioOut:
    """Publish a notice; the end date defaults to the tenant's display days."""
    today = today or date.today()
    settings = settings_of(tenant)
    if data.category not in settings.categories:
        raise InvalidAnuncio(f"Categoría {data.category!r} no admitida: "
                             f"{', '.join(settings.categories)}")
    start = data.publish_from or today
    end = data.publish_until or start + timedelta(days=settings.default_display_days - 1)
    if end < start:
        raise InvalidAnuncio("La fecha de retirada es anterior a la de publicación")
    async with atomic():
        row = Anuncio(tenant=tenant.id, number=await next_number(tenant.id, "tablon.anuncio"),
                      title=data.title, body=data.body, category=data.category,
                      publish_from=start, publish_until=end, created_by=actor,
                      created_at=datetime.now(UTC))
        await row.save()
        await record(tenant.id, "tablon.published", actor=actor, target=str(row.id),
                     detail={"title": data.title, "from": str(start), "until": str(end)})
        await emit(tenant.id, AnuncioPublicado(anuncio_id=row.id, title=data.title))
    return await get(tenant, row.id)


async def get(tenant: TenantContext, anuncio_id: int) -> AnuncioOut:
    return _out(await get_or_404(Anuncio, anuncio_id, tenant))


async def list_all(tenant: TenantContext) -> list[AnuncioOut]:
    rows = await Anuncio.select().where(scoped(Anuncio, tenant)).order_by(Anuncio.number,
                                                                   ascending=False)
    return [_out(r) for r in rows]


async def list_public(tenant: TenantContext, today: date | None = None) -> list[AnuncioOut]:
    """Notices on display today: published, started and not past their end date."""
    today = today or date.today()
    rows = await Anuncio.select().where(
        scoped(Anuncio, tenant) & (Anuncio.state == "publicado") & (Anuncio.publish_from <= today)
        & (Anuncio.publish_until >= today)).order_by(Anuncio.publish_from, ascending=False)
    return [_out(r) for r in rows]


async def get_public(tenant: TenantContext, anuncio_id: int,
                     today: date | None = None) -> AnuncioOut:
    for anuncio in await list_public(tenant, today):
        if anuncio.id == anuncio_id:
            return anuncio
    raise NotFoundError(f"anuncio {anuncio_id!r}")


async def retire(tenant: TenantContext, anuncio_id: int, reason: str, *, actor: str
                 ) -> AnuncioOut:
    async with atomic():
        anuncio = await get(tenant, anuncio_id)
        if anuncio.state == "retirado":
            raise InvalidAnuncio("El anuncio ya está retirado")
        await Anuncio.update({Anuncio.state: "retirado", Anuncio.retired_reason: reason,
                              Anuncio.retired_at: datetime.now(UTC)}).where(
            scoped(Anuncio, tenant) & (Anuncio.id == anuncio_id))
        await record(tenant.id, "tablon.retired", actor=actor, target=str(anuncio_id),
                     detail={"reason": reason})
        await emit(tenant.id, AnuncioRetirado(anuncio_id=anuncio_id, reason=reason))
    return await get(tenant, anuncio_id)


async def retire_expired(tenant: TenantContext, today: date | None = None) -> int:
    """Retire the tenant's notices whose display period has ended; returns how many."""
    today = today or date.today()
    expired = await Anuncio.select(Anuncio.id).where(
        scoped(Anuncio, tenant) & (Anuncio.state == "publicado") & (Anuncio.publish_until < today))
    for row in expired:
        await retire(tenant, row["id"], "Fin del plazo de exposición", actor="sistema")
    return len(expired)


async def count_on_display(tenant: TenantContext, actor: Any) -> dict[str, Any]:
    """Dashboard widget context."""
    return {"on_display": len(await list_public(tenant))}
