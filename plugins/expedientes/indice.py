"""Closing an expediente: its índice electrónico, signed with the entity's seal.

The índice lists every document of the expediente in order with its huella: the SHA-256
of the document's content as stored (its current version, the bytes an ENI documento
carries in ``ValorBinario``), its fecha de incorporación and its orden. It is signed with
a detached CAdES signature (TF04) of the seal over the exclusive canonical form of the
``IndiceContenido`` element, stored as a blob, and the expediente moves to E02 (cerrado):
from then on it accepts no documents, tasks or resoluciones.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from datetime import UTC, datetime

from asn1crypto import cms
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key

from core import kernel as _kernel
from core.db import atomic
from core.documents.eni import (
    FirmaEni,
    IndiceContenido,
    IndiceEntry,
    TipoFirma,
    indice_contenido_c14n,
    indice_xml,
)
from core.errors import DomainError
from core.events import emit
from core.signing.backends import SignerBackend
from core.signing.cms import CmsTemplate
from core.signing.credentials import SEAL, signer_for
from core.tenancy.context import TenantContext
from plugins.expedientes import documentos, history, services
from plugins.expedientes.documentos import DocumentoOut
from plugins.expedientes.schemas import ExpedienteCerrado, ExpedienteOut
from plugins.expedientes.tables import Expediente, Indice, Resolucion


class CannotClose(DomainError):
    """The expediente cannot be closed yet; the message says why."""


def cades_detached(signer: SignerBackend, data: bytes) -> bytes:
    """A detached CAdES-BES (CMS SignedData, SHA-256 with RSA) of ``data``."""
    template = CmsTemplate(signer.certificate, signer.chain)
    attributes = template.signed_attributes(hashlib.sha256(data).digest())
    return template.signed_data(attributes, signer.sign(attributes))


def cades_intact(signature: bytes, data: bytes) -> bool:
    """Whether a detached CMS signature (RSA, SHA-256) covers ``data`` and its value
    verifies with the certificate it carries. Integrity only: it says nothing of trust."""
    try:
        signed_data = cms.ContentInfo.load(signature)["content"]
        signer = signed_data["signer_infos"][0]
        attributes = signer["signed_attrs"]
        digest = next(a["values"][0].native for a in attributes
                      if a["type"].native == "message_digest")
        serial = signer["sid"].chosen["serial_number"].native
        certificate = next(c.chosen for c in signed_data["certificates"]
                           if c.chosen.serial_number == serial)
        public_key = load_der_public_key(certificate.public_key.dump())
        assert isinstance(public_key, rsa.RSAPublicKey)
        public_key.verify(signer["signature"].native, b"\x31" + attributes.dump()[1:],
                          padding.PKCS1v15(), hashes.SHA256())  # the SET OF, as signed
    except (ValueError, KeyError, TypeError, StopIteration, AssertionError,
            InvalidSignature):
        return False
    return hmac.compare_digest(digest, hashlib.sha256(data).digest())


def huella(sha256_hex: str) -> str:
    """The ENI ValorHuella (base64 of the binary digest) of a stored content."""
    return base64.b64encode(bytes.fromhex(sha256_hex)).decode("ascii")


def contenido_of(documents: list[DocumentoOut], when: datetime) -> IndiceContenido:
    return IndiceContenido(fecha_indice=when, elementos=[
        IndiceEntry(identificador_documento=d.identificador, valor_huella=huella(d.sha256),
                    funcion_resumen="SHA256", fecha_incorporacion=d.added_at, orden=d.position)
        for d in documents])


def cades_contenido(signer: SignerBackend, contenido: IndiceContenido) -> bytes:
    """The detached CAdES of an índice: over the exclusive C14N of its IndiceContenido."""
    return cades_detached(signer, indice_contenido_c14n(contenido))


async def sign(tenant: TenantContext, contenido: IndiceContenido) -> FirmaEni:
    """The seal's TF04 signature of an índice (``NoCredential`` without a seal)."""
    seal = await signer_for(tenant, SEAL)
    signature = await asyncio.to_thread(cades_contenido, seal, contenido)
    return FirmaEni(tipo=TipoFirma.CADES_DETACHED, firma=signature)


async def close(tenant: TenantContext, expediente_id: int, *, actor: str) -> ExpedienteOut:
    """Close an open expediente with its signed índice (E02)."""
    async with atomic():
        row = await services.require_open(tenant, expediente_id)
        if await Resolucion.exists().where(
                (Resolucion.tenant == tenant.id) & (Resolucion.expediente == expediente_id)
                & (Resolucion.state == "en_firma")):
            raise CannotClose("Hay resoluciones pendientes de firma")
        documents = await documentos.list_documents(tenant, expediente_id)
        if not documents:
            raise CannotClose("Un expediente sin documentos no tiene índice que cerrar")
        now = datetime.now(UTC)
        contenido = contenido_of(documents, now)
        xml = indice_xml(contenido, [await sign(tenant, contenido)])
        blob = await _kernel.current().blobs.put_bytes(xml)
        await Indice.insert(Indice(tenant=tenant.id, expediente=expediente_id, fecha=now,
                                   documents=len(documents), xml_sha256=blob.sha256,
                                   created_by=actor))
        await Expediente.update({Expediente.state: "E02", Expediente.closed_at: now}).where(
            (Expediente.tenant == tenant.id) & (Expediente.id == expediente_id))
        code = services.code_of(row["year"], row["number"])
        await history.log(tenant, expediente_id, "closed",
                          f"Expediente cerrado con su índice firmado ({len(documents)} "
                          "documentos)", actor=actor, detail={"indice": blob.sha256})
        await emit(tenant.id, ExpedienteCerrado(expediente_id=expediente_id, code=code))
    return await services.get(tenant, expediente_id)


async def signed_xml(tenant: TenantContext, expediente_id: int) -> bytes:
    """The stored signed índice of a closed expediente."""
    row = await Indice.select(Indice.xml_sha256).where(
        (Indice.tenant == tenant.id) & (Indice.expediente == expediente_id)).order_by(
        Indice.id, ascending=False).first()
    if row is None:
        raise CannotClose("El expediente no está cerrado: aún no tiene índice")
    return await _kernel.current().blobs.read_bytes(row["xml_sha256"])
