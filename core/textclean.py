"""Text that no field may hold, refused once at the edge for every plugin.

Control characters other than tab and line breaks (NUL answers 500 on PostgreSQL), lone
surrogates and Unicode non-characters (U+FFFE, U+FFFF, U+FDD0-U+FDEF… which SICRES XML
cannot carry) are refused with a 422 naming the field:

- ``bad_text_path`` finds the first string holding one in a decoded value (dicts, lists,
  strings) and returns its path (``.interesados[0].name``); ``core.errors.convert_input``
  (every form and query conversion) calls it;
- ``refuse_bad_text`` runs in the app's ``before_request`` hook
  (:func:`core.web.bounds.refuse_bad_input`): it checks the query string, the path
  parameters and JSON or url-encoded bodies (``body_values``) before any handler runs.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Request

_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
                  "\U0001fffe\U0001ffff\U0010fffe\U0010ffff]")


def bad_text(text: str) -> bool:
    """``text`` holds a character no field accepts."""
    return _BAD.search(text) is not None


def bad_text_path(value: Any, path: str = "") -> str | None:
    """The path of the first string in ``value`` (or a key) with a refused character."""
    if isinstance(value, str):
        return path if bad_text(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}"
            if isinstance(key, str) and bad_text(key):
                return inner
            found = bad_text_path(item, inner)
            if found is not None:
                return found
        return None
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = bad_text_path(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


def saying(field: str) -> str:
    """What is wrong with ``field`` when it holds a refused character."""
    return f"«{field}» contiene caracteres de control no admitidos."


def message(field: str) -> str:
    """What a person reads when ``field`` holds a refused character."""
    return f"Datos no válidos: {saying(field)}"


async def body_values(request: Request) -> Any:
    """The decoded JSON or url-encoded body (None for others and for malformed JSON)."""
    content_type = request.content_type[0]
    if content_type == "application/json":
        try:
            return msgspec.json.decode(await request.body())
        except msgspec.DecodeError:
            return None  # the handler's own decoding answers for malformed JSON
    if content_type == "application/x-www-form-urlencoded":
        return {key: (await request.form()).getall(key) for key in await request.form()}
    return None


def refuse_bad_text(request: Request, body: Any) -> None:
    """``InvalidInput`` (422) naming the first parameter or field (of the decoded
    ``body``) that holds a refused character."""
    from core.errors import InvalidInput

    query = {key: values[0] if len(values) == 1 else values
             for key, values in request.query_params.dict().items()}
    for values in (query, dict(request.path_params), body):
        path = bad_text_path(values)
        if path is not None:
            raise InvalidInput(message(path.lstrip(".")))
