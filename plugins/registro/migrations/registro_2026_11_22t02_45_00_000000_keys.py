"""Composite unique keys (every one includes the tenant) and the search indexes."""

from collections.abc import Awaitable, Callable

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.db import engine, unique_index

ID = "2026-11-22T02:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite unique keys and search indexes"


def search_index(table: str, *columns: str) -> Callable[[], Awaitable[None]]:
    """A plain (non-unique) index, for the look-ups the registro makes."""
    name = f"ix_{table}_{'_'.join(columns)}"
    quoted = ", ".join(f'"{column}"' for column in columns)

    async def create() -> None:
        await engine().run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({quoted})")

    return create


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registro", description=DESCRIPTION)
    manager.add_raw(unique_index("registro_counter", "tenant", "year", "series"))
    manager.add_raw(unique_index("registro_asiento", "tenant", "year", "direction", "number"))
    manager.add_raw(unique_index("registro_interesado", "tenant", "asiento", "position",
                                 "role"))
    manager.add_raw(unique_index("registro_anexo", "tenant", "asiento", "position"))
    manager.add_raw(unique_index("registro_sir_exchange", "tenant", "direction",
                                 "identificador", "file_sha256"))
    manager.add_raw(search_index("registro_asiento", "tenant", "official_at"))
    manager.add_raw(search_index("registro_asiento", "tenant", "unidad_destino",
                                 "distribution_state"))
    manager.add_raw(search_index("registro_interesado", "tenant", "document"))
    manager.add_raw(search_index("registro_sir_exchange", "tenant", "identificador"))
    return manager
