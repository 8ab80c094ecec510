"""Per-tenant settings of the registro."""

from typing import Annotated

import msgspec

from core.web.i18n import N_

MB = 1024 * 1024


class Settings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """How one entity runs its registro general (its calendar is the entity's calendar).

    - ``oficina``: DIR3 of the oficina de asistencia en materia de registros that records
      presencial entries; empty takes the entity's first office unit, else the entity.
    - ``sir_transport``: name of the SIR transport (``register_sir_transports``).
    - ``max_anexo_bytes`` / ``max_anexos``: what one asiento may carry.
    """

    oficina: Annotated[str, msgspec.Meta(
        pattern=r"^([A-Z][A-Z0-9]{8})?$", title=N_("Oficina de registro (DIR3)"),
        description=N_("Código DIR3 de la oficina que registra las entradas presenciales; "
                       "vacío: la primera oficina de la entidad."))] = ""
    sir_transport: Annotated[str, msgspec.Meta(
        title=N_("Transporte SIR"),
        description=N_("Nombre del medio por el que se intercambian asientos con otras "
                       "administraciones."))] = "concejo"
    max_anexo_bytes: Annotated[int, msgspec.Meta(
        ge=1, le=100 * MB, title=N_("Tamaño máximo de un anexo (bytes)"))] = 10 * MB
    max_anexos: Annotated[int, msgspec.Meta(
        ge=0, le=100, title=N_("Número máximo de anexos por asiento"))] = 20
