"""The Actor behind a request or job, and the built-in roles with their permissions."""

from __future__ import annotations

from fnmatch import fnmatchcase

import msgspec

#: Built-in roles → permission patterns (``*`` matches any plugin or verb).
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "diputacion_admin": ("*",),
    "diputacion_support": ("*.view",),
    "entity_admin": ("*",),
    "secretario": ("*",),
    "registro": ("registro.*", "*.view"),
    "tramitador": ("expedientes.*", "tablon.*", "*.view"),
    "firmante": ("firma.*", "*.view"),
    "read_only": ("*.view",),
}


class Actor(msgspec.Struct, frozen=True, kw_only=True):
    """Who is acting: a staff user with roles in the current tenant, a citizen, or nobody."""

    kind: str = "anonymous"  # anonymous | staff | citizen | system
    user_id: int | None = None
    name: str = ""
    email: str = ""
    roles: frozenset[str] = frozenset()

    @property
    def is_authenticated(self) -> bool:
        return self.kind != "anonymous"

    def can(self, permission: str) -> bool:
        """Deny by default: true only when one of the actor's roles grants the permission."""
        return any(fnmatchcase(permission, pattern)
                   for role in self.roles for pattern in ROLE_PERMISSIONS.get(role, ()))


ANONYMOUS = Actor()
