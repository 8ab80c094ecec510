"""The Actor of a request: session cookie (staff or citizen) or bearer token, per tenant.

A staff actor's permissions are those of its roles in the tenant, with the entity's
adjustments; a diputación support access adds the support role there and a second name
for the audit. A session counts only once it is ``active`` (its second factor done).
Within requests a resolved staff actor is cached per process (``core.cache``: until a
user, membership, support access or role adjustment changes, or the support access it
includes expires); the session itself is read on every request.
"""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from core.cache import cached, forget
from core.identity import sessions, support
from core.identity.actor import Actor
from core.identity.citizens import citizen_actor
from core.identity.permissions import grants_for
from core.identity.services import roles_in
from core.identity.tables import User


class _Resolved(msgspec.Struct, frozen=True):
    actor: Actor
    until: datetime | None  # when the support access it includes expires


async def staff_actor(user_id: int, tenant_id: int | None, provider: str = "local"
                      ) -> Actor | None:
    """The staff Actor of a user in a tenant (None for an unknown or disabled user)."""
    key = (user_id, tenant_id, provider)
    resolved = await cached("staff_actor", key, lambda: _resolve(user_id, tenant_id, provider))
    if resolved is not None and resolved.until is not None \
            and resolved.until <= datetime.now(UTC):
        forget("staff_actor", key)
        resolved = await _resolve(user_id, tenant_id, provider)
    return resolved.actor if resolved else None


async def _resolve(user_id: int, tenant_id: int | None, provider: str) -> _Resolved | None:
    user = await User.select(User.name, User.email, User.is_active).where(
        User.id == user_id).first()
    if user is None or not user["is_active"]:
        return None
    roles: frozenset[str] = frozenset()
    on_behalf_of = ""
    permissions: frozenset[str] = frozenset()
    until = None
    if tenant_id is not None:
        roles = await roles_in(user_id, tenant_id)
        access = await support.active_access(tenant_id, user_id)
        if access is not None:
            roles |= {support.ROLE}
            on_behalf_of = access.label
            until = access.expires_at
        permissions = await grants_for(tenant_id, roles)
    return _Resolved(Actor(kind="staff", user_id=user_id, name=user["name"],
                           email=user["email"], roles=roles, permissions=permissions,
                           on_behalf_of=on_behalf_of, provider=provider), until)


async def actor_for_session(token: str, tenant_id: int | None) -> Actor | None:
    """The Actor of a live, active session (touching its idle clock), or None."""
    session = await sessions.load(token)
    if session is None or session.state != "active":
        return None
    if session.kind == "citizen":
        return await citizen_actor(session, tenant_id)
    if session.user_id is None:
        return None
    return await staff_actor(session.user_id, tenant_id, session.provider)
