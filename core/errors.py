"""Domain error bases every plugin uses; the web layer maps them to 404 and 422."""

from typing import TypeVar

import msgspec

T = TypeVar("T")


class NotFoundError(LookupError):
    """No such object in this tenant (also what another tenant's id gets)."""


class DomainError(ValueError):
    """A request that breaks a domain rule; the message says which, for a person."""


class InvalidInput(DomainError):
    """A form or query that does not validate; the message says where (422, shown to
    people on the page as well)."""


def convert_input(value: object, type_: type[T]) -> T:
    """``msgspec.convert`` from form or query strings; ``InvalidInput`` when invalid."""
    try:
        return msgspec.convert(value, type_, strict=False)
    except msgspec.ValidationError as exc:
        raise InvalidInput(f"Datos no válidos: {exc}") from None
