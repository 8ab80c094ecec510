"""Per-tenant settings of expedientes."""

from typing import Annotated

import msgspec

from core.tenancy import settings as tenant_settings
from core.tenancy.context import TenantContext

Email = Annotated[str, msgspec.Meta(max_length=254)]


class Settings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Who signs resoluciones by default, and the size limit of ENI packages to import.

    ``alcalde`` signs a resolución first, then the ``secretario`` transcribes it into the
    libro de resoluciones (e-mails of staff users of the entity; a resolución may name
    other signers when it is sent).
    """

    alcalde: Email = ""
    secretario: Email = ""
    max_import_mb: Annotated[int, msgspec.Meta(ge=1, le=2048)] = 200


def settings_of(tenant: TenantContext) -> Settings:
    """The tenant's settings of expedientes, with defaults."""
    return tenant_settings.settings_of(tenant, "expedientes", Settings)
