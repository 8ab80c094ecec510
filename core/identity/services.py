"""Users and memberships: create users, grant roles, list a user's entities and roles."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from core.audit.log import record
from core.db import atomic
from core.errors import DomainError
from core.identity.actor import ADMIN_ROLES, ROLE_PERMISSIONS
from core.identity.passwords import hash_password
from core.identity.tables import Membership, User
from core.tenancy.context import operator_tenant
from core.tenancy.rls import cross_tenant


class IdentityError(DomainError):
    """A user or membership request that cannot be done."""


async def ensure_user(email: str, name: str, password: str | None = None) -> int:
    """Create the user if absent (idempotent); returns its id."""
    email = email.strip().lower()
    existing = await User.select(User.id).where(User.email == email).first()
    if existing:
        return existing["id"]
    now = datetime.now(UTC)
    user = User(email=email, name=name, created_at=now,
                password_hash=await asyncio.to_thread(hash_password, password) if password
                else "", password_changed_at=now if password else None)
    await user.save()
    return user.id


async def grant_role(user_id: int, tenant_id: int, role: str, *, actor: str = "sistema") -> None:
    """Give a user a built-in role in a tenant (idempotent, audited in that tenant)."""
    if role not in ROLE_PERMISSIONS:
        raise IdentityError(f"Unknown role {role!r}; roles: {', '.join(ROLE_PERMISSIONS)}")
    async with atomic():
        exists = await Membership.exists().where(
            (Membership.user == user_id) & (Membership.tenant == tenant_id)
            & (Membership.role == role))
        if not exists:
            await Membership.insert(Membership(user=user_id, tenant=tenant_id, role=role))
            await record(tenant_id, "membership.granted", actor=actor,
                         target=f"user:{user_id}", detail={"role": role})


async def roles_in(user_id: int, tenant_id: int) -> frozenset[str]:
    rows = await Membership.select(Membership.role).where(
        (Membership.user == user_id) & (Membership.tenant == tenant_id))
    return frozenset(r["role"] for r in rows)


#: Roles whose holders only sign: they start on their portafirmas.
SIGNING_ONLY: frozenset[str] = frozenset({"firmante"})


async def landing(user_id: int) -> str:
    """Where a staff member goes after login when no page was asked for: the desk of the
    one entity they work in (a signer's portafirmas), or the list of entities."""
    async with cross_tenant("authentication"):
        rows = await Membership.select(Membership.role, Membership.tenant.slug.as_alias(
            "slug")).where(Membership.user == user_id)
    slugs = {r["slug"] for r in rows}
    if len(slugs) != 1:
        return "/"
    slug = slugs.pop()
    return f"/{slug}/firma/" if {r["role"] for r in rows} <= SIGNING_ONLY else f"/{slug}/"


async def needs_mfa(user_id: int) -> bool:
    """True when the user holds an administrative role anywhere (ENS op.acc.6)."""
    async with cross_tenant("authentication"):
        return await Membership.exists().where(
            (Membership.user == user_id) & Membership.role.is_in(list(ADMIN_ROLES)))


async def set_password(user_id: int, password: str) -> None:
    password_hash = await asyncio.to_thread(hash_password, password)
    await User.update({User.password_hash: password_hash,
                       User.password_changed_at: datetime.now(UTC)}).where(User.id == user_id)


async def audit_identity(action: str, *, actor: str, outcome: str = "ok", target: str = "",
                         detail: dict | None = None) -> None:
    """Record a login-level event (global, not of one entity) in the diputación's chain."""
    operator = await operator_tenant()
    if operator is not None:
        await record(operator.id, action, actor=actor, outcome=outcome, target=target,
                     detail=detail)
