"""Tenant isolation through the front door: every route of every plugin (read from the
app's route table) that takes an object id answers 404 — never 200 or 403 — when an
entity's administrator asks it for another entity's ids."""

from __future__ import annotations

import datetime as dt
import enum
import re
import types
import typing
import uuid
from typing import Any

import msgspec
from litestar.params import BodyKwarg

from core.db import atomic
from core.identity.citizens import open_citizen_session
from core.identity.providers import ExternalIdentity
from core.identity.sessions import SESSION_COOKIE
from core.testing import csrf_headers

FAKES = {"alpha", "beta", "ciudadano"}  # the kernel tests' throw-away plugins
#: Kernel machinery whose rows are not objects a route names (and must stay consistent).
NOT_OBJECTS = {"core_audit_entry", "core_outbox", "core_done_message"}
IDS_PER_ROUTE = 4


def _enable_order(manifests: dict[str, Any]) -> list[str]:
    """Real plugins, each after the ones it depends on."""
    order: list[str] = []

    def visit(name: str) -> None:
        if name not in order:
            for dependency in manifests[name].depends_on:
                visit(dependency)
            order.append(name)

    for name in sorted(set(manifests) - FAKES):
        visit(name)
    return order


def _tenant_tables(kernel: Any) -> list[Any]:
    return [t for app in kernel.db.app_configs() for t in app.table_classes
            if "tenant" in {c._meta.name for c in t._meta.columns}
            and t._meta.tablename not in NOT_OBJECTS]


async def _rows_of(kernel: Any, tenant_id: int) -> dict[str, set[Any]]:
    """Id and UUID values of every row the tenant owns, per table."""
    found: dict[str, set[Any]] = {}
    for table in _tenant_tables(kernel):
        uuids = [c for c in table._meta.columns if type(c).__name__ == "UUID"]
        rows = await table.select(table._meta.primary_key, *uuids).where(
            table.tenant == tenant_id)
        found[table._meta.tablename] = {v for r in rows for v in r.values()}
    return found


async def _populate(kernel: Any, tenant_id: int) -> list[tuple[Any, int]]:
    """A row with default values in every tenant table that accepts one (the others have
    the plugins' own seeding); returns them, to be taken away again."""
    made = []
    for table in _tenant_tables(kernel):
        try:
            async with atomic():
                row = table(tenant=tenant_id)
                await row.save()
            made.append((table, row.id))
        except Exception:  # a table whose defaults break its own constraints
            continue
    return made


async def _unpopulate(made: list[tuple[Any, int]]) -> None:
    """Remove the placeholder rows: other tests scan whole tables (fixity, backups)."""
    for table, row_id in reversed(made):
        await table.delete().where(table._meta.primary_key == row_id)


def _sample(annotation: Any) -> Any:
    """A plausible value of a type, for request bodies: the lookup must come first."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _sample(args[0])
    if origin in (typing.Union, types.UnionType):
        return _sample(next(a for a in args if a is not type(None)))
    if origin in (list, tuple, set, frozenset):
        return []
    if origin is dict or annotation is dict:
        return {}
    if origin is typing.Literal:
        return args[0]
    if isinstance(annotation, type):
        if issubclass(annotation, msgspec.Struct):
            return {f.encode_name: _sample(f.type)
                    for f in msgspec.structs.fields(annotation)}
        if issubclass(annotation, enum.Enum):
            return next(iter(annotation)).value
        for kind, value in ((bool, True), (int, 1), (float, 1.0), (str, "Texto de prueba"),
                            (dt.datetime, dt.datetime.now(dt.UTC).isoformat()),
                            (dt.date, dt.date.today().isoformat()), (uuid.UUID,
                                                                     str(uuid.uuid4()))):
            if issubclass(annotation, kind):
                return value
    return None


def _body(handler: Any) -> dict[str, Any]:
    """Keyword arguments for httpx carrying a sample of the handler's ``data``."""
    hints = typing.get_type_hints(handler.fn, include_extras=True)
    if "data" not in hints:
        return {}
    annotation = hints["data"]
    media = str(next((getattr(m.media_type, "value", m.media_type)
                      for m in getattr(annotation, "__metadata__", ())
                      if isinstance(m, BodyKwarg)), "application/json"))
    value = _sample(annotation)
    if media.endswith("urlencoded"):
        return {"data": {k: str(v) for k, v in (value or {}).items() if v is not None}}
    if media.startswith("multipart"):
        return {"files": {"file": ("x.txt", b"x")}}
    return {"json": value}


def _routes(app: Any) -> list[tuple[str, Any, str, list[str]]]:
    """(method, handler, path, id parameters) of every real plugin route with an id."""
    found = []
    for route in app.routes:
        params = route.path_parameters
        params = list(params.values()) if isinstance(params, dict) else list(params)
        ids = [p.name for p in params if p.type in (int, uuid.UUID)
               and (p.name == "id" or p.name.endswith("_id"))]
        if "{tenant_slug" not in route.path or not ids:
            continue
        for handler in getattr(route, "route_handlers", []):
            if handler.opt.get("plugin") in FAKES:
                continue
            for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                found.append((method, handler, route.path, ids))
    return found


def _candidates(param: str, b_rows: dict[str, set[Any]], a_rows: dict[str, set[Any]]
                ) -> list[Any]:
    """Ids of B's rows in the table a parameter names (``anuncio_id`` → ``…_anuncio``);
    none for parameters that name no tenant table (users, the diputación's models)."""
    word = param.removesuffix("_id").removesuffix("id").strip("_")
    tables = [t for t in b_rows if t.endswith(f"_{word}")] or [t for t in b_rows
                                                               if word and word in t]
    pool = {v for t in tables for v in b_rows[t] - a_rows.get(t, set())}
    return sorted(pool, key=str)[:IDS_PER_ROUTE]


async def test_no_route_gives_away_another_entitys_objects(client_at, concejo_app,
                                                           concejo_kernel, make_tenant, login):
    plugins = tuple(_enable_order(concejo_kernel.plugins.manifests))
    mine, theirs = await make_tenant(plugins=plugins), await make_tenant(plugins=plugins)
    made = await _populate(concejo_kernel, theirs.id)
    try:
        await _check_every_route(client_at, concejo_app, concejo_kernel, mine, theirs, login)
    finally:
        await _unpopulate(made)


async def _check_every_route(client_at: Any, app: Any, kernel: Any, mine: Any, theirs: Any,
                             login: Any) -> None:
    b_rows, a_rows = await _rows_of(kernel, theirs.id), await _rows_of(kernel, mine.id)
    staff, citizen = client_at(), client_at()  # the sede's routes are asked by a citizen
    await login(staff, mine, "entity_admin")
    citizen.cookies.set(SESSION_COOKIE, await open_citizen_session(ExternalIdentity(
        provider="clave", audience="citizen", nif="12345678Z", name="Ciudadana"),
        "127.0.0.1", mine.id))
    routes = _routes(app)
    assert {h.opt.get("plugin") for _, h, _, _ in routes} >= {"tablon", "registro"}
    leaks, answered, refused_input = [], 0, 0
    for method, handler, path, ids in routes:
        http = citizen if path.startswith("/sede/") else staff
        headers = {**await csrf_headers(http), "accept": "application/json"}
        first, *others = ids
        for value in _candidates(first, b_rows, a_rows):
            values = {first: value, **{o: 1 for o in others}, "tenant_slug": mine.slug}
            url = re.sub(r"\{(\w+)(?::\w+)?\}",
                         lambda m, v=values: str(v.get(m.group(1), 1)), path)
            response = await http.request(method, url, headers=headers,
                                          **({} if method == "GET" else _body(handler)))
            if response.status_code == 404:
                answered += 1
            elif method != "GET" and response.status_code in (400, 422):
                refused_input += 1  # our sample body refused before the lookup: no answer
            else:
                leaks.append(f"{method} {url} -> {response.status_code}: "
                             f"{response.text[:160]}")
    assert not leaks, "another entity's ids did not answer 404:\n" + "\n".join(leaks)
    assert answered >= 3 * refused_input, (answered, refused_input)
