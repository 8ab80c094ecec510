"""ENI documento export of stored documents: valid against the official XSDs, round trip."""

from __future__ import annotations

import pytest
import xmlschema

from core.data import XSD as XSD_ROOT
from core.documents.eni import TipoFirma, parse_documento
from core.documents.services import issue_document, read_content
from core.signing.samples import sample_pdf
from tests.platform.platform_tools import PNG, api_upload

XSD = XSD_ROOT / "eni"


@pytest.fixture(scope="module")
def documento_xsd() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(XSD / "documento-e" / "documentoEni.xsd"), allow="local")


async def test_a_sealed_document_exports_as_a_valid_eni_documento(client, sealed_tenant, login,
                                                                  documento_xsd):
    tenant = await sealed_tenant()
    document = await issue_document(tenant, pdf=sample_pdf("Resolución"), title="Resolución",
                                    tipo_documental="TD01", actor="t")
    await login(client, tenant, "read_only")
    response = await client.get(f"/api/v1/{tenant.slug}/documentos/{document.id}/eni")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    documento_xsd.validate(response.content)
    parsed = parse_documento(response.content)
    _, content = await read_content(tenant, document.id)
    assert parsed.contenido == content and parsed.nombre_formato == "PDF"
    assert parsed.metadatos.identificador == document.identificador
    assert parsed.metadatos.organos == [tenant.dir3]
    assert {f.tipo for f in parsed.firmas} == {TipoFirma.PADES, TipoFirma.CSV}
    assert [f.valor_csv for f in parsed.firmas if f.tipo == TipoFirma.CSV] == [document.csv]


async def test_an_uploaded_image_exports_without_firmas(client, make_tenant, login,
                                                        documento_xsd):
    tenant = await make_tenant()
    await login(client, tenant, "secretario")
    uploaded = (await api_upload(client, tenant, PNG, filename="plano.png",
                                 mime="image/png")).json()
    response = await client.get(f"/{tenant.slug}/documentos/{uploaded['id']}/eni")
    documento_xsd.validate(response.content)
    parsed = parse_documento(response.content)
    assert (parsed.contenido, parsed.nombre_formato, parsed.firmas) == (PNG, "PNG", [])
    assert parsed.metadatos.origen == 0
