"""Hooks the registro publishes for other plugins (added with ``addhooks``)."""

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("concejo")


@hookspec
def register_sir_transports(register: Any) -> None:
    """Register SIR transports (``SirTransport``): ``register(MyTransport())``."""


@hookspec
def on_asiento_distributed(asiento: Any, unidad: str, tenant: Any) -> None:
    """An entrada reached the inbox of ``unidad`` (after commit; ``asiento`` is AsientoOut)."""
