"""Piccolo app of the document records."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.documents.tables import Document, DocumentSignature, DocumentVersion

APP_CONFIG = AppConfig(
    app_name="core_documents",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[Document, DocumentVersion, DocumentSignature],
    migration_dependencies=["core.tenancy.piccolo_app", "core.identity.piccolo_app"],
)
