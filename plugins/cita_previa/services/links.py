"""Signed management links: whoever holds one may confirm, change or cancel that booking.

The token is a JWT (HS256, the deployment's secret key) naming the tenant and the
localizador, valid until a week after the booking's last cita; it is never stored. A
genuine link of this tenant past that date answers 410 Gone with a page saying so; a
forged, altered or other tenant's link answers 404.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import jwt

from core import kernel as _kernel
from core.errors import DomainError, NotFoundError
from core.tenancy.context import TenantContext

PURPOSE = "cita_previa.reserva"
VALID_AFTER_LAST_CITA = timedelta(days=7)


class LinkExpired(DomainError):
    """A genuine management link whose time is over (HTTP 410 Gone)."""

    status_code = 410


def _key() -> bytes:
    return _kernel.current().settings.effective_secret_key()


def sign(tenant: TenantContext, localizador: str, last_end: datetime) -> str:
    claims = {"pur": PURPOSE, "tid": tenant.id, "loc": localizador,
              "exp": last_end + VALID_AFTER_LAST_CITA}
    return jwt.encode(claims, _key(), algorithm="HS256")


def localizador_of(tenant: TenantContext, token: str) -> str:
    """The booking a token names; a bad, expired or other tenant's token answers 404."""
    options = {"require": ["exp", "pur", "tid", "loc"]}
    expired = False
    try:
        claims = jwt.decode(token, _key(), algorithms=["HS256"], options=options)
    except jwt.ExpiredSignatureError:  # raised only once the signature has been checked
        claims = jwt.decode(token, _key(), algorithms=["HS256"],
                            options={**options, "verify_exp": False})
        expired = True
    except jwt.PyJWTError:
        raise NotFoundError("token") from None
    if claims["pur"] != PURPOSE or claims["tid"] != tenant.id:
        raise NotFoundError("token")
    if expired:
        raise LinkExpired("Este enlace ha caducado: los enlaces para gestionar una cita "
                          "dejan de valer una semana después de la cita. Si necesita otra, "
                          "pídala de nuevo.")
    return str(claims["loc"])


def manage_url(tenant: TenantContext, token: str) -> str:
    """The sede page of the booking, absolute (it goes into emails)."""
    base = _kernel.current().settings.effective_base_url
    return f"{base}/sede/{tenant.slug}/cita_previa/reservas/{token}"
