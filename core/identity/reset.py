"""Password reset by e-mail: a single-use token that expires, and every session ended.

Asking always gets the same answer, whether the address has an account or not. The mail
carries a link with a random token; only its SHA-256 is stored. Using it once sets the new
password, spends every pending token of the user and closes all the user's sessions.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from core import kernel as _kernel
from core import mail
from core.db import atomic
from core.errors import DomainError
from core.identity import sessions
from core.identity.passwords import weakness
from core.identity.services import audit_identity, set_password
from core.identity.sessions import digest
from core.identity.tables import PasswordReset, User

LIFETIME = timedelta(hours=1)
PER_HOUR = 3


class ResetError(DomainError):
    """A reset that cannot be done; the message is for the person."""


async def request_reset(email: str) -> None:
    """Mail a reset link to an active account (silently nothing for other addresses)."""
    email = email.strip().lower()[:254]
    user = await User.select(User.id, User.name).where(
        (User.email == email) & (User.is_active == True)).first()  # noqa: E712
    now = datetime.now(UTC)
    if user is None or await PasswordReset.count().where(
            (PasswordReset.user == user["id"])
            & (PasswordReset.created_at > now - timedelta(hours=1))) >= PER_HOUR:
        await audit_identity("password.reset_requested", actor=email, outcome="failed")
        return
    token = secrets.token_urlsafe(32)
    await PasswordReset.insert(PasswordReset(user=user["id"], token_hash=digest(token),
                                             created_at=now, expires_at=now + LIFETIME))
    link = f"{_kernel.current().settings.effective_base_url}/login/reset?token={token}"
    await mail.send(email, "Concejo: restablecer la contraseña",
                    f"Hola, {user['name']}:\n\nPara elegir una contraseña nueva abra este "
                    f"enlace en la próxima hora (sirve una sola vez):\n\n{link}\n\nSi no lo "
                    "ha pedido usted, ignore este mensaje: su contraseña no cambia.\n")
    await audit_identity("password.reset_requested", actor=email)


async def reset_password(token: str, password: str) -> None:
    """Spend a reset token on a new password; raise ``ResetError`` saying what is wrong."""
    problem = weakness(password)
    if problem:
        raise ResetError(problem)
    now = datetime.now(UTC)
    async with atomic():
        spent = await PasswordReset.update({PasswordReset.used_at: now}).where(
            (PasswordReset.token_hash == digest(token)) & PasswordReset.used_at.is_null()
            & (PasswordReset.expires_at > now)).returning(PasswordReset.user)
        if spent:
            user_id = spent[0]["user"]
            await PasswordReset.update({PasswordReset.used_at: now}).where(
                (PasswordReset.user == user_id) & PasswordReset.used_at.is_null())
            await set_password(user_id, password)
            await sessions.close_all_of(user_id)
            user = await User.select(User.email).where(User.id == user_id).first()
            await audit_identity("password.reset", actor=user["email"])
    if not spent:
        await audit_identity("password.reset", actor="?", outcome="failed")
        raise ResetError("El enlace no es válido, ya se ha usado o ha caducado")
