"""Piccolo app of the identity tables."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.identity.tables import (
    ApiToken,
    AuthFlow,
    LoginAttempt,
    Membership,
    PasswordReset,
    Representation,
    RolePermission,
    Session,
    SupportAccess,
    User,
)

APP_CONFIG = AppConfig(
    app_name="core_identity",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[User, Membership, Session, LoginAttempt, PasswordReset, AuthFlow,
                   RolePermission, ApiToken, SupportAccess, Representation],
    migration_dependencies=["core.tenancy.piccolo_app"],
)
