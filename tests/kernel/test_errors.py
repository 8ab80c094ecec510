"""convert_input tells a person, in Spanish, which field is wrong and why."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import msgspec
import pytest

from core.errors import InvalidInput, convert_input


class Persona(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=2, title="Nombre")]
    surname: str = ""


class Solicitud(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=3, max_length=10, title="Motivo")]
    plazas: Annotated[int, msgspec.Meta(ge=1, le=50, title="Plazas")] = 1
    day: date | None = None
    channel: Literal["presencial", "telefono"] = "presencial"
    code: Annotated[str, msgspec.Meta(pattern="^[a-z]+$")] = "a"
    personas: Annotated[list[Persona], msgspec.Meta(min_length=1, title="Personas")] | None = None

    def __post_init__(self) -> None:
        if self.reason == "prohibido":
            raise ValueError("Ese motivo no se admite")


@pytest.mark.parametrize(("value", "message"), [
    ({"reason": "ab"}, "«Motivo» debe tener al menos 3 caracteres."),
    ({"reason": "demasiado largo"}, "«Motivo» admite como máximo 10 caracteres."),
    ({}, "«Motivo» es obligatorio."),
    ({"reason": "vado", "color": "rojo"}, "«color» no se admite aquí."),
    ({"reason": "vado", "plazas": "dos"}, "«Plazas» debe ser un número entero."),
    ({"reason": "vado", "plazas": "0"}, "«Plazas» debe ser 1 o más."),
    ({"reason": "vado", "plazas": "51"}, "«Plazas» debe ser 50 o menos."),
    ({"reason": "vado", "day": "2026-02-30"}, "«day» debe ser una fecha (AAAA-MM-DD)."),
    ({"reason": "vado", "channel": "fax"}, "«channel» no es uno de los valores admitidos."),
    ({"reason": "vado", "code": "ABC"}, "«code» no tiene el formato pedido."),
    ({"reason": "vado", "personas": []}, "«Personas» debe tener al menos 1 elemento."),
    ({"reason": "vado", "personas": [{"name": "A"}]},
     "«Nombre» debe tener al menos 2 caracteres."),
    ({"reason": "vado", "personas": [{"surname": "Pérez"}]}, "«Nombre» es obligatorio."),
    ({"reason": "prohibido"}, "Ese motivo no se admite"),
])
def test_the_message_names_the_field_and_the_rule(value: dict, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        convert_input(value, Solicitud)
    assert str(refused.value) == f"Datos no válidos: {message}"


def test_form_strings_are_converted() -> None:
    converted = convert_input({"reason": "vado", "plazas": "3", "day": "2026-12-07"}, Solicitud)
    assert (converted.plazas, converted.day) == (3, date(2026, 12, 7))


def test_every_wrong_field_is_reported_not_only_the_first() -> None:
    with pytest.raises(InvalidInput) as refused:
        convert_input({"plazas": "0", "day": "ayer", "color": "rojo",
                       "personas": [{"name": "A"}, {"surname": "B"}]}, Solicitud)
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("reason", "«Motivo» es obligatorio."),
        ("plazas", "«Plazas» debe ser 1 o más."),
        ("day", "«day» debe ser una fecha (AAAA-MM-DD)."),
        ("personas[0].name", "«Nombre» debe tener al menos 2 caracteres."),
        ("personas[1].name", "«Nombre» es obligatorio."),
        ("color", "«color» no se admite aquí.")]
    assert str(refused.value).startswith("Datos no válidos: «Motivo» es obligatorio. «Plazas»")


def test_a_refusal_renamed_to_the_form_fields() -> None:
    with pytest.raises(InvalidInput) as refused:
        convert_input({"reason": "ab", "personas": [{"name": "A"}]}, Solicitud)
    renamed = refused.value.renamed(lambda path: path.rsplit(".", 1)[-1])
    assert [e.field for e in renamed.errors] == ["reason", "name"]
    assert str(renamed) == str(refused.value)


def test_the_page_may_name_a_field_as_its_label_does() -> None:
    with pytest.raises(InvalidInput) as refused:
        convert_input({"reason": "ab"}, Solicitud, titles={"reason": "Asunto"})
    assert str(refused.value) == "Datos no válidos: «Asunto» debe tener al menos 3 caracteres."
