"""Piccolo app of the identity tables."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.identity.tables import Membership, Session, User

APP_CONFIG = AppConfig(
    app_name="core_identity",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[User, Membership, Session],
    migration_dependencies=["core.tenancy.piccolo_app"],
)
