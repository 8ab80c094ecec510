"""Staff login with a password and a TOTP code: lockout, rate limits, audit of every try.

Every attempt (password or code) is stored in ``core_login_attempt``. An account (any
address typed, existing or not, so the answer reveals nothing) is locked after
``LOCK_AFTER`` failures within ``WINDOW`` since its last success; an address that fails
``THROTTLE_AFTER`` times within ``WINDOW`` is refused for a while. Successful and failed
logins are audited in the diputación's chain with the address they came from.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Literal

import msgspec

from core.identity import mfa, sessions
from core.identity.passwords import burn_time, verify_password
from core.identity.services import audit_identity, needs_mfa
from core.identity.tables import LoginAttempt, User

WINDOW = timedelta(minutes=15)
KEEP = timedelta(days=1)  # attempts kept (the audit log keeps them for good)
LOCK_AFTER = 5
THROTTLE_AFTER = 20

Status = Literal["ok", "bad", "locked", "throttled"]


class LoginResult(msgspec.Struct, frozen=True, kw_only=True):
    """What a login step gave: ``token`` (a fresh session id) only when ``status`` is ok;
    ``state`` is the session's: active, mfa (a code is due) or enrol (must enrol)."""

    status: Status
    token: str = ""
    state: str = ""
    user_id: int | None = None


async def _failures_since(where: object, since: datetime) -> int:
    return await LoginAttempt.count().where(
        where & (LoginAttempt.success == False) & (LoginAttempt.at > since))  # noqa: E712


async def refusal(email: str, ip: str) -> Status | None:
    """Whether this address or account may not try now ("throttled" / "locked")."""
    now = datetime.now(UTC)
    if ip and await _failures_since(LoginAttempt.ip == ip, now - WINDOW) >= THROTTLE_AFTER:
        return "throttled"
    last_ok = await LoginAttempt.select(LoginAttempt.at).where(
        (LoginAttempt.email == email) & (LoginAttempt.success == True)  # noqa: E712
    ).order_by(LoginAttempt.at, ascending=False).first()
    since = max(now - WINDOW, last_ok["at"]) if last_ok else now - WINDOW
    if await _failures_since(LoginAttempt.email == email, since) >= LOCK_AFTER:
        return "locked"
    return None


async def _attempt(email: str, ip: str, success: bool, action: str) -> None:
    """Store an attempt (forgetting those no rule looks at any more) and audit it."""
    now = datetime.now(UTC)
    await LoginAttempt.delete().where(LoginAttempt.at < now - KEEP)
    await LoginAttempt.insert(LoginAttempt(email=email, ip=ip[:45], at=now, success=success))
    await audit_identity(action, actor=email, outcome="ok" if success else "failed")


async def password_login(email: str, password: str, ip: str) -> LoginResult:
    """First step: check the password and open a session in the state it leads to."""
    email = email.strip().lower()[:254]
    refused = await refusal(email, ip)
    if refused:
        await asyncio.to_thread(burn_time, password)
        await audit_identity("login.refused", actor=email, outcome="denied",
                             detail={"reason": refused})
        return LoginResult(status=refused)
    user = await User.select(User.id, User.is_active, User.password_hash).where(
        User.email == email).first()
    if user is None:  # argon2 takes a while: in a thread, and as long for unknown accounts
        await asyncio.to_thread(burn_time, password)
    ok = bool(user and user["is_active"] and await asyncio.to_thread(
        verify_password, user["password_hash"], password))
    await _attempt(email, ip, ok, "login.password")
    if not ok:
        return LoginResult(status="bad")
    if await mfa.has_totp(user["id"]):
        state = "mfa"
    elif await needs_mfa(user["id"]):
        state = "enrol"
    else:
        state = "active"
    token = await sessions.open_session(user_id=user["id"], state=state, ip=ip)
    return LoginResult(status="ok", token=token, state=state, user_id=user["id"])


async def code_login(token: str, code: str, ip: str) -> LoginResult:
    """Second step: a valid TOTP code turns an ``mfa`` session active, with a fresh id."""
    session = await sessions.load(token)
    if session is None or session.state != "mfa" or session.user_id is None:
        return LoginResult(status="bad")
    user = await User.select(User.email).where(User.id == session.user_id).first()
    refused = await refusal(user["email"], ip)
    if refused:
        await sessions.close(token)
        return LoginResult(status=refused)
    ok = await mfa.verify_user_code(session.user_id, code)
    await _attempt(user["email"], ip, ok, "login.totp")
    if not ok:
        return LoginResult(status="bad")
    return LoginResult(status="ok", token=await sessions.renew(token, state="active"),
                       state="active")


async def enrol_login(token: str, secret: str, code: str, ip: str) -> LoginResult:
    """Enrolment during login: the first valid code enables TOTP and activates the session."""
    session = await sessions.load(token)
    if session is None or session.user_id is None or session.state not in ("enrol", "active"):
        return LoginResult(status="bad")
    user = await User.select(User.email).where(User.id == session.user_id).first()
    ok = await mfa.enrol(session.user_id, secret, code)
    await _attempt(user["email"], ip, ok, "mfa.enrolled")
    if not ok:
        return LoginResult(status="bad")
    return LoginResult(status="ok", token=await sessions.renew(token, state="active"),
                       state="active")
