"""Piccolo app of the tenancy tables."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.tenancy.tables import Tenant, TenantHost, TenantPlugin, Unit

APP_CONFIG = AppConfig(
    app_name="core_tenancy",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[Tenant, TenantHost, Unit, TenantPlugin],
)
