"""Per-tenant settings of expedientes."""

from typing import Annotated

import msgspec

from core.tenancy import settings as tenant_settings
from core.tenancy.context import TenantContext
from core.types import Email
from core.web.i18n import N_


class Settings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Who signs resoluciones by default, and the size limit of ENI packages to import.

    ``alcalde`` signs a resolución first, then the ``secretario`` transcribes it into the
    libro de resoluciones (e-mails of staff users of the entity; a resolución may name
    other signers when it is sent).
    """

    alcalde: Annotated[Email, msgspec.Meta(
        title=N_("Correo de la alcaldía"),
        description=N_("Usuario que firma primero las resoluciones."))] = ""
    secretario: Annotated[Email, msgspec.Meta(
        title=N_("Correo de la secretaría"),
        description=N_("Usuario que transcribe las resoluciones al libro."))] = ""
    max_import_mb: Annotated[int, msgspec.Meta(
        ge=1, le=2048, title=N_("Tamaño máximo de un paquete ENI importado (MB)"))] = 200


def settings_of(tenant: TenantContext) -> Settings:
    """The tenant's settings of expedientes, with defaults."""
    return tenant_settings.settings_of(tenant, "expedientes", Settings)
