"""API tokens for integrations: owner, tenant, scopes and expiry; only a hash is stored.

A client sends ``Authorization: Bearer cjt_…``. The token acts in its own tenant only,
with the scopes it was given intersected with what its owner holds there today (a token
never outlives its owner's role). Creating one needs ``core.tokens`` and only scopes the
creator holds; the secret is shown once. Unknown, revoked, expired or other-entity tokens
are refused with a reason and audited.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import msgspec

from core.audit.log import record
from core.db import atomic
from core.errors import DomainError, NotFoundError
from core.identity.actor import Actor
from core.identity.permissions import grants_for
from core.identity.services import roles_in
from core.identity.sessions import digest
from core.identity.tables import ApiToken, User
from core.tenancy.rls import cross_tenant

PREFIX = "cjt_"
MAX_LIFETIME = timedelta(days=366)


class TokenError(DomainError):
    """A token that cannot be created as asked."""


class TokenNotFound(NotFoundError):
    """No such token in this entity."""


class TokenRejected(Exception):
    """A bearer token that does not authenticate; the message says why, for the client."""


class TokenInfo(msgspec.Struct, frozen=True, kw_only=True):
    """A token as its entity lists it (never the secret)."""

    id: int
    name: str
    prefix: str
    scopes: list[str]
    owner: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


def _scopes(value: str | list[str]) -> list[str]:
    """The scopes column (JSON text on SQLite, decoded on PostgreSQL)."""
    return list(msgspec.json.decode(value) if isinstance(value, str) else value)


async def create(tenant_id: int, creator: Actor, name: str, scopes: list[str],
                 lifetime: timedelta) -> tuple[str, TokenInfo]:
    """Create a token owned by ``creator``; returns the secret (shown once) and its record."""
    name = name.strip()
    if not name or len(name) > 100:
        raise TokenError("Dé al token un nombre de 1 a 100 caracteres")
    if not scopes:
        raise TokenError("Elija al menos un permiso para el token")
    beyond = sorted(set(scopes) - creator.permissions)
    if beyond:
        raise TokenError(f"No puede conceder permisos que no tiene: {', '.join(beyond)}")
    if not timedelta(hours=1) <= lifetime <= MAX_LIFETIME:
        raise TokenError("La validez del token debe estar entre una hora y un año")
    secret = PREFIX + secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    async with atomic():
        row = ApiToken(tenant=tenant_id, user=creator.user_id, name=name,
                       prefix=secret[:12], token_hash=digest(secret), scopes=sorted(scopes),
                       created_at=now, expires_at=now + lifetime)
        await row.save()
        await record(tenant_id, "token.created", actor=creator.audit_name,
                     target=f"token:{row.id}", detail={"name": name, "scopes": sorted(scopes),
                                                       "expires": row.expires_at.isoformat()})
    return secret, (await listed(tenant_id, token_id=row.id))[0]


async def revoke(tenant_id: int, token_id: int, *, actor: str) -> None:
    async with atomic():
        if not await listed(tenant_id, token_id=token_id):
            raise TokenNotFound(token_id)
        await ApiToken.update({ApiToken.revoked_at: datetime.now(UTC)}).where(
            (ApiToken.tenant == tenant_id) & (ApiToken.id == token_id)
            & ApiToken.revoked_at.is_null())
        await record(tenant_id, "token.revoked", actor=actor, target=f"token:{token_id}")


async def listed(tenant_id: int, *, token_id: int | None = None) -> list[TokenInfo]:
    """The entity's tokens, newest first (or just one)."""
    where = ApiToken.tenant == tenant_id
    if token_id is not None:
        where &= ApiToken.id == token_id
    rows = await ApiToken.select(ApiToken.all_columns(),
                                 ApiToken.user.email.as_alias("owner")).where(where).order_by(
        ApiToken.created_at, ascending=False)
    return [TokenInfo(id=r["id"], name=r["name"], prefix=r["prefix"],
                      scopes=_scopes(r["scopes"]),
                      owner=r["owner"], created_at=r["created_at"], expires_at=r["expires_at"],
                      revoked_at=r["revoked_at"], last_used_at=r["last_used_at"])
            for r in rows]


async def actor_for(secret: str, tenant_id: int) -> Actor:
    """The integration Actor of a bearer token in this tenant; raise ``TokenRejected``."""
    async with cross_tenant("authentication"):  # to tell "another entity's" from unknown
        row = await ApiToken.select().where(ApiToken.token_hash == digest(secret)).first()
    now = datetime.now(UTC)
    reason = None
    if row is None:
        reason = "El token de API no existe"
    elif row["tenant"] != tenant_id:
        reason = "El token de API no es de esta entidad"
    elif row["revoked_at"] is not None:
        reason = "El token de API está revocado"
    elif row["expires_at"] <= now:
        reason = "El token de API ha caducado"
    owner = None if reason else await User.select(User.email, User.is_active).where(
        User.id == row["user"]).first()
    if reason is None and not (owner and owner["is_active"]):
        reason = "La persona titular del token ya no está activa"
    if reason:  # in the chain of the entity asked: no token material, nothing of another's
        unknown = row is None or row["tenant"] != tenant_id
        await record(tenant_id, "token.rejected", actor="api-token", outcome="denied",
                     detail={"reason": "El token de API no existe" if unknown else reason})
        raise TokenRejected(reason)
    roles = await roles_in(row["user"], tenant_id)
    permissions = await grants_for(tenant_id, roles) & frozenset(_scopes(row["scopes"]))
    if row["last_used_at"] is None or now - row["last_used_at"] > timedelta(minutes=1):
        await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == row["id"])
    return Actor(kind="integration", user_id=row["user"], name=row["name"],
                 email=owner["email"], roles=roles, permissions=permissions,
                 provider="token", token_id=row["id"])
