"""Piccolo app of the job system tables."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.jobs_app.tables import DoneMessage, OutboxMessage

APP_CONFIG = AppConfig(
    app_name="core_jobs",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[OutboxMessage, DoneMessage],
    migration_dependencies=["core.tenancy.piccolo_app"],
)
