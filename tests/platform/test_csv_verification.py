"""CSV verification on the sede and the API: the document of that tenant only, typos caught,
downloads equal to what was issued, a per-address limit with a clear 429."""

from __future__ import annotations

from core import kernel as _kernel
from core.documents.csvcode import new_csv
from core.documents.services import issue_document, read_content
from core.signing.samples import sample_pdf

HTML = {"accept": "text/html"}


async def issued(tenant, title="Certificado de empadronamiento"):
    document = await issue_document(tenant, pdf=sample_pdf(title), title=title,
                                    tipo_documental="TD11", actor="t")
    _, content = await read_content(tenant, document.id)
    return document, content


async def test_the_sede_verifies_and_serves_the_document(sealed_tenant, own_client):
    tenant = await sealed_tenant()
    document, content = await issued(tenant)
    http = own_client()
    form = await http.get(f"/sede/{tenant.slug}/verificar", headers=HTML)
    assert form.status_code == 200 and 'name="csv"' in form.text
    typed = document.csv.replace("-", " ").lower()  # as people type it
    page = await http.get(f"/sede/{tenant.slug}/verificar", params={"csv": typed},
                          headers=HTML)
    assert page.status_code == 200
    assert "Certificado de empadronamiento" in page.text and document.identificador in page.text
    assert "SELLO DE " in page.text and document.sha256 in page.text
    link = f"/sede/{tenant.slug}/verificar/{document.csv}/documento"
    assert link in page.text
    download = await http.get(link)
    assert download.status_code == 200 and download.content == content
    assert download.headers["content-type"] == "application/pdf"


async def test_the_api_verifies_and_serves_the_document(sealed_tenant, own_client):
    tenant = await sealed_tenant()
    document, content = await issued(tenant)
    http = own_client()
    found = await http.get(f"/api/v1/{tenant.slug}/verificar/{document.csv}")
    assert found.status_code == 200
    body = found.json()
    assert (body["identificador"], body["sha256"]) == (document.identificador, document.sha256)
    assert "id" not in body and [s["signer_name"] for s in body["signatures"]] == [
        document.signatures[0].signer_name]
    download = await http.get(f"/api/v1/{tenant.slug}/verificar/{document.csv}/contenido")
    assert download.content == content


async def test_typos_unknown_codes_and_other_tenants_codes(sealed_tenant, own_client):
    tenant, other = await sealed_tenant(), await sealed_tenant()
    document, _ = await issued(tenant)
    foreign, _ = await issued(other)
    http = own_client()
    code = document.csv.replace("-", "")
    i = next(i for i in range(len(code) - 1) if code[i] != code[i + 1])
    swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]  # two neighbours swapped
    typo = await http.get(f"/sede/{tenant.slug}/verificar", params={"csv": swapped},
                          headers=HTML)
    assert typo.status_code == 422 and "control" in typo.text.lower()
    for csv in (foreign.csv, new_csv()):
        page = await http.get(f"/sede/{tenant.slug}/verificar", params={"csv": csv},
                              headers=HTML)
        assert page.status_code == 404 and "No hay ningún documento" in page.text
        api = await http.get(f"/api/v1/{tenant.slug}/verificar/{csv}")
        assert api.status_code == 404
        assert api.headers["content-type"].startswith("application/problem+json")
        assert (await http.get(f"/sede/{tenant.slug}/verificar/{csv}/documento")
                ).status_code == 404
    assert (await http.get(f"/sede/{other.slug}/verificar/{foreign.csv}/documento")
            ).status_code == 200


async def test_lookups_are_limited_per_address_with_a_clear_429(sealed_tenant, own_client):
    tenant = await sealed_tenant()
    document, _ = await issued(tenant)
    limit = _kernel.current().settings.verify_per_minute
    scanner, neighbour = own_client(), own_client()
    for n in range(limit):
        response = await scanner.get(f"/api/v1/{tenant.slug}/verificar/{document.csv}")
        assert response.status_code == 200, n
    refused = await scanner.get(f"/api/v1/{tenant.slug}/verificar/{document.csv}")
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert "Demasiadas consultas" in refused.json()["detail"]
    page = await scanner.get(f"/sede/{tenant.slug}/verificar", params={"csv": document.csv},
                             headers=HTML)
    assert page.status_code == 429 and "Vuelva a intentarlo dentro de" in page.text
    assert (await scanner.get(f"/sede/{tenant.slug}/verificar/{document.csv}/documento")
            ).status_code == 429
    assert (await neighbour.get(f"/api/v1/{tenant.slug}/verificar/{document.csv}")
            ).status_code == 200
