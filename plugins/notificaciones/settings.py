"""Per-tenant settings of notificaciones: warnings, providers and bulk runs."""

from typing import Annotated

import msgspec

from core import kernel as _kernel
from core.web.i18n import N_

_PROVIDERS = {"sms_provider": ("register_sms_providers", "Proveedor de SMS"),
              "hub": ("register_notification_hubs", "Plataforma de notificaciones externa")}


class Settings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What each entity tunes.

    ``sms_provider`` names an SMS gateway registered with ``register_sms_providers`` (empty:
    warnings by e-mail only). ``hub`` names an external notification hub registered with
    ``register_notification_hubs`` (DEHú / Notific@, e-NOTUM…): electronic notifications
    are also put at disposal there. ``remesa_chunk`` is how many notifications of a bulk
    run one job creates in one transaction.
    """

    sms_provider: Annotated[str, msgspec.Meta(
        title=N_("Proveedor de SMS"),
        description=N_("Nombre del servicio de SMS para los avisos; vacío: solo por correo."))
    ] = ""
    hub: Annotated[str, msgspec.Meta(
        title=N_("Plataforma de notificaciones externa"),
        description=N_("Nombre de la plataforma (DEHú, Notific@…) donde también se ponen a "
                       "disposición; vacío: ninguna."))] = ""
    remesa_chunk: Annotated[int, msgspec.Meta(
        ge=10, le=5000, title=N_("Notificaciones por lote de una remesa"),
        description=N_("Cuántas notificaciones de un envío masivo crea cada tarea."))] = 500

    def __post_init__(self) -> None:
        """A provider or hub named must be installed: a misspelt name would leave every
        notification's delivery failing and retried."""
        for field, (hook, title) in _PROVIDERS.items():
            name = getattr(self, field)
            if name and name not in {item.name for _owner, item
                                     in _kernel.current().plugins.collect(hook)}:
                raise ValueError(f"«{title}»: no hay ninguno instalado con el nombre {name!r}")
