"""Domain error bases every plugin uses; the web layer maps them to 404 and 422."""

import re
import types
from collections.abc import Callable, Mapping
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

import msgspec

from core.textclean import bad_text_path
from core.textclean import saying as bad_text_saying
from core.types import EMAIL_PATTERN, HOSTNAME_PATTERN, URL_PATTERN

T = TypeVar("T")


class NotFoundError(LookupError):
    """No such object in this tenant (also what another tenant's id gets)."""


class DomainError(ValueError):
    """A request that breaks a domain rule; the message says which, for a person."""


class FieldError(msgspec.Struct, frozen=True):
    """One wrong value of a form: ``field`` says where (``reason``, ``personas[0].name``,
    or the form field's name once a plugin renamed it; "" for the form as a whole) and
    ``message`` what is wrong, for a person: «Motivo» es obligatorio."""

    field: str
    message: str


class InvalidInput(DomainError):
    """A form or query that does not validate (422, shown to people on the page as well).
    ``errors`` holds every wrong field, not only the first; the message joins them."""

    def __init__(self, message: str = "", errors: list[FieldError] | None = None) -> None:
        self.errors = errors if errors is not None else [FieldError("", message)]
        super().__init__(message or "Datos no válidos: " + " ".join(
            e.message for e in self.errors))

    def renamed(self, rename: Callable[[str], str]) -> "InvalidInput":
        """The same refusal, each error's ``field`` renamed (struct path → form field)."""
        return InvalidInput(str(self), [FieldError(rename(e.field) if e.field else "",
                                                   e.message) for e in self.errors])


def field_errors(exc: DomainError) -> list[FieldError]:
    """What a refused form shows: every wrong field of an ``InvalidInput``, else the
    broken rule's message for the form as a whole."""
    return list(exc.errors) if isinstance(exc, InvalidInput) else [FieldError("", str(exc))]


def convert_input(value: object, type_: type[T], titles: Mapping[str, str] | None = None) -> T:
    """``msgspec.convert`` from form or query strings; ``InvalidInput`` when invalid,
    naming in Spanish every wrong field by the title of its ``msgspec.Meta`` (else its
    name), or by ``titles`` (field path → the label the page shows, when it shows
    another: ``{"extracto": "Asunto"}``).
    Text with control or non-characters is refused first (:mod:`core.textclean`)."""
    if (path := bad_text_path(value)) is not None:
        root = _Root(type_, titles or {})
        wrong = FieldError(path.lstrip("."), bad_text_saying(_label(root, path)))
        raise InvalidInput(errors=[wrong])
    try:
        return msgspec.convert(value, type_, strict=False)
    except msgspec.ValidationError as exc:
        root = _Root(type_, titles or {})
        raise InvalidInput(errors=_errors(value, type_, root, "", exc)) from None


class _Root(msgspec.Struct, frozen=True):
    """The type a form is converted to and the page's own labels of its fields."""

    type: Any
    titles: Mapping[str, str]


def _errors(value: Any, annotation: Any, root: _Root, path: str,
            exc: msgspec.ValidationError) -> list[FieldError]:
    """Every wrong value under ``path`` (msgspec stops at the first): a struct given as a
    mapping is checked field by field and a list item by item; what is wrong with the
    whole (its length, a ``__post_init__`` rule) is said when its parts are right."""
    core, found = core_type(annotation), []
    if isinstance(core, type) and issubclass(core, msgspec.Struct) and isinstance(value, dict):
        fields = msgspec.structs.fields(core)
        for field in fields:
            if field.encode_name in value:
                found += _check(value[field.encode_name], field.type, root,
                                f"{path}.{field.encode_name}")
            elif field.required:
                found.append(_phrase(f"Object missing required field `{field.encode_name}`",
                                     root, path))
        if core.__struct_config__.forbid_unknown_fields:
            known = {field.encode_name for field in fields}
            found += [_phrase(f"Object contains unknown field `{name}`", root, path)
                      for name in value if name not in known]
    elif get_origin(core) is list and isinstance(value, list):
        item = (get_args(core) or (Any,))[0]
        for i, element in enumerate(value):
            found += _check(element, item, root, f"{path}[{i}]")
    if found:
        return found
    message, at = _split(exc)
    return [_phrase(message, root, path + at)]


def _check(value: Any, annotation: Any, root: _Root, path: str) -> list[FieldError]:
    try:
        msgspec.convert(value, annotation, strict=False)
    except msgspec.ValidationError as exc:
        return _errors(value, annotation, root, path, exc)
    return []


def core_type(annotation: Any) -> Any:
    """The type under ``Annotated`` and ``| None``."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
        elif get_origin(annotation) in (Union, types.UnionType):
            kinds = [a for a in get_args(annotation) if a is not type(None)]
            if len(kinds) != 1:
                return annotation
            annotation = kinds[0]
        else:
            return annotation


# msgspec's message → what it means for the person who typed the value (``field``: the
# field it names, ``n``: the limit it quotes)
_SAYINGS = tuple((re.compile(pattern), saying) for pattern, saying in (
    (r"^Object missing required field `(?P<field>\w+)`", "es obligatorio"),
    (r"^Object contains unknown field `(?P<field>\w+)`", "no se admite aquí"),
    (r"^Expected `str` of length >= (?P<n>\d+)", "debe tener al menos {} caracteres"),
    (r"^Expected `str` of length <= (?P<n>\d+)", "admite como máximo {} caracteres"),
    *((rf"^Expected `str` matching regex {re.escape(repr(pattern))}$", saying) for pattern, saying
      in ((EMAIL_PATTERN, "debe ser una dirección de correo electrónico"),
          (URL_PATTERN, "debe ser una dirección web (https://…)"),
          (HOSTNAME_PATTERN, "debe ser un nombre de servidor (meet.ejemplo.es)"))),
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


def _split(exc: msgspec.ValidationError) -> tuple[str, str]:
    """msgspec's message and the path it names (``.personas[0].name``, "" for the whole)."""
    message = str(exc)
    if at := _AT.search(message):
        return message[:at.start()], at.group(1)
    return message, ""


def _phrase(message: str, root: _Root, path: str = "") -> FieldError:
    """msgspec's ``message`` about the value at ``path`` of ``type_``, for a person: «field»
    and what is wrong with it. A message msgspec did not write (a ``__post_init__`` check)
    is kept as it is."""
    for pattern, saying in _SAYINGS:
        if match := pattern.match(message):
            found = match.groupdict()
            if "field" in found:  # a missing or unknown field is named in the message
                path += f".{found['field']}"
            argument = found.get("n", "")
            if argument == "1":
                saying = saying.replace("caracteres", "carácter").replace("elementos", "elemento")
            return FieldError(path.lstrip("."),
                              f"«{_label(root, path)}» {saying.format(argument)}.")
    return FieldError(path.lstrip("."),
                      message + (f" («{_label(root, path)}»)" if path else ""))


def _label(root: _Root, path: str) -> str:
    """The title (else the name) of the last field on a msgspec error path like
    ``.interesados[0].name``, unless the page names it otherwise (``root.titles``)."""
    if own := root.titles.get(path.lstrip(".")):
        return own
    info: Any = msgspec.inspect.type_info(root.type)
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
