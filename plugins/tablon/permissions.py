"""Permissions of the tablón."""

from core.kernel import Permission

VIEW = Permission("tablon.view", "Ver los anuncios del tablón en la oficina")
PUBLISH = Permission("tablon.publish", "Publicar anuncios en el tablón")
RETIRE = Permission("tablon.retire", "Retirar anuncios del tablón")
