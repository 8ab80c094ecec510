"""Tenant administration: create entities, and enable or disable plugins per entity.

Enabling checks ``depends_on`` and validates the settings against the plugin's Struct
(only what differs from its defaults is stored, see ``core.tenancy.settings``); disabling
refuses when an enabled plugin depends on it. Both are audited (secrets hidden) and call
the ``on_plugin_enabled`` / ``on_plugin_disabled`` hooks; nothing is saved on a bad
request.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import msgspec

from core import kernel as _kernel
from core.audit.log import record
from core.db import atomic
from core.errors import DomainError, InvalidInput
from core.events import gather_hook
from core.plugins import PluginManifest
from core.tenancy.codes import validate_community, validate_dir3, validate_ine, validate_nif
from core.tenancy.context import EntityContact, TenantContext, tenant_by_id, tenant_by_slug
from core.tenancy.rls import cross_tenant, tenant_scope
from core.tenancy.settings import effective, for_audit, to_store
from core.tenancy.tables import Tenant, TenantHost, TenantKind, TenantPlugin, Unit
from core.web.i18n import SUPPORTED

RESERVED_SLUGS = frozenset({"api", "sede", "diputacion", "health", "static", "login",
                            "logout", "metrics", "ready", "schema", "admin"})
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


class TenancyError(DomainError):
    """A tenancy request that cannot be done; the message is for the operator."""


class DependencyError(TenancyError):
    """A module cannot be enabled before the ones it depends on (``others`` are those), or
    disabled while enabled ones depend on it (``others`` are these)."""

    def __init__(self, message: str, *, plugin: str, enabling: bool, others: list[str]):
        super().__init__(message)
        self.plugin, self.enabling, self.others = plugin, enabling, others


def missing_dependencies(tenant: TenantContext, manifest: PluginManifest) -> list[str]:
    """What the tenant must enable before this plugin."""
    return [d for d in manifest.depends_on if not tenant.is_enabled(d)]


def dependents(tenant: TenantContext, plugin: str) -> list[str]:
    """The tenant's enabled plugins that depend on this one."""
    plugins = _kernel.current().plugins
    return sorted(n for n in tenant.enabled
                  if n != plugin and plugin in plugins.manifest(n).depends_on)


class NewTenant(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What it takes to add an entity."""

    slug: str
    kind: TenantKind
    name: str
    dir3: str
    nif: str
    ine_code: str | None = None
    names: dict[str, str] = {}
    languages: list[str] = msgspec.field(default_factory=lambda: ["es"])
    hosts: list[str] = []
    parent_slug: str | None = None
    community: str | None = None
    contact: EntityContact = EntityContact()
    demo: bool = False


async def add_tenant(data: NewTenant, *, actor: str) -> TenantContext:
    """Validate and create a tenant (with its host names); audited in the new tenant's log."""
    if not _SLUG.match(data.slug) or data.slug in RESERVED_SLUGS:
        raise TenancyError(f"Slug {data.slug!r}: lower-case letters, digits and dashes, "
                           f"not one of {sorted(RESERVED_SLUGS)}")
    validate_dir3(data.dir3)
    nif = validate_nif(data.nif)
    if data.ine_code is not None:
        validate_ine(data.ine_code)
    if data.community is not None:
        validate_community(data.community)
    async with atomic():
        if await Tenant.exists().where((Tenant.slug == data.slug) | (Tenant.dir3 == data.dir3)):
            raise TenancyError(f"A tenant with slug {data.slug!r} or DIR3 {data.dir3} exists")
        parent_id = None
        if data.parent_slug:
            parent = await tenant_by_slug(data.parent_slug)
            if parent is None:
                raise TenancyError(f"Parent tenant {data.parent_slug!r} does not exist")
            parent_id = parent.id
        row = Tenant(slug=data.slug, kind=data.kind.value, name=data.name, names=data.names,
                     ine_code=data.ine_code, dir3=data.dir3, nif=nif, parent=parent_id,
                     languages=data.languages, community=data.community,
                     contact=msgspec.to_builtins(data.contact), demo=data.demo,
                     created_at=datetime.now(UTC))
        await row.save()
        async with cross_tenant("tenant lookup by host"):  # unique across tenants
            for host in data.hosts:
                if await TenantHost.exists().where(TenantHost.host == host.lower()):
                    raise TenancyError(f"Host {host!r} already belongs to another tenant")
                await TenantHost.insert(TenantHost(tenant=row.id, host=host.lower()))
        await record(row.id, "tenant.created", actor=actor, target=data.slug,
                     detail={"kind": data.kind.value, "dir3": data.dir3})
    tenant = await tenant_by_id(row.id)
    assert tenant is not None
    return tenant


async def update_profile(tenant: TenantContext, *, actor: str, community: str | None = None,
                         contact: EntityContact | None = None,
                         languages: list[str] | None = None) -> TenantContext:
    """Change an entity's comunidad autónoma, sede contact data or languages (audited)."""
    changes: dict[Any, Any] = {}
    if community is not None:
        changes[Tenant.community] = validate_community(community)
    if contact is not None:
        changes[Tenant.contact] = msgspec.to_builtins(contact)
    if languages is not None:
        if not languages or not set(languages) <= set(SUPPORTED):
            raise TenancyError(f"Languages {languages!r}: one or more of {', '.join(SUPPORTED)}")
        changes[Tenant.languages] = languages
    if changes:
        async with atomic():
            await Tenant.update(changes).where(Tenant.id == tenant.id)
            await record(tenant.id, "tenant.profile_changed", actor=actor, target=tenant.slug,
                         detail={column._meta.name: value for column, value in changes.items()})
    after = await tenant_by_id(tenant.id)
    assert after is not None
    return after


async def add_unit(tenant_id: int, dir3: str, name: str, *, is_office: bool = False) -> None:
    """Add an administrative unit or registry office (idempotent by DIR3 within the tenant)."""
    validate_dir3(dir3)
    async with atomic():
        if not await Unit.exists().where((Unit.tenant == tenant_id) & (Unit.dir3 == dir3)):
            await Unit.insert(Unit(tenant=tenant_id, dir3=dir3, name=name, is_office=is_office))


async def set_plugin(tenant: TenantContext, plugin: str, enabled: bool, *, actor: str,
                     settings: dict[str, Any] | None = None) -> TenantContext:
    """Enable (with validated settings) or disable a plugin for a tenant; its hooks run in
    that tenant's scope (also when the diputación's console asks)."""
    async with tenant_scope(tenant.id):
        return await _set_plugin(tenant, plugin, enabled, actor=actor, settings=settings)


async def _set_plugin(tenant: TenantContext, plugin: str, enabled: bool, *, actor: str,
                      settings: dict[str, Any] | None) -> TenantContext:
    kernel = _kernel.current()
    plugins = kernel.plugins
    if plugin not in plugins.manifests:
        raise TenancyError(f"Plugin {plugin!r} is not installed")
    manifest = plugins.manifest(plugin)
    stored = tenant.settings_for(plugin)
    if enabled:
        missing = missing_dependencies(tenant, manifest)
        if missing:
            raise DependencyError(f"Cannot enable {plugin!r} for {tenant.slug}: enable "
                                  f"{', '.join(missing)} first", plugin=plugin,
                                  enabling=True, others=missing)
        try:
            given = effective(manifest, stored) if settings is None else settings
            clean = to_store(manifest, given, stored)
        except InvalidInput as exc:
            raise TenancyError(f"Invalid settings for {plugin!r}: {exc}") from exc
    else:
        users = dependents(tenant, plugin)
        if users:
            raise DependencyError(f"Cannot disable {plugin!r} for {tenant.slug}: "
                                  f"{', '.join(users)} depend on it", plugin=plugin,
                                  enabling=False, others=users)
        clean = stored
    before = tenant
    async with atomic():
        existing = await TenantPlugin.objects().where(
            (TenantPlugin.tenant == tenant.id) & (TenantPlugin.plugin == plugin)).first()
        now = datetime.now(UTC)
        if existing is None:
            await TenantPlugin.insert(TenantPlugin(tenant=tenant.id, plugin=plugin,
                                                   enabled=enabled, settings=clean,
                                                   updated_at=now))
        else:
            await TenantPlugin.update({TenantPlugin.enabled: enabled,
                                       TenantPlugin.settings: clean,
                                       TenantPlugin.updated_at: now}).where(
                TenantPlugin.id == existing.id)
        action = ("plugin.disabled" if not enabled else "plugin.settings_changed"
                  if tenant.is_enabled(plugin) else "plugin.enabled")
        await record(tenant.id, action, actor=actor, target=plugin,
                     detail={"settings": for_audit(manifest, clean)})
    after = await tenant_by_id(tenant.id)
    assert after is not None
    if enabled:
        await gather_hook(plugins.hooks_for(after.enabled).on_plugin_enabled(
            plugin=plugin, tenant=after))
    else:
        await gather_hook(plugins.hooks_for(before.enabled).on_plugin_disabled(
            plugin=plugin, tenant=after))
    return after


class UnitOut(msgspec.Struct, kw_only=True):
    id: int
    dir3: str
    name: str
    is_office: bool
    parent_dir3: str


async def units_of(tenant_id: int) -> list[UnitOut]:
    """The entity's units and registry offices, by name."""
    rows = await Unit.select(Unit.id, Unit.dir3, Unit.name, Unit.is_office,
                             Unit.parent.dir3.as_alias("parent_dir3")).where(
        Unit.tenant == tenant_id).order_by(Unit.name)
    return [UnitOut(id=r["id"], dir3=r["dir3"], name=r["name"], is_office=bool(r["is_office"]),
                    parent_dir3=r["parent_dir3"] or "") for r in rows]


async def create_unit(tenant: TenantContext, *, dir3: str, name: str, is_office: bool,
                      parent_dir3: str = "", actor: str) -> dict[str, str]:
    """Add a unit or office of the entity (audited); returns what is wrong with each field
    instead (nothing saved) — a DIR3 code checked, unique in the entity, a known parent."""
    dir3, name, parent_dir3 = dir3.strip().upper(), name.strip(), parent_dir3.strip().upper()
    wrong: dict[str, str] = {}
    try:
        validate_dir3(dir3)
    except DomainError:
        wrong["dir3"] = ("«Código DIR3» debe tener nueve caracteres: una letra mayúscula y "
                         "ocho letras o cifras (p. ej. L01421736).")
    if not 2 <= len(name) <= 200:
        wrong["name"] = "«Nombre» debe tener entre 2 y 200 caracteres."
    async with atomic():
        if "dir3" not in wrong and await Unit.exists().where(
                (Unit.tenant == tenant.id) & (Unit.dir3 == dir3)):
            wrong["dir3"] = f"«Código DIR3»: la entidad ya tiene la unidad {dir3}."
        parent = None
        if parent_dir3:
            parent = await Unit.select(Unit.id).where(
                (Unit.tenant == tenant.id) & (Unit.dir3 == parent_dir3)).first()
            if parent is None:
                wrong["parent_dir3"] = "«Unidad de la que depende» no es una unidad de la entidad."
        if wrong:
            return wrong
        await Unit.insert(Unit(tenant=tenant.id, dir3=dir3, name=name, is_office=is_office,
                               parent=parent["id"] if parent else None))
        await record(tenant.id, "unit.created", actor=actor, target=dir3,
                     detail={"name": name, "is_office": is_office, "parent": parent_dir3})
    return {}
