"""Piccolo app of the signing tables (credentials, signature flows, signing policy)."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.signing.tables import SignatureFlow, SignatureStep, SignerCredential, SigningPolicy

APP_CONFIG = AppConfig(
    app_name="core_signing",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[SignerCredential, SignatureFlow, SignatureStep, SigningPolicy],
    migration_dependencies=[
        "core.tenancy.piccolo_app",
        "core.identity.piccolo_app",
        "core.documents.piccolo_app",
    ],
)
