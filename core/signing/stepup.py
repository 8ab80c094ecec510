"""Step-up at signing (ENS op.acc): a signature made with a server-held certificate asks
the signer for a TOTP code at that moment, not only the open session.

Each entity decides (``core_signing_policy``, default on). A wrong or missing code refuses
the signature — the step stays pending — and is audited (``firma.step_up_failed``); a
right one is audited too (``firma.step_up``). Codes are single-use (``core.identity.mfa``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from core.audit.log import record
from core.db import atomic
from core.errors import DomainError
from core.identity import mfa
from core.tenancy.context import TenantContext

from .tables import SigningPolicy


class StepUpRefused(DomainError):
    """The second factor asked for at signing is missing or wrong; the message says which."""


async def step_up_on(tenant: TenantContext) -> bool:
    """Whether this entity asks for a TOTP code at every signature (default: yes)."""
    row = await SigningPolicy.select(SigningPolicy.step_up).where(
        SigningPolicy.tenant == tenant.id).first()
    return True if row is None else bool(row["step_up"])


async def set_step_up(tenant: TenantContext, on: bool, *, actor: str) -> None:
    """Turn the step-up at signing on or off for the entity (audited)."""
    now = datetime.now(UTC)
    async with atomic():
        changed = await SigningPolicy.update({SigningPolicy.step_up: on,
                                              SigningPolicy.changed_by: actor,
                                              SigningPolicy.changed_at: now}).where(
            SigningPolicy.tenant == tenant.id).returning(SigningPolicy.id)
        if not changed:
            await SigningPolicy.insert(SigningPolicy(tenant=tenant.id, step_up=on,
                                                     changed_by=actor, changed_at=now))
        await record(tenant.id, "signing.policy_changed", actor=actor, target=tenant.slug,
                     detail={"step_up": on})


async def require_code(tenant: TenantContext, user_id: int, code: str, *, actor: str,
                       step_id: int) -> None:
    """Pass when the entity does not ask for step-up or ``code`` is the signer's current
    TOTP code; else audit the refusal and raise ``StepUpRefused``."""
    if not await step_up_on(tenant):
        return
    if not await mfa.has_totp(user_id):
        reason = "Para firmar necesita un segundo factor (TOTP): actívelo primero"
    elif not code.strip():
        reason = "Escriba el código de su aplicación de autenticación para firmar"
    elif not await mfa.verify_user_code(user_id, code):
        reason = "El código no es correcto o ya se ha usado: no se ha firmado"
    else:
        await record(tenant.id, "firma.step_up", actor=actor, target=str(step_id))
        return
    await record(tenant.id, "firma.step_up_failed", actor=actor, target=str(step_id),
                 outcome="denied", detail={"reason": reason})
    raise StepUpRefused(reason)
