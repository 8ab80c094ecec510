"""Piccolo app of the registro."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from plugins.registro.tables import Anexo, Asiento, Exchange, Interesado, Rectificacion

APP_CONFIG = AppConfig(
    app_name="registro",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[Asiento, Interesado, Anexo, Rectificacion, Exchange],
    migration_dependencies=["core.tenancy.piccolo_app", "core.numbering.piccolo_app"],
)
