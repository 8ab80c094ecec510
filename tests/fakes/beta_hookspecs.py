"""Hooks plugin beta publishes for other plugins."""

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("concejo")


@hookspec
def beta_colors(register: Any) -> None:
    """Register colour names for beta."""
