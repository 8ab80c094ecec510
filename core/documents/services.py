"""Document records: issue, upload, sign, read and look up by CSV; every query per tenant.

The service API other plugins call (registro for justificantes, expedientes for
resoluciones) is ``issue_document``; ``get_document`` and ``read_content`` read back,
``sign_document`` adds a signature as a new version (signature flows use it).
Blobs are written only after every check passed, so a refused document leaves no blob.
"""

from __future__ import annotations

import asyncio
import hashlib
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from core import kernel as _kernel
from core.audit.log import record
from core.db import atomic, engine
from core.documents.blobs import BlobRef, BlobTooLarge
from core.documents.csvcode import InvalidCsv, new_csv, normalize_csv
from core.documents.eni import (
    DocumentoEniMetadata,
    EniError,
    EstadoElaboracion,
    FirmaEni,
    Origen,
    TipoDocumental,
    documento_xml,
    make_identificador,
)
from core.documents.filenames import safe_filename
from core.documents.pdfcheck import PdfRefused, check_pdf_bytes, check_pdf_file
from core.documents.schemas import (
    DocumentIssued,
    DocumentOut,
    DocumentUploaded,
    SignatureOut,
    VersionOut,
)
from core.documents.sniff import SNIFF_BYTES, TYPES, ContentMismatch, check_content
from core.documents.strip import STRIPPABLE_MIMES, StripError, strip_metadata
from core.documents.tables import Document, DocumentSignature, DocumentVersion
from core.errors import DomainError, NotFoundError
from core.events import emit
from core.signing.backends import SignerBackend
from core.signing.credentials import SEAL, signer_for
from core.signing.errors import SigningError
from core.signing.signatures import Signed, add_signature
from core.tenancy.context import TenantContext
from core.tenancy.tables import Unit
from core.textclean import bad_text
from core.textclean import message as textclean_message

PDF = "application/pdf"


class DocumentNotFound(NotFoundError):
    """No such document in this tenant (also what another tenant's id gets)."""


class InvalidDocument(DomainError):
    """A document that cannot be stored; the message says why, for a person."""

    status_code = 422


class RefusedContent(InvalidDocument):
    """Content refused by type (``status_code`` 415) or because it is not what it claims."""

    def __init__(self, message: str, status_code: int = 422) -> None:
        super().__init__(message)
        self.status_code = status_code


class TooLarge(InvalidDocument):
    """Content above the deployment's upload limit (HTTP 413)."""

    status_code = 413


def verify_url(tenant: TenantContext, csv: str) -> str:
    """The sede address where anyone checks a document by its CSV (also in its QR)."""
    return f"{_kernel.current().settings.effective_base_url}/sede/{tenant.slug}/verificar?csv={csv}"


def _metadata(tenant: TenantContext, when: datetime, *, organo: str | None,
              origen: Origen | int, estado_elaboracion: EstadoElaboracion | str,
              tipo_documental: TipoDocumental | str,
              identificador_origen: str | None) -> DocumentoEniMetadata:
    """Validated ENI metadata with a new identificador ``ES_<DIR3>_<AAAA>_<uuid>``."""
    organo = organo or tenant.dir3
    try:
        identificador = make_identificador(organo, when.year, uuid.uuid4().hex.upper())
        return DocumentoEniMetadata(
            identificador=identificador, organos=[organo], fecha_captura=when,
            origen=Origen(int(origen)), estado_elaboracion=EstadoElaboracion(estado_elaboracion),
            tipo_documental=TipoDocumental(tipo_documental),
            identificador_documento_origen=identificador_origen)
    except (EniError, ValueError) as exc:
        raise InvalidDocument(f"Metadatos ENI no válidos: {exc}") from exc


async def _check_organo(tenant: TenantContext, organo: str | None) -> None:
    if organo and organo != tenant.dir3 and not await Unit.exists().where(
            (Unit.tenant == tenant.id) & (Unit.dir3 == organo)):
        raise InvalidDocument(f"El órgano {organo} no es una unidad de esta entidad")


async def _fresh_csv(csv: str | None) -> str:
    try:
        csv = normalize_csv(csv) if csv else new_csv()
    except InvalidCsv as exc:
        raise InvalidDocument(str(exc)) from exc
    if await Document.exists().where(Document.csv == csv):
        raise InvalidDocument("Ese CSV ya identifica otro documento")
    return csv


def _checked_pdf(pdf: bytes) -> None:
    try:
        check_content(pdf[:SNIFF_BYTES], PDF, "documento.pdf")
    except ContentMismatch as exc:
        raise RefusedContent(str(exc), exc.status_code) from exc
    limit = _kernel.current().settings.upload_max_bytes
    if len(pdf) > limit:
        raise TooLarge(BlobTooLarge(limit).args[0])


@asynccontextmanager
async def spooled(chunks: AsyncIterator[bytes], max_bytes: int) -> AsyncIterator[IO[bytes]]:
    """A stream written to a temporary file (never whole in memory; ``TooLarge`` as soon
    as it passes ``max_bytes``), rewound; the file is gone when the block ends."""
    with tempfile.NamedTemporaryFile(suffix=".upload") as spool:
        size = 0
        async for chunk in chunks:
            size += len(chunk)
            if size > max_bytes:
                raise TooLarge(BlobTooLarge(max_bytes).args[0])
            spool.write(chunk)
        spool.flush()
        spool.seek(0)
        yield spool


async def _read_back(spool: IO[bytes]) -> AsyncIterator[bytes]:
    while chunk := spool.read(1 << 20):
        yield chunk


async def _store_checked_pdf(chunks: AsyncIterator[bytes], limit: int) -> BlobRef:
    """Store an uploaded PDF once it passed the structure check (``RefusedContent``)."""
    async with spooled(chunks, limit) as spool:
        try:
            await asyncio.to_thread(check_pdf_file, Path(spool.name))
        except PdfRefused as exc:
            raise RefusedContent(str(exc), exc.status_code) from exc
        return await _kernel.current().blobs.put_stream(_read_back(spool), max_bytes=limit)


async def check_pdf_structure(pdf: bytes) -> None:
    """Refuse (``RefusedContent``) a PDF that fails the structure check of ``pdfcheck``:
    damaged, a polyglot or a bomb. Run before pyHanko or anyone else parses it."""
    try:
        await check_pdf_bytes(pdf)
    except PdfRefused as exc:
        raise RefusedContent(str(exc), exc.status_code) from exc


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _without_metadata(pdf: bytes) -> bytes:
    """The PDF stripped of metadata (ENS mp.info.5) unless it is already signed: stripping
    rewrites the file, which would break the signatures it carries."""
    if b"/ByteRange" in pdf:
        return pdf
    try:
        return strip_metadata(pdf, PDF)
    except StripError as exc:
        raise InvalidDocument(f"El PDF no se puede procesar: {exc}") from exc


async def _signed(pdf: bytes, signer: SignerBackend, *, csv: str | None, url: str | None,
                  version: int, reason: str | None = None) -> Signed:
    try:
        return await add_signature(pdf, signer, csv=csv, verify_url=url,
                                   field_name=f"Firma{version}", reason=reason)
    except SigningError as exc:
        raise InvalidDocument(f"No se ha podido firmar el documento: {exc}") from exc


async def _insert(tenant: TenantContext, meta: DocumentoEniMetadata, *, csv: str | None,
                  title: str, filename: str, mime: str, blob: BlobRef, actor: str,
                  note: str) -> int:
    document = Document(
        tenant=tenant.id, identificador=meta.identificador, csv=csv, title=title,
        organo=meta.organos[0], fecha_captura=meta.fecha_captura, origen=int(meta.origen),
        estado_elaboracion=str(meta.estado_elaboracion),
        identificador_origen=meta.identificador_documento_origen,
        tipo_documental=str(meta.tipo_documental), filename=filename, mime=mime,
        current_version=1, created_by=actor, created_at=meta.fecha_captura)
    await document.save()
    await DocumentVersion.insert(DocumentVersion(
        tenant=tenant.id, document=document.id, number=1, sha256=blob.sha256, size=blob.size,
        mime=mime, note=note, created_by=actor, created_at=meta.fecha_captura))
    return document.id


async def _record_signature(tenant: TenantContext, document_id: int, version: int,
                            signed: Signed, *, purpose: str,
                            user_id: int | None) -> None:
    await DocumentSignature.insert(DocumentSignature(
        tenant=tenant.id, document=document_id, version=version, field_name=signed.field_name,
        purpose=purpose, user=user_id, signer_name=signed.signer_name,
        signer_subject=signed.signer_subject, timestamped=signed.timestamped,
        signed_at=signed.signed_at))


async def issue_document(
    tenant: TenantContext, *, pdf: bytes, title: str,
    tipo_documental: TipoDocumental | str, actor: str,
    estado_elaboracion: EstadoElaboracion | str = EstadoElaboracion.ORIGINAL,
    origen: Origen | int = Origen.ADMINISTRACION, organo: str | None = None,
    identificador_origen: str | None = None, csv: str | None = None,
    sign_with_seal: bool = True, filename: str | None = None,
) -> DocumentOut:
    """Issue a PDF as a document of ``tenant``: ENI identificador, CSV, metadata stripped,
    sealed (PAdES, visible stamp with CSV and QR) unless ``sign_with_seal`` is False.

    ``csv`` lets the caller print the code in the PDF beforehand (``new_csv()``); without
    it a new one is made. Raises ``InvalidDocument`` (422; ``RefusedContent`` 415/422,
    ``TooLarge`` 413) and ``NoCredential`` when the tenant has no seal; nothing is stored.
    """
    if not 3 <= len(title.strip()) <= 300:
        raise InvalidDocument("El título debe tener entre 3 y 300 caracteres")
    _checked_pdf(pdf)
    await _check_organo(tenant, organo)
    meta = _metadata(tenant, datetime.now(UTC), organo=organo, origen=origen,
                     estado_elaboracion=estado_elaboracion, tipo_documental=tipo_documental,
                     identificador_origen=identificador_origen)
    csv = await _fresh_csv(csv)
    content = await asyncio.to_thread(_without_metadata, pdf)
    signed = None
    if sign_with_seal:
        seal = await signer_for(tenant, SEAL)
        signed = await _signed(content, seal, csv=csv, url=verify_url(tenant, csv), version=1)
        content = signed.pdf
    kernel = _kernel.current()
    async with atomic():
        document_id = await _insert(tenant, meta, csv=csv, title=title.strip(),
                                    filename=filename or f"{meta.identificador}.pdf", mime=PDF,
                                    blob=BlobRef(_sha256(content), len(content)),
                                    actor=actor, note="emitido")
        if signed is not None:
            await _record_signature(tenant, document_id, 1, signed, purpose="seal",
                                    user_id=None)
        await record(tenant.id, "documents.issued", actor=actor, target=meta.identificador,
                     detail={"title": title, "csv": csv, "sealed": signed is not None})
        await emit(tenant.id, DocumentIssued(document_id=document_id,
                                             identificador=meta.identificador,
                                             tipo_documental=str(meta.tipo_documental),
                                             sealed=signed is not None))
        await kernel.blobs.put_bytes(content)  # last: a failure above stores nothing
    return await get_document(tenant, document_id)


async def _head_and_rest(chunks: AsyncIterator[bytes], size: int
                         ) -> tuple[bytes, AsyncIterator[bytes]]:
    """The first ``size`` bytes of a stream and an iterator over the whole of it."""
    head = b""
    iterator = chunks.__aiter__()
    async for chunk in iterator:
        head += chunk
        if len(head) >= size:
            break

    async def whole() -> AsyncIterator[bytes]:
        yield head
        async for chunk in iterator:
            yield chunk

    return head, whole()


async def upload_document(
    tenant: TenantContext, *, chunks: AsyncIterator[bytes], filename: str,
    declared_mime: str, title: str, actor: str,
    tipo_documental: TipoDocumental | str = TipoDocumental.OTROS,
    origen: Origen | int = Origen.CIUDADANO, organo: str | None = None,
) -> DocumentOut:
    """Store an uploaded file as a new document, streaming it into the blob store.

    The content is sniffed against the file name and declared type before anything is
    stored (``RefusedContent``); past ``upload_max_bytes`` it stops reading and stores
    nothing (``TooLarge``). Uploaded documents have no CSV: they are not issued by us.
    """
    if not 3 <= len(title.strip()) <= 300:
        raise InvalidDocument("El título debe tener entre 3 y 300 caracteres")
    if bad_text(title):  # a multipart field: not seen by the request hook
        raise InvalidDocument(textclean_message("Título"))
    await _check_organo(tenant, organo)
    meta = _metadata(tenant, datetime.now(UTC), organo=organo, origen=origen,
                     estado_elaboracion=EstadoElaboracion.ORIGINAL,
                     tipo_documental=tipo_documental, identificador_origen=None)
    limit = _kernel.current().settings.upload_max_bytes
    is_svg = filename.lower().endswith(".svg")  # scripts may hide past the first bytes
    head, whole = await _head_and_rest(chunks, limit + 1 if is_svg else SNIFF_BYTES)
    if len(head) > limit:
        raise TooLarge(BlobTooLarge(limit).args[0])
    try:
        mime = check_content(head, declared_mime, filename)
    except ContentMismatch as exc:
        raise RefusedContent(str(exc), exc.status_code) from exc
    try:
        blob = await (_store_checked_pdf(whole, limit) if mime == PDF else
                      _kernel.current().blobs.put_stream(whole, max_bytes=limit))
    except BlobTooLarge as exc:
        raise TooLarge(str(exc)) from exc
    async with atomic():
        document_id = await _insert(tenant, meta, csv=None, title=title.strip(),
                                    filename=safe_filename(filename), mime=mime, blob=blob,
                                    actor=actor, note="subido")
        await record(tenant.id, "documents.uploaded", actor=actor, target=meta.identificador,
                     detail={"title": title, "sha256": blob.sha256, "size": blob.size})
        await emit(tenant.id, DocumentUploaded(document_id=document_id,
                                               identificador=meta.identificador, mime=mime))
    return await get_document(tenant, document_id)


async def _lock(tenant: TenantContext, document_id: int) -> dict[str, Any]:
    """The document row, locked for the rest of the transaction (PostgreSQL)."""
    query = Document.select().where((Document.tenant == tenant.id) & (Document.id == document_id))
    if engine().engine_type == "postgres":
        query = query.lock_rows()
    row = await query.first()
    if row is None:
        raise DocumentNotFound(document_id)
    return row


async def sign_document(tenant: TenantContext, document_id: int, signer: SignerBackend, *,
                        purpose: str, actor: str, user_id: int | None = None,
                        reason: str | None = None) -> DocumentOut:
    """Add one PAdES signature (an incremental update) to the current version of a PDF
    document; the result is its next version. Joins the caller's transaction."""
    async with atomic():
        row = await _lock(tenant, document_id)
        if row["mime"] != PDF:
            raise InvalidDocument("Solo se pueden firmar documentos PDF")
        number = row["current_version"] + 1
        pdf = await _read_version(tenant, document_id, row["current_version"])
        await check_pdf_structure(pdf)
        csv = row["csv"]
        signed = await _signed(pdf, signer, csv=csv,
                               url=verify_url(tenant, csv) if csv else None,
                               version=number, reason=reason)
        now = datetime.now(UTC)
        await DocumentVersion.insert(DocumentVersion(
            tenant=tenant.id, document=document_id, number=number,
            sha256=_sha256(signed.pdf), size=len(signed.pdf), mime=PDF,
            note=f"firmado por {signed.signer_name}"[:200], created_by=actor, created_at=now))
        await Document.update({Document.current_version: number}).where(
            (Document.tenant == tenant.id) & (Document.id == document_id))
        await _record_signature(tenant, document_id, number, signed, purpose=purpose,
                                user_id=user_id)
        await record(tenant.id, "documents.signed", actor=actor, target=row["identificador"],
                     detail={"version": number, "signer": signed.signer_name})
        await _kernel.current().blobs.put_bytes(signed.pdf)
    return await get_document(tenant, document_id)


def _signature_out(row: dict[str, Any]) -> SignatureOut:
    return SignatureOut(version=row["version"], field_name=row["field_name"],
                        purpose=row["purpose"], signer_name=row["signer_name"],
                        signed_at=row["signed_at"], timestamped=bool(row["timestamped"]),
                        user_id=row["user"])


async def _document_out(tenant: TenantContext, row: dict[str, Any]) -> DocumentOut:
    version = await DocumentVersion.select().where(
        (DocumentVersion.tenant == tenant.id) & (DocumentVersion.document == row["id"])
        & (DocumentVersion.number == row["current_version"])).first()
    signatures = await DocumentSignature.select().where(
        (DocumentSignature.tenant == tenant.id) & (DocumentSignature.document == row["id"])
    ).order_by(DocumentSignature.version)
    return DocumentOut(
        id=row["id"], identificador=row["identificador"], csv=row["csv"], title=row["title"],
        organo=row["organo"], fecha_captura=row["fecha_captura"], origen=row["origen"],
        estado_elaboracion=row["estado_elaboracion"],
        identificador_origen=row["identificador_origen"],
        tipo_documental=row["tipo_documental"], filename=row["filename"], mime=row["mime"],
        version=row["current_version"], sha256=version["sha256"], size=version["size"],
        signatures=[_signature_out(s) for s in signatures], created_by=row["created_by"],
        created_at=row["created_at"])


async def get_document(tenant: TenantContext, document_id: int) -> DocumentOut:
    row = await Document.select().where(
        (Document.tenant == tenant.id) & (Document.id == document_id)).first()
    if row is None:
        raise DocumentNotFound(document_id)
    return await _document_out(tenant, row)


async def list_documents(tenant: TenantContext, limit: int = 100) -> list[DocumentOut]:
    """The tenant's newest documents first."""
    rows = await Document.select().where(Document.tenant == tenant.id).order_by(
        Document.id, ascending=False).limit(limit)
    return [await _document_out(tenant, row) for row in rows]


async def versions(tenant: TenantContext, document_id: int) -> list[VersionOut]:
    await get_document(tenant, document_id)
    rows = await DocumentVersion.select().where(
        (DocumentVersion.tenant == tenant.id) & (DocumentVersion.document == document_id)
    ).order_by(DocumentVersion.number)
    return [VersionOut(number=r["number"], sha256=r["sha256"], size=r["size"], mime=r["mime"],
                       note=r["note"], created_at=r["created_at"]) for r in rows]


async def _read_version(tenant: TenantContext, document_id: int, number: int) -> bytes:
    row = await DocumentVersion.select(DocumentVersion.sha256).where(
        (DocumentVersion.tenant == tenant.id) & (DocumentVersion.document == document_id)
        & (DocumentVersion.number == number)).first()
    if row is None:
        raise DocumentNotFound(document_id)
    return await _kernel.current().blobs.read_bytes(row["sha256"])


async def read_content(tenant: TenantContext, document_id: int,
                       version: int | None = None) -> tuple[DocumentOut, bytes]:
    """A document and the bytes of its current (or given) version."""
    document = await get_document(tenant, document_id)
    return document, await _read_version(tenant, document_id, version or document.version)


async def find_by_csv(tenant: TenantContext, csv: str) -> DocumentOut:
    """The tenant's document with this CSV (typed in any case, with or without dashes).

    ``InvalidDocument`` for a mistyped code (the check character catches typos before the
    database is asked), ``DocumentNotFound`` when no document of this tenant has it.
    """
    try:
        canonical = normalize_csv(csv)
    except InvalidCsv as exc:
        raise InvalidDocument(str(exc)) from exc
    row = await Document.select().where(
        (Document.tenant == tenant.id) & (Document.csv == canonical)).first()
    if row is None:
        raise DocumentNotFound(canonical)
    return await _document_out(tenant, row)


#: What regulates our CSV codes, stated in every exported ENI documento (TF01 firma).
REGULACION_CSV = "Art. 42.b) de la Ley 40/2015; código verificable en la sede electrónica"


def _nombre_formato(mime: str) -> str:
    for ftype in TYPES.values():
        if mime in ftype.mimes:
            return ftype.extensions[0].upper()
    return "PDF"


async def eni_documento(tenant: TenantContext, document_id: int) -> bytes:
    """The document as an ENI documento XML (content embedded, CSV and PAdES firmas)."""
    document, content = await read_content(tenant, document_id)
    metadata = DocumentoEniMetadata(
        identificador=document.identificador, organos=[document.organo],
        fecha_captura=document.fecha_captura, origen=Origen(document.origen),
        estado_elaboracion=EstadoElaboracion(document.estado_elaboracion),
        tipo_documental=TipoDocumental(document.tipo_documental),
        identificador_documento_origen=document.identificador_origen)
    firmas = []
    if document.signatures:
        firmas.append(FirmaEni.en_contenido(document.identificador))
    if document.csv:
        firmas.append(FirmaEni.csv(document.csv, REGULACION_CSV))
    return documento_xml(metadata, content, _nombre_formato(document.mime), firmas)


async def publication_copy(tenant: TenantContext, document_id: int, *,
                           actor: str) -> DocumentOut:
    """Make the current version publishable (ENS mp.info.5): a new version stripped of
    metadata. Signed documents were stripped before sealing; stripping them now would
    break their signatures, so they are refused."""
    async with atomic():
        row = await _lock(tenant, document_id)
        document = await get_document(tenant, document_id)
        if document.signatures:
            raise InvalidDocument("Un documento firmado ya se emitió sin metadatos; "
                                  "limpiarlo ahora invalidaría sus firmas")
        if row["mime"] not in STRIPPABLE_MIMES:
            raise InvalidDocument(f"No se pueden quitar los metadatos de {row['mime']}")
        content = await _read_version(tenant, document_id, document.version)
        try:
            clean = await asyncio.to_thread(strip_metadata, content, row["mime"])
        except StripError as exc:
            raise InvalidDocument(f"No se han podido quitar los metadatos: {exc}") from exc
        number = document.version + 1
        await DocumentVersion.insert(DocumentVersion(
            tenant=tenant.id, document=document_id, number=number, sha256=_sha256(clean),
            size=len(clean), mime=row["mime"], note="copia para publicar, sin metadatos",
            created_by=actor, created_at=datetime.now(UTC)))
        await Document.update({Document.current_version: number}).where(
            (Document.tenant == tenant.id) & (Document.id == document_id))
        await record(tenant.id, "documents.stripped", actor=actor, target=row["identificador"],
                     detail={"version": number})
        await _kernel.current().blobs.put_bytes(clean)
    return await get_document(tenant, document_id)


async def keep_delivered(tenant: TenantContext, data: bytes, *, filename: str, mime: str,
                         title: str, actor: str) -> int:
    """Keep a file another administration (or entity) delivered to ``tenant`` as a document
    of that tenant, for the job that takes it: jobs read blobs only through a document of
    their own tenant (``read_content``), never by a hash a message names. Returns its id."""
    meta = _metadata(tenant, datetime.now(UTC), organo=None, origen=Origen.ADMINISTRACION,
                     estado_elaboracion=EstadoElaboracion.ORIGINAL,
                     tipo_documental=TipoDocumental.OTROS, identificador_origen=None)
    blob = await _kernel.current().blobs.put_bytes(data)
    async with atomic():
        return await _insert(tenant, meta, csv=None, title=title, filename=filename,
                             mime=mime, blob=blob, actor=actor, note="recibido")
