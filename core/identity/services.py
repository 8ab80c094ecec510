"""Users, memberships and sessions: create, log in, resolve the Actor of a session."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from core.db import atomic
from core.identity.actor import ROLE_PERMISSIONS, Actor
from core.identity.passwords import hash_password, verify_password
from core.identity.tables import Membership, Session, User

SESSION_IDLE = timedelta(minutes=30)
SESSION_ABSOLUTE = timedelta(hours=10)


class IdentityError(ValueError):
    """A user or membership request that cannot be done."""


async def ensure_user(email: str, name: str, password: str | None = None) -> int:
    """Create the user if absent (idempotent); returns its id."""
    email = email.strip().lower()
    async with atomic():
        row = await User.select(User.id).where(User.email == email).first()
        if row:
            return row["id"]
        user = User(email=email, name=name, created_at=datetime.now(UTC),
                    password_hash=hash_password(password) if password else "")
        await user.save()
        return user.id


async def grant_role(user_id: int, tenant_id: int, role: str) -> None:
    if role not in ROLE_PERMISSIONS:
        raise IdentityError(f"Unknown role {role!r}; roles: {', '.join(ROLE_PERMISSIONS)}")
    async with atomic():
        exists = await Membership.exists().where(
            (Membership.user == user_id) & (Membership.tenant == tenant_id)
            & (Membership.role == role))
        if not exists:
            await Membership.insert(Membership(user=user_id, tenant=tenant_id, role=role))


async def login(email: str, password: str) -> str | None:
    """Check the password; returns a new session key, or None on bad credentials."""
    user = await User.select().where(User.email == email.strip().lower()).first()
    if user is None or not user["is_active"] or not verify_password(user["password_hash"],
                                                                      password):
        return None
    key = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    await Session.insert(Session(key=key, user=user["id"], created_at=now, last_seen=now))
    return key


async def logout(key: str) -> None:
    await Session.delete().where(Session.key == key)


async def actor_for_session(key: str, tenant_id: int | None) -> Actor | None:
    """The staff Actor of a live session (touching its idle clock), or None when expired."""
    session = await Session.select().where(Session.key == key).first()
    if session is None:
        return None
    now = datetime.now(UTC)
    if now - session["last_seen"] > SESSION_IDLE or now - session["created_at"] > SESSION_ABSOLUTE:
        await Session.delete().where(Session.key == key)
        return None
    await Session.update({Session.last_seen: now}).where(Session.key == key)
    user = await User.select().where(User.id == session["user"]).first()
    if user is None or not user["is_active"]:
        return None
    roles: frozenset[str] = frozenset()
    if tenant_id is not None:
        rows = await Membership.select(Membership.role).where(
            (Membership.user == user["id"]) & (Membership.tenant == tenant_id))
        roles = frozenset(r["role"] for r in rows)
    return Actor(kind="staff", user_id=user["id"], name=user["name"], email=user["email"],
                 roles=roles)


async def tenants_of(user_id: int) -> list[int]:
    rows = await Membership.select(Membership.tenant).where(Membership.user == user_id)
    return sorted({r["tenant"] for r in rows})
