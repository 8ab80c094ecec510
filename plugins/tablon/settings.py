"""Per-tenant settings of the tablón."""

from typing import Annotated

import msgspec

from core.web.i18n import N_


class Settings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """``default_display_days``: días naturales a notice stays when no end date is given."""

    default_display_days: Annotated[int, msgspec.Meta(
        ge=1, le=365, title=N_("Días de exposición por defecto"),
        description=N_("Días naturales que un anuncio sin fecha de fin permanece publicado."))
    ] = 20
    categories: Annotated[list[str], msgspec.Meta(
        min_length=1, title=N_("Categorías de anuncio"))] = msgspec.field(
        default_factory=lambda: [N_("anuncio"), N_("edicto"), N_("bando"), N_("convocatoria")])
