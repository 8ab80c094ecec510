"""The development PKI: subjects, extensions, chain, PKCS#12 protection and idempotency."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from core.signing.devpki import (
    PersonSubject,
    SealSubject,
    load_certificate,
    load_private_key,
    make_dev_pki,
)


def _attr(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str:
    [value] = cert.subject.get_attributes_for_oid(oid)
    return str(value.value)


def test_seal_subject_follows_the_spanish_profile(pki, seal_nif):
    cert = load_certificate(pki.seals[seal_nif].cert_pem)
    assert _attr(cert, NameOID.ORGANIZATION_NAME) == "AYUNTAMIENTO DE DEMO (SOLO PRUEBAS)"
    assert _attr(cert, NameOID.ORGANIZATION_IDENTIFIER) == f"VATES-{seal_nif}"
    assert _attr(cert, NameOID.COMMON_NAME) == "SELLO DE AYUNTAMIENTO DE DEMO (SOLO PRUEBAS)"
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert cert.public_key().key_size == 2048


def test_person_subject(pki, person_nif):
    cert = load_certificate(pki.people[person_nif].cert_pem)
    assert _attr(cert, NameOID.COMMON_NAME) == f"PÉREZ NÚÑEZ MARÍA - {person_nif}"
    assert _attr(cert, NameOID.SERIAL_NUMBER) == f"IDCES-{person_nif}"


def test_tsa_has_critical_time_stamping_eku(pki):
    eku = load_certificate(pki.tsa_cert).extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert eku.critical and list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]


def test_chain_links_up_to_the_root(pki, seal_nif, person_nif):
    root = load_certificate(pki.root_cert)
    intermediate = load_certificate(pki.intermediate_cert)
    root.verify_directly_issued_by(root)
    intermediate.verify_directly_issued_by(root)
    for leaf in (pki.tsa_cert, pki.seals[seal_nif].cert_pem, pki.people[person_nif].cert_pem):
        load_certificate(leaf).verify_directly_issued_by(intermediate)


def test_keys_are_password_protected(pki, seal_nif):
    data = pki.seals[seal_nif].pkcs12.read_bytes()
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(data, b"wrong password")
    _, cert, _ = pkcs12.load_key_and_certificates(data, pki.password)
    assert cert == load_certificate(pki.seals[seal_nif].cert_pem)
    with pytest.raises((TypeError, ValueError)):
        load_private_key(pki.root_key, b"wrong password")
    assert (pki.directory / "password.txt").stat().st_mode & 0o077 == 0


def test_idempotent_and_extensible(pki, seal_nif):
    root_before = pki.root_cert.read_bytes()
    seal_before = pki.seals[seal_nif].cert_pem.read_bytes()
    again = make_dev_pki(
        pki.directory,
        seals=[
            SealSubject(entity_name="Ayuntamiento de Demo (solo pruebas)", nif=seal_nif),
            SealSubject(entity_name="Mancomunidad Demo (solo pruebas)", nif="P4299998G"),
        ],
        people=[],
    )
    assert again.root_cert.read_bytes() == root_before
    assert again.seals[seal_nif].cert_pem.read_bytes() == seal_before
    new = load_certificate(again.seals["P4299998G"].cert_pem)
    new.verify_directly_issued_by(load_certificate(pki.intermediate_cert))


def test_invalid_nif_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="invalid NIF"):
        make_dev_pki(tmp_path, [SealSubject(entity_name="X", nif="P4299999A")], [])
    with pytest.raises(ValueError, match="invalid NIF"):
        make_dev_pki(tmp_path, [], [PersonSubject(given_name="A", surnames="B", nif="123")])
