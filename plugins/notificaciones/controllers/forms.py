"""Staff forms of notificaciones as flat fields, and the people lists they carry: one
person per line ``NIF; nombre; correo; teléfono; domicilio; NIF del representante`` in
the form, or the same columns in a CSV file (``;`` or ``,``) for a remesa."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

import msgspec

from core.errors import InvalidInput
from plugins.expedientes.public import ExpedienteOut

FIELDS = ("nif", "name", "email", "phone", "address", "representante_nif")
HEADER_WORDS = {"nif", "dni", "documento"}


class ContenidoForm(msgspec.Struct, kw_only=True):
    subject: Annotated[str, msgspec.Meta(title="Asunto")]
    body: Annotated[str, msgspec.Meta(title="Texto íntegro del acto")] = ""
    fin_via: Annotated[str, msgspec.Meta(title="Pone fin a la vía administrativa")] = ""
    recursos: Annotated[str, msgspec.Meta(title="Recursos que proceden")] = ""
    organo_recurso: Annotated[str, msgspec.Meta(title="Órgano ante el que se interponen")] = ""
    plazo_recurso: Annotated[str, msgspec.Meta(title="Plazo para interponerlos")] = ""
    act_date: Annotated[str, msgspec.Meta(title="Fecha del acto")] = ""
    channel: Annotated[str, msgspec.Meta(title="Canal")] = "electronica"
    expediente_id: Annotated[str, msgspec.Meta(title="Expediente")] = ""
    document_id: Annotated[str, msgspec.Meta(title="Documento")] = ""

    def content(self) -> dict[str, Any]:
        return {"subject": self.subject.strip(), "body": self.body.strip(),
                "fin_via": self.fin_via in ("1", "on", "si", "true"),
                "recursos": self.recursos.strip(),
                "organo_recurso": self.organo_recurso.strip(),
                "plazo_recurso": self.plazo_recurso.strip(),
                "act_date": self.act_date or None, "channel": self.channel,
                "expediente_id": int(self.expediente_id) if self.expediente_id else None,
                "document_id": int(self.document_id) if self.document_id else None}


class NotificarForm(ContenidoForm, kw_only=True):
    kind: str = "notificacion"
    resolucion_id: str = ""
    destinatarios: str = ""

    def notificacion(self) -> dict[str, Any]:
        return {**self.content(), "kind": self.kind,
                "resolucion_id": int(self.resolucion_id) if self.resolucion_id else None,
                "destinatarios": parse_lines(self.destinatarios.splitlines())}


class IntentoForm(msgspec.Struct, kw_only=True):
    """Date and time at the seat (``2026-03-02T10:15``), as a datetime-local input gives."""

    at: str
    result: str
    receptor_nif: str = ""
    receptor_name: str = ""
    note: str = ""


def _person(cells: list[str]) -> dict[str, str]:
    cells = [c.strip() for c in cells] + [""] * len(FIELDS)
    return dict(zip(FIELDS, cells[:len(FIELDS)], strict=True))


def parse_lines(lines: list[str]) -> list[dict[str, str]]:
    """People from ``;``-separated lines (blank lines skipped)."""
    return [_person(line.split(";")) for line in lines if line.strip()]


def parse_csv(data: bytes) -> list[dict[str, str]]:
    """People from a CSV file (UTF-8, with or without a header row)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("El fichero debe estar en UTF-8") from None
    dialect = ";" if text.count(";") >= text.count(",") else ","
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=dialect) if any(r)]
    if rows and rows[0][0].strip().lower() in HEADER_WORDS:
        rows = rows[1:]
    if not rows:
        raise InvalidInput("El fichero no tiene destinatarios")
    return [_person(r) for r in rows]


def interesados_lines(expediente: ExpedienteOut) -> str:
    """The expediente's interesados (with their representative's NIF) as form lines."""
    reps = {i.represents: i.nif for i in expediente.interesados
            if i.role == "representante" and i.represents is not None}
    return "\n".join("; ".join((i.nif, i.name, i.email, "", i.address,
                                reps.get(i.position, "")))
                     for i in expediente.interesados if i.role == "interesado")
