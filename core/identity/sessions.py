"""Server-side sessions: the cookie carries a random id, the table only its SHA-256.

A session is opened at each login with a fresh id (never reusing the one the browser
brought), is renewed with another fresh id when it gains a factor, dies after
``IDLE`` without use or ``ABSOLUTE`` after login, and is deleted at logout. A staff
session starts in state ``mfa`` (a code is due) or ``enrol`` (the user must enrol a
second factor first) and counts as a login only once ``active``.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from core.identity.tables import Session

SESSION_COOKIE = "concejo_session"
IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=10)


class LiveSession(msgspec.Struct, frozen=True, kw_only=True):
    """A session that is alive right now."""

    id: int
    user_id: int | None
    kind: str
    state: str
    provider: str
    nif: str
    name: str
    company_nif: str
    company_name: str
    acting_for: str
    acting_for_name: str
    created_at: datetime


def digest(token: str) -> str:
    """The stored form of a secret token (session ids, reset and API tokens)."""
    return hashlib.sha256(token.encode()).hexdigest()


async def open_session(*, user_id: int | None = None, kind: str = "staff",
                       state: str = "active", provider: str = "local", ip: str = "",
                       **identity: str) -> str:
    """Open a session and return the token for the cookie (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    await Session.delete().where(  # sessions dead of old age are swept at each login
        (Session.last_seen < now - IDLE) | (Session.created_at < now - ABSOLUTE))
    await Session.insert(Session(key=digest(token), user=user_id, kind=kind, state=state,
                                 provider=provider, ip=ip[:45], created_at=now, last_seen=now,
                                 **identity))
    return token


async def renew(token: str, **changes: Any) -> str:
    """Give a session a fresh id (and apply ``changes``); the old id stops working."""
    fresh = secrets.token_urlsafe(32)
    values = {getattr(Session, k): v for k, v in changes.items()}
    await Session.update({Session.key: digest(fresh), Session.last_seen: datetime.now(UTC),
                          **values}).where(Session.key == digest(token))
    return fresh


async def update(token: str, **changes: Any) -> None:
    """Change fields of a live session without renewing its id."""
    await Session.update({getattr(Session, k): v for k, v in changes.items()}).where(
        Session.key == digest(token))


async def close(token: str) -> None:
    await Session.delete().where(Session.key == digest(token))


async def close_all_of(user_id: int) -> None:
    """End every session of a user (after a password change, or when disabled)."""
    await Session.delete().where(Session.user == user_id)


async def load(token: str, *, touch: bool = True) -> LiveSession | None:
    """The live session behind a token, or None; an expired one is deleted. Touching a
    live session (its idle clock) and reading it are one statement."""
    if not token:
        return None
    now = datetime.now(UTC)
    if touch:
        rows = await Session.update({Session.last_seen: now}).where(
            (Session.key == digest(token)) & (Session.last_seen >= now - IDLE)
            & (Session.created_at >= now - ABSOLUTE)).returning(*Session.all_columns())
        if rows:
            return _live(rows[0])
    row = await Session.select().where(Session.key == digest(token)).first()
    if row is None:
        return None
    if now - row["last_seen"] > IDLE or now - row["created_at"] > ABSOLUTE:
        await Session.delete().where(Session.id == row["id"])
        return None
    return _live(row)


def _live(row: dict[str, Any]) -> LiveSession:
    return LiveSession(id=row["id"], user_id=row["user"], kind=row["kind"], state=row["state"],
                       provider=row["provider"], nif=row["nif"], name=row["name"],
                       company_nif=row["company_nif"], company_name=row["company_name"],
                       acting_for=row["acting_for"], acting_for_name=row["acting_for_name"],
                       created_at=row["created_at"])
