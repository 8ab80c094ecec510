"""Signer credentials of a tenant: its seal and its people's certificates.

Installing a credential seals its secret with the deployment master key, bound to the
tenant, purpose and person by the authenticated context (a sealed secret copied to another
tenant's row does not open), opens it once to check it and records its certificate. The
seal is what ``issue_document`` signs with; a personal certificate is what a signer of a
flow signs with. A new credential replaces the tenant's (or person's) active one.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import msgspec
from asn1crypto import x509 as asn1_x509

from core import kernel as _kernel
from core.audit.log import record
from core.db import atomic
from core.errors import DomainError
from core.identity.tables import Membership
from core.tenancy.context import TenantContext

from .backends import SignerBackend, encrypt_secret, seal_pkcs12
from .errors import SecretError, SigningError
from .registry import SealedSecret
from .tables import SignerCredential

SEAL = "seal"
PERSONAL = "personal"


class CredentialOut(msgspec.Struct, kw_only=True):
    """A credential as shown to administrators (never its secret)."""

    id: int
    purpose: str
    user_id: int | None
    backend: str
    subject: str
    not_after: datetime
    active: bool
    created_at: datetime


class NoCredential(DomainError):
    """The tenant (or person) has no active credential for this signature."""


class InvalidCredential(DomainError):
    """A credential that cannot be installed; the message says why."""


def _context(tenant_id: int, purpose: str, user_id: int | None) -> bytes:
    return f"concejo-credential:{tenant_id}:{purpose}:{user_id or 0}".encode()


def _owner(purpose: str, user_id: int | None) -> Any:
    if purpose == SEAL:
        return SignerCredential.user.is_null()
    return SignerCredential.user == user_id


def _not_after(certificate: asn1_x509.Certificate) -> datetime:
    return certificate["tbs_certificate"]["validity"]["not_after"].native


def _out(row: dict[str, Any]) -> CredentialOut:
    return CredentialOut(id=row["id"], purpose=row["purpose"], user_id=row["user"],
                         backend=row["backend"], subject=row["subject"],
                         not_after=row["not_after"], active=bool(row["active"]),
                         created_at=row["created_at"])


async def _check_owner(tenant: TenantContext, purpose: str, user_id: int | None) -> None:
    if purpose == SEAL and user_id is not None:
        raise InvalidCredential("Un sello de entidad no pertenece a una persona")
    if purpose == PERSONAL:
        member = user_id is not None and await Membership.exists().where(
            (Membership.tenant == tenant.id) & (Membership.user == user_id))
        if not member:
            raise InvalidCredential("La persona no pertenece a esta entidad")
    elif purpose != SEAL:
        raise InvalidCredential(f"Uso de credencial desconocido: {purpose!r}")


async def install_pkcs12(tenant: TenantContext, *, pkcs12: bytes, password: bytes, actor: str,
                         purpose: str = SEAL, user_id: int | None = None) -> CredentialOut:
    """Install a PKCS#12 file (and its password) as the tenant's seal or a person's key."""
    context = _context(tenant.id, purpose, user_id)
    sealed = seal_pkcs12(_kernel.current().signing.master_key, pkcs12, password,
                         context=context)
    return await _install(tenant, "pkcs12", {}, sealed, actor=actor, purpose=purpose,
                          user_id=user_id)


async def install_credential(tenant: TenantContext, *, backend: str, config: dict[str, Any],
                             secret: bytes, actor: str, purpose: str = SEAL,
                             user_id: int | None = None) -> CredentialOut:
    """Install a credential of any registered backend (``secret``: its PIN, API key…)."""
    context = _context(tenant.id, purpose, user_id)
    sealed = encrypt_secret(_kernel.current().signing.master_key, secret, context=context)
    return await _install(tenant, backend, config, sealed, actor=actor, purpose=purpose,
                          user_id=user_id)


async def _install(tenant: TenantContext, backend: str, config: dict[str, Any], sealed: bytes,
                   *, actor: str, purpose: str, user_id: int | None) -> CredentialOut:
    await _check_owner(tenant, purpose, user_id)
    signing = _kernel.current().signing
    secret = SealedSecret(sealed, signing.master_key, _context(tenant.id, purpose, user_id))
    try:
        signer = await asyncio.to_thread(signing.open, backend, config, secret)
    except (SigningError, SecretError, ValueError) as exc:
        raise InvalidCredential(f"La credencial no se puede abrir: {exc}") from exc
    certificate = signer.certificate
    if hasattr(signer, "close"):
        signer.close()
    not_after = _not_after(certificate)
    if not_after <= datetime.now(UTC):
        raise InvalidCredential(f"El certificado caducó el {not_after:%d/%m/%Y}")
    subject = certificate.subject.human_friendly
    async with atomic():
        replaced = await SignerCredential.select(SignerCredential.id).where(
            (SignerCredential.tenant == tenant.id) & (SignerCredential.purpose == purpose)
            & _owner(purpose, user_id) & (SignerCredential.active == True))  # noqa: E712
        await SignerCredential.update({SignerCredential.active: False}).where(
            SignerCredential.id.is_in([r["id"] for r in replaced] or [0]))
        row = SignerCredential(tenant=tenant.id, purpose=purpose, user=user_id,
                               backend=backend, config=config, sealed_secret=sealed,
                               certificate=certificate.dump(), subject=subject,
                               not_after=not_after, created_by=actor,
                               created_at=datetime.now(UTC))
        await row.save()
        await record(tenant.id, "signing.credential_installed", actor=actor, target=str(row.id),
                     detail={"purpose": purpose, "user": user_id, "backend": backend,
                             "subject": subject})
    for old in replaced:
        signing.forget(old["id"])
    return _out(await SignerCredential.select().where(SignerCredential.id == row.id).first())


async def signer_for(tenant: TenantContext, purpose: str,
                     user_id: int | None = None) -> SignerBackend:
    """The opened backend of the active credential (kept open by the kernel)."""
    row = await SignerCredential.select().where(
        (SignerCredential.tenant == tenant.id) & (SignerCredential.purpose == purpose)
        & _owner(purpose, user_id) & (SignerCredential.active == True)).first()  # noqa: E712
    if row is None:
        raise NoCredential("La entidad no tiene sello electrónico instalado" if purpose == SEAL
                           else "No tiene un certificado de firma instalado en esta entidad")
    signing = _kernel.current().signing
    secret = SealedSecret(bytes(row["sealed_secret"]), signing.master_key,
                          _context(tenant.id, purpose, user_id))
    config = row["config"]
    config = json.loads(config) if isinstance(config, str) else config
    try:
        return await asyncio.to_thread(signing.opened, row["id"], row["backend"], config, secret)
    except (SigningError, SecretError) as exc:
        raise NoCredential(f"La credencial de firma no se puede abrir: {exc}") from exc


async def list_credentials(tenant: TenantContext) -> list[CredentialOut]:
    rows = await SignerCredential.select().where(SignerCredential.tenant == tenant.id).order_by(
        SignerCredential.id)
    return [_out(r) for r in rows]
