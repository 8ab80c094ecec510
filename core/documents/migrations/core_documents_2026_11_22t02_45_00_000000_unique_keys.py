"""Composite unique keys of core_documents (every one includes the tenant)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.db import unique_index

ID = "2026-11-22T02:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite unique keys"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core_documents",
                               description=DESCRIPTION)
    manager.add_raw(unique_index("core_document_version", "tenant", "document", "number"))
    return manager
