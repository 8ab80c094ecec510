"""Per-tenant settings of the registro."""

from datetime import date
from typing import Annotated

import msgspec

MB = 1024 * 1024


class Settings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """How one entity runs its registro general.

    - ``community``: comunidad autónoma code of the seat's calendar (``"CL"``); empty takes
      it from the province of the entity's INE code.
    - ``closed_days``: days only the registry closes (the ``registro`` calendar layer).
    - ``oficina``: DIR3 of the oficina de asistencia en materia de registros that records
      presencial entries; empty takes the entity's first office unit, else the entity.
    - ``sir_transport``: name of the SIR transport (``register_sir_transports``).
    - ``max_anexo_bytes`` / ``max_anexos``: what one asiento may carry.
    """

    community: Annotated[str, msgspec.Meta(pattern=r"^([A-Z]{2})?$")] = ""
    closed_days: list[date] = msgspec.field(default_factory=list)
    oficina: Annotated[str, msgspec.Meta(pattern=r"^([A-Z][A-Z0-9]{8})?$")] = ""
    sir_transport: str = "concejo"
    max_anexo_bytes: Annotated[int, msgspec.Meta(ge=1, le=100 * MB)] = 10 * MB
    max_anexos: Annotated[int, msgspec.Meta(ge=0, le=100)] = 20
