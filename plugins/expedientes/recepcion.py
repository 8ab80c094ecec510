"""Receiving an ENI expediente from another administration (a ZIP package).

The package is read by ``paquetes.read_package`` (no zip-slip, links, bombs), every XML
by the safe parser (no DTD, entities or network: no XXE). It must hold one
``eniexp:expediente`` and an ``enidoc:documento`` for every document its índice lists,
with content embedded or in a file of the package (``referenciaFichero``); each content
must match its huella in the índice. A detached CAdES signature of the índice (TF04) must
verify over its ``IndiceContenido``; other forms are kept as they came. Then, all or
nothing, the expediente becomes one of the entity's (its own ENI identificador, metadata,
state and signed índice kept), with each document in the índice's order.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import IO, Any

from lxml import etree

from core import kernel as _kernel
from core.calendar import MADRID
from core.db import atomic
from core.documents.eni import (
    NS_DOCUMENTO,
    NS_EXPEDIENTE,
    NS_INDICE,
    CarpetaIndizada,
    DocumentoEni,
    EniError,
    ExpedienteEni,
    IndiceContenido,
    IndiceEntry,
    TipoFirma,
    documento_xml,
    indice_contenido_c14n,
    parse_documento,
    parse_expediente,
)
from core.documents.imports import import_documento
from core.documents.xmlsafe import XmlError, parse_xml
from core.errors import DomainError
from core.events import emit
from core.numbering import next_number
from core.tenancy.context import TenantContext
from plugins.expedientes import documentos, history, indice, paquetes, services
from plugins.expedientes.schemas import ExpedienteAbierto, ExpedienteOut
from plugins.expedientes.tables import Expediente, Indice, Interesado


class InvalidPackage(DomainError):
    """An ENI package that cannot be received; the message says why."""


def _entries(elementos: list[Any]) -> list[IndiceEntry]:
    """The índice's documents in order, through carpetas and sub-expedientes."""
    found: list[IndiceEntry] = []
    for elemento in elementos:
        if isinstance(elemento, IndiceEntry):
            found.append(elemento)
        elif isinstance(elemento, CarpetaIndizada | IndiceContenido):
            found.extend(_entries(elemento.elementos))
    return found


def _classify(files: dict[str, bytes]) -> tuple[bytes, dict[str, DocumentoEni]]:
    """The package's expediente XML and its documentos by identificador."""
    expedientes: list[bytes] = []
    documentos_by_id: dict[str, DocumentoEni] = {}
    for name, content in files.items():
        if not name.lower().endswith(".xml"):
            continue
        root = etree.QName(parse_xml(content, max_bytes=len(content) + 1)).namespace
        if root == NS_EXPEDIENTE:
            expedientes.append(content)
        elif root == NS_DOCUMENTO:
            documento = parse_documento(content, max_bytes=len(content) + 1)
            documentos_by_id[documento.metadatos.identificador] = documento
    if len(expedientes) != 1:
        raise InvalidPackage(f"El paquete debe contener un expediente ENI; tiene "
                             f"{len(expedientes)}")
    return expedientes[0], documentos_by_id


def _content(documento: DocumentoEni, files: dict[str, bytes]) -> bytes:
    if documento.contenido is not None:
        return documento.contenido
    reference = paquetes.checked_name(documento.referencia_fichero or "")
    if reference not in files:
        raise InvalidPackage(f"Falta el fichero {reference!r} de "
                             f"{documento.metadatos.identificador}")
    return files[reference]


def _checked(expediente_xml: bytes, expediente: ExpedienteEni,
             documentos_by_id: dict[str, DocumentoEni], files: dict[str, bytes]
             ) -> list[tuple[DocumentoEni, bytes]]:
    for firma in expediente.indice.firmas:
        if firma.tipo == TipoFirma.CADES_DETACHED and firma.firma is not None and not \
                indice.cades_intact(firma.firma, indice_contenido_c14n(expediente_xml)):
            raise InvalidPackage("La firma del índice no corresponde a su contenido")
    checked = []
    for entry in _entries(expediente.indice.contenido.elementos):
        documento = documentos_by_id.get(entry.identificador_documento)
        if documento is None:
            raise InvalidPackage(f"Falta el documento {entry.identificador_documento}")
        content = _content(documento, files)
        if not (entry.matches(content) or entry.matches(documento_xml(
                documento.metadatos, documento.contenido, documento.nombre_formato,
                documento.firmas, referencia_fichero=documento.referencia_fichero))):
            raise InvalidPackage(f"La huella de {entry.identificador_documento} no coincide")
        checked.append((documento, content))
    return checked


def _indice_element(expediente_xml: bytes) -> bytes:
    """The signed ``eniexpind:indice`` as it came (exclusive C14N keeps its signature)."""
    root = parse_xml(expediente_xml, max_bytes=len(expediente_xml) + 1)
    return etree.tostring(root.find(f"{{{NS_INDICE}}}indice"), encoding="UTF-8")


async def receive(tenant: TenantContext, package: bytes | IO[bytes], *, subject: str,
                  actor: str, max_bytes: int) -> ExpedienteOut:
    """Receive an ENI package (bytes or a spooled file) as an expediente of the entity,
    all or nothing."""
    files = paquetes.read_package(package, max_bytes)
    try:
        expediente_xml, documentos_by_id = _classify(files)
        expediente = parse_expediente(expediente_xml, max_bytes=len(expediente_xml) + 1)
        checked = _checked(expediente_xml, expediente, documentos_by_id, files)
    except (EniError, XmlError) as exc:
        raise InvalidPackage(f"El paquete no es ENI válido: {exc}") from None
    meta = expediente.metadatos
    if await Expediente.exists().where((Expediente.tenant == tenant.id)
                                       & (Expediente.identificador == meta.identificador)):
        raise InvalidPackage(f"El expediente {meta.identificador} ya se recibió")
    now = datetime.now(UTC)
    async with atomic():
        year = now.astimezone(MADRID).year
        number = await next_number(tenant.id, services.EXPEDIENTE, year)
        row = Expediente(
            tenant=tenant.id, year=year, number=number, identificador=meta.identificador,
            clasificacion=meta.clasificacion, subject=subject, state=str(meta.estado),
            unit_dir3=tenant.dir3, origin="importado", opened_at=meta.fecha_apertura,
            opened_by=actor, closed_at=None if meta.estado == "E01" else now)
        await row.save()
        interesados = [services.valid_nif(n) for n in meta.interesados]
        if rows := [Interesado(tenant=tenant.id, expediente=row.id, position=p, nif=nif,
                               name=nif) for p, nif in enumerate(filter(None, interesados), 1)]:
            await Interesado.insert(*rows)
        for documento, content in checked:
            identificador = documento.metadatos.identificador
            stored = await import_documento(
                tenant, documento, content, actor=actor,
                title=f"{documento.metadatos.tipo_documental} {identificador}")
            await documentos.append(tenant, row.id, stored, "importado", actor=actor)
        if meta.estado != "E01":
            blob = await _kernel.current().blobs.put_bytes(_indice_element(expediente_xml))
            await Indice.insert(Indice(tenant=tenant.id, expediente=row.id, fecha=now,
                                       documents=len(checked), xml_sha256=blob.sha256,
                                       created_by=actor))
        code = services.code_of(year, number)
        await history.log(tenant, row.id, "received",
                          f"Expediente {meta.identificador} recibido en formato ENI "
                          f"({len(checked)} documentos)", actor=actor,
                          detail={"identificador": meta.identificador})
        await emit(tenant.id, ExpedienteAbierto(expediente_id=row.id, code=code,
                                                origin="importado"))
    return await services.get(tenant, row.id)
