"""Piccolo app of the audit log."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.audit.tables import AuditEntry, AuditHead

APP_CONFIG = AppConfig(
    app_name="core_audit",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[AuditEntry, AuditHead],
    migration_dependencies=["core.tenancy.piccolo_app"],
)
