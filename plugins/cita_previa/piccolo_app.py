"""Piccolo app of cita previa."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from plugins.cita_previa.tables import (
    Agenda,
    Cita,
    Excepcion,
    Franja,
    Intento,
    Oficina,
    Reserva,
    Servicio,
)

APP_CONFIG = AppConfig(
    app_name="cita_previa",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[Oficina, Servicio, Agenda, Excepcion, Franja, Reserva, Cita, Intento],
    migration_dependencies=["core.tenancy.piccolo_app"],
)
