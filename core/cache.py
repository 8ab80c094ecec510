"""Per-process caches of rows that rarely change, checked once per request against one
generation counter.

Triggers (the identity migration ``cache_generation``) add one to
``core_cache_generation.n`` in the same transaction as any change to the tenants, their
plugins, hosts and units, users, memberships, support accesses and role adjustments. A request
reads the counter at its first cached look-up (``cached``); when it moved, every web
process drops what it had cached. So a plugin disabled, a role withdrawn or a support
access closed counts from the next request on, in every process, and a request costs one
indexed read instead of the look-ups it replaces. Outside a request (jobs, commands,
tests calling services) nothing is cached.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Awaitable, Callable, Hashable, Iterator
from typing import Any, TypeVar

from core.db import engine, scope_free

T = TypeVar("T")

TABLE = "core_cache_generation"


class _Request:
    """The generation one request saw (None until its first cached look-up)."""

    generation: tuple[object, int] | None = None


_request: contextvars.ContextVar[_Request | None] = contextvars.ContextVar(
    "concejo_cache_request", default=None)
_generation: tuple[object, int] | None = None  # (the engine, its counter)
_entries: dict[str, dict[Hashable, Any]] = {}


@contextlib.contextmanager
def request_cache() -> Iterator[None]:
    """Let the code of one request use the caches."""
    token = _request.set(_Request())
    try:
        yield
    finally:
        _request.reset(token)


async def _read_generation() -> tuple[object, int]:
    from piccolo.querystring import QueryString

    db = engine()
    with scope_free():  # a counter, no tenant's data
        rows = await db.run_querystring(QueryString(f"SELECT n FROM {TABLE}"))
    return db, int(rows[0]["n"])


async def cached(kind: str, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
    """``load()``'s value, kept per process under ``(kind, key)`` while the generation
    stays; inside a request only (elsewhere ``load()`` is called every time). ``None`` is
    never kept. Values must not be changed by their users."""
    global _generation
    seen = _request.get()
    if seen is None:
        return await load()
    if seen.generation is None:
        seen.generation = await _read_generation()
        if _generation is None or _generation[0] is not seen.generation[0] \
                or seen.generation[1] > _generation[1]:  # changed, or another database
            _entries.clear()
            _generation = seen.generation
    if seen.generation != _generation:  # another request has seen a later one already
        return await load()
    entries = _entries.setdefault(kind, {})
    if key in entries:
        return entries[key]
    value = await load()
    if value is not None and _generation == seen.generation:  # nothing newer seen meanwhile
        entries[key] = value
    return value


def forget(kind: str, key: Hashable) -> None:
    """Drop one entry (a value that stopped being valid by time, not by a change)."""
    _entries.get(kind, {}).pop(key, None)

