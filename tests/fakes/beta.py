"""Plugin ``beta``: depends on alpha, has validated settings, publishes a hook of its own."""

from __future__ import annotations

from typing import Annotated

import msgspec
import pluggy

from core.plugins import PluginManifest, hookimpl
from tests.fakes import beta_hookspecs


class Settings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    limit: Annotated[int, msgspec.Meta(ge=1, le=10)] = 3
    label: str = "beta"


MANIFEST = PluginManifest(name="beta", label="Beta", version="0.1", settings=Settings,
                          depends_on=("alpha",))


@hookimpl
def addhooks(pm: pluggy.PluginManager) -> None:
    pm.add_hookspecs(beta_hookspecs)
