"""Receiving ENI expedientes from other administrations: a valid package becomes an
expediente (and can be remitted again); unsafe or inconsistent packages are refused with
the reason and leave nothing behind."""

from __future__ import annotations

import io
import os
import stat
import tracemalloc
import zipfile
from datetime import UTC, datetime

import pytest
from expedientes_tools import eni_schema
from lxml import etree

from core.documents.eni import (
    CarpetaIndizada,
    DocumentoEniMetadata,
    EstadoElaboracion,
    EstadoExpediente,
    ExpedienteEniMetadata,
    FirmaEni,
    IndiceContenido,
    IndiceEntry,
    Origen,
    TipoDocumental,
    TipoFirma,
    documento_xml,
    expediente_xml,
    indice_contenido_c14n,
    parse_expediente,
)
from core.documents.tables import Document
from core.signing.credentials import SEAL, signer_for
from core.signing.samples import sample_pdf
from core.testing import csrf_headers
from plugins.expedientes import busqueda, documentos
from plugins.expedientes.indice import cades_contenido, cades_intact
from plugins.expedientes.schemas import Busqueda
from tests.hostile.corrupt_pdfs import HOSTILE

ORIGEN = "E04990001"  # DIR3-shaped code of "another administration" (demo, not official)


class Package:
    """An ENI package as another administration would send it (its seal: ``signer``)."""

    def __init__(self, signer, tag: str) -> None:
        self.signer, self.tag = signer, tag
        self.documents = {f"ES_{ORIGEN}_2026_{tag}DOC{n}": sample_pdf(f"Documento {n}")
                          for n in (1, 2)}
        self.identificador = f"ES_{ORIGEN}_2026_EXP_{tag}"

    def documento(self, identificador: str, content: bytes) -> bytes:
        metadata = DocumentoEniMetadata(
            identificador=identificador, organos=[ORIGEN], fecha_captura=datetime.now(UTC),
            origen=Origen.ADMINISTRACION, estado_elaboracion=EstadoElaboracion.ORIGINAL,
            tipo_documental=TipoDocumental.INFORME)
        return documento_xml(metadata, content, "PDF")

    def contenido(self) -> IndiceContenido:
        first, second = self.documents
        entries = [IndiceEntry.for_content(i, self.documents[i], orden=n)
                   for n, i in enumerate((first, second), 1)]
        return IndiceContenido(fecha_indice=datetime.now(UTC), elementos=[
            entries[0], CarpetaIndizada(identificador_carpeta="Informes",
                                        elementos=[entries[1]])])

    def expediente(self, contenido: IndiceContenido | None = None) -> bytes:
        contenido = contenido or self.contenido()
        firma = FirmaEni(tipo=TipoFirma.CADES_DETACHED,
                         firma=cades_contenido(self.signer, contenido))
        metadata = ExpedienteEniMetadata(
            identificador=self.identificador, organos=[ORIGEN],
            fecha_apertura=datetime(2026, 3, 2, 9, 30, tzinfo=UTC), clasificacion="998877",
            estado=EstadoExpediente.INDICE_REMISION_CERRADO, interesados=["12345678Z"])
        return expediente_xml(metadata, contenido, [firma])

    def files(self) -> dict[str, bytes]:
        files = {"expediente.xml": self.expediente()}
        for identificador, content in self.documents.items():
            files[f"documentos/{identificador}.xml"] = self.documento(identificador, content)
        return files

    def zip(self, files: dict[str, bytes] | None = None) -> bytes:
        return zipped((files or self.files()).items())


def zipped(members) -> bytes:
    """A ZIP of (name or ZipInfo, content) pairs, repeated names included."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            archive.writestr(name, content)
    return buffer.getvalue()


async def _receive(client, tenant, package: bytes, subject="Recurso de la Junta"):
    return await client.post(f"/api/v1/{tenant.slug}/expedientes/importar", content=package,
                             params={"subject": subject},
                             headers={**await csrf_headers(client),
                                      "content-type": "application/zip"})


async def test_a_package_from_another_administration_becomes_an_expediente(
        sealed_entidad, entidad, staff):
    tenant, _, _ = await sealed_entidad()
    package = Package(await signer_for(tenant, SEAL), "A1")
    client, _ = await staff(tenant, "secretario")
    received = await _receive(client, tenant, package.zip())
    assert received.status_code == 201, received.text
    exp = received.json()
    assert exp["identificador"] == package.identificador and exp["state"] == "E03"
    assert exp["origin"] == "importado" and exp["clasificacion"] == "998877"
    assert [i["nif"] for i in exp["interesados"]] == ["12345678Z"]
    docs = await documentos.list_documents(tenant, exp["id"])
    assert [d.identificador for d in docs] == list(package.documents)
    assert [(d.organo, d.tipo_documental, d.estado_elaboracion) for d in docs] == [
        (ORIGEN, "TD13", "EE01")] * 2
    again = await _receive(client, tenant, package.zip())
    assert again.status_code == 422 and "ya se recibió" in again.json()["detail"]
    elsewhere = await entidad()  # another entity of the platform receives it too
    other_client, _ = await staff(elsewhere, "secretario")
    also = await _receive(other_client, elsewhere, package.zip())
    assert also.status_code == 201, also.text
    assert [d.identificador for d in await documentos.list_documents(
        elsewhere, also.json()["id"])] == list(package.documents)

    remitted = await client.post(f"/api/v1/{tenant.slug}/expedientes/{exp['id']}/remision",
                                 headers=await csrf_headers(client))
    assert remitted.status_code == 200, remitted.text
    with zipfile.ZipFile(io.BytesIO(remitted.content)) as archive:
        xml = archive.read("expediente.xml")
        eni_schema("expediente").validate(etree.fromstring(xml))
        parsed = parse_expediente(xml)
        assert parsed.metadatos.identificador == package.identificador
        assert cades_intact(parsed.indice.firmas[0].firma, indice_contenido_c14n(xml))
        assert isinstance(parsed.indice.contenido.elementos[1], CarpetaIndizada)
        for identificador in package.documents:
            eni_schema("documento").validate(etree.fromstring(
                archive.read(f"documentos/{identificador}.xml")))


def _symlink(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def _central_entry(package: bytes, name: bytes) -> int:
    """Where ``name``'s central directory entry starts in the package."""
    entry = package.index(b"PK\x01\x02")
    while package[entry + 46:entry + 46 + len(name)] != name:
        entry = package.index(b"PK\x01\x02", entry + 4)
    return entry


def _encrypted(package: bytes, name: bytes) -> bytes:
    """The package with ``name`` flagged as encrypted in its central directory entry
    (``zipfile`` clears the flag when it writes)."""
    entry = _central_entry(package, name)
    flags = int.from_bytes(package[entry + 8:entry + 10], "little") | 0x1
    return package[:entry + 8] + flags.to_bytes(2, "little") + package[entry + 10:]


def _lying(package: bytes, name: bytes, size: int) -> bytes:
    """The package with ``name`` declaring ``size`` uncompressed bytes (a bomb that hides
    its ratio): its central directory entry forged."""
    entry = _central_entry(package, name)
    return package[:entry + 24] + size.to_bytes(4, "little") + package[entry + 28:]


@pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning")  # the "duplicate" case
async def test_unsafe_or_inconsistent_packages_are_refused_and_leave_nothing(
        sealed_entidad, staff):
    tenant, _, _ = await sealed_entidad()
    package = Package(await signer_for(tenant, SEAL), "B2")
    good = package.files()
    first, second = package.documents
    xxe = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
           b"<x>&e;</x>")
    laughs = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "jajajajaja">'
              + b"".join(b'<!ENTITY %c "%s">' % (ord("b") + n, b"&%c;" % (ord("a") + n) * 10)
                         for n in range(8))
              + b"]><l>&i;</l>")
    xxe_in_expediente = package.expediente().replace(
        b"?>", b'?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>', 1)
    forged = etree.fromstring(package.expediente())
    huella = forged.find(".//{*}ValorHuella")
    huella.text = IndiceEntry.for_content(first, b"cambiado").valor_huella
    cases = {
        "zip-slip": zipped([*good.items(), ("../../etc/cron.d/evil.xml", b"<x/>")]),
        "absolute": zipped([*good.items(), ("/tmp/evil.xml", b"<x/>")]),
        "backslash": zipped([*good.items(), ("..\\evil.xml", b"<x/>")]),
        "symlink": zipped([*good.items(), (_symlink("documentos/link.xml"), "/etc/passwd")]),
        "encrypted": _encrypted(zipped([*good.items(), ("secreto.xml", b"<x/>")]),
                                b"secreto.xml"),
        "bomb": zipped([*good.items(), ("bomba.xml", b"\0" * (20 * 2**20))]),
        "lying bomb": _lying(zipped([*good.items(), ("bomba.xml", b"\0" * (20 * 2**20))]),
                             b"bomba.xml", 1000),
        "xxe": zipped([*good.items(), ("xxe.xml", xxe)]),
        "xxe in expediente": package.zip({**good, "expediente.xml": xxe_in_expediente}),
        "billion laughs": zipped([*good.items(), ("risas.xml", laughs)]),
        "not a zip": b"PK\x03\x04 not really",
        "missing documento": package.zip({k: v for k, v in good.items()
                                          if not k.endswith(f"{second}.xml")}),
        "huella": package.zip({**good, f"documentos/{first}.xml": package.documento(
            first, sample_pdf("Otro"))}),
        "firma": package.zip({**good, "expediente.xml": etree.tostring(
            forged, xml_declaration=True, encoding="UTF-8")}),
        "two expedientes": package.zip({**good, "otro.xml": package.expediente()}),
    }
    cases["duplicate"] = zipped([*good.items(), ("expediente.xml", b"<x/>")])
    client, _ = await staff(tenant, "secretario")
    expected = {"zip-slip": "saldría", "absolute": "no admitido", "backslash": "no admitido",
                "symlink": "enlace", "encrypted": "cifrado", "bomb": "bomba",
                "lying bomb": "dañado", "xxe": "ENI válido", "xxe in expediente": "ENI válido",
                "billion laughs": "ENI válido", "not a zip": "ZIP", "missing documento": "Falta",
                "huella": "huella", "firma": "firma del índice",
                "two expedientes": "un expediente", "duplicate": "dos veces"}
    for case, body in cases.items():
        response = await _receive(client, tenant, body)
        assert response.status_code == 422, (case, response.text)
        assert expected[case] in response.json()["detail"], (case, response.text)
        assert "root:" not in response.text  # nothing of /etc/passwd came back
    assert await busqueda.search(tenant, Busqueda()) == []
    assert not await Document.exists().where(Document.tenant == tenant.id)
    too_big = await _receive(client, tenant, b"0" * (201 * 2**20))
    assert too_big.status_code == 413


async def test_an_import_is_spooled_to_disk_not_held_in_memory(entidad, staff):
    """A 48 MiB body is written to a temporary file as it arrives (issue 18 item 14): the
    request allocates far less than the body, where reading it whole took twice its size."""
    tenant = await entidad()
    client, _ = await staff(tenant, "secretario")
    body = os.urandom(48 << 20)  # not a ZIP: refused once read, after the spooling
    tracemalloc.start()
    try:
        refused = await _receive(client, tenant, body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.status_code == 422 and "ZIP" in refused.json()["detail"]
    assert peak < 16 << 20, f"{peak / 2**20:.0f} MiB allocated for a 48 MiB body"


@pytest.mark.parametrize("kind", ["pdf-then-zip", "object-bomb"])
async def test_a_hostile_pdf_in_a_package_is_refused_by_name(sealed_entidad, staff, kind):
    tenant, _, _ = await sealed_entidad()
    package = Package(await signer_for(tenant, SEAL), "H3")
    hostile = list(package.documents)[1]
    package.documents[hostile] = HOSTILE[kind]()
    client, _ = await staff(tenant, "secretario")
    response = await _receive(client, tenant, package.zip())
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith(f"{hostile}: "), response.text
    assert "PDF" in response.json()["detail"]
    assert await busqueda.search(tenant, Busqueda()) == []
    assert not await Document.exists().where(Document.tenant == tenant.id)
