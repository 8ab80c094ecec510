"""The validation API and page never call a revoked signer's signature "válida": they say
"revocada" and, when the status cannot be learnt, "estado de revocación desconocido"
(issue 18 item 1). The certificates are of the kernel's development PKI, which the
deployment trusts; the CRL is served on loopback and also put in the PDF's DSS."""

from __future__ import annotations

import asyncio

from core.signing.backends import Pkcs12SealBackend
from core.signing.devpki import (
    PersonSubject,
    intermediate_crl,
    issue_person_with_crl,
    make_dev_pki,
)
from core.signing.devsetup import pki_directory
from core.signing.pades import sign_pdf
from core.signing.samples import sample_pdf
from core.testing import csrf_headers
from tests.signing.revocation_tools import CrlServer, closed_port_url, with_dss_crl

SUBJECT = PersonSubject(given_name="Ana", surnames="Revocada Prueba", nif="12345678Z")


async def _validate(client, tenant, pdf: bytes):
    headers = await csrf_headers(client)
    api = await client.post(f"/api/v1/{tenant.slug}/firma/validar", content=pdf,
                            headers={**headers, "content-type": "application/pdf"})
    page = await client.post(f"/{tenant.slug}/firma/validar",
                             headers={**headers, "accept": "text/html"},
                             files={"pdf": ("firmado.pdf", pdf, "application/pdf")})
    return api, page


async def test_revoked_and_unknown_signers_are_never_valid(client, signer_session):
    tenant, _ = signer_session
    pki = await asyncio.to_thread(make_dev_pki, pki_directory(), [], [])
    with CrlServer() as server:
        revoked, p12 = issue_person_with_crl(pki, SUBJECT, server.url)
        server.crl = intermediate_crl(pki, [revoked.serial_number])
        pdf = with_dss_crl(sign_pdf(sample_pdf(), Pkcs12SealBackend(p12, pki.password)),
                           server.crl)
        api, page = await _validate(client, tenant, pdf)
    assert api.status_code == 200, api.text
    [signature] = api.json()["signatures"]
    assert signature["revocation"] == "revoked" and signature["ok"] is False
    assert api.json()["all_ok"] is False
    assert page.status_code == 200
    assert "Firma1: revocada" in page.text and "todas las firmas son válidas" not in page.text
    _, p12 = issue_person_with_crl(pki, SUBJECT, closed_port_url())
    api, page = await _validate(client, tenant,
                                sign_pdf(sample_pdf(), Pkcs12SealBackend(p12, pki.password)))
    assert api.json()["signatures"][0]["revocation"] == "unknown"
    assert "Firma1: estado de revocación desconocido" in page.text
    assert "todas las firmas son válidas" not in page.text
