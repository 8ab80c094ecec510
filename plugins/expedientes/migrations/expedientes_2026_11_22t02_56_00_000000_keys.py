"""Composite unique keys of expedientes (every one includes the tenant) and the indexes
the expediente view, the task lists, the carpeta ciudadana and the searches use."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.db import engine, unique_index

ID = "2026-11-22T02:56:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite unique keys and indexes"

UNIQUE = (
    ("expedientes_counter", "tenant", "year", "series"),
    ("expedientes_procedimiento", "tenant", "code"),
    ("expedientes_plantilla", "tenant", "procedimiento", "code"),
    ("expedientes_expediente", "tenant", "year", "number"),
    ("expedientes_expediente", "tenant", "identificador"),
    ("expedientes_interesado", "tenant", "expediente", "position"),
    ("expedientes_responsable", "tenant", "expediente", "user"),
    ("expedientes_adscripcion", "tenant", "user", "unit_dir3"),
    ("expedientes_relacion", "tenant", "expediente", "related"),
    ("expedientes_documento", "tenant", "expediente", "position"),
    ("expedientes_documento", "tenant", "expediente", "document"),
    ("expedientes_resolucion", "tenant", "year", "number"),
)
INDEXES = (
    ("expedientes_interesado", "tenant", "nif"),
    ("expedientes_tarea", "tenant", "expediente"),
    ("expedientes_tarea", "tenant", "assignee", "done_at"),
    ("expedientes_actividad", "tenant", "expediente"),
    ("expedientes_expediente", "tenant", "state", "unit_dir3"),
    ("expedientes_resolucion", "tenant", "expediente"),
    ("expedientes_indice", "tenant", "expediente"),
)


def index(table, *columns):
    name = f"ix_{table}_{'_'.join(columns)}"
    quoted = ", ".join(f'"{column}"' for column in columns)

    async def create():
        await engine().run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({quoted})")

    return create


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="expedientes", description=DESCRIPTION)
    for key in UNIQUE:
        manager.add_raw(unique_index(*key))
    for key in INDEXES:
        manager.add_raw(index(*key))
    return manager
