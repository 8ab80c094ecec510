"""Anexos: each uploaded one becomes a core document (content sniffed, stored once in the
blob store under its SHA-256, ENI metadata); SIR anexos are kept byte for byte as received.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from core import kernel as _kernel
from core.documents.blobs import BlobStore
from core.documents.eni import Origen, TipoDocumental
from core.documents.filenames import safe_filename
from core.documents.services import upload_document
from core.errors import DomainError
from core.tenancy.context import TenantContext
from plugins.registro.schemas import AnexoIn, AnexoOut
from plugins.registro.settings import Settings
from plugins.registro.tables import Anexo


class InvalidAnexo(DomainError):
    """An attachment the registro cannot take; the message names the file and why."""


def blob_store() -> BlobStore:
    """The deployment's blob store (the kernel's)."""
    return _kernel.current().blobs


class StoredAnexo:
    """An anexo whose content is stored (as a core document when ``document`` is set)."""

    def __init__(self, data: AnexoIn, mime: str, sha256: str, size: int, *,
                 document: int | None = None, extra: dict[str, Any] | None = None,
                 sir_identificador: str = "", signs: int | None = None) -> None:
        self.data, self.mime, self.sha256, self.size = data, mime, sha256, size
        self.document, self.extra = document, extra or {}
        self.sir_identificador, self.signs = sir_identificador, signs

    def row(self, tenant_id: int, asiento_id: int, position: int) -> Anexo:
        return Anexo(tenant=tenant_id, asiento=asiento_id, position=position,
                     filename=safe_filename(self.data.filename), mime=self.mime, size=self.size,
                     sha256=self.sha256, document=self.document, validez=self.data.validez,
                     tipo_documento=self.data.tipo_documento, notes=self.data.notes,
                     signs=self.signs, sir_identificador=self.sir_identificador,
                     sir_extra=self.extra)


def check(anexos: list[AnexoIn], settings: Settings) -> None:
    """How many, how large, and which signs which: checked before anything is stored."""
    if len(anexos) > settings.max_anexos:
        raise InvalidAnexo(f"Demasiados anexos: {len(anexos)}, como máximo "
                           f"{settings.max_anexos}")
    for index, anexo in enumerate(anexos):
        if len(anexo.content) > settings.max_anexo_bytes:
            raise InvalidAnexo(f"{anexo.filename}: supera el tamaño máximo de "
                               f"{settings.max_anexo_bytes} bytes")
        if anexo.signs is not None and (anexo.signs >= len(anexos) or anexo.signs == index):
            raise InvalidAnexo(f"{anexo.filename}: firma el anexo {anexo.signs}, que no es "
                               "otro anexo de este asiento")


async def _chunks(content: bytes) -> AsyncIterator[bytes]:
    yield content


async def as_documents(tenant: TenantContext, anexos: list[AnexoIn], *, entrada: bool,
                       actor: str) -> list[StoredAnexo]:
    """Store each anexo as a core document (joins the caller's transaction)."""
    stored = []
    for anexo in anexos:
        document = await upload_document(
            tenant, chunks=_chunks(anexo.content), filename=anexo.filename,
            declared_mime=anexo.mime, title=f"Anexo: {anexo.filename}", actor=actor,
            tipo_documental=TipoDocumental.SOLICITUD if anexo.tipo_documento == "01"
            else TipoDocumental.OTROS,
            origen=Origen.CIUDADANO if entrada else Origen.ADMINISTRACION)
        stored.append(StoredAnexo(anexo, document.mime, document.sha256, document.size,
                                  document=document.id, signs=anexo.signs))
    return stored


def out(row: dict[str, Any]) -> AnexoOut:
    return AnexoOut(id=row["id"], position=row["position"], filename=row["filename"],
                    mime=row["mime"], size=row["size"], sha256=row["sha256"],
                    validez=row["validez"], tipo_documento=row["tipo_documento"],
                    notes=row["notes"], signs=row["signs"], document=row["document"])


async def content(sha256: str) -> bytes:
    return await blob_store().read_bytes(sha256)
