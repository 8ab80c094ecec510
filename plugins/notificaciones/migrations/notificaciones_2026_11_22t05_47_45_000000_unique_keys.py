"""Composite unique keys of notificaciones (every one includes the tenant), and the
indexes the clock and the carpeta use."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.db import engine, unique_index

ID = "2026-11-22T05:47:45:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite unique keys"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="notificaciones",
                               description=DESCRIPTION)
    manager.add_raw(unique_index("notificaciones_destinatario", "tenant", "remesa", "position"))
    manager.add_raw(unique_index("notificaciones_intento", "tenant", "notificacion", "number"))
    manager.add_raw(unique_index("notificaciones_edicto", "tenant", "notificacion"))
    manager.add_raw(unique_index("notificaciones_pendiente", "tenant", "resolucion_id"))
    manager.add_raw(_indexes)
    return manager


INDEXES = {"ix_notificaciones_clock": ("notificaciones_notificacion", "tenant, state, expires_on"),
           "ix_notificaciones_nif": ("notificaciones_notificacion", "tenant, nif"),
           "ix_notificaciones_evento": ("notificaciones_evento", "tenant, notificacion"),
           "ix_notificaciones_pendientes": ("notificaciones_destinatario",
                                            "tenant, remesa, notificacion")}


async def _indexes():
    for name, (table, columns) in INDEXES.items():
        await engine().run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")
