"""Revocation (issue 18 item 1): a certificate of the trusted CA revoked in the CRL at its
distribution point (a loopback server) and in the PDF's DSS is reported "revoked", never
ok; a status that cannot be fetched is "unknown", never ok; a good one stays ok."""

from __future__ import annotations

from revocation_tools import CrlServer, closed_port_url, with_dss_crl

from core.signing.backends import Pkcs12SealBackend
from core.signing.devpki import PersonSubject, intermediate_crl, issue_person_with_crl
from core.signing.pades import sign_pdf
from core.signing.samples import sample_pdf
from core.signing.validation import validate_pdf

SUBJECT = PersonSubject(given_name="Ana", surnames="Revocada Prueba", nif="12345678Z")


def signed_by(pki, p12: bytes) -> bytes:
    return sign_pdf(sample_pdf(), Pkcs12SealBackend(p12, pki.password))


def test_revoked_in_the_crl_and_the_dss_is_revoked(pki, trust_roots):
    with CrlServer() as server:
        revoked, p12 = issue_person_with_crl(pki, SUBJECT, server.url)
        server.crl = intermediate_crl(pki, [revoked.serial_number])
        pdf = with_dss_crl(signed_by(pki, p12), server.crl)
        report = validate_pdf(pdf, trust_roots)
    [signature] = report.signatures
    assert (signature.revocation, signature.ok, report.all_ok) == ("revoked", False, False)
    assert signature.intact and signature.valid and not signature.trusted


def test_revoked_only_at_the_distribution_point_is_fetched(pki, trust_roots):
    with CrlServer() as server:
        revoked, p12 = issue_person_with_crl(pki, SUBJECT, server.url)
        server.crl = intermediate_crl(pki, [revoked.serial_number])
        [signature] = validate_pdf(signed_by(pki, p12), trust_roots).signatures
    assert (signature.revocation, signature.ok) == ("revoked", False)


def test_a_status_that_cannot_be_fetched_is_unknown_and_not_ok(pki, trust_roots):
    _, p12 = issue_person_with_crl(pki, SUBJECT, closed_port_url())
    [signature] = validate_pdf(signed_by(pki, p12), trust_roots).signatures
    assert (signature.revocation, signature.ok) == ("unknown", False)


def test_a_certificate_not_in_the_crl_is_ok(pki, trust_roots):
    with CrlServer() as server:
        _, p12 = issue_person_with_crl(pki, SUBJECT, server.url)
        other, _ = issue_person_with_crl(pki, SUBJECT, server.url)
        server.crl = intermediate_crl(pki, [other.serial_number])
        report = validate_pdf(signed_by(pki, p12), trust_roots)
    [signature] = report.signatures
    assert (signature.revocation, signature.ok, report.all_ok) == (None, True, True)
