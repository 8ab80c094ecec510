"""Spanish names of the tablón's codes (msgids, shown with ``| label(labels.STATE)``)."""

from core.web.i18n import N_

#: an anuncio's state
STATE = {"publicado": N_("Publicado"), "retirado": N_("Retirado")}
