"""Piccolo app of the calendar tables."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.calendar_app.tables import CalendarYear, NonWorkingDayRow

APP_CONFIG = AppConfig(
    app_name="core_calendar",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[NonWorkingDayRow, CalendarYear],
    migration_dependencies=["core.tenancy.piccolo_app"],
)
