"""The tenant as seen by a request or a job: identity plus its enabled plugins and settings."""

from __future__ import annotations

from typing import Any

import msgspec

from core.tenancy.rls import cross_tenant, tenant_scope
from core.tenancy.tables import Tenant, TenantHost, TenantPlugin


class EntityContact(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How citizens reach the entity; shown on its sede (contact, privacy, accessibility)."""

    address: str = ""
    postcode: str = ""
    town: str = ""
    phone: str = ""
    email: str = ""
    office_hours: str = ""
    dpo_email: str = ""  # delegado de protección de datos (RGPD art. 37)


class TenantContext(msgspec.Struct, frozen=True, kw_only=True):
    """A loaded tenant; cheap to pass around, never a live database row."""

    id: int
    slug: str
    kind: str
    name: str
    names: dict[str, str]
    ine_code: str | None
    dir3: str
    nif: str
    languages: list[str]
    demo: bool
    community: str | None = None  # comunidad autónoma (ISO 3166-2:ES), e.g. "CL"
    contact: EntityContact = EntityContact()
    enabled: frozenset[str]
    plugin_settings: dict[str, dict[str, Any]]

    def is_enabled(self, plugin: str) -> bool:
        return plugin in self.enabled

    def settings_for(self, plugin: str) -> dict[str, Any]:
        return self.plugin_settings.get(plugin, {})

    def display_name(self, language: str) -> str:
        return self.names.get(language) or self.name


def _json(value: Any) -> Any:
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else value


async def _load(where: Any) -> TenantContext | None:
    row = await Tenant.select().where(where).order_by(Tenant.id).first()  # the oldest
    if row is None:
        return None
    async with tenant_scope(row["id"]):
        plugin_rows = await TenantPlugin.select(
            TenantPlugin.plugin, TenantPlugin.enabled, TenantPlugin.settings
        ).where(TenantPlugin.tenant == row["id"])
    return TenantContext(
        id=row["id"],
        slug=row["slug"],
        kind=row["kind"],
        name=row["name"],
        names=_json(row["names"]) or {},
        ine_code=row["ine_code"],
        dir3=row["dir3"],
        nif=row["nif"],
        languages=_json(row["languages"]) or ["es"],
        demo=bool(row["demo"]),
        community=row["community"],
        contact=msgspec.convert(_json(row["contact"]) or {}, EntityContact),
        enabled=frozenset(p["plugin"] for p in plugin_rows if p["enabled"]),
        plugin_settings={p["plugin"]: _json(p["settings"]) or {} for p in plugin_rows},
    )


async def tenant_by_slug(slug: str) -> TenantContext | None:
    return await _load(Tenant.slug == slug)


async def tenant_by_id(tenant_id: int) -> TenantContext | None:
    return await _load(Tenant.id == tenant_id)


async def tenant_by_host(host: str) -> TenantContext | None:
    async with cross_tenant("tenant lookup by host"):
        row = await TenantHost.select(TenantHost.tenant).where(
            TenantHost.host == host.split(":")[0].lower()
        ).first()
    return await tenant_by_id(row["tenant"]) if row else None


async def operator_tenant() -> TenantContext | None:
    """The diputación that operates this deployment (the diputación with no parent)."""
    return await _load((Tenant.kind == "diputacion") & Tenant.parent.is_null())
