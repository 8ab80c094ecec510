"""The plugin manager: manifests, built-in and installed plugins, per-tenant hook sets.

Installed is not enabled. Every installed plugin is registered at boot (routes mounted,
tables migrated, jobs declared); which of them a tenant uses is decided per tenant by
``tenant_plugin`` rows, and ``Plugins.hooks_for(enabled)`` gives a hook caller that calls
only the enabled plugins (pluggy's ``subset_hook_caller``) plus the kernel's own hooks.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

import msgspec
import pluggy

from core import hookspecs

log = logging.getLogger(__name__)

hookimpl = pluggy.HookimplMarker("concejo")

ENTRY_POINT_GROUP = "concejo.plugins"

#: The distribution whose own ``concejo.plugins`` entry points are the built-in plugins.
DISTRIBUTION = "concejo"

#: Kernel modules that implement hooks for every tenant (never disabled).
KERNEL_HOOK_MODULES: tuple[str, ...] = ("core.web.kernel_hooks", "core.documents.hooks",
                                         "core.signing.hooks", "core.calendar_app.hooks")


class PluginManifest(msgspec.Struct, frozen=True, kw_only=True):
    """What a plugin declares about itself; ``name`` is its one identifier everywhere.

    ``settings`` is the Struct of its per-tenant settings. When a setting is renamed or
    removed in a new version, ``settings_renamed`` (old name → new name) and
    ``settings_removed`` (old names) say so: what entities stored under the old names is
    read under the new one, or dropped (see ``core.tenancy.settings``).
    """

    name: str
    label: str
    version: str
    settings: type[msgspec.Struct] | None = None
    settings_renamed: dict[str, str] = {}
    settings_removed: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    #: Plugins it uses when the entity has them enabled (checking ``tenant.is_enabled``)
    #: and works without; like ``depends_on``, the only plugins whose ``public`` module it
    #: may import. Not required at boot or when enabling.
    optional_depends_on: tuple[str, ...] = ()
    description: str = ""
    #: Slugs of the demo province's entities (``concejo demo``) that use the plugin.
    demo_entities: tuple[str, ...] = ()


class PluginError(Exception):
    """A plugin cannot be loaded or registered; the message names it."""


class Plugins:
    """The boot-time set of installed plugins and the pluggy manager behind them."""

    def __init__(self, pm: pluggy.PluginManager, manifests: dict[str, PluginManifest],
                 modules: dict[str, ModuleType]) -> None:
        self.pm = pm
        self.manifests = manifests
        self.modules = modules
        self._subsets: dict[frozenset[str], _HookSubset] = {}

    @property
    def names(self) -> list[str]:
        return list(self.manifests)

    def manifest(self, name: str) -> PluginManifest:
        try:
            return self.manifests[name]
        except KeyError:
            raise PluginError(f"Plugin {name!r} is not installed") from None

    def hooks_for(self, enabled: Iterable[str]) -> _HookSubset:
        """A hook caller limited to the kernel and the given enabled plugins."""
        key = frozenset(enabled) & frozenset(self.manifests)
        subset = self._subsets.get(key)
        if subset is None:
            disabled = [self.modules[n] for n in self.manifests if n not in key]
            subset = self._subsets[key] = _HookSubset(self.pm, disabled)
        return subset

    def collect(self, hook_name: str, **kwargs: Any) -> list[tuple[str | None, Any]]:
        """Call a ``register_*`` hook on every installed plugin; returns (plugin, item) pairs."""
        collected: list[tuple[str | None, Any]] = []
        hook = getattr(self.pm.hook, hook_name)
        for impl in reversed(hook.get_hookimpls()):
            owner = self.owner_of(impl.plugin)

            def register(*items: Any, _owner: str | None = owner, **options: Any) -> None:
                for item in items:
                    collected.append((_owner, (item, options) if options else item))

            impl.function(**{arg: register if arg == "register" else kwargs[arg]
                             for arg in impl.argnames})
        return collected

    def owner_of(self, module: object) -> str | None:
        """The plugin name a hook module belongs to (None for the kernel)."""
        for name, plugin_module in self.modules.items():
            if plugin_module is module:
                return name
        return None


class _HookSubset:
    """Attribute access returns a hook caller that skips the disabled plugins."""

    def __init__(self, pm: pluggy.PluginManager, disabled: list[ModuleType]) -> None:
        self._pm = pm
        self._disabled = disabled
        self._callers: dict[str, Callable[..., Any]] = {}

    def __getattr__(self, name: str) -> Callable[..., Any]:
        caller = self._callers.get(name)
        if caller is None:
            caller = self._pm.subset_hook_caller(name, remove_plugins=self._disabled)
            self._callers[name] = caller
        return caller


def _import_plugin(path: str) -> ModuleType:
    try:
        module = importlib.import_module(path)
    except ImportError as exc:
        raise PluginError(f"Cannot import plugin module {path!r}: {exc}") from exc
    manifest = getattr(module, "MANIFEST", None)
    if not isinstance(manifest, PluginManifest):
        raise PluginError(f"Plugin module {path!r} has no PluginManifest named MANIFEST")
    return module


def _entry_point_modules(*, built_in: bool) -> list[str]:
    """Plugin modules declared as entry points: this distribution's own (the built-in
    plugins, see pyproject.toml) or those of other installed packages."""
    modules = []
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        ours = ep.dist is not None and ep.dist.name == DISTRIBUTION
        if ours == built_in and ep.value not in modules:
            modules.append(ep.value)
    return modules


def installed_plugin_modules() -> list[str]:
    """Every installed plugin module (built-in first), as ``load_plugins`` finds them."""
    return _entry_point_modules(built_in=True) + _entry_point_modules(built_in=False)


def load_plugins(
    disable: Iterable[str] = (),
    extra: Iterable[ModuleType | str] = (),
    *,
    include_defaults: bool = True,
    include_entry_points: bool = True,
) -> Plugins:
    """Build the plugin manager: kernel hooks, built-in and installed plugins, then check.

    Built-in plugins are the ``concejo.plugins`` entry points of this distribution (its
    ``pyproject.toml``); installed ones, those of other packages. ``disable`` (from
    ``CONCEJO_DISABLE_PLUGINS``) keeps plugins out entirely. ``extra``
    adds plugin modules (tests register throw-away plugins this way). A hook
    implementation with no matching spec makes boot fail naming the hook and plugin.
    """
    pm = pluggy.PluginManager("concejo")
    pm.add_hookspecs(hookspecs)
    pm.hook.addhooks.call_historic(kwargs={"pm": pm})
    for path in KERNEL_HOOK_MODULES:
        pm.register(importlib.import_module(path), name=path)

    disabled = set(disable)
    paths: list[ModuleType | str] = []
    if include_defaults:
        built_in = _entry_point_modules(built_in=True)
        if not built_in:
            raise PluginError(f"The {DISTRIBUTION!r} distribution declares no concejo.plugins "
                              "entry points: it was installed before they existed; reinstall "
                              "it (pip install -e .)")
        paths.extend(built_in)
    if include_entry_points:
        paths.extend(_entry_point_modules(built_in=False))
    paths.extend(extra)

    manifests: dict[str, PluginManifest] = {}
    modules: dict[str, ModuleType] = {}
    for item in paths:
        module = _import_plugin(item) if isinstance(item, str) else item
        manifest: PluginManifest = module.MANIFEST
        if manifest.name in disabled or manifest.name in manifests:
            continue
        pm.register(module, name=manifest.name)
        manifests[manifest.name] = manifest
        modules[manifest.name] = module

    for name, manifest in manifests.items():
        _check_settings(manifest)
        missing = [dep for dep in manifest.depends_on if dep not in manifests]
        if missing:
            raise PluginError(f"Plugin {name!r} depends on {missing} which are not installed")
        if name in manifest.depends_on + manifest.optional_depends_on:
            raise PluginError(f"Plugin {name!r} cannot depend on itself")
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"Unknown hook in plugin {exc.plugin!r}: {exc}") from exc
    return Plugins(pm, manifests, modules)


def _check_settings(manifest: PluginManifest) -> None:
    """The settings Struct forbids unknown fields; renames lead to a field, from a name
    that is no longer one, and removed names are not fields."""
    fields = set(manifest.settings.__struct_fields__) if manifest.settings else set()
    if manifest.settings and not manifest.settings.__struct_config__.forbid_unknown_fields:
        raise PluginError(f"Plugin {manifest.name!r}: its settings Struct must forbid "
                          "unknown fields")
    wrong = sorted({old for old, new in manifest.settings_renamed.items()
                    if old in fields or new not in fields}
                   | (set(manifest.settings_removed) & fields))
    if wrong:
        raise PluginError(f"Plugin {manifest.name!r}: settings {wrong} are declared renamed "
                          "or removed but the settings Struct does not agree")
