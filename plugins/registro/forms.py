"""The counter's entry form: flat form fields ⇄ ``AsientoIn`` (one interesado with an
optional representative, the common case at the counter; more through the API)."""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar.datastructures import UploadFile

from core.errors import InvalidInput, convert_input
from plugins.registro.schemas import AnexoIn, AsientoIn, Persona

#: form field → Persona field, for the interesado (no prefix) and the representative (rep_)
PERSON_FIELDS = {"documento": "document", "nombre": "name", "apellido1": "first_surname",
                 "apellido2": "second_surname", "razon_social": "business_name",
                 "email": "email", "telefono": "phone", "direccion": "address",
                 "codigo_postal": "postal_code"}
FIELDS = ("direction", "extracto", "unidad_origen", "unidad_destino", "oficina", "expone",
          "solicita", "documentacion_fisica", "observaciones", "tipo_transporte",
          "numero_transporte", "referencia_externa", "codigo_asunto")


_FORM_FIELD = {ours: field for field, ours in PERSON_FIELDS.items()}
_PERSON_PATH = re.compile(r"interesados\[0\](\.representante)?\.(\w+)")


def form_field(path: str) -> str:
    """The form field of a path of ``AsientoIn``: interesados[0].name → nombre,
    interesados[0].representante.document → rep_documento, extracto → extracto."""
    if match := _PERSON_PATH.fullmatch(path):
        return ("rep_" if match[1] else "") + _FORM_FIELD.get(match[2], match[2])
    return path


def _persona(values: dict[str, str], prefix: str) -> dict[str, str]:
    return {ours: values.get(prefix + field, "").strip()
            for field, ours in PERSON_FIELDS.items()}


async def anexos_from(files: list[UploadFile], validez: str) -> list[AnexoIn]:
    """The uploaded (scanned) files as anexos; empty file inputs are skipped."""
    anexos = []
    for upload in files:
        if not upload.filename:
            continue
        anexos.append(AnexoIn(filename=upload.filename[-80:], content=await upload.read(),
                              mime=upload.content_type or "", validez=validez))
    return anexos


def asiento_from(values: dict[str, str], anexos: list[AnexoIn],
                 titles: dict[str, str] | None = None) -> AsientoIn:
    """Validate the flat form into an AsientoIn; raises InvalidInput naming every wrong
    field by its form field (``titles``: the page's labels, where not the schema's)."""
    interesado: dict[str, Any] = _persona(values, "")
    representante = _persona(values, "rep_")
    if any(representante.values()):
        interesado["representante"] = representante
    data: dict[str, Any] = {name: values[name].strip() for name in FIELDS if values.get(name)}
    data["interesados"] = [interesado]
    try:
        asiento = convert_input(data, AsientoIn, titles)
    except InvalidInput as exc:
        raise exc.renamed(form_field) from None
    return msgspec.structs.replace(asiento, anexos=anexos)


def values_of(persona: Persona | None, prefix: str = "") -> dict[str, str]:
    """Form values that show a known person (the interesado look-up)."""
    if persona is None:
        return {}
    return {prefix + field: getattr(persona, ours) for field, ours in PERSON_FIELDS.items()}
