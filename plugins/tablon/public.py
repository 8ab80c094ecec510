"""What the tablón offers other plugins: the only module of it they may import (checked by
import-linter and ``tests/platform/test_plugin_imports.py``).

Notificaciones publishes the edicto of a notification it could not deliver (Ley 39/2015,
art. 44) as an anuncio.
"""

from plugins.tablon.schemas import AnuncioIn
from plugins.tablon.services import publish, settings_of

__all__ = ["AnuncioIn", "publish", "settings_of"]
