"""Piccolo app of expedientes."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from plugins.expedientes.tables import (
    Actividad,
    Adscripcion,
    AsientoIncorporado,
    DocumentoExpediente,
    Expediente,
    Indice,
    Interesado,
    Plantilla,
    Procedimiento,
    Relacion,
    Resolucion,
    Responsable,
    Tarea,
)

APP_CONFIG = AppConfig(
    app_name="expedientes",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[Procedimiento, Plantilla, Expediente, Interesado, Responsable,
                   Adscripcion, Tarea, Relacion, Actividad, DocumentoExpediente, Resolucion,
                   Indice, AsientoIncorporado],
    migration_dependencies=["core.tenancy.piccolo_app", "core.identity.piccolo_app",
                            "core.documents.piccolo_app", "core.signing.piccolo_app",
                            "core.numbering.piccolo_app"],
)
