"""Hooks cita previa publishes for other plugins (added with ``addhooks``)."""

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("concejo")


@hookspec
def register_video_providers(register: Any) -> None:
    """Register video-call systems for the videollamada channel: ``register(provider)``."""
