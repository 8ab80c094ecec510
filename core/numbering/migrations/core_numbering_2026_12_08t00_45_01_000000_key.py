"""The counter's unique key (tenant, series, year): the upsert's conflict target."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.db import unique_index

ID = "2026-12-08T00:45:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "counter unique key"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core_numbering",
                               description=DESCRIPTION)
    manager.add_raw(unique_index("core_counter", "tenant", "series", "year"))
    return manager
