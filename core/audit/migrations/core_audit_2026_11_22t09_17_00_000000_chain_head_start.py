"""Each tenant's chain head starts at its last entry, and a trigger moves it on with
every entry appended (on both databases). The SQL is written out here, as applied."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.db import engine

ID = "2026-11-22T09:17:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "chain head start and trigger"

START = ("INSERT INTO core_audit_head (tenant, seq, hash) "
         "SELECT e.tenant, e.seq, e.hash FROM core_audit_entry e WHERE e.seq = "
         "(SELECT max(seq) FROM core_audit_entry WHERE tenant = e.tenant)")

POSTGRES = (
    # the migration runs as the owner, to whom row-level security applies too (FORCE)
    "SELECT set_config('app.cross_tenant', 'migration', true)",
    START,
    "CREATE OR REPLACE FUNCTION core_audit_head_follow() RETURNS trigger LANGUAGE plpgsql "
    "AS $$ BEGIN UPDATE core_audit_head SET seq = NEW.seq, hash = NEW.hash "
    "WHERE tenant = NEW.tenant AND seq <= NEW.seq; RETURN NULL; END $$",
    "CREATE OR REPLACE TRIGGER core_audit_head_follow AFTER INSERT ON core_audit_entry "
    "FOR EACH ROW EXECUTE FUNCTION core_audit_head_follow()",
)

SQLITE = (
    START,
    "CREATE TRIGGER IF NOT EXISTS core_audit_head_follow AFTER INSERT ON core_audit_entry "
    "BEGIN UPDATE core_audit_head SET seq = NEW.seq, hash = NEW.hash "
    "WHERE tenant = NEW.tenant AND seq <= NEW.seq; END",
)


async def start_heads() -> None:
    db = engine()
    for statement in POSTGRES if db.engine_type == "postgres" else SQLITE:
        await db.run_ddl(statement)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core_audit", description=DESCRIPTION)
    manager.add_raw(start_heads)
    return manager
