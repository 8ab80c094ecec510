"""Segregation of duties (ENS op.acc.3), declared by plugins and enforced by the kernel.

A plugin declares rules with the ``register_duty_rules`` hook::

    DutyRule(name="firma-resolucion", permission="firma.sign",
             conflicts=("expedientes.resolution_prepared",), unless_also="firma.signed",
             message="Quien prepara la resolución no puede ser su único firmante")

and checks a permission on an object with ``require(actor, "firma.sign", tenant,
target="resolucion:42")`` (or declares ``opt={"permission": ..., "target":
"resolucion:{resolucion_id}"}`` on the route). The object's history is its audit trail:
whoever recorded one of ``conflicts`` on that target is refused the permission — unless
``unless_also`` names an action another person has already recorded on it (so the
preparer may add a signature once someone else has signed, never be the only signer).
"""

from __future__ import annotations

import msgspec

from core.audit.tables import AuditEntry
from core.identity.actor import Actor


class DutyRule(msgspec.Struct, frozen=True, kw_only=True):
    """Who did one of ``conflicts`` on an object may not exercise ``permission`` on it."""

    name: str
    permission: str
    conflicts: tuple[str, ...]
    message: str
    unless_also: str = ""


async def violated(rules: list[DutyRule], actor: Actor, permission: str, tenant_id: int,
                   target: str) -> DutyRule | None:
    """The first rule the actor would break by exercising ``permission`` on ``target``."""
    relevant = [r for r in rules if r.permission == permission]
    if not relevant:
        return None
    history = await AuditEntry.select(AuditEntry.actor, AuditEntry.action).where(
        (AuditEntry.tenant == tenant_id) & (AuditEntry.target == target)
        & (AuditEntry.outcome == "ok"))
    mine = {row["action"] for row in history if row["actor"] == actor.audit_name}
    others = {row["action"] for row in history if row["actor"] != actor.audit_name}
    for rule in relevant:
        if mine & set(rule.conflicts) and not (rule.unless_also
                                               and rule.unless_also in others):
            return rule
    return None
