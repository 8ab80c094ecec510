"""Códigos seguros de verificación (CSV): generation, normalisation and validation.

A CSV is printed on every document the platform issues; anyone can type it on the sede
electrónica to fetch and verify the original. Format::

    V7J87-E51K6-ENZF2-RB2WY-SDY5B
    └──────── 24 data ───────┘└ check character

* 24 random Crockford base32 symbols (alphabet without I, L, O, U) = 120 bits from
  :mod:`secrets`, so codes cannot be guessed or enumerated;
* one check character: the data symbols, read as elements of GF(32), weighted by distinct
  powers of a primitive element.  It catches every single mistyped character and every
  swap of two different characters, so typos are refused before the database is asked;
* grouped by five with dashes: 29 characters.

Readers are forgiving: case, spaces and dashes do not matter, and ``O``, ``I``, ``L`` are
read as ``0``, ``1``, ``1`` as Crockford proposes.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
DATA_SYMBOLS = 24
GROUP_SIZE = 5
CSV_LENGTH = 29  # 25 symbols + 4 dashes
ENTROPY_BITS = DATA_SYMBOLS * 5

_VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—−_.]+")
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _gf32_tables() -> tuple[list[int], list[int]]:
    """Exponent and logarithm tables of GF(32) built from the primitive x^5 + x^2 + 1."""
    exp, log = [0] * 62, [0] * 32
    value = 1
    for power in range(31):
        exp[power] = exp[power + 31] = value
        log[value] = power
        value <<= 1
        if value & 0b100000:
            value ^= 0b100101
    return exp, log


_EXP, _LOG = _gf32_tables()


def _check_value(values: list[int]) -> int:
    """Sum over GF(32) of value_i * alpha^(i+1); the check symbol carries weight alpha^0."""
    total = 0
    for position, value in enumerate(values):
        if value:
            total ^= _EXP[_LOG[value] + position + 1]
    return total


class InvalidCsv(ValueError):
    """The text is not a well-formed CSV (wrong length, foreign character or failed check)."""


def _group(symbols: str) -> str:
    return "-".join(symbols[i : i + GROUP_SIZE] for i in range(0, len(symbols), GROUP_SIZE))


def new_csv() -> str:
    """Return a fresh CSV in canonical form (upper case, grouped by five)."""
    values = [secrets.randbelow(32) for _ in range(DATA_SYMBOLS)]
    values.append(_check_value(values))
    return _group("".join(ALPHABET[value] for value in values))


def normalize_csv(text: str) -> str:
    """Return the canonical form of a CSV typed by a person; raise :class:`InvalidCsv`."""
    symbols = _SEPARATORS.sub("", text).upper().translate(_LOOKALIKES)
    if len(symbols) != DATA_SYMBOLS + 1:
        raise InvalidCsv(
            f"un CSV tiene {DATA_SYMBOLS + 1} caracteres sin contar guiones; "
            f"se han recibido {len(symbols)}"
        )
    foreign = sorted({symbol for symbol in symbols if symbol not in _VALUE})
    if foreign:
        raise InvalidCsv(f"carácter no válido en un CSV: {', '.join(map(repr, foreign))}")
    values = [_VALUE[symbol] for symbol in symbols]
    if _check_value(values[:-1]) != values[-1]:
        raise InvalidCsv("el carácter de control no coincide: revise el código tecleado")
    return _group(symbols)


def is_valid_csv(text: str) -> bool:
    """True when ``text`` normalises to a CSV whose check character matches."""
    try:
        normalize_csv(text)
    except InvalidCsv:
        return False
    return True
