"""Plugin ``beta``: depends on alpha, has validated settings, publishes a hook of its own."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
import pluggy

from core.plugins import PluginManifest, hookimpl
from core.types import Email, Secret
from tests.fakes import beta_hookspecs


class Settings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One setting of each input kind the console's form knows."""

    limit: Annotated[int, msgspec.Meta(ge=1, le=10)] = 3
    label: str = "beta"
    contact: Annotated[Email, msgspec.Meta(title="Correo de contacto",
                                           description="Quién responde por beta")] = ""
    token: Annotated[Secret, msgspec.Meta(title="Clave del servicio")] = ""
    mode: Annotated[Literal["rapido", "lento"], msgspec.Meta(title="Modo")] = "rapido"
    active: Annotated[bool, msgspec.Meta(title="En servicio")] = True
    tags: Annotated[list[str], msgspec.Meta(title="Etiquetas")] = []


#: Version 0.1 called ``limit`` ``max`` and had a ``colour`` setting.
MANIFEST = PluginManifest(name="beta", label="Beta", version="0.2", settings=Settings,
                          settings_renamed={"max": "limit"}, settings_removed=("colour",),
                          depends_on=("alpha",))


@hookimpl
def addhooks(pm: pluggy.PluginManager) -> None:
    pm.add_hookspecs(beta_hookspecs)
