"""Password hashing with argon2id, and what a new password must be."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


MIN_LENGTH = 12
_DUMMY_HASH = _hasher.hash("concejo: no such user")


def burn_time(password: str) -> None:
    """Spend the time of one verification, so an unknown account answers as slowly."""
    verify_password(_DUMMY_HASH, password)


def weakness(password: str) -> str | None:
    """Why a new password is not acceptable, or None (length is what matters most)."""
    if len(password) < MIN_LENGTH:
        return f"La contraseña debe tener al menos {MIN_LENGTH} caracteres"
    if len(set(password)) < 5:
        return "La contraseña repite demasiado los mismos caracteres"
    return None
