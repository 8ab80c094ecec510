"""Hooks notificaciones publishes for other plugins (added with ``addhooks``)."""

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("concejo")


@hookspec
def register_sms_providers(register: Any) -> None:
    """Register SMS gateways for the warnings (``SmsProvider``): ``register(MyGateway())``."""


@hookspec
def register_notification_hubs(register: Any) -> None:
    """Register external notification hubs (``NotificationHub``: DEHú, e-NOTUM…)."""
