"""CSV verification for anyone: look a document up by its code, within one tenant only,
with a per-address rate limit against enumeration (a CSV has 120 random bits, so guessing
is hopeless anyway; the limit keeps a scanner from loading the database).

The limit is ``verify_per_minute`` look-ups per client address and web process (token
bucket: that many at once, refilled over a minute). Behind a reverse proxy the server must
pass the client's address (uvicorn ``--forwarded-allow-ips``), or everyone shares one.
"""

from __future__ import annotations

import math
import time

from core import kernel as _kernel
from core.documents.schemas import PublicDocument, PublicSignature
from core.documents.services import find_by_csv, read_content
from core.tenancy.context import TenantContext
from core.web.i18n import gettext as _
from core.web.traffic import RateLimiter

#: Buckets are dropped this often, which bounds memory under a flood of addresses (a
#: bucket refills within a minute, so at most one extra burst per period is given away).
RESET_EVERY = 600.0


class TooManyLookups(Exception):
    """The client spent its look-ups; ``retry_after`` seconds until the next one."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(_("Demasiadas consultas de CSV desde su conexión. Vuelva a intentarlo "
                           "dentro de {seconds} segundos.").format(seconds=retry_after))
        self.retry_after = retry_after


class LookupLimiter:
    """Per-address token buckets, replaced every ``RESET_EVERY`` seconds."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._since = time.monotonic()
        self._buckets = RateLimiter(per_minute / 60.0, per_minute)

    def take(self, address: str) -> None:
        if time.monotonic() - self._since > RESET_EVERY:
            self._since = time.monotonic()
            self._buckets = RateLimiter(self.per_minute / 60.0, self.per_minute)
        wait = self._buckets.wait_time(address)
        if wait:
            raise TooManyLookups(math.ceil(wait))


_limiter: LookupLimiter | None = None


def limiter() -> LookupLimiter:
    global _limiter
    per_minute = _kernel.current().settings.verify_per_minute
    if _limiter is None or _limiter.per_minute != per_minute:
        _limiter = LookupLimiter(per_minute)
    return _limiter


def _public(document) -> PublicDocument:
    return PublicDocument(
        csv=document.csv, identificador=document.identificador, title=document.title,
        organo=document.organo, fecha_captura=document.fecha_captura,
        tipo_documental=document.tipo_documental, mime=document.mime, size=document.size,
        sha256=document.sha256,
        signatures=[PublicSignature(signer_name=s.signer_name, signed_at=s.signed_at)
                    for s in document.signatures])


async def verify(tenant: TenantContext, csv: str, address: str) -> PublicDocument:
    """The tenant's document with this CSV (``TooManyLookups``, ``InvalidDocument`` for a
    mistyped code, ``DocumentNotFound``)."""
    limiter().take(address)
    return _public(await find_by_csv(tenant, csv))


async def verified_content(tenant: TenantContext, csv: str,
                           address: str) -> tuple[PublicDocument, bytes]:
    """The document with this CSV and the bytes of its current version."""
    limiter().take(address)
    document = await find_by_csv(tenant, csv)
    _, content = await read_content(tenant, document.id)
    return _public(document), content
