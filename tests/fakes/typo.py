"""A plugin with a misspelled hook: boot must fail naming it."""

from typing import Any

from core.plugins import PluginManifest, hookimpl

MANIFEST = PluginManifest(name="typo", label="Typo", version="0.1")


@hookimpl
def on_evnt(event: Any, tenant: Any) -> None:
    """Misspelled on purpose."""
