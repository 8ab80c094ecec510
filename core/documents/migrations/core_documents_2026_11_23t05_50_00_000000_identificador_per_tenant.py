"""A document's ENI identificador is unique per tenant, not platform-wide.

An expediente remitted by one entity of the province and received by another holds the
same ENI documentos (same identificadores) in both. PostgreSQL drops the column's unique
constraint; SQLite cannot drop a column constraint, so the table is rebuilt (the
procedure of sqlite.org/lang_altertable.html: foreign keys off, outside a transaction).
"""

from __future__ import annotations

import asyncio
import sqlite3

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar

from core.db import engine, unique_index

ID = "2026-11-23T05:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "identificador unique per tenant"
TABLE = "core_document"
UNIQUE_COLUMN = '"identificador" VARCHAR(52) UNIQUE NOT NULL'


def _rebuild_sqlite(path: str) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute("BEGIN IMMEDIATE")
        (ddl,) = connection.execute("SELECT sql FROM sqlite_master WHERE type = 'table' "
                                    "AND name = ?", (TABLE,)).fetchone()
        if UNIQUE_COLUMN not in ddl:
            raise RuntimeError(f"{TABLE}: unexpected definition {ddl}")
        indexes = [sql for (sql,) in connection.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL", (TABLE,))]
        new = ddl.replace(UNIQUE_COLUMN, UNIQUE_COLUMN.replace(" UNIQUE", "")).replace(
            f'"{TABLE}"', f'"{TABLE}__new"', 1)
        connection.execute(new)
        connection.execute(f'INSERT INTO "{TABLE}__new" SELECT * FROM "{TABLE}"')
        connection.execute(f'DROP TABLE "{TABLE}"')
        connection.execute(f'ALTER TABLE "{TABLE}__new" RENAME TO "{TABLE}"')
        for sql in indexes:
            connection.execute(sql)
        if broken := connection.execute("PRAGMA foreign_key_check").fetchall():
            raise RuntimeError(f"{TABLE}: foreign keys broken by the rebuild: {broken[:5]}")
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    finally:
        connection.close()


class _Manager(MigrationManager):
    """Piccolo's ``DROP CONSTRAINT`` for the column is PostgreSQL's; SQLite's rebuild (a
    raw step, run first) has done it there. The alteration stays in the manager so that
    Piccolo's schema snapshot knows the column is no longer unique."""

    async def _run_alter_columns(self, backwards: bool = False) -> None:
        if engine().engine_type != "sqlite":
            await super()._run_alter_columns(backwards=backwards)


async def _drop_unique() -> None:
    if engine().engine_type == "sqlite":
        await asyncio.to_thread(_rebuild_sqlite, engine().path)


async def forwards() -> MigrationManager:
    manager = _Manager(migration_id=ID, app_name="core_documents", description=DESCRIPTION,
                       wrap_in_transaction=engine().engine_type != "sqlite")
    manager.add_raw(_drop_unique)
    manager.add_raw(unique_index(TABLE, "tenant", "identificador"))
    manager.alter_column(
        table_class_name="Document", tablename=TABLE, column_name="identificador",
        db_column_name="identificador", params={"unique": False},
        old_params={"unique": True}, column_class=Varchar, old_column_class=Varchar)
    return manager
