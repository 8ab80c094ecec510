"""Fixity of the blob store: re-hash every blob and name the documents a damage touches."""

from __future__ import annotations

import msgspec

from core import kernel as _kernel
from core.documents.tables import DocumentVersion


class DamagedBlob(msgspec.Struct, kw_only=True):
    """A blob that is corrupt or missing, with the document versions that use it."""

    sha256: str
    problem: str  # corrupt | missing
    detail: str
    used_by: list[str]  # "<tenant slug> <identificador> v<n>"


class FsckReport(msgspec.Struct, kw_only=True):
    stored: int
    referenced: int
    damaged: list[DamagedBlob]


async def fsck() -> FsckReport:
    """Re-hash every stored blob; every hash a document version refers to must be there."""
    blobs = _kernel.current().blobs
    rows = await DocumentVersion.select(
        DocumentVersion.sha256, DocumentVersion.number,
        DocumentVersion.document.identificador.as_alias("identificador"),
        DocumentVersion.tenant.slug.as_alias("slug"))
    users: dict[str, list[str]] = {}
    for row in rows:
        users.setdefault(row["sha256"], []).append(
            f"{row['slug']} {row['identificador']} v{row['number']}")
    stored = 0
    async for _ in blobs.iter_all():
        stored += 1
    damage = await blobs.fsck(expected=sorted(users))
    return FsckReport(stored=stored, referenced=len(users), damaged=[
        DamagedBlob(sha256=d.sha256, problem=d.problem, detail=d.detail,
                    used_by=users.get(d.sha256, [])) for d in damage])
