"""Expedientes and the libro de resoluciones number with the kernel's service
(``core.numbering``): their counters move to ``core_counter`` (series
``expedientes.expediente``, ``expedientes.resolucion``), so numbering goes on where it was,
and ``expedientes_counter`` goes away."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.numbering import carry_over

ID = "2026-12-08T00:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "counters move to core_counter"


async def move_counters() -> None:
    await carry_over(
        "SELECT tenant, 'expedientes.' || series, year, last FROM expedientes_counter")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="expedientes",
                               description=DESCRIPTION)
    manager.add_raw(move_counters)  # raw steps run before the table is dropped
    manager.drop_table(class_name="Counter", tablename="expedientes_counter")
    return manager
