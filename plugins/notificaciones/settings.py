"""Per-tenant settings of notificaciones: warnings, providers and bulk runs."""

from typing import Annotated

import msgspec


class Settings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What each entity tunes.

    ``sms_provider`` names an SMS gateway registered with ``register_sms_providers`` (empty:
    warnings by e-mail only). ``hub`` names an external notification hub registered with
    ``register_notification_hubs`` (DEHú / Notific@, e-NOTUM…): electronic notifications
    are also put at disposal there. ``remesa_chunk`` is how many notifications of a bulk
    run one job creates in one transaction.
    """

    sms_provider: str = ""
    hub: str = ""
    remesa_chunk: Annotated[int, msgspec.Meta(ge=10, le=5000)] = 500
