"""The cache generation counter and its triggers on the tenancy and identity tables
(``core.cache``)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.cache import generation_ddl
from core.db import engine

ID = "2026-11-22T05:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "cache generation"

TABLES = ("core_tenant", "core_tenant_plugin", "core_tenant_host", "core_unit", "core_user",
          "core_membership", "core_support_access", "core_role_permission")


async def install() -> None:
    db = engine()
    for statement in generation_ddl(db.engine_type, TABLES):
        await db.run_ddl(statement)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core_identity", description=DESCRIPTION)
    manager.add_raw(install)
    return manager
