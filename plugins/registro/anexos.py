"""Anexos: content checked by its bytes, stored once in the blob store, hashed (SHA-256)."""

from __future__ import annotations

import functools
from typing import Any

from core import kernel as _kernel
from core.documents.blobs import BlobTooLarge, blob_store_from_url
from core.documents.sniff import SNIFF_BYTES, ContentMismatch, check_content
from core.errors import DomainError
from plugins.registro.schemas import AnexoIn, AnexoOut
from plugins.registro.settings import Settings
from plugins.registro.tables import Anexo


class InvalidAnexo(DomainError):
    """An attachment the registro cannot take; the message names the file and why."""


_store = functools.cache(blob_store_from_url)  # one client per process and URL


def blob_store() -> Any:
    """The deployment's blob store."""
    return _store(_kernel.current().settings.effective_blob_url)


class StoredAnexo:
    """An anexo whose content is in the blob store, ready to become a row."""

    def __init__(self, data: AnexoIn, mime: str, sha256: str, size: int,
                 extra: dict[str, Any] | None = None, sir_identificador: str = "",
                 signs: int | None = None) -> None:
        self.data, self.mime, self.sha256, self.size = data, mime, sha256, size
        self.extra, self.sir_identificador, self.signs = extra or {}, sir_identificador, signs

    def row(self, tenant_id: int, asiento_id: int, position: int) -> Anexo:
        return Anexo(tenant=tenant_id, asiento=asiento_id, position=position,
                     filename=self.data.filename, mime=self.mime, size=self.size,
                     sha256=self.sha256, validez=self.data.validez,
                     tipo_documento=self.data.tipo_documento, notes=self.data.notes,
                     signs=self.signs, sir_identificador=self.sir_identificador,
                     sir_extra=self.extra)


async def store(anexos: list[AnexoIn], settings: Settings) -> list[StoredAnexo]:
    """Check each anexo's type by content and size, then store it; nothing in the database.

    Blobs are content-addressed, so a transaction that fails afterwards leaves at most an
    unreferenced blob behind, never a half-saved asiento.
    """
    if len(anexos) > settings.max_anexos:
        raise InvalidAnexo(f"Demasiados anexos: {len(anexos)}, como máximo "
                           f"{settings.max_anexos}")
    for index, anexo in enumerate(anexos):
        if anexo.signs is not None and (anexo.signs >= len(anexos) or anexo.signs == index):
            raise InvalidAnexo(f"{anexo.filename}: firma el anexo {anexo.signs}, que no es "
                               "otro anexo de este asiento")
    stored = []
    for anexo in anexos:
        whole = anexo.filename.lower().endswith(".svg")  # a script may hide past the head
        head = anexo.content if whole else anexo.content[:SNIFF_BYTES]
        try:
            mime = check_content(head, anexo.mime, anexo.filename)
            ref = await blob_store().put_bytes(anexo.content,
                                               max_bytes=settings.max_anexo_bytes)
        except ContentMismatch as exc:
            raise InvalidAnexo(f"{anexo.filename}: {exc}") from None
        except BlobTooLarge:
            raise InvalidAnexo(f"{anexo.filename}: supera el tamaño máximo de "
                               f"{settings.max_anexo_bytes} bytes") from None
        stored.append(StoredAnexo(anexo, mime, ref.sha256, ref.size, signs=anexo.signs))
    return stored


def out(row: dict[str, Any]) -> AnexoOut:
    return AnexoOut(id=row["id"], position=row["position"], filename=row["filename"],
                    mime=row["mime"], size=row["size"], sha256=row["sha256"],
                    validez=row["validez"], tipo_documento=row["tipo_documento"],
                    notes=row["notes"], signs=row["signs"])


async def content(sha256: str) -> bytes:
    return await blob_store().read_bytes(sha256)
