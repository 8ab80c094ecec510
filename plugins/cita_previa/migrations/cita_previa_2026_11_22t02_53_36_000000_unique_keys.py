"""Composite unique keys of cita_previa (every one includes the tenant)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.db import unique_index

ID = "2026-11-22T02:53:36:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite unique keys"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cita_previa", description=DESCRIPTION)
    manager.add_raw(unique_index("cita_previa_servicio", "tenant", "code"))
    manager.add_raw(unique_index("cita_previa_reserva", "tenant", "localizador"))
    manager.add_raw(unique_index("cita_previa_franja", "tenant", "agenda", "starts_at"))
    manager.add_raw(unique_index("cita_previa_excepcion", "tenant", "agenda", "date"))
    return manager
