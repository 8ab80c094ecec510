"""Piccolo app of the tablón."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from plugins.tablon.tables import Anuncio

APP_CONFIG = AppConfig(
    app_name="tablon",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[Anuncio],
    migration_dependencies=["core.tenancy.piccolo_app", "core.numbering.piccolo_app"],
)
