"""The tablón numbers its anuncios with the kernel's service (``core.numbering``, series
``tablon.anuncio``, never restarting) instead of the last number under an advisory lock:
each tenant's counter starts at its last anuncio, so numbering goes on where it was."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.numbering import carry_over

ID = "2026-12-08T00:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "anuncio numbers continue in core_counter"


async def start_counters() -> None:
    await carry_over("SELECT tenant, 'tablon.anuncio', 0, max(number) FROM tablon_anuncio "
                     "GROUP BY tenant")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tablon", description=DESCRIPTION)
    manager.add_raw(start_counters)
    return manager
