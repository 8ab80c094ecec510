"""Citizens (interesados) on the sede: sessions from external identities, representation.

A citizen's Actor has ``kind == "citizen"``, ``nif`` (the person, a NIF or NIE checked
with python-stdnum) and, while acting for someone else, ``acting_for``: the company of a
representative's certificate, or a person or company for whom the entity has registered
an apoderamiento (``core_representation``). Every login and every change of whom the
citizen acts for is audited in the entity's chain.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from stdnum.es import cif, dni, nie
from stdnum.exceptions import ValidationError

from core.audit.log import record
from core.db import atomic
from core.errors import DomainError
from core.identity import sessions
from core.identity.actor import Actor
from core.identity.providers import ExternalIdentity, IdentityRejected
from core.identity.services import audit_identity
from core.identity.sessions import LiveSession
from core.identity.tables import Representation
from core.tenancy.rls import tenant_scope


class RepresentationError(DomainError):
    """A representation that cannot be registered or assumed."""


def person_nif(value: str) -> str | None:
    """The compact DNI / NIE of a person, or None when it is not one."""
    for module in (dni, nie):
        try:
            return module.validate(value)
        except ValidationError:
            continue
    return None


def any_nif(value: str) -> str | None:
    """A person's DNI / NIE or a legal person's CIF, compact; None when invalid."""
    try:
        return person_nif(value) or cif.validate(value)
    except ValidationError:
        return None


async def open_citizen_session(identity: ExternalIdentity, ip: str,
                               tenant_id: int | None) -> str:
    """Validate a citizen identity, open the session, record login and representation."""
    nif = person_nif(identity.nif)
    if nif is None:
        raise IdentityRejected("La identidad recibida no contiene un NIF o NIE válido")
    company = ""
    if identity.company_nif:
        try:
            company = cif.validate(identity.company_nif)
        except ValidationError:
            raise IdentityRejected("El certificado de representante no trae un CIF válido"
                                   ) from None
    token = await sessions.open_session(
        kind="citizen", provider=identity.provider, ip=ip, nif=nif, name=identity.name[:200],
        company_nif=company, company_name=identity.company_name[:200], acting_for=company,
        acting_for_name=identity.company_name[:200])
    detail = {"provider": identity.provider, "company": company}
    if tenant_id is None:
        await audit_identity("login.citizen", actor=nif, detail=detail)
        return token
    async with tenant_scope(tenant_id), atomic():
        await record(tenant_id, "login.citizen", actor=nif, detail=detail)
        if company:
            await _ensure_certificate_representation(tenant_id, nif, company,
                                                     identity.company_name)
    return token


async def _ensure_certificate_representation(tenant_id: int, nif: str, company: str,
                                             name: str) -> None:
    exists = await Representation.exists().where(
        (Representation.tenant == tenant_id) & (Representation.representative_nif == nif)
        & (Representation.represented_nif == company)
        & (Representation.source == "certificado"))
    if not exists:
        await Representation.insert(Representation(
            tenant=tenant_id, representative_nif=nif, represented_nif=company,
            represented_name=name[:200], source="certificado", created_by=nif,
            created_at=datetime.now(UTC)))
        await record(tenant_id, "representation.recorded", actor=nif, target=company,
                     detail={"source": "certificado", "name": name})


async def register_apoderamiento(tenant_id: int, representative: str, represented: str,
                                 represented_name: str, valid_until: date | None, *,
                                 actor: str) -> None:
    """Register that ``representative`` may act for ``represented`` in this entity."""
    rep, who = any_nif(representative), any_nif(represented)
    if rep is None or person_nif(rep) is None:
        raise RepresentationError(f"NIF de representante no válido: {representative}")
    if who is None or who == rep:
        raise RepresentationError(f"NIF de representado no válido: {represented}")
    if valid_until is not None and valid_until < date.today():
        raise RepresentationError("La fecha de fin del apoderamiento ya ha pasado")
    async with atomic():
        await Representation.insert(Representation(
            tenant=tenant_id, representative_nif=rep, represented_nif=who,
            represented_name=represented_name[:200], source="apoderamiento",
            valid_until=valid_until, created_by=actor, created_at=datetime.now(UTC)))
        await record(tenant_id, "representation.recorded", actor=actor, target=who,
                     detail={"representative": rep, "source": "apoderamiento",
                             "until": str(valid_until or "")})


async def representations_of(tenant_id: int, nif: str) -> dict[str, str]:
    """NIF → name of everyone the citizen may act for in this entity today."""
    rows = await Representation.select(
        Representation.represented_nif, Representation.represented_name,
        Representation.valid_until).where(
        (Representation.tenant == tenant_id) & (Representation.representative_nif == nif)
        & Representation.revoked_at.is_null())
    today = date.today()
    return {r["represented_nif"]: r["represented_name"] for r in rows
            if r["valid_until"] is None or r["valid_until"] >= today}


async def choices(session: LiveSession, tenant_id: int) -> dict[str, str]:
    """NIF → name of whom a citizen session may act for here (certificate's company too)."""
    allowed = await representations_of(tenant_id, session.nif)
    if session.company_nif:
        allowed[session.company_nif] = session.company_name
    return allowed


async def act_for(token: str, session: LiveSession, tenant_id: int, represented: str) -> None:
    """Switch whom the citizen acts for ("" = for themselves); audited."""
    name = ""
    if represented:
        allowed = await choices(session, tenant_id)
        if represented not in allowed:
            raise RepresentationError("No consta su representación de ese NIF en la entidad")
        name = allowed[represented]
    await sessions.update(token, acting_for=represented, acting_for_name=name)
    await record(tenant_id, "representation.assumed" if represented else
                 "representation.dropped", actor=session.nif, target=represented)


async def citizen_actor(session: LiveSession, tenant_id: int | None) -> Actor:
    """The Actor of a citizen session; acting for someone only where it is recorded."""
    acting_for, acting_name = session.acting_for, session.acting_for_name
    if acting_for and acting_for != session.company_nif and (
            tenant_id is None
            or acting_for not in await representations_of(tenant_id, session.nif)):
        acting_for, acting_name = "", ""
    return Actor(kind="citizen", nif=session.nif, name=session.name, acting_for=acting_for,
                 acting_for_name=acting_name, provider=session.provider)
