"""A portable logical dump of every Piccolo table: JSON lines per table, the same on SQLite
and PostgreSQL, restored after migrations in foreign-key order with the original ids."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

import msgspec
from piccolo.querystring import QueryString
from piccolo.table import Table

from core import cache
from core.db import Database, engine

PAGE = 2000
INSERT_BATCH = 200


def ordered_tables(database: Database) -> list[type[Table]]:
    """Every table of every installed app, each after the tables it references."""
    tables = {t._meta.tablename: t for app in database.app_configs() for t in app.table_classes}
    ordered: list[type[Table]] = []
    visiting: set[str] = set()

    def visit(table: type[Table]) -> None:
        name = table._meta.tablename
        if table in ordered or name in visiting:
            return
        visiting.add(name)
        for column in table._meta.foreign_key_columns:
            target = column._foreign_key_meta.resolved_references
            if target is not table and target._meta.tablename in tables:
                visit(tables[target._meta.tablename])
        ordered.append(table)

    for table in sorted(tables.values(), key=lambda t: t._meta.tablename):
        visit(table)
    return ordered


async def undeclared_tables(database: Database) -> list[str]:
    """Tables in the database that no installed app declares (a dump would miss them)."""
    declared = {t._meta.tablename for t in ordered_tables(database)} | {
        "migration", cache.TABLE}  # bookkeeping, not data: migrations make both
    if database.is_postgres:
        rows = await engine().run_querystring(QueryString(
            "SELECT table_name AS name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"))
    else:
        rows = await engine().run_querystring(QueryString(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
    return sorted(r["name"] for r in rows if r["name"] not in declared)


async def dump_rows(table: type[Table]) -> AsyncIterator[bytes]:
    """Every row as one JSON line, in primary-key order, read a page at a time."""
    pk = table._meta.primary_key
    last: Any = None
    while True:
        query = table.select().order_by(pk).limit(PAGE)
        if last is not None:
            query = query.where(pk > last)
        rows = await query
        for row in rows:
            yield msgspec.json.encode(row) + b"\n"
        if len(rows) < PAGE:
            return
        last = rows[-1][pk._meta.name]


def _decoder(table: type[Table]) -> dict[str, type]:
    return {c._meta.name: c.value_type for c in table._meta.columns}


async def load_rows(table: type[Table], lines: Iterable[bytes]) -> int:
    """Insert dumped rows with their ids (inside the caller's transaction); returns count."""
    types = _decoder(table)
    batch: list[Table] = []
    count = 0
    for line in lines:
        raw = msgspec.json.decode(line)
        values = {name: value if value is None else msgspec.convert(value, types[name],
                                                                   strict=False)
                  for name, value in raw.items() if name in types}
        batch.append(table(_ignore_missing=True, **values))
        if len(batch) == INSERT_BATCH:
            count += await _insert(table, batch)
            batch = []
    return count + await _insert(table, batch)


async def _insert(table: type[Table], batch: list[Table]) -> int:
    if batch:
        await table.insert(*batch)
    return len(batch)


async def reset_sequences(tables: Iterable[type[Table]]) -> None:
    """PostgreSQL: move each serial id past the restored rows (SQLite needs nothing)."""
    if engine().engine_type != "postgres":
        return
    for table in tables:
        pk = table._meta.primary_key
        if type(pk).__name__ not in {"Serial", "BigSerial"}:
            continue
        name, column = table._meta.tablename, pk._meta.db_column_name
        await table.raw(
            f"SELECT setval(pg_get_serial_sequence('\"{name}\"', '{column}'), "
            f"COALESCE((SELECT MAX(\"{column}\") FROM \"{name}\"), 0) + 1, false)")


async def row_counts(tables: Iterable[type[Table]]) -> dict[str, int]:
    return {t._meta.tablename: await t.count() for t in tables}

