"""Piccolo app of the numbering service."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.numbering.tables import Counter

APP_CONFIG = AppConfig(
    app_name="core_numbering",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[Counter],
    migration_dependencies=["core.tenancy.piccolo_app"],
)
