"""Diputación support (SAM) inside an entity: time-boxed, with a stated reason, visible.

A user who holds ``core.support`` in the diputación opens an access to an entity with a
reason, for at most ``MAX_DURATION``. While it lasts the user acts in that entity with the
``diputacion_support`` role, and every audit entry carries a second name — the access —
besides the user's (``Actor.on_behalf_of``). The entity sees current and past accesses;
opening and closing are audited in the entity's own chain.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec

from core.audit.log import record
from core.db import atomic
from core.errors import DomainError, NotFoundError
from core.identity.tables import SupportAccess
from core.tenancy.rls import tenant_scope

MAX_DURATION = timedelta(hours=8)
ROLE = "diputacion_support"


class SupportError(DomainError):
    """A support access that cannot be opened; the message says why."""


class AccessNotFound(NotFoundError):
    """No such support access in this entity."""


class Access(msgspec.Struct, frozen=True, kw_only=True):
    """A support access as the entity sees it."""

    id: int
    user_name: str
    user_email: str
    reason: str
    started_at: datetime
    expires_at: datetime
    ended_at: datetime | None

    @property
    def label(self) -> str:
        """The second name audit entries carry while the access lasts."""
        return f"soporte SAM #{self.id}"

    def is_active(self, now: datetime) -> bool:
        return self.ended_at is None and self.expires_at > now


async def open_access(tenant_id: int, user_id: int, reason: str, duration: timedelta, *,
                      actor: str) -> Access:
    """Open a support access to an entity; the caller has checked ``core.support``."""
    reason = reason.strip()
    if len(reason) < 10:
        raise SupportError("Indique el motivo del acceso (al menos 10 caracteres)")
    if not timedelta(minutes=5) <= duration <= MAX_DURATION:
        raise SupportError("La duración debe estar entre 5 minutos y 8 horas")
    now = datetime.now(UTC)
    async with tenant_scope(tenant_id), atomic():  # from the console, into the entity
        row = SupportAccess(tenant=tenant_id, user=user_id, reason=reason[:2000],
                            started_at=now, expires_at=now + duration)
        await row.save()
        await record(tenant_id, "support.opened", actor=actor, target=f"support:{row.id}",
                     detail={"reason": reason, "until": (now + duration).isoformat()})
        return (await accesses(tenant_id, access_id=row.id))[0]


async def close_access(tenant_id: int, access_id: int, *, actor: str) -> None:
    """End an access now (its holder, or the entity)."""
    async with atomic():
        found = await accesses(tenant_id, access_id=access_id)
        if not found:
            raise AccessNotFound(access_id)
        await SupportAccess.update({SupportAccess.ended_at: datetime.now(UTC)}).where(
            (SupportAccess.tenant == tenant_id) & (SupportAccess.id == access_id)
            & SupportAccess.ended_at.is_null())
        await record(tenant_id, "support.closed", actor=actor, target=f"support:{access_id}")


async def accesses(tenant_id: int, *, user_id: int | None = None,
                   access_id: int | None = None, active_only: bool = False) -> list[Access]:
    """An entity's support accesses, newest first (of one user, only one, only live ones)."""
    where = SupportAccess.tenant == tenant_id
    if active_only:
        where &= SupportAccess.ended_at.is_null() & (SupportAccess.expires_at > datetime.now(UTC))
    if user_id is not None:
        where &= SupportAccess.user == user_id
    if access_id is not None:
        where &= SupportAccess.id == access_id
    rows = await SupportAccess.select(
        SupportAccess.all_columns(), SupportAccess.user.name.as_alias("user_name"),
        SupportAccess.user.email.as_alias("user_email"),
    ).where(where).order_by(SupportAccess.started_at, ascending=False)
    return [Access(id=r["id"], user_name=r["user_name"], user_email=r["user_email"],
                   reason=r["reason"], started_at=r["started_at"], expires_at=r["expires_at"],
                   ended_at=r["ended_at"]) for r in rows]


async def active_access(tenant_id: int, user_id: int) -> Access | None:
    found = await accesses(tenant_id, user_id=user_id, active_only=True)
    return found[0] if found else None
