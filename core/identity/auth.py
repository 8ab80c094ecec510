"""The Actor of a request: session cookie (staff or citizen) or bearer token, per tenant.

A staff actor's permissions are those of its roles in the tenant, with the entity's
adjustments; a diputación support access adds the support role there and a second name
for the audit. A session counts only once it is ``active`` (its second factor done).
"""

from __future__ import annotations

from core.identity import sessions, support
from core.identity.actor import Actor
from core.identity.citizens import citizen_actor
from core.identity.permissions import grants_for
from core.identity.services import roles_in
from core.identity.tables import User


async def staff_actor(user_id: int, tenant_id: int | None, provider: str = "local"
                      ) -> Actor | None:
    user = await User.select(User.name, User.email, User.is_active).where(
        User.id == user_id).first()
    if user is None or not user["is_active"]:
        return None
    roles: frozenset[str] = frozenset()
    on_behalf_of = ""
    permissions: frozenset[str] = frozenset()
    if tenant_id is not None:
        roles = await roles_in(user_id, tenant_id)
        access = await support.active_access(tenant_id, user_id)
        if access is not None:
            roles |= {support.ROLE}
            on_behalf_of = access.label
        permissions = await grants_for(tenant_id, roles)
    return Actor(kind="staff", user_id=user_id, name=user["name"], email=user["email"],
                 roles=roles, permissions=permissions, on_behalf_of=on_behalf_of,
                 provider=provider)


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
