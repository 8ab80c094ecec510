"""Permissions: the kernel's own, how roles expand, and each entity's adjustments of roles.

A role grants the registered permissions its patterns match (``core.identity.actor``).
An entity admin may adjust a role for the entity — grant one more permission or withdraw
one — through ``core_role_permission`` rows; an adjustment always wins over the pattern.
The diputación-only permissions cannot be adjusted, and the entity admin keeps the
permission to adjust roles (no entity can lock itself out).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from fnmatch import fnmatchcase

from core import kernel as _kernel
from core.audit.log import record
from core.db import atomic
from core.errors import DomainError
from core.identity.actor import ROLE_PERMISSIONS
from core.identity.tables import RolePermission
from core.kernel import Permission

VIEW = Permission("core.view", "Acceder al escritorio de la entidad")
CONSOLE = Permission("core.console", "Usar la consola de la diputación")
AUDIT = Permission("core.audit", "Consultar el registro de auditoría")
ROLES = Permission("core.roles", "Ajustar los permisos de los roles")
TOKENS = Permission("core.tokens", "Gestionar los tokens de API de la entidad")
SUPPORT = Permission("core.support", "Abrir sesiones de soporte en las entidades")
REPRESENTATIONS = Permission("core.representations", "Registrar apoderamientos")

CORE_PERMISSIONS = (VIEW, CONSOLE, AUDIT, ROLES, TOKENS, SUPPORT, REPRESENTATIONS)

#: Granted only by the diputación's own roles; no entity may adjust them.
FIXED: frozenset[str] = frozenset({CONSOLE.name, SUPPORT.name})


class RoleError(DomainError):
    """An adjustment of a role that is not allowed; the message says why."""


def expand(patterns: Iterable[str], names: Iterable[str]) -> set[str]:
    """The permission names a role's patterns grant (``-pattern`` withdraws, in order)."""
    names = list(names)
    granted: set[str] = set()
    for pattern in patterns:
        if pattern.startswith("-"):
            granted -= {n for n in granted if fnmatchcase(n, pattern[1:])}
        else:
            granted |= {n for n in names if fnmatchcase(n, pattern)}
    return granted


def role_patterns(role: str) -> tuple[str, ...]:
    """A built-in role's patterns, the kernel's and the installed plugins' grants."""
    return _kernel.current().role_patterns[role]


def registered() -> list[str]:
    """Every permission name declared by the kernel and the installed plugins."""
    return list(_kernel.current().permissions)


async def _overrides(tenant_id: int, roles: Iterable[str]) -> list[dict]:
    roles = list(roles)
    if not roles:
        return []
    return await RolePermission.select(
        RolePermission.role, RolePermission.permission, RolePermission.granted
    ).where((RolePermission.tenant == tenant_id) & RolePermission.role.is_in(roles))


async def grants_for(tenant_id: int, roles: Iterable[str]) -> frozenset[str]:
    """The permissions the given roles hold in a tenant, adjustments applied."""
    roles = [r for r in roles if r in ROLE_PERMISSIONS]
    names = registered()
    per_role = {role: expand(role_patterns(role), names) for role in roles}
    for row in await _overrides(tenant_id, roles):
        if row["permission"] in FIXED or row["permission"] not in names:
            continue
        if row["granted"]:
            per_role[row["role"]].add(row["permission"])
        else:
            per_role[row["role"]].discard(row["permission"])
    return frozenset().union(*per_role.values())


async def role_matrix(tenant_id: int) -> dict[str, dict[str, bool]]:
    """For each built-in role, every adjustable permission and whether it is granted."""
    names = [n for n in registered() if n not in FIXED]
    matrix = {}
    for role in ROLE_PERMISSIONS:
        granted = await grants_for(tenant_id, [role])
        matrix[role] = {name: name in granted for name in sorted(names)}
    return matrix


async def adjust_role(tenant_id: int, role: str, permission: str, granted: bool | None, *,
                      actor: str) -> None:
    """Grant (True) or withdraw (False) a permission of a role in a tenant; None restores
    the built-in default. Audited; refuses unknown roles and permissions, the diputación's
    own permissions, and taking ``core.roles`` away from the entity admin."""
    if role not in ROLE_PERMISSIONS:
        raise RoleError(f"Rol desconocido: {role}")
    if permission not in registered():
        raise RoleError(f"Permiso desconocido: {permission}")
    if permission in FIXED:
        raise RoleError(f"El permiso {permission} solo lo concede la diputación")
    if role == "entity_admin" and permission == ROLES.name and granted is False:
        raise RoleError("La administración de la entidad no puede perder el ajuste de roles")
    where = ((RolePermission.tenant == tenant_id) & (RolePermission.role == role)
             & (RolePermission.permission == permission))
    async with atomic():
        await RolePermission.delete().where(where)
        if granted is not None:
            await RolePermission.insert(RolePermission(
                tenant=tenant_id, role=role, permission=permission, granted=granted,
                changed_by=actor, changed_at=datetime.now(UTC)))
        action = {True: "role.granted", False: "role.withdrawn", None: "role.reset"}[granted]
        await record(tenant_id, action, actor=actor, target=f"{role}:{permission}")
