"""Piccolo app of notificaciones."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from plugins.notificaciones.tables import (
    Destinatario,
    Edicto,
    Evento,
    Intento,
    Notificacion,
    Pendiente,
    Remesa,
)

APP_CONFIG = AppConfig(
    app_name="notificaciones",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[Remesa, Destinatario, Notificacion, Evento, Intento, Edicto, Pendiente],
    migration_dependencies=["core.tenancy.piccolo_app", "core.documents.piccolo_app"],
)
