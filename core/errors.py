"""Domain error bases every plugin uses; the web layer maps them to 404 and 422."""

import re
from typing import Any, TypeVar

import msgspec

from core.textclean import bad_text_path
from core.textclean import message as textclean_message

T = TypeVar("T")


class NotFoundError(LookupError):
    """No such object in this tenant (also what another tenant's id gets)."""


class DomainError(ValueError):
    """A request that breaks a domain rule; the message says which, for a person."""


class InvalidInput(DomainError):
    """A form or query that does not validate; the message says where (422, shown to
    people on the page as well)."""


def convert_input(value: object, type_: type[T]) -> T:
    """``msgspec.convert`` from form or query strings; ``InvalidInput`` when invalid, with
    a message in Spanish naming the field (see :func:`readable`); text with control or
    non-characters is refused first (:mod:`core.textclean`)."""
    if (path := bad_text_path(value)) is not None:
        raise InvalidInput(textclean_message(_label(type_, path)))
    try:
        return msgspec.convert(value, type_, strict=False)
    except msgspec.ValidationError as exc:
        raise InvalidInput(readable(exc, type_)) from None


# msgspec's message → what it means for the person who typed the value (``field``: the
# field it names, ``n``: the limit it quotes)
_SAYINGS = tuple((re.compile(pattern), saying) for pattern, saying in (
    (r"^Object missing required field `(?P<field>\w+)`", "es obligatorio"),
    (r"^Object contains unknown field `(?P<field>\w+)`", "no se admite aquí"),
    (r"^Expected `str` of length >= (?P<n>\d+)", "debe tener al menos {} caracteres"),
    (r"^Expected `str` of length <= (?P<n>\d+)", "admite como máximo {} caracteres"),
    (r"^Expected `str` matching regex", "no tiene el formato pedido"),
    (r"^Expected `array` of length >= (?P<n>\d+)", "debe tener al menos {} elementos"),
    (r"^Expected `array` of length <= (?P<n>\d+)", "admite como máximo {} elementos"),
    (r"^Expected `\w+` >= (?P<n>\S+)", "debe ser {} o más"),
    (r"^Expected `\w+` <= (?P<n>\S+)", "debe ser {} o menos"),
    (r"^Expected `\w+` > (?P<n>\S+)", "debe ser mayor que {}"),
    (r"^Expected `\w+` < (?P<n>\S+)", "debe ser menor que {}"),
    (r"^Expected `int`", "debe ser un número entero"),
    (r"^Expected `(?:float|decimal)`", "debe ser un número"),
    (r"^Expected `bool`", "debe ser sí o no"),
    (r"^Invalid enum value", "no es uno de los valores admitidos"),
    (r"^Invalid RFC3339 encoded date\b", "debe ser una fecha (AAAA-MM-DD)"),
    (r"^Invalid RFC3339 encoded datetime", "debe ser una fecha y hora"),
    (r"^Invalid RFC3339 encoded time", "debe ser una hora (HH:MM)"),
    (r"^Expected `array`", "debe ser una lista"),
    (r"^Expected `(?:str|object)`", "no tiene la forma esperada"),
))
_AT = re.compile(r" - at `\$([^`]*)`$")


def readable(exc: msgspec.ValidationError, type_: Any) -> str:
    """A validation error for a person: «field» and what is wrong with it, the field named
    by the title of its ``msgspec.Meta`` (else its name). A message msgspec did not write
    (a ``__post_init__`` check) is kept as it is."""
    message, path = str(exc), ""
    if at := _AT.search(message):
        message, path = message[:at.start()], at.group(1)
    for pattern, saying in _SAYINGS:
        if match := pattern.match(message):
            found = match.groupdict()
            if "field" in found:  # a missing or unknown field is named in the message
                path += f".{found['field']}"
            argument = found.get("n", "")
            if argument == "1":
                saying = saying.replace("caracteres", "carácter").replace("elementos", "elemento")
            return f"Datos no válidos: «{_label(type_, path)}» {saying.format(argument)}."
    return f"Datos no válidos: {message}" + (f" («{_label(type_, path)}»)" if path else "")


def _label(type_: Any, path: str) -> str:
    """The title (else the name) of the last field on a msgspec error path like
    ``.interesados[0].name``."""
    info: Any = msgspec.inspect.type_info(type_)
    names = re.findall(r"\.(\w+)", path)
    label = names[-1] if names else path
    for name in names:
        field = next((f for f in _fields(info) if f.encode_name == name), None)
        if field is None:
            break
        title = _title(field.type)
        label, info = title or name, field.type
    return label


def _fields(info: Any) -> list[Any]:
    """The fields of a struct type, looking through metadata, optionals and lists."""
    while True:
        if isinstance(info, msgspec.inspect.Metadata):
            info = info.type
        elif isinstance(info, msgspec.inspect.UnionType):
            info = next((t for t in info.types if not isinstance(t, msgspec.inspect.NoneType)),
                        None)
        elif isinstance(info, msgspec.inspect.ListType):
            info = info.item_type
        elif isinstance(info, msgspec.inspect.StructType):
            return list(info.fields)
        else:
            return []


def _title(info: Any) -> str:
    while isinstance(info, msgspec.inspect.Metadata):
        if title := (info.extra_json_schema or {}).get("title"):
            return str(title)
        info = info.type
    if isinstance(info, msgspec.inspect.UnionType):
        return next(filter(None, map(_title, info.types)), "")
    return ""
