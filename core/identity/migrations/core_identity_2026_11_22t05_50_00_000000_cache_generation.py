"""The cache generation counter and its triggers on the tenancy and identity tables
(``core.cache``): core_tenant, core_tenant_plugin, core_tenant_host, core_unit, core_user,
core_membership, core_support_access and core_role_permission.

The statements are the ones this migration ran when it was written, kept literally so that
the migration does not change after it has been applied: one statement-level trigger per
table on PostgreSQL, one per table and operation on SQLite. A later change to the triggers
is a new migration.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.db import engine

ID = "2026-11-22T05:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "cache generation"

COUNTER = (
    "CREATE TABLE IF NOT EXISTS core_cache_generation (n BIGINT NOT NULL)",
    "INSERT INTO core_cache_generation (n) SELECT 0 "
    "WHERE NOT EXISTS (SELECT 1 FROM core_cache_generation)",
)

POSTGRES = COUNTER + (
    "CREATE OR REPLACE FUNCTION core_cache_bump() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN UPDATE core_cache_generation SET n = n + 1; RETURN NULL; END $$",
    "CREATE OR REPLACE TRIGGER core_cache_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
    "ON core_tenant FOR EACH STATEMENT EXECUTE FUNCTION core_cache_bump()",
    "CREATE OR REPLACE TRIGGER core_cache_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
    "ON core_tenant_plugin FOR EACH STATEMENT EXECUTE FUNCTION core_cache_bump()",
    "CREATE OR REPLACE TRIGGER core_cache_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
    "ON core_tenant_host FOR EACH STATEMENT EXECUTE FUNCTION core_cache_bump()",
    "CREATE OR REPLACE TRIGGER core_cache_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
    "ON core_unit FOR EACH STATEMENT EXECUTE FUNCTION core_cache_bump()",
    "CREATE OR REPLACE TRIGGER core_cache_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
    "ON core_user FOR EACH STATEMENT EXECUTE FUNCTION core_cache_bump()",
    "CREATE OR REPLACE TRIGGER core_cache_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
    "ON core_membership FOR EACH STATEMENT EXECUTE FUNCTION core_cache_bump()",
    "CREATE OR REPLACE TRIGGER core_cache_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
    "ON core_support_access FOR EACH STATEMENT EXECUTE FUNCTION core_cache_bump()",
    "CREATE OR REPLACE TRIGGER core_cache_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
    "ON core_role_permission FOR EACH STATEMENT EXECUTE FUNCTION core_cache_bump()",
)

SQLITE = COUNTER + (
    "CREATE TRIGGER IF NOT EXISTS core_cache_bump_core_tenant_insert "
    "AFTER INSERT ON core_tenant BEGIN UPDATE core_cache_generation SET n = n + 1; END",
    "CREATE TRIGGER IF NOT EXISTS core_cache_bump_core_tenant_update "
    "AFTER UPDATE ON core_tenant BEGIN UPDATE core_cache_generation SET n = n + 1; END",
    "CREATE TRIGGER IF NOT EXISTS core_cache_bump_core_tenant_delete "
    "AFTER DELETE ON core_tenant BEGIN UPDATE core_cache_generation SET n = n + 1; END",
    "CREATE TRIGGER IF NOT EXISTS core_cache_bump_core_tenant_plugin_insert "
    "AFTER INSERT ON core_tenant_plugin BEGIN UPDATE core_cache_generation SET n = n + 1; END",
    "CREATE TRIGGER IF NOT EXISTS core_cache_bump_core_tenant_plugin_update "
    "AFTER UPDATE ON core_tenant_plugin BEGIN UPDATE core_cache_generation SET n = n + 1; END",
    "CREATE TRIGGER IF NOT EXISTS core_cache_bump_core_tenant_plugin_delete "
    "AFTER DELETE ON core_tenant_plugin BEGIN UPDATE core_cache_generation SET n = n + 1; END",
    "CREATE TRIGGER IF NOT EXISTS core_cache_bump_core_tenant_host_insert "
    "AFTER INSERT ON core_tenant_host BEGIN UPDATE core_cache_generation SET n = n + 1; END",
    "CREATE TRIGGER IF NOT EXISTS core_cache_bump_core_tenant_host_update "
    "AFTER UPDATE ON core_tenant_host BEGIN UPDATE core_cache_generation SET n = n + 1; END",
    "CREATE TRIGGER IF NOT EXISTS core_cache_bump_core_tenant_host_delete "
    "AFTER DELETE ON core_tenant_host BEGIN UPDATE core_cache_generation SET n = n + 1; END",
    "CREATE TRIGGER IF NOT EXISTS core_cache_bump_core_unit_insert "
    "AFTER INSERT ON core_unit BEGIN UPDATE core_cache_generation SET n = n + 1; END",
    "CREATE TRIGGER IF NOT EXISTS core_cache_bump_core_unit_update "
    "AFTER UPDATE ON core_unit BEGIN UPDATE core_cache_generation SET n = n + 1; END",
    "CREATE TRIGGER IF NOT EXISTS core_cache_bump_core_unit_delete "
    "AFTER DELETE ON core_unit BEGIN UPDATE core_cache_generation SET n = n + 1; END",
    "CREATE TRIGGER IF NOT EXISTS core_cache_bump_core_user_insert "
    "AFTER INSERT ON core_user BEGIN UPDATE core_cache_generation SET n = n + 1; END",
    "CREATE TRIGGER IF NOT EXISTS core_cache_bump_core_user_update "
    "AFTER UPDATE ON core_user BEGIN UPDATE core_cache_generation SET n = n + 1; END",
    "CREATE TRIGGER IF NOT EXISTS core_cache_bump_core_user_delete "
    "AFTER DELETE ON core_user BEGIN UPDATE core_cache_generation SET n = n + 1; END",
    "CREATE TRIGGER IF NOT EXISTS core_cache_bump_core_membership_insert "
    "AFTER INSERT ON core_membership BEGIN UPDATE core_cache_generation SET n = n + 1; END",
    "CREATE TRIGGER IF NOT EXISTS core_cache_bump_core_membership_update "
    "AFTER UPDATE ON core_membership BEGIN UPDATE core_cache_generation SET n = n + 1; END",
    "CREATE TRIGGER IF NOT EXISTS core_cache_bump_core_membership_delete "
    "AFTER DELETE ON core_membership BEGIN UPDATE core_cache_generation SET n = n + 1; END",
    "CREATE TRIGGER IF NOT EXISTS core_cache_bump_core_support_access_insert "
    "AFTER INSERT ON core_support_access BEGIN UPDATE core_cache_generation SET n = n + 1; END",
    "CREATE TRIGGER IF NOT EXISTS core_cache_bump_core_support_access_update "
    "AFTER UPDATE ON core_support_access BEGIN UPDATE core_cache_generation SET n = n + 1; END",
    "CREATE TRIGGER IF NOT EXISTS core_cache_bump_core_support_access_delete "
    "AFTER DELETE ON core_support_access BEGIN UPDATE core_cache_generation SET n = n + 1; END",
    "CREATE TRIGGER IF NOT EXISTS core_cache_bump_core_role_permission_insert "
    "AFTER INSERT ON core_role_permission BEGIN UPDATE core_cache_generation SET n = n + 1; END",
    "CREATE TRIGGER IF NOT EXISTS core_cache_bump_core_role_permission_update "
    "AFTER UPDATE ON core_role_permission BEGIN UPDATE core_cache_generation SET n = n + 1; END",
    "CREATE TRIGGER IF NOT EXISTS core_cache_bump_core_role_permission_delete "
    "AFTER DELETE ON core_role_permission BEGIN UPDATE core_cache_generation SET n = n + 1; END",
)


async def install() -> None:
    db = engine()
    for statement in POSTGRES if db.engine_type == "postgres" else SQLITE:
        await db.run_ddl(statement)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core_identity", description=DESCRIPTION)
    manager.add_raw(install)
    return manager
