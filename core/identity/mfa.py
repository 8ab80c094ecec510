"""TOTP second factor (RFC 6238, pyotp): enrolment with a QR code, verification without replay.

The shared secret is sealed at rest with a key derived from the deployment secret key.
Enrolment shows the ``otpauth://`` URI as a QR code (SVG, segno) and takes effect only
when the user types a valid code. A code is accepted once: the last accepted time step is
stored and an earlier or equal step is refused.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pyotp
import segno

from core import kernel as _kernel
from core.identity.tables import User
from core.signing.backends import decrypt_secret, encrypt_secret

ISSUER = "Concejo"
_CONTEXT = b"core.identity.totp"


def _key() -> bytes:
    return hashlib.sha256(b"concejo-totp:" + _kernel.current().settings.effective_secret_key()
                          ).digest()


def new_secret() -> str:
    return pyotp.random_base32()


def seal(secret: str) -> str:
    return encrypt_secret(_key(), secret.encode(), context=_CONTEXT).hex()


def unseal(sealed: str) -> str:
    return decrypt_secret(_key(), bytes.fromhex(sealed), context=_CONTEXT).decode()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The URI as an inline SVG QR code (dark modules on white, with its quiet zone)."""
    return segno.make(uri, error="m").svg_inline(scale=5)


def matching_step(secret: str, code: str, at: datetime | None = None) -> int | None:
    """The time step a code belongs to (±1 step of clock drift), or None."""
    code = code.strip().replace(" ", "")
    if not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = (at or datetime.now(UTC)).timestamp()
    step = int(now // totp.interval)
    for candidate in (step, step - 1, step + 1):
        if pyotp.utils.strings_equal(totp.at(candidate * totp.interval), code):
            return candidate
    return None


async def has_totp(user_id: int) -> bool:
    row = await User.select(User.totp_enabled_at).where(User.id == user_id).first()
    return bool(row and row["totp_enabled_at"])


async def verify_user_code(user_id: int, code: str) -> bool:
    """Check a code against the user's enrolled secret, refusing replays."""
    row = await User.select(User.totp_secret, User.totp_last_step).where(
        User.id == user_id).first()
    if row is None or not row["totp_secret"]:
        return False
    step = matching_step(unseal(row["totp_secret"]), code)
    if step is None or step <= row["totp_last_step"]:
        return False
    updated = await User.update({User.totp_last_step: step}).where(
        (User.id == user_id) & (User.totp_last_step < step)).returning(User.id)
    return bool(updated)


async def enrol(user_id: int, secret: str, code: str) -> bool:
    """Enable TOTP with ``secret`` once ``code`` proves the user's app has it."""
    step = matching_step(secret, code)
    if step is None:
        return False
    await User.update({User.totp_secret: seal(secret), User.totp_last_step: step,
                       User.totp_enabled_at: datetime.now(UTC)}).where(User.id == user_id)
    return True
