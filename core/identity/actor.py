"""The Actor behind a request or job, and the built-in roles with their permission patterns.

Roles grant permissions by pattern (``*`` matches any plugin or verb, a leading ``-``
withdraws); the kernel expands them against the registered permissions when it resolves
the actor of a request, applying the entity's own adjustments (``core_role_permission``).
``Actor.can`` then only looks the name up: anything not granted is denied.
"""

from __future__ import annotations

import msgspec

#: Built-in roles → the kernel's permission patterns, in order; ``-pattern`` withdraws what
#: matched. Plugins add the patterns of their own permissions through the
#: ``register_role_grants`` hook (``Kernel.role_patterns`` holds the result).
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "diputacion_admin": ("*",),
    "diputacion_support": ("*.view", "core.support", "core.audit"),
    "entity_admin": ("*", "-core.console", "-core.support"),
    "secretario": ("*", "-core.console", "-core.support", "-core.roles", "-core.tokens"),
    "registro": ("documents.upload", "*.view"),
    "tramitador": ("documents.upload", "firma.request", "*.view"),
    "firmante": ("firma.*", "*.view"),
    "read_only": ("*.view",),
}

#: Spanish labels of the built-in roles (msgids for ``_()``).
ROLE_LABELS: dict[str, str] = {
    "diputacion_admin": "Administración de la diputación",
    "diputacion_support": "Soporte de la diputación (SAM)",
    "entity_admin": "Administración de la entidad",
    "secretario": "Secretaría-intervención",
    "registro": "Personal de registro",
    "tramitador": "Tramitación",
    "firmante": "Firmante (alcaldía, concejalía)",
    "read_only": "Solo consulta",
}

#: Roles whose holders must log in with a second factor (ENS op.acc.6).
ADMIN_ROLES: frozenset[str] = frozenset({"diputacion_admin", "diputacion_support",
                                         "entity_admin"})


class Actor(msgspec.Struct, frozen=True, kw_only=True):
    """Who is acting: staff, a citizen, an integration (API token), the system, or nobody.

    ``permissions`` holds the concrete permission names granted in the current tenant.
    A citizen has ``nif`` (the person who logged in) and, while representing someone,
    ``acting_for`` (that person's or company's NIF). ``on_behalf_of`` is the second name
    every audit entry carries, e.g. the diputación support session an action belongs to.
    """

    kind: str = "anonymous"  # anonymous | staff | citizen | integration | system
    user_id: int | None = None
    name: str = ""
    email: str = ""
    nif: str = ""
    acting_for: str = ""
    acting_for_name: str = ""
    roles: frozenset[str] = frozenset()
    permissions: frozenset[str] = frozenset()
    on_behalf_of: str = ""
    provider: str = ""
    token_id: int | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.kind != "anonymous"

    @property
    def subject_nif(self) -> str:
        """The NIF whose affairs a citizen handles now: the represented one, or their own."""
        return self.acting_for or self.nif

    @property
    def audit_name(self) -> str:
        """How the audit log names this actor."""
        if self.kind == "citizen":
            return f"{self.nif} ({self.name})" if self.name else self.nif
        if self.kind == "integration":
            return f"token:{self.token_id} «{self.name}» ({self.email})"
        return self.email or self.name or self.kind

    def can(self, permission: str) -> bool:
        """Deny by default: true only when the permission was granted in this tenant."""
        return permission in self.permissions


ANONYMOUS = Actor()
