"""Per-tenant plugin settings: one read function, storage of what an entity set, evolution.

- ``settings_of(tenant, plugin, Settings)`` is how a plugin reads its settings: the values
  an entity set over the Struct's defaults. Names a new version renamed or removed
  (``PluginManifest.settings_renamed`` / ``settings_removed``) are read under the new name
  or dropped; an unknown stored name, or a stored value the Struct no longer accepts, is
  ignored with a warning, so an upgrade never stops a page, a job or the boot.
- ``to_store`` validates a change and keeps only what differs from the defaults (a later
  default reaches every entity that did not choose otherwise). A ``core.types.Secret``
  left empty keeps the stored value.
- ``fields`` describes the Struct for the console's form (title, description, input kind,
  choices, limits); ``visible`` and ``secrets_set`` are what the console and the API show.
"""

from __future__ import annotations

import logging
import typing
from typing import Any, TypeVar

import msgspec

from core import kernel as _kernel
from core.errors import InvalidInput, convert_input
from core.plugins import PluginManifest
from core.tenancy.context import TenantContext
from core.types import KIND

log = logging.getLogger(__name__)

S = TypeVar("S", bound=msgspec.Struct)
SHOWN_SECRET = "(configurado)"  # what the audit log writes instead of a secret


class SettingField(msgspec.Struct, frozen=True, kw_only=True):
    """One setting as the console's form shows it."""

    name: str
    title: str  # a Spanish msgid (the field name when the Struct gives no title)
    description: str
    kind: str  # bool | number | choice | list | text | email | url | hostname | secret
    default: Any
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = True
    annotation: Any = None  # the field's annotated type, to check one value alone


def fields(struct: type[msgspec.Struct] | None) -> list[SettingField]:
    """The fields of a settings Struct (none without one), in order, described for a form."""
    if struct is None:
        return []
    hints = typing.get_type_hints(struct, include_extras=True)
    found = []
    for info in msgspec.inspect.type_info(struct).fields:
        schema: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        base = info.type
        while isinstance(base, msgspec.inspect.Metadata):
            schema.update(base.extra_json_schema or {})
            extra.update(base.extra or {})
            base = base.type
        default = (info.default_factory() if info.default_factory is not msgspec.NODEFAULT
                   else None if info.default is msgspec.NODEFAULT else info.default)
        found.append(SettingField(
            name=info.encode_name, title=schema.get("title", info.encode_name),
            description=schema.get("description", ""), default=msgspec.to_builtins(default),
            annotation=hints[info.name], **_input(base, extra)))
    return found


def _input(base: Any, extra: dict[str, Any]) -> dict[str, Any]:
    """The input kind (and its choices or limits) for a field's type."""
    ins = msgspec.inspect
    if isinstance(base, ins.BoolType):
        return {"kind": "bool"}
    if isinstance(base, ins.IntType | ins.FloatType):
        low, high = base.ge, base.le
        return {"kind": "number", "minimum": low, "maximum": high,
                "integer": isinstance(base, ins.IntType)}
    if isinstance(base, ins.LiteralType):
        return {"kind": "choice", "choices": tuple(map(str, base.values))}
    if isinstance(base, ins.EnumType):
        return {"kind": "choice", "choices": tuple(str(m.value) for m in base.cls)}
    if isinstance(base, ins.ListType | ins.SetType | ins.VarTupleType):
        return {"kind": "list"}
    return {"kind": extra.get(KIND, "text")}


def evolve(manifest: PluginManifest, stored: dict[str, Any]) -> dict[str, Any]:
    """Stored settings under today's names: renamed ones moved, removed and unknown ones
    dropped (an unknown one with a warning)."""
    known = set(manifest.settings.__struct_fields__) if manifest.settings else set()
    current = {name: value for name, value in stored.items() if name in known}
    for name, value in stored.items():
        if name in known:
            continue
        if name in manifest.settings_renamed:  # a value set under the new name wins
            current.setdefault(manifest.settings_renamed[name], value)
        elif name not in manifest.settings_removed:
            log.warning("Plugin %s: stored setting %r is not a setting any more; ignored",
                        manifest.name, name)
    return current


def read(manifest: PluginManifest, struct: type[S], stored: dict[str, Any]) -> S:
    """The settings an entity has: what it stored (evolved) over the defaults; a stored
    value the Struct refuses now is replaced by the default, with a warning."""
    values = evolve(manifest, stored)
    try:
        return msgspec.convert(values, struct, strict=False)
    except msgspec.ValidationError:
        pass
    for field in fields(struct):
        if field.name in values and not _accepts(field, values[field.name]):
            log.warning("Plugin %s: stored setting %r = %r is no longer valid; default used",
                        manifest.name, field.name, values.pop(field.name))
    return msgspec.convert(values, struct, strict=False)


def _accepts(field: SettingField, value: Any) -> bool:
    try:
        msgspec.convert(value, field.annotation, strict=False)
    except msgspec.ValidationError:
        return False
    return True


def settings_of(tenant: TenantContext, plugin: str, struct: type[S]) -> S:
    """A plugin's settings for a tenant, with defaults (the one read function plugins use)."""
    manifest = _kernel.current().plugins.manifest(plugin)
    return read(manifest, struct, tenant.settings_for(plugin))


def to_store(manifest: PluginManifest, given: dict[str, Any] | None,
             stored: dict[str, Any]) -> dict[str, Any]:
    """Validate a change of settings (``InvalidInput`` naming the field) and return what to
    store: the values that differ from the defaults, secrets left empty kept as stored."""
    struct = manifest.settings
    if struct is None:
        if given:
            raise InvalidInput(f"Plugin {manifest.name!r} takes no settings")
        return {}
    values = dict(given or {})
    kept = evolve(manifest, stored)
    for field in fields(struct):
        if field.kind == "secret" and not values.get(field.name) and kept.get(field.name):
            values[field.name] = kept[field.name]
    try:  # every wrong field named by its title and, for the API and CLI, its name
        clean = msgspec.to_builtins(convert_input(values, struct))
    except InvalidInput as exc:
        names = ", ".join(e.field for e in exc.errors if e.field)
        raise InvalidInput(f"{exc} ({names})" if names else str(exc), exc.errors) from None
    return {f.name: clean[f.name] for f in fields(struct) if clean[f.name] != f.default}


def effective(manifest: PluginManifest, stored: dict[str, Any]) -> dict[str, Any]:
    """Every setting's value as the plugin reads it (see ``read``), as plain data."""
    if manifest.settings is None:
        return {}
    return msgspec.to_builtins(read(manifest, manifest.settings, stored))


def visible(manifest: PluginManifest, stored: dict[str, Any]) -> dict[str, Any]:
    """Every setting's value (defaults filled in) except the secrets."""
    values = effective(manifest, stored)
    return {f.name: values[f.name] for f in fields(manifest.settings) if f.kind != "secret"}


def secrets_set(manifest: PluginManifest, stored: dict[str, Any]) -> dict[str, bool]:
    """Each secret setting and whether the entity has set it."""
    if manifest.settings is None:
        return {}
    kept = evolve(manifest, stored)
    return {f.name: bool(kept.get(f.name)) for f in fields(manifest.settings)
            if f.kind == "secret"}


def for_audit(manifest: PluginManifest, stored: dict[str, Any]) -> dict[str, Any]:
    """Stored settings as the audit log may keep them: secrets hidden."""
    secret = set(secrets_set(manifest, stored))
    return {k: SHOWN_SECRET if k in secret and v else v for k, v in stored.items()}


def from_form(struct: type[msgspec.Struct] | None, form: dict[str, str]
              ) -> tuple[dict[str, Any], dict[str, str]]:
    """A posted settings form as values, and the message of every field that is wrong.

    A checkbox is true when present; a list has one item a line; an empty number or
    secret is left out (default, or the stored secret)."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in fields(struct):
        raw = form.get(field.name, "")
        if field.kind == "bool":
            value: Any = field.name in form
        elif field.kind == "list":
            value = [line.strip() for line in raw.splitlines() if line.strip()]
        elif field.kind in ("number", "secret") and not raw.strip():
            continue
        else:
            value = raw.strip()
        one = msgspec.defstruct("Setting", [(field.name, field.annotation)],
                                forbid_unknown_fields=True)
        try:
            values[field.name] = getattr(convert_input({field.name: value}, one), field.name)
        except InvalidInput as exc:
            errors[field.name] = str(exc)
    return msgspec.to_builtins(values), errors
