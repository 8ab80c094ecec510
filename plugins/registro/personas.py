"""Interesados and representatives: identity checks (NIF, NIE, CIF) and look-up by NIF."""

from __future__ import annotations

from typing import Any

import msgspec
from stdnum.es import cif, dni, nie
from stdnum.exceptions import ValidationError as StdnumError

from core.errors import DomainError
from core.tenancy.context import TenantContext
from plugins.registro.schemas import InteresadoIn, Persona
from plugins.registro.tables import Interesado

_CHECKERS = {"N": dni, "E": nie, "C": cif}
_PERSON_FIELDS = tuple(f.name for f in msgspec.structs.fields(Persona))


class InvalidPersona(DomainError):
    """An interesado or representative whose identification is wrong or incomplete."""


def detect_type(document: str) -> str:
    """SICRES type of a Spanish identifier: N (DNI/NIF), E (NIE) or C (CIF); "" if none."""
    for code, module in _CHECKERS.items():
        if module.is_valid(document):
            return code
    return ""


def checked(persona: Persona, what: str) -> Persona:
    """The persona with its document compacted and typed; raises InvalidPersona."""
    document = persona.document.strip().upper().replace("-", "").replace(" ", "")
    kind = persona.document_type
    if document and not kind:
        kind = detect_type(document)
        if not kind:
            raise InvalidPersona(f"{what}: {persona.document!r} no es un NIF, NIE ni CIF "
                                 "válido (indique el tipo si es un pasaporte u otro)")
    if kind and not document:
        raise InvalidPersona(f"{what}: falta el número de documento")
    checker = _CHECKERS.get(kind)
    if checker is not None:
        try:
            document = checker.validate(document)
        except StdnumError:
            raise InvalidPersona(f"{what}: {persona.document!r} no es un "
                                 f"{ {'N': 'NIF', 'E': 'NIE', 'C': 'CIF'}[kind]} válido") from None
    if not (persona.business_name.strip() or kind == "O"  # an administration by its DIR3
            or (persona.name.strip() and persona.first_surname.strip())):
        raise InvalidPersona(f"{what}: indique la razón social o el nombre y el primer "
                             "apellido")
    return msgspec.structs.replace(persona, document=document, document_type=kind)


def checked_interesados(interesados: list[InteresadoIn]) -> list[InteresadoIn]:
    """Every interesado and representative checked; the message names which one failed."""
    result = []
    for index, interesado in enumerate(interesados, start=1):
        clean = checked(interesado, f"Interesado {index}")
        if interesado.representante is not None:
            clean = msgspec.structs.replace(clean, representante=checked(
                interesado.representante, f"Representante del interesado {index}"))
        result.append(clean)
    return result


def to_rows(tenant_id: int, asiento_id: int,
            interesados: list[InteresadoIn]) -> list[Interesado]:
    rows = []
    for position, interesado in enumerate(interesados):
        rows.append(Interesado(tenant=tenant_id, asiento=asiento_id, position=position,
                               role="interesado", notes=interesado.notes,
                               **_person_values(interesado)))
        if interesado.representante is not None:
            rows.append(Interesado(tenant=tenant_id, asiento=asiento_id, position=position,
                                   role="representante",
                                   **_person_values(interesado.representante)))
    return rows


def _person_values(persona: Persona) -> dict[str, Any]:
    return {name: getattr(persona, name) for name in _PERSON_FIELDS}


def from_rows(rows: list[dict[str, Any]]) -> list[InteresadoIn]:
    """Interesados (with representatives) from their rows, in position order."""
    representatives = {r["position"]: r for r in rows if r["role"] == "representante"}
    result = []
    for row in sorted((r for r in rows if r["role"] == "interesado"),
                      key=lambda r: r["position"]):
        represented = representatives.get(row["position"])
        result.append(InteresadoIn(
            **{name: row[name] for name in _PERSON_FIELDS}, notes=row["notes"],
            representante=Persona(**{n: represented[n] for n in _PERSON_FIELDS})
            if represented else None))
    return result


async def lookup(tenant: TenantContext, document: str) -> Persona | None:
    """The latest recorded details of the person with this NIF in this tenant's registro."""
    document = document.strip().upper().replace("-", "").replace(" ", "")
    if not document:
        return None
    row = await Interesado.select().where(
        (Interesado.tenant == tenant.id) & (Interesado.document == document)
    ).order_by(Interesado.id, ascending=False).first()
    return Persona(**{n: row[n] for n in _PERSON_FIELDS}) if row else None
