"""Resoluciones and decretos: draft, signature flow, libro de resoluciones.

A resolución is drafted inside an open expediente (from a template of its procedure or
written), then issued as a PDF document of the expediente and sent to a circuito de firma:
the alcalde signs, then the secretario, whose signature is the toma de razón. When the
flow completes (``SignatureFlowCompleted``, after commit), the resolución gets the next
number of the tenant's libro de resoluciones for that year: numbers are taken inside the
transaction that marks it signed, so the libro has no gaps and no repeats. A rejection
records the reason; a new draft can follow.

Segregation of duties (ENS op.acc.3, ``DUTY_RULE``): whoever prepares a resolución is
never its only signer. "Enviar a firma" refuses a circuito without another signer ahead of
the preparer, and the preparer, recorded as such on the flow, may sign only after someone
else has (the portafirmas checks ``firma.sign`` on the flow).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from core.audit.log import record
from core.calendar import MADRID
from core.db import atomic
from core.documents import services as documents
from core.documents.eni import TipoDocumental
from core.errors import DomainError
from core.events import emit
from core.identity.duties import DutyRule
from core.identity.tables import Membership
from core.numbering import next_number
from core.signing.flows import start_flow
from core.signing.schemas import FlowIn, SignatureFlowCompleted, SignatureFlowRejected
from core.tenancy.context import TenantContext
from core.tenancy.scoped import get_or_404, scoped
from plugins.expedientes import catalogo, documentos, history, pdfs, services
from plugins.expedientes.schemas import (
    AsientoLibro,
    EnvioFirma,
    ResolucionFirmada,
    ResolucionIn,
    ResolucionOut,
)
from plugins.expedientes.settings import settings_of
from plugins.expedientes.tables import Resolucion

FLOW_KIND = "expedientes.resolucion"
RESOLUCION = "expedientes.resolucion"  # the libro's numbering series (core.numbering)
DRAFT, SIGNING, SIGNED, REJECTED = "borrador", "en_firma", "firmada", "rechazada"
PREPARED = "expedientes.resolution_prepared"
SOLE_SIGNER = "Quien prepara la resolución no puede ser su único firmante"
DUTY_RULE = DutyRule(name="expedientes-firma-resolucion", permission="firma.sign",
                     conflicts=(PREPARED,), unless_also="firma.signed", message=SOLE_SIGNER)



class InvalidResolucion(DomainError):
    """A resolución that breaks a rule; the message says which."""


def numero(year: int | None, number: int | None) -> str:
    """How the libro names a resolución: ``2026/0012`` (empty until signed)."""
    return f"{year}/{number:04d}" if year and number else ""


def _out(row: dict[str, Any]) -> ResolucionOut:
    return ResolucionOut(
        id=row["id"], expediente_id=row["expediente"], title=row["title"], body=row["body"],
        state=row["state"], document_id=row["document"], flow_id=row["flow"],
        numero=numero(row["year"], row["number"]), signed_at=row["signed_at"],
        reason=row["reason"], created_by=row["created_by"], created_at=row["created_at"])



async def get(tenant: TenantContext, resolucion_id: int) -> ResolucionOut:
    row = await get_or_404(Resolucion, resolucion_id, tenant)
    return _out(row)


async def of_expediente(tenant: TenantContext, expediente_id: int) -> list[ResolucionOut]:
    rows = await Resolucion.select().where(
        scoped(Resolucion, tenant) & (Resolucion.expediente == expediente_id)
    ).order_by(Resolucion.id)
    return [_out(r) for r in rows]


async def _text(tenant: TenantContext, expediente_id: int, data: ResolucionIn
                ) -> tuple[str, str]:
    """Title and body of a draft: written, or rendered from a template of the procedure."""
    if data.plantilla_id is None:
        if not data.title or not data.body:
            raise InvalidResolucion("Indique el título y el texto, o una plantilla")
        return data.title, data.body
    plantilla = await catalogo.plantilla(tenant, data.plantilla_id)
    expediente = await services.get(tenant, expediente_id)
    body = pdfs.render_body(plantilla.body, pdfs.template_context(tenant, expediente))
    return data.title or plantilla.title, data.body or body


async def draft(tenant: TenantContext, expediente_id: int, data: ResolucionIn, *,
                actor: str) -> ResolucionOut:
    """Draft a resolución in an open expediente."""
    title, body = await _text(tenant, expediente_id, data)
    async with atomic():
        await services.require_open(tenant, expediente_id)
        row = Resolucion(tenant=tenant.id, expediente=expediente_id, title=title, body=body,
                         created_by=actor, created_at=datetime.now(UTC))
        await row.save()
        await history.log(tenant, expediente_id, "resolution_drafted",
                          f"Borrador de resolución: {title}", actor=actor)
    return await get(tenant, row.id)


async def _default_signers(tenant: TenantContext) -> list[int]:
    settings = settings_of(tenant)
    emails = [e for e in (settings.alcalde, settings.secretario) if e]
    if len(emails) < 2:
        raise InvalidResolucion("Configure la alcaldía y la secretaría que firman las "
                                "resoluciones, o indique los firmantes")
    rows = await Membership.select(Membership.user.id.as_alias("id"),
                                   Membership.user.email.as_alias("email")).where(
        (Membership.tenant == tenant.id) & Membership.user.email.is_in(emails))
    by_email = {r["email"]: r["id"] for r in rows}
    if missing := [e for e in emails if e not in by_email]:
        raise InvalidResolucion(f"Sin cargo en la entidad: {', '.join(missing)}")
    return [by_email[e] for e in emails]


async def _check_segregation(tenant: TenantContext, preparer: str, signers: list[int]
                             ) -> None:
    """The circuito needs a signer other than the preparer, and that one signs first (the
    preparer may only add her signature to someone else's)."""
    row = await Membership.select(Membership.user.id.as_alias("id")).where(
        (Membership.tenant == tenant.id) & (Membership.user.email == preparer)).first()
    if row is not None and (not signers or signers[0] == row["id"]):
        raise InvalidResolucion(f"{SOLE_SIGNER}: el circuito de firma debe empezar por otro "
                                "firmante")


async def send_to_sign(tenant: TenantContext, resolucion_id: int, data: EnvioFirma, *,
                       actor: str) -> ResolucionOut:
    """Issue the draft as a PDF document of the expediente and start its signature flow;
    all or nothing."""
    resolucion = await get(tenant, resolucion_id)
    if resolucion.state != DRAFT:
        raise InvalidResolucion("Solo se envía a firma un borrador")
    signers = data.signers or await _default_signers(tenant)
    await _check_segregation(tenant, resolucion.created_by, signers)
    expediente = await services.get(tenant, resolucion.expediente_id)
    pdf, csv = await pdfs.render(tenant, "resolucion", resolucion.title, expediente=expediente,
                                 paragraphs=pdfs.paragraphs(resolucion.body))
    async with atomic():
        await services.require_open(tenant, expediente.id)
        if (await get(tenant, resolucion_id)).state != DRAFT:  # sent meanwhile
            raise InvalidResolucion("La resolución ya se ha enviado a firma")
        document = await documents.issue_document(
            tenant, pdf=pdf, title=resolucion.title, tipo_documental=TipoDocumental.RESOLUCION,
            actor=actor, csv=csv, sign_with_seal=False, organo=expediente.unit_dir3)
        await documentos.link(tenant, expediente.id, document, "resolucion", actor=actor)
        flow = await start_flow(tenant, FlowIn(
            document_id=document.id, signers=signers, mode="ordered",
            subject=f"Resolución: {resolucion.title}"[:300], kind=FLOW_KIND,
            reference=str(resolucion_id)), actor=actor)
        await record(tenant.id, PREPARED, actor=resolucion.created_by, target=str(flow.id),
                     detail={"resolucion": resolucion_id})
        await Resolucion.update({Resolucion.state: SIGNING, Resolucion.document: document.id,
                                 Resolucion.flow: flow.id}).where(
            scoped(Resolucion, tenant) & (Resolucion.id == resolucion_id))
        await history.log(tenant, expediente.id, "resolution_sent",
                          f"Resolución enviada a firma: {resolucion.title}", actor=actor,
                          detail={"flow": flow.id, "signers": signers})
    return await get(tenant, resolucion_id)


async def _flow_resolucion(tenant: TenantContext, event: Any) -> dict[str, Any] | None:
    """The resolución a flow event is about, when it is one of ours still being signed,
    with its expediente locked (call inside the transaction that changes it). Events are
    delivered at least once, maybe twice at the same time: the state is read again once
    the lock is held, so a second delivery finds the resolución already done."""
    if event.kind != FLOW_KIND or not event.reference.isdigit():
        return None
    query = Resolucion.select().where(
        scoped(Resolucion, tenant) & (Resolucion.id == int(event.reference))
        & (Resolucion.flow == event.flow_id) & (Resolucion.state == SIGNING))
    row = await query.first()
    if row is None:
        return None
    await services.lock(tenant, row["expediente"])
    return await query.first()


async def on_flow_completed(tenant: TenantContext, event: SignatureFlowCompleted) -> None:
    """Number a resolución whose signers all signed (runs once per flow; idempotent)."""
    async with atomic():
        row = await _flow_resolucion(tenant, event)
        if row is None:
            return
        now = datetime.now(UTC)
        year = now.astimezone(MADRID).year
        number = await next_number(tenant.id, RESOLUCION, year)
        await Resolucion.update({Resolucion.state: SIGNED, Resolucion.year: year,
                                 Resolucion.number: number, Resolucion.signed_at: now}).where(
            scoped(Resolucion, tenant) & (Resolucion.id == row["id"]))
        label = numero(year, number)
        await history.log(tenant, row["expediente"], "resolution_signed",
                          f"Resolución {label} firmada e inscrita en el libro: {row['title']}",
                          actor="sistema", detail={"numero": label, "flow": event.flow_id})
        await emit(tenant.id, ResolucionFirmada(resolucion_id=row["id"],
                                                expediente_id=row["expediente"], numero=label))


async def on_flow_rejected(tenant: TenantContext, event: SignatureFlowRejected) -> None:
    """Record a signer's rejection; the resolución can be drafted again."""
    async with atomic():
        row = await _flow_resolucion(tenant, event)
        if row is None:
            return
        await Resolucion.update({Resolucion.state: REJECTED, Resolucion.reason: event.reason}
                                ).where(scoped(Resolucion, tenant) & (Resolucion.id == row["id"]))
        await history.log(tenant, row["expediente"], "resolution_rejected",
                          f"Resolución rechazada en la firma: {event.reason}", actor="sistema",
                          detail={"flow": event.flow_id})


_LIBRO = """
SELECT r.year, r.number, r.signed_at, r.title, r.document AS document_id,
       e.id AS expediente_id, e.year AS exp_year, e.number AS exp_number, d.csv, v.sha256
FROM expedientes_resolucion r
JOIN expedientes_expediente e ON e.id = r.expediente AND e.tenant = r.tenant
JOIN core_document d ON d.id = r.document AND d.tenant = r.tenant
JOIN core_document_version v
  ON v.document = d.id AND v.number = d.current_version AND v.tenant = r.tenant
WHERE r.tenant = {} AND r.year = {} AND r.state = 'firmada'
ORDER BY r.number
"""


async def libro(tenant: TenantContext, year: int) -> list[AsientoLibro]:
    """The libro de resoluciones of a year, in number order (one query)."""
    rows = await Resolucion.raw(_LIBRO, tenant.id, year)
    return [AsientoLibro(
        numero=numero(r["year"], r["number"]), signed_at=r["signed_at"],
        title=r["title"], expediente_id=r["expediente_id"],
        expediente_code=services.code_of(r["exp_year"], r["exp_number"]),
        document_id=r["document_id"], csv=r["csv"], sha256=r["sha256"]) for r in rows]


async def export_libro(tenant: TenantContext, year: int, *, actor: str) -> bytes:
    """The libro de resoluciones of a year as a PDF issued and sealed by the entity."""
    entries = await libro(tenant, year)
    title = f"Libro de resoluciones {year}"
    pdf, csv = await pdfs.render(
        tenant, "libro", title, entries=[{**msgspec.to_builtins(e),
                                          "signed_at": e.signed_at.astimezone(MADRID)}
                                         for e in entries],
        generated=pdfs.fecha_larga(datetime.now(MADRID).date()))
    document = await documents.issue_document(
        tenant, pdf=pdf, title=title, tipo_documental=TipoDocumental.OTROS, actor=actor,
        csv=csv, filename=f"libro-resoluciones-{year}.pdf")
    _, content = await documents.read_content(tenant, document.id)
    return content
