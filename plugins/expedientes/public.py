"""What expedientes offers other plugins: the only module of it they may import (checked
by import-linter and ``tests/platform/test_plugin_imports.py``).

Notificaciones reads expedientes and their resoluciones, locks an expediente while it
notifies from it, and writes to its history; a plugin that needs more asks for it to be
published here.
"""

from plugins.expedientes.busqueda import search
from plugins.expedientes.history import log as log_history
from plugins.expedientes.resoluciones import get as get_resolucion
from plugins.expedientes.resoluciones import of_expediente as resoluciones_of
from plugins.expedientes.schemas import Busqueda, ExpedienteOut, ResolucionFirmada
from plugins.expedientes.services import check_exists, get, lock, valid_nif

__all__ = ["Busqueda", "ExpedienteOut", "ResolucionFirmada", "check_exists", "get",
           "get_resolucion", "lock", "log_history", "resoluciones_of", "search", "valid_nif"]
