"""What the registro offers other plugins: the only module of it they may import
(checked by import-linter and ``tests/platform/test_plugin_imports.py``).

Expedientes registers its sede solicitudes as entradas, reads and links asientos and takes
their justificantes; a plugin that needs more asks for it to be published here.
"""

from plugins.registro.distribution import inbox, link_expediente
from plugins.registro.justificante import download as justificante_pdf
from plugins.registro.justificante import issue as issue_justificante
from plugins.registro.schemas import (
    AnexoIn,
    AsientoIn,
    AsientoOut,
    AsientoSummary,
    InteresadoIn,
    Persona,
)
from plugins.registro.services import get, register, units_of

__all__ = ["AnexoIn", "AsientoIn", "AsientoOut", "AsientoSummary", "InteresadoIn", "Persona",
           "get", "inbox", "issue_justificante", "justificante_pdf", "link_expediente",
           "register", "units_of"]
