"""API shapes of the tablón."""

from datetime import date, datetime
from typing import Annotated

import msgspec

Title = Annotated[str, msgspec.Meta(min_length=3, max_length=300, title="Título")]


class AnuncioIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    title: Title
    body: Annotated[str, msgspec.Meta(min_length=1, max_length=100_000, title="Texto")]
    category: Annotated[str, msgspec.Meta(title="Categoría")] = "anuncio"
    publish_from: Annotated[date, msgspec.Meta(title="Publicar desde")] | None = None
    publish_until: Annotated[date, msgspec.Meta(title="Retirar tras")] | None = None


class AnuncioOut(msgspec.Struct, kw_only=True):
    id: int
    number: int
    title: str
    body: str
    category: str
    publish_from: date
    publish_until: date
    state: str
    created_at: datetime
    retired_reason: str = ""


class Retirada(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=3, max_length=2000, title="Motivo")]


class AnuncioPublicado(msgspec.Struct, frozen=True):
    """Event: a notice was published."""

    anuncio_id: int
    title: str


class AnuncioRetirado(msgspec.Struct, frozen=True):
    """Event: a notice was retired (by hand or because its period ended)."""

    anuncio_id: int
    reason: str
