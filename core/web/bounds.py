"""Integers no parameter may hold, refused once at the edge for every plugin.

Ids are 32-bit serials on PostgreSQL (an id of 2³¹ or more is an error of the database,
beyond 2⁶³ one of SQLite, not "no such object"), offsets and limits are never negative
and a year is a calendar year:

- an integer path parameter outside 0…2³¹-1 (``core.tenancy.scoped.MAX_ID``, the bound
  ``get_or_404`` applies to ids in bodies; 0 is an anexo's first position) or a ``year``
  outside ``YEARS`` answers 404, as any id that names nothing, before a plugin's own
  query reaches the database;
- an integer query parameter of the handler outside 0…2³¹-1 (``year``: ``YEARS``)
  answers 422 naming it.

``refuse_bad_input`` is the app's ``before_request`` hook: it decodes the body once and
runs :func:`core.textclean.refuse_bad_text`, then ``refuse_out_of_range``.
"""

from __future__ import annotations

from litestar import Request
from litestar.exceptions import NotFoundException
from litestar.params import ParameterKwarg

from core.errors import FieldError, InvalidInput, core_type
from core.tenancy.scoped import MAX_ID
from core.textclean import body_values, refuse_bad_text

YEARS = range(1900, 2201)


def _allowed(name: str) -> range:
    """The values an integer parameter called ``name`` may take."""
    return YEARS if name == "year" else range(0, MAX_ID + 1)


def _query_ints(request: Request) -> set[str]:
    """The query names of the handler's integer parameters."""
    found = set()
    for name, field in request.route_handler.parsed_fn_signature.parameters.items():
        if core_type(field.annotation) is int:
            kwarg = field.kwarg_definition
            found.add(kwarg.query if isinstance(kwarg, ParameterKwarg) and kwarg.query
                      else name)
    return found


def refuse_out_of_range(request: Request) -> None:
    """404 for a path integer that can name nothing; ``InvalidInput`` (422) for an
    integer query parameter out of its range."""
    for name, value in request.path_params.items():
        if isinstance(value, int) and not isinstance(value, bool) \
                and value not in _allowed(name):
            raise NotFoundException()
    wrong = []
    for alias in _query_ints(request) & request.query_params.keys():
        for raw in request.query_params.getall(alias):
            try:
                number = int(raw)
            except ValueError:
                continue  # not a number: the handler's own conversion answers
            if number not in _allowed(alias):
                wrong.append(FieldError(alias, f"«{alias}» está fuera del intervalo admitido."))
                break
    if wrong:
        raise InvalidInput(errors=wrong)


async def refuse_bad_input(request: Request) -> None:
    """``before_request``: refused characters, then integers out of range (see above)."""
    body = await body_values(request)
    refuse_bad_text(request, body)
    refuse_out_of_range(request)
