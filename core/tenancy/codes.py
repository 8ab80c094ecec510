"""Official identifiers of local entities: INE municipality codes, DIR3 codes, NIF/CIF."""

from __future__ import annotations

import re

from stdnum.es import cif, nif
from stdnum.exceptions import ValidationError as StdnumError

from core.errors import DomainError

_INE_WEIGHTS = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (0, 3, 8, 2, 7, 4, 1, 5, 9, 6),
    (0, 2, 4, 6, 8, 1, 3, 5, 7, 9),
)
_INE_ROWS = (2, 1, 0, 2, 1)
#: Comunidades and ciudades autónomas by their ISO 3166-2:ES code.
COMMUNITIES: dict[str, str] = {
    "AN": "Andalucía", "AR": "Aragón", "AS": "Principado de Asturias", "IB": "Illes Balears",
    "CN": "Canarias", "CB": "Cantabria", "CL": "Castilla y León", "CM": "Castilla-La Mancha",
    "CT": "Cataluña", "VC": "Comunitat Valenciana", "EX": "Extremadura", "GA": "Galicia",
    "MD": "Comunidad de Madrid", "MC": "Región de Murcia", "NC": "Comunidad Foral de Navarra",
    "PV": "País Vasco", "RI": "La Rioja", "CE": "Ceuta", "ML": "Melilla",
}
_DIR3 = re.compile(r"^[A-Z][A-Z0-9]{8}$")
_INE = re.compile(r"^\d{5}$")


class InvalidCode(DomainError):
    """An identifier that fails its format or check digit; the message says which."""


def ine_check_digit(ine_code: str) -> int:
    """The INE control digit (DC) of a CPRO+CMUN municipality code."""
    validate_ine(ine_code)
    total = sum(_INE_WEIGHTS[row][int(d)] for row, d in zip(_INE_ROWS, ine_code, strict=True))
    return (10 - total % 10) % 10


def validate_ine(ine_code: str) -> str:
    if not _INE.match(ine_code or "") or not 1 <= int(ine_code[:2]) <= 52:
        raise InvalidCode(f"Código INE {ine_code!r}: five digits, CPRO 01-52 + CMUN")
    return ine_code


def municipality_dir3(ine_code: str) -> str:
    """DIR3 of an ayuntamiento: ``L01`` + INE code + control digit."""
    return f"L01{ine_code}{ine_check_digit(ine_code)}"


def provincial_dir3(province_code: str) -> str:
    """DIR3 of a diputación provincial: ``L020000`` + CPRO."""
    if not re.match(r"^\d{2}$", province_code):
        raise InvalidCode(f"Código de provincia {province_code!r}: two digits")
    return f"L020000{province_code}"


def validate_community(code: str) -> str:
    if code not in COMMUNITIES:
        raise InvalidCode(f"Comunidad autónoma {code!r}: one of {', '.join(COMMUNITIES)}")
    return code


def validate_dir3(code: str) -> str:
    if not _DIR3.match(code or ""):
        raise InvalidCode(f"Código DIR3 {code!r}: nine characters, letter first, upper case")
    return code


def validate_nif(value: str) -> str:
    """A NIF of a person (DNI/NIE) or a legal entity (CIF); returns it compact."""
    for module in (nif, cif):
        try:
            return module.validate(value)
        except StdnumError:
            continue
    raise InvalidCode(f"NIF {value!r} is not a valid NIF, NIE or CIF")
