"""The diputación's console: the province's entities, each entity's modules and settings.

Pages (``/diputacion/…``, permission ``core.console``): the list of entities with a form
that enables or disables one module for many entities at once; an entity's page (kind,
codes, co-official names, languages, each module's state, links to its support access
and audit); a module's settings form generated from its settings Struct. The API
(``/api/v1/diputacion/tenants/<slug>/plugins``) lists and changes the same. Secrets are
never shown: only whether they are set.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect, Template

from core import kernel as _kernel
from core.plugins import PluginManifest
from core.tenancy import settings as tenant_settings
from core.tenancy.context import TenantContext, tenant_by_slug
from core.tenancy.services import DependencyError, TenancyError, set_plugin
from core.tenancy.tables import Tenant, TenantKind
from core.web.i18n import N_
from core.web.i18n import gettext as _
from core.web.pages import actor_of, form_values, page

PERMISSION = "core.console"
CONSOLE = "/diputacion"
_OPT = {"face": "console", "permission": PERMISSION}

#: Spanish names of the kinds of entity (msgids).
KIND_LABELS = {TenantKind.diputacion: N_("Diputación"),
               TenantKind.ayuntamiento: N_("Ayuntamiento"),
               TenantKind.mancomunidad: N_("Mancomunidad"),
               TenantKind.emd: N_("Entidad local menor"),
               TenantKind.consorcio: N_("Consorcio")}
#: The plural, for "all the … " in the bulk form (msgids).
KIND_PLURALS = {TenantKind.diputacion: N_("Todas las diputaciones"),
                TenantKind.ayuntamiento: N_("Todos los ayuntamientos"),
                TenantKind.mancomunidad: N_("Todas las mancomunidades"),
                TenantKind.emd: N_("Todas las entidades locales menores"),
                TenantKind.consorcio: N_("Todos los consorcios")}


class PluginState(msgspec.Struct, kw_only=True):
    """A plugin's state for one tenant, as the console shows and changes it: its settings
    with defaults, without the secrets (``secrets`` says which of them are set)."""

    plugin: str
    enabled: bool
    settings: dict[str, Any] = {}
    secrets: dict[str, bool] = {}


class PluginChange(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Enable or disable; ``settings`` replaces what the entity set (a secret left out or
    empty keeps its value)."""

    enabled: bool
    settings: dict[str, Any] | None = None


def _manifests() -> dict[str, PluginManifest]:
    return _kernel.current().plugins.manifests


def _state(tenant: TenantContext, manifest: PluginManifest) -> PluginState:
    stored = tenant.settings_for(manifest.name)
    return PluginState(plugin=manifest.name, enabled=tenant.is_enabled(manifest.name),
                       settings=tenant_settings.visible(manifest, stored),
                       secrets=tenant_settings.secrets_set(manifest, stored))


async def _entity(slug: str) -> TenantContext:
    tenant = await tenant_by_slug(slug)
    if tenant is None:
        raise NotFoundException(f"No entity {slug!r}")
    return tenant


def _manifest(plugin: str) -> PluginManifest:
    manifest = _manifests().get(plugin)
    if manifest is None:
        raise NotFoundException(f"No plugin {plugin!r}")
    return manifest


def refusal(exc: TenancyError) -> str:
    """Why a module could not be enabled or disabled, for the person at the console."""
    manifests = _manifests()

    def label(name: str) -> str:
        return f"«{_(manifests[name].label)}»"

    if isinstance(exc, DependencyError):
        others = ", ".join(map(label, exc.others))
        message = (_("Para activar %(module)s active antes: %(others)s.") if exc.enabling
                   else _("No se puede desactivar %(module)s: lo usan %(others)s. "
                          "Desactívelos antes."))
        return message % {"module": label(exc.plugin), "others": others}
    return str(exc.__cause__ or exc)


# -- API ---------------------------------------------------------------------------------

@get("/api/v1/diputacion/tenants/{slug:str}/plugins", tags=["console"],
     opt={**_OPT, "face": "api"})
async def list_tenant_plugins(slug: FromPath[str]) -> list[PluginState]:
    """Installed plugins and whether each is enabled for the entity (secrets: set or not)."""
    tenant = await _entity(slug)
    return [_state(tenant, manifest) for manifest in _manifests().values()]


@post("/api/v1/diputacion/tenants/{slug:str}/plugins/{plugin:str}", tags=["console"],
      status_code=200, opt={**_OPT, "face": "api"})
async def change_tenant_plugin(request: Request, slug: FromPath[str], plugin: FromPath[str],
                               data: JSONBody[PluginChange]) -> PluginState:
    """Enable or disable a plugin for an entity, with its settings (validated)."""
    tenant = await _entity(slug)
    manifest = _manifest(plugin)
    after = await set_plugin(tenant, plugin, data.enabled, actor=actor_of(request).audit_name,
                             settings=data.settings)
    return _state(after, manifest)


# -- pages -------------------------------------------------------------------------------

async def _entities() -> list[TenantContext]:
    rows = await Tenant.select(Tenant.slug).order_by(Tenant.name)
    return [t for t in [await tenant_by_slug(r["slug"]) for r in rows] if t]


async def _console_page(request: Request, status_code: int = 200, **context: Any
                        ) -> Template:
    context.setdefault("chosen", {"entity": [], "kind": [], "plugin": ""})
    return await page(request, "core:console.html", status_code=status_code,
                      tenants=await _entities(), manifests=_manifests(),
                      kind_labels=KIND_LABELS, kind_plurals=KIND_PLURALS, **context)


@get(f"{CONSOLE}/", include_in_schema=False, opt=_OPT)
async def console(request: Request) -> Template:
    """The province's entities, their modules, and the form to change many at once."""
    return await _console_page(request)


class BulkResult(msgspec.Struct, frozen=True):
    tenant: TenantContext
    done: bool
    message: str


@post(f"{CONSOLE}/modulos", include_in_schema=False, opt=_OPT)
async def bulk_change(request: Request) -> Template:
    """Enable or disable one module for the chosen entities (and every entity of the
    chosen kinds); each entity is changed on its own, and the page says how it went."""
    form = await request.form()
    chosen = {"entity": form.getall("entity", []), "kind": form.getall("kind", []),
              "plugin": form.get("plugin", "")}
    targets = [t for t in await _entities()
               if t.slug in chosen["entity"] or t.kind in chosen["kind"]]
    errors = []
    if chosen["plugin"] not in _manifests():
        errors.append(_("Elija el módulo."))
    if not targets:
        errors.append(_("Elija al menos una entidad."))
    if errors:
        return await _console_page(request, status_code=422, errors=errors, chosen=chosen)
    enable = form.get("action") != "desactivar"
    actor = actor_of(request).audit_name
    results = []
    for tenant in targets:
        if tenant.is_enabled(chosen["plugin"]) == enable:
            results.append(BulkResult(tenant, True, _("Ya estaba así.")))
            continue
        try:
            await set_plugin(tenant, chosen["plugin"], enable, actor=actor)
        except TenancyError as exc:
            results.append(BulkResult(tenant, False, refusal(exc)))
        else:
            results.append(BulkResult(tenant, True, _("Activado.") if enable
                                      else _("Desactivado.")))
    return await page(request, "core:console_bulk.html", results=results, enable=enable,
                      manifest=_manifests()[chosen["plugin"]])


async def _entity_page(request: Request, tenant: TenantContext, status_code: int = 200,
                       error: str = "") -> Template:
    manifests = _manifests()
    parent = await Tenant.select(Tenant.parent.name.as_alias("parent")).where(
        Tenant.id == tenant.id).first()
    return await page(request, "core:console_entity.html", status_code=status_code,
                      entity=tenant, parent=parent["parent"] if parent else None,
                      manifests=manifests, kind_labels=KIND_LABELS, error=error,
                      states={name: _state(tenant, m) for name, m in manifests.items()},
                      changed=request.query_params.get("cambio", ""))


@get(f"{CONSOLE}/entidades/{{slug:str}}/", include_in_schema=False, opt=_OPT)
async def entity_page(request: Request, slug: FromPath[str]) -> Template:
    """One entity: kind, codes, names, languages; its modules and their state."""
    return await _entity_page(request, await _entity(slug))


@post(f"{CONSOLE}/entidades/{{slug:str}}/modulos/{{plugin:str}}/estado",
      include_in_schema=False, opt=_OPT)
async def entity_module_state(request: Request, slug: FromPath[str], plugin: FromPath[str]
                              ) -> Template | Redirect:
    """Enable (with the settings it has) or disable one module of one entity."""
    tenant = await _entity(slug)
    _manifest(plugin)
    enable = (await request.form()).get("enabled") == "1"
    try:
        await set_plugin(tenant, plugin, enable, actor=actor_of(request).audit_name)
    except TenancyError as exc:
        return await _entity_page(request, tenant, status_code=422, error=refusal(exc))
    return Redirect(f"{CONSOLE}/entidades/{slug}/?cambio={plugin}", status_code=303)


async def _settings_page(request: Request, tenant: TenantContext, manifest: PluginManifest,
                         values: dict[str, Any], status_code: int = 200,
                         errors: dict[str, str] | None = None, error: str = "") -> Template:
    return await page(request, "core:console_settings.html", status_code=status_code,
                      entity=tenant, manifest=manifest,
                      fields=tenant_settings.fields(manifest.settings), values=values,
                      errors={f"setting-{name}": message
                              for name, message in (errors or {}).items()}, error=error,
                      enabled=tenant.is_enabled(manifest.name),
                      secrets=tenant_settings.secrets_set(
                          manifest, tenant.settings_for(manifest.name)))


def _shown(field: tenant_settings.SettingField, value: Any) -> Any:
    """A setting's value as its input shows it (a list one item a line)."""
    if field.kind == "list":
        return "\n".join(map(str, value or []))
    return "" if field.kind == "secret" else value


@get(f"{CONSOLE}/entidades/{{slug:str}}/modulos/{{plugin:str}}", include_in_schema=False,
     opt=_OPT)
async def settings_form(request: Request, slug: FromPath[str], plugin: FromPath[str]
                        ) -> Template:
    """The module's settings for the entity, as a form made from its settings Struct."""
    tenant = await _entity(slug)
    manifest = _manifest(plugin)
    current = tenant_settings.visible(manifest, tenant.settings_for(plugin))
    values = {f.name: _shown(f, current.get(f.name))
              for f in tenant_settings.fields(manifest.settings)}
    return await _settings_page(request, tenant, manifest, values)


@post(f"{CONSOLE}/entidades/{{slug:str}}/modulos/{{plugin:str}}", include_in_schema=False,
      opt=_OPT)
async def settings_save(request: Request, slug: FromPath[str], plugin: FromPath[str]
                        ) -> Template | Redirect:
    """Check every field, save and enable; refused, the form again with every wrong field
    named and what was typed kept (secrets are never sent back)."""
    tenant = await _entity(slug)
    manifest = _manifest(plugin)
    typed = await form_values(request)
    values, errors = tenant_settings.from_form(manifest.settings, typed)
    shown = {**typed, **{f.name: (f.name in typed) if f.kind == "bool" else ""
                         for f in tenant_settings.fields(manifest.settings)
                         if f.kind in ("bool", "secret")}}
    if errors:
        return await _settings_page(request, tenant, manifest, shown, status_code=422,
                                    errors=errors)
    try:
        await set_plugin(tenant, plugin, True, actor=actor_of(request).audit_name,
                         settings=values)
    except TenancyError as exc:
        return await _settings_page(request, tenant, manifest, shown, status_code=422,
                                    error=refusal(exc))
    return Redirect(f"{CONSOLE}/entidades/{slug}/?cambio={plugin}", status_code=303)


CONSOLE_ROUTES = [list_tenant_plugins, change_tenant_plugin, console, bulk_change,
                  entity_page, entity_module_state, settings_form, settings_save]
