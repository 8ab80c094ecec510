"""Signature flows (circuitos de firma): ordered or parallel signers over one PDF document.

Each signature is an incremental update of the document's current version (so every
earlier signature stays valid) and becomes its next version. In an ordered flow only the
first pending signer may act; in a parallel one any pending signer may, one at a time
(the document row is locked while a signature is added). A rejection, with its reason,
stops the flow. Completion and rejection are events (``SignatureFlowCompleted``,
``SignatureFlowRejected``) that plugins receive through ``on_event`` after commit.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core.audit.log import record
from core.db import atomic, engine
from core.documents.services import PDF, get_document, sign_document
from core.errors import DomainError, NotFoundError
from core.events import emit
from core.identity.tables import Membership
from core.tenancy.context import TenantContext

from .credentials import PERSONAL, signer_for
from .schemas import (
    FlowIn,
    FlowOut,
    PendingSignature,
    SignatureFlowCompleted,
    SignatureFlowRejected,
    StepOut,
)
from .tables import SignatureFlow, SignatureStep

PENDING, SIGNED, REJECTED, COMPLETED = "pending", "signed", "rejected", "completed"


class FlowNotFound(NotFoundError):
    """No such flow, or no such step waiting for this person, in this tenant."""


class InvalidFlow(DomainError):
    """A flow or a signature that breaks a rule; the message says which."""


async def start_flow(tenant: TenantContext, data: FlowIn, *, actor: str) -> FlowOut:
    """Send a PDF document of the tenant to its signers."""
    document = await get_document(tenant, data.document_id)
    if document.mime != PDF:
        raise InvalidFlow("Solo se pueden firmar documentos PDF")
    if len(set(data.signers)) != len(data.signers):
        raise InvalidFlow("Una persona aparece dos veces entre los firmantes")
    members = {r["user"] for r in await Membership.select(Membership.user).where(
        (Membership.tenant == tenant.id) & Membership.user.is_in(data.signers))}
    if strangers := [u for u in data.signers if u not in members]:
        raise InvalidFlow(f"No pertenecen a esta entidad: {', '.join(map(str, strangers))}")
    async with atomic():
        if await SignatureFlow.exists().where(
                (SignatureFlow.tenant == tenant.id) & (SignatureFlow.state == PENDING)
                & (SignatureFlow.document == document.id)):
            raise InvalidFlow("El documento ya está en un circuito de firma pendiente")
        flow = SignatureFlow(tenant=tenant.id, document=document.id, mode=data.mode,
                             subject=data.subject or document.title, kind=data.kind,
                             reference=data.reference, created_by=actor,
                             created_at=datetime.now(UTC))
        await flow.save()
        await SignatureStep.insert(*[
            SignatureStep(tenant=tenant.id, flow=flow.id, position=n, user=user)
            for n, user in enumerate(data.signers, start=1)])
        await record(tenant.id, "firma.flow_started", actor=actor, target=str(flow.id),
                     detail={"document": document.identificador, "mode": data.mode,
                             "signers": data.signers})
    return await get_flow(tenant, flow.id)


async def signers_of(tenant: TenantContext) -> list[dict[str, Any]]:
    """The people a flow of this tenant may name: its members (id, name, email)."""
    rows = await Membership.select(
        Membership.user.id.as_alias("id"), Membership.user.name.as_alias("name"),
        Membership.user.email.as_alias("email")).where(Membership.tenant == tenant.id)
    return sorted({r["id"]: r for r in rows}.values(), key=lambda r: r["name"])


async def get_flow(tenant: TenantContext, flow_id: int) -> FlowOut:
    row = await SignatureFlow.select().where(
        (SignatureFlow.tenant == tenant.id) & (SignatureFlow.id == flow_id)).first()
    if row is None:
        raise FlowNotFound(flow_id)
    steps = await SignatureStep.select(
        SignatureStep.all_columns(), SignatureStep.user.name.as_alias("user_name")
    ).where((SignatureStep.tenant == tenant.id) & (SignatureStep.flow == flow_id)).order_by(
        SignatureStep.position)
    return FlowOut(
        id=row["id"], document_id=row["document"], mode=row["mode"], state=row["state"],
        subject=row["subject"], kind=row["kind"], reference=row["reference"],
        reason=row["reason"], created_by=row["created_by"], created_at=row["created_at"],
        finished_at=row["finished_at"],
        steps=[StepOut(id=s["id"], position=s["position"], user_id=s["user"],
                       user_name=s["user_name"], state=s["state"], reason=s["reason"],
                       acted_at=s["acted_at"], version=s["version"]) for s in steps])


async def flows_of_document(tenant: TenantContext, document_id: int) -> list[FlowOut]:
    rows = await SignatureFlow.select(SignatureFlow.id).where(
        (SignatureFlow.tenant == tenant.id) & (SignatureFlow.document == document_id)
    ).order_by(SignatureFlow.id)
    return [await get_flow(tenant, r["id"]) for r in rows]


def _is_turn(step: dict[str, Any], first_pending: int) -> bool:
    return step["mode"] == "parallel" or step["position"] == first_pending


async def _first_pending(flow_id: int) -> int:
    row = await SignatureStep.select(SignatureStep.position).where(
        (SignatureStep.flow == flow_id) & (SignatureStep.state == PENDING)).order_by(
        SignatureStep.position).first()
    return row["position"] if row else 0


async def pending_for(tenant: TenantContext, user_id: int) -> list[PendingSignature]:
    """The documents waiting for ``user_id`` to sign now, oldest request first."""
    flow = SignatureStep.flow
    rows = await SignatureStep.select(
        SignatureStep.id, SignatureStep.position, flow.id.as_alias("flow_id"),
        flow.mode.as_alias("mode"), flow.subject.as_alias("subject"),
        flow.document.id.as_alias("document_id"), flow.document.title.as_alias("title"),
        flow.created_by.as_alias("requested_by"), flow.created_at.as_alias("requested_at"),
    ).where((SignatureStep.tenant == tenant.id) & (SignatureStep.user == user_id)
            & (SignatureStep.state == PENDING) & (flow.state == PENDING)).order_by(flow.id)
    pending = []
    for row in rows:
        if not _is_turn(row, await _first_pending(row["flow_id"])):
            continue
        signers = await SignatureStep.count().where(SignatureStep.flow == row["flow_id"])
        pending.append(PendingSignature(
            step_id=row["id"], flow_id=row["flow_id"], document_id=row["document_id"],
            subject=row["subject"], title=row["title"], requested_by=row["requested_by"],
            requested_at=row["requested_at"], position=row["position"], signers=signers))
    return pending


async def my_step(tenant: TenantContext, step_id: int, user_id: int) -> dict[str, Any]:
    """The step, with its flow's fields, if it is ``user_id``'s turn on it (else 404)."""
    query = SignatureStep.select(
        SignatureStep.all_columns(), SignatureStep.flow.mode.as_alias("mode"),
        SignatureStep.flow.state.as_alias("flow_state"),
        SignatureStep.flow.document.as_alias("document"),
        SignatureStep.flow.subject.as_alias("subject"),
        SignatureStep.flow.kind.as_alias("kind"),
        SignatureStep.flow.reference.as_alias("reference"),
    ).where((SignatureStep.tenant == tenant.id) & (SignatureStep.id == step_id)
            & (SignatureStep.user == user_id))
    step = await query.first()
    if step is None or step["state"] != PENDING or step["flow_state"] != PENDING:
        raise FlowNotFound(step_id)
    if not _is_turn(step, await _first_pending(step["flow"])):
        raise InvalidFlow("Aún no es su turno: faltan firmas anteriores")
    return step


async def _locked_step(tenant: TenantContext, step_id: int, user_id: int) -> dict[str, Any]:
    """``my_step`` with its flow row locked for the rest of the transaction, so two
    requests cannot act on one flow at once (PostgreSQL; SQLite writers are serial)."""
    step = await my_step(tenant, step_id, user_id)
    if engine().engine_type == "postgres":
        await SignatureFlow.select(SignatureFlow.id).where(
            (SignatureFlow.tenant == tenant.id) & (SignatureFlow.id == step["flow"])).lock_rows()
        step = await my_step(tenant, step_id, user_id)
    return step


async def _finish(tenant: TenantContext, flow_id: int, state: str, reason: str = "") -> None:
    await SignatureFlow.update({SignatureFlow.state: state, SignatureFlow.reason: reason,
                                SignatureFlow.finished_at: datetime.now(UTC)}).where(
        (SignatureFlow.tenant == tenant.id) & (SignatureFlow.id == flow_id))


async def sign_step(tenant: TenantContext, step_id: int, *, user_id: int,
                    actor: str) -> FlowOut:
    """Sign the document of a step with the person's own certificate (one confirmation)."""
    await my_step(tenant, step_id, user_id)
    signer = await signer_for(tenant, PERSONAL, user_id)
    async with atomic():
        step = await _locked_step(tenant, step_id, user_id)
        document = await sign_document(tenant, step["document"], signer, purpose=PERSONAL,
                                       user_id=user_id, actor=actor, reason=step["subject"])
        now = datetime.now(UTC)
        await SignatureStep.update({SignatureStep.state: SIGNED, SignatureStep.acted_at: now,
                                    SignatureStep.version: document.version}).where(
            SignatureStep.id == step_id)
        await record(tenant.id, "firma.signed", actor=actor, target=str(step["flow"]),
                     detail={"step": step_id, "version": document.version})
        if not await _first_pending(step["flow"]):
            await _finish(tenant, step["flow"], COMPLETED)
            await emit(tenant.id, SignatureFlowCompleted(
                flow_id=step["flow"], document_id=step["document"], kind=step["kind"],
                reference=step["reference"]))
    return await get_flow(tenant, step["flow"])


async def reject_step(tenant: TenantContext, step_id: int, *, user_id: int, reason: str,
                      actor: str) -> FlowOut:
    """Reject the document of a step, with a reason; the flow stops."""
    reason = reason.strip()
    if len(reason) < 3:
        raise InvalidFlow("Indique el motivo del rechazo")
    async with atomic():
        step = await _locked_step(tenant, step_id, user_id)
        await SignatureStep.update({SignatureStep.state: REJECTED, SignatureStep.reason: reason,
                                    SignatureStep.acted_at: datetime.now(UTC)}).where(
            SignatureStep.id == step_id)
        await _finish(tenant, step["flow"], REJECTED, reason)
        await record(tenant.id, "firma.rejected", actor=actor, target=str(step["flow"]),
                     detail={"step": step_id, "reason": reason})
        await emit(tenant.id, SignatureFlowRejected(
            flow_id=step["flow"], document_id=step["document"], kind=step["kind"],
            reference=step["reference"], reason=reason, rejected_by=user_id))
    return await get_flow(tenant, step["flow"])
