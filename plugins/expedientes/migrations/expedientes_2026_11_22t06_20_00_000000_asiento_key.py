"""Each entrada of the registro goes into one expediente, once: unique (tenant, asiento)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.db import unique_index

ID = "2026-11-22T06:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique key of the incorporated asientos"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="expedientes", description=DESCRIPTION)
    manager.add_raw(unique_index("expedientes_asiento", "tenant", "asiento"))
    return manager
