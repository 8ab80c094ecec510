"""Unique key of core_role_permission: one adjustment per tenant, role and permission."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.db import unique_index

ID = "2026-11-22T02:39:49:000000"
VERSION = "1.38.0"
DESCRIPTION = "role permission unique key"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core_identity", description=DESCRIPTION)
    manager.add_raw(unique_index("core_role_permission", "tenant", "role", "permission"))
    return manager
