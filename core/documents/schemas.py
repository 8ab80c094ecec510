"""Shapes of document records for services, the API and events."""

from __future__ import annotations

from datetime import datetime

import msgspec


class SignatureOut(msgspec.Struct, kw_only=True):
    """A signature a document carries (newest last)."""

    version: int
    field_name: str
    purpose: str  # seal | personal
    signer_name: str
    signed_at: datetime
    timestamped: bool
    user_id: int | None = None


class VersionOut(msgspec.Struct, kw_only=True):
    number: int
    sha256: str
    size: int
    mime: str
    note: str
    created_at: datetime


class DocumentOut(msgspec.Struct, kw_only=True):
    """A document with its ENI metadata, its current version and its signatures."""

    id: int
    identificador: str
    csv: str | None
    title: str
    organo: str
    fecha_captura: datetime
    origen: int
    estado_elaboracion: str
    identificador_origen: str | None
    tipo_documental: str
    filename: str
    mime: str
    version: int
    sha256: str
    size: int
    signatures: list[SignatureOut]
    created_by: str
    created_at: datetime


class PublicSignature(msgspec.Struct, kw_only=True):
    signer_name: str
    signed_at: datetime


class PublicDocument(msgspec.Struct, kw_only=True):
    """What CSV verification tells anyone who holds the code (no internal ids)."""

    csv: str
    identificador: str
    title: str
    organo: str
    fecha_captura: datetime
    tipo_documental: str
    mime: str
    size: int
    sha256: str
    signatures: list[PublicSignature]


class DocumentIssued(msgspec.Struct, frozen=True):
    """Event: a document was issued (stored with a CSV, sealed when ``sealed``)."""

    document_id: int
    identificador: str
    tipo_documental: str
    sealed: bool


class DocumentUploaded(msgspec.Struct, frozen=True):
    """Event: a document was uploaded and stored."""

    document_id: int
    identificador: str
    mime: str
