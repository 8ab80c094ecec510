"""Development and test PKI: root CA, intermediate CA, TSA, sellos and personal certificates.

``make_dev_pki`` is what ``concejo pki dev`` calls. It writes, under one folder::

    password.txt                  PKCS#12 / PEM key password (random, 0600)
    root.pem  root.key.pem        self-signed root CA
    intermediate.pem ...key.pem   issuing CA (signed by the root)
    tsa.pem  tsa.key.pem          RFC 3161 time-stamping unit (EKU timeStamping, critical)
    seals/<NIF>.pem  .p12         one "sello electrónico" per entity
    people/<NIF>.pem .p12         personal certificates

Keys are RSA 2048; every private key is written encrypted (PKCS#8 PEM or PKCS#12) with the
password of ``password.txt``. The function is idempotent: files that already exist are kept
and reused (a new seal is issued by the existing intermediate CA). Never use in production.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import msgspec
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from stdnum.es import nif as es_nif
from stdnum.exceptions import ValidationError

VALIDITY = dt.timedelta(days=3650)


class SealSubject(msgspec.Struct, frozen=True):
    """An entity that gets a sello electrónico (e.g. "AYUNTAMIENTO DE DEMO", CIF)."""

    entity_name: str
    nif: str


class PersonSubject(msgspec.Struct, frozen=True):
    """A natural person with a personal signing certificate."""

    given_name: str
    surnames: str
    nif: str


class CertFiles(msgspec.Struct, frozen=True):
    """Where one end-entity certificate lives: PEM certificate and password-protected PKCS#12."""

    cert_pem: Path
    pkcs12: Path


class DevPki(msgspec.Struct, frozen=True):
    """Paths of a development PKI made by ``make_dev_pki``."""

    directory: Path
    password: bytes
    root_cert: Path
    root_key: Path
    intermediate_cert: Path
    intermediate_key: Path
    tsa_cert: Path
    tsa_key: Path
    seals: dict[str, CertFiles]
    people: dict[str, CertFiles]


def normalize_nif(nif: str) -> str:
    """Return the compact NIF/NIE/CIF or raise ``ValueError`` when it is not valid."""
    try:
        return es_nif.validate(nif)
    except ValidationError as exc:
        raise ValueError(f"invalid NIF {nif!r}: {exc}") from exc


def load_private_key(path: Path, password: bytes) -> rsa.RSAPrivateKey:
    """Load an encrypted PKCS#8 PEM key written by this module."""
    key = serialization.load_pem_private_key(path.read_bytes(), password)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise TypeError(f"{path} does not hold an RSA key")
    return key


def load_certificate(path: Path) -> x509.Certificate:
    """Load a PEM certificate."""
    return x509.load_pem_x509_certificate(path.read_bytes())


def load_asn1_certificate(path: Path) -> asn1_x509.Certificate:
    """Load a PEM certificate as the asn1crypto object pyHanko and the signing engine use."""
    return asn1_x509.Certificate.load(
        load_certificate(path).public_bytes(serialization.Encoding.DER)
    )


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _password(directory: Path) -> bytes:
    path = directory / "password.txt"
    if not path.exists():
        _write_private(path, secrets.token_urlsafe(18).encode())
    return path.read_bytes().strip()


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: rsa.RSAPublicKey, issuer_key_id: bytes
) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    ski = x509.SubjectKeyIdentifier.from_public_key(public_key)
    aki = x509.AuthorityKeyIdentifier(issuer_key_id, None, None)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + VALIDITY)
        .add_extension(ski, critical=False)
        .add_extension(aki, critical=False)
    )


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(False, False, False, False, False, True, True, False, False)


def _signing_usage() -> x509.KeyUsage:
    # digitalSignature + nonRepudiation (contentCommitment), as on Spanish seal certificates
    return x509.KeyUsage(True, True, False, False, False, False, False, False, False)


def _tsa_usage() -> x509.KeyUsage:
    return x509.KeyUsage(True, False, False, False, False, False, False, False, False)


class _Issuer(NamedTuple):
    cert: x509.Certificate
    key: rsa.RSAPrivateKey

    def key_id(self) -> bytes:
        return x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()).digest


def _issue(
    issuer: _Issuer | None,
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    decorate: Callable[[x509.CertificateBuilder], x509.CertificateBuilder],
) -> x509.Certificate:
    public_key = key.public_key()
    if issuer is None:  # self-signed root
        signing_key, issuer_name = key, subject
        issuer_key_id = x509.SubjectKeyIdentifier.from_public_key(public_key).digest
    else:
        signing_key, issuer_name, issuer_key_id = issuer.key, issuer.cert.subject, issuer.key_id()
    builder = decorate(_builder(subject, issuer_name, public_key, issuer_key_id))
    return builder.sign(signing_key, hashes.SHA256())


def _ca_pair(
    directory: Path, name: str, subject: x509.Name, issuer: _Issuer | None, password: bytes
) -> _Issuer:
    cert_path, key_path = directory / f"{name}.pem", directory / f"{name}.key.pem"
    if cert_path.exists() and key_path.exists():
        return _Issuer(load_certificate(cert_path), load_private_key(key_path, password))
    key = _new_key()
    path_length = 1 if issuer is None else 0

    def ca_extensions(builder: x509.CertificateBuilder) -> x509.CertificateBuilder:
        return builder.add_extension(
            x509.BasicConstraints(ca=True, path_length=path_length), critical=True
        ).add_extension(_ca_usage(), critical=True)

    cert = _issue(issuer, subject, key, ca_extensions)
    _write_key_and_cert(key_path, cert_path, key, cert, password)
    return _Issuer(cert, key)


def _write_key_and_cert(
    key_path: Path, cert_path: Path, key: rsa.RSAPrivateKey, cert: x509.Certificate, password: bytes
) -> None:
    encryption = serialization.BestAvailableEncryption(password)
    pem_key = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    _write_private(key_path, pem_key)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _end_entity(
    folder: Path, nif: str, subject: x509.Name, issuer: _Issuer, password: bytes
) -> CertFiles:
    files = CertFiles(cert_pem=folder / f"{nif}.pem", pkcs12=folder / f"{nif}.p12")
    if files.cert_pem.exists() and files.pkcs12.exists():
        return files
    key = _new_key()

    def leaf_extensions(builder: x509.CertificateBuilder) -> x509.CertificateBuilder:
        return builder.add_extension(
            x509.BasicConstraints(ca=False, path_length=None), critical=True
        ).add_extension(_signing_usage(), critical=True)

    cert = _issue(issuer, subject, key, leaf_extensions)
    folder.mkdir(parents=True, exist_ok=True)
    p12 = pkcs12.serialize_key_and_certificates(
        name=nif.encode(),
        key=key,
        cert=cert,
        cas=[issuer.cert],
        encryption_algorithm=serialization.BestAvailableEncryption(password),
    )
    _write_private(files.pkcs12, p12)
    files.cert_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return files


def seal_name(subject: SealSubject) -> x509.Name:
    """Subject of a sello electrónico: O, organizationIdentifier VATES-<NIF>, CN SELLO DE …."""
    nif = normalize_nif(subject.nif)
    entity = subject.entity_name.upper()
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ES"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, entity),
            x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, f"VATES-{nif}"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, nif),
            x509.NameAttribute(NameOID.COMMON_NAME, f"SELLO DE {entity}"),
        ]
    )


def person_name(subject: PersonSubject) -> x509.Name:
    """Subject of a personal certificate: CN "APELLIDOS NOMBRE - NIF", serialNumber IDCES-NIF."""
    nif = normalize_nif(subject.nif)
    given, surnames = subject.given_name.upper(), subject.surnames.upper()
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ES"),
            x509.NameAttribute(NameOID.GIVEN_NAME, given),
            x509.NameAttribute(NameOID.SURNAME, surnames),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, f"IDCES-{nif}"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{surnames} {given} - {nif}"),
        ]
    )


def _ca_name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ES"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "CONCEJO DESARROLLO (NO VÁLIDO)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _tsa(directory: Path, issuer: _Issuer, password: bytes) -> None:
    cert_path, key_path = directory / "tsa.pem", directory / "tsa.key.pem"
    if cert_path.exists() and key_path.exists():
        return
    key = _new_key()

    def tsa_extensions(builder: x509.CertificateBuilder) -> x509.CertificateBuilder:
        return (
            builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_tsa_usage(), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), True)
        )

    cert = _issue(issuer, _ca_name("CONCEJO DESARROLLO TSA"), key, tsa_extensions)
    _write_key_and_cert(key_path, cert_path, key, cert, password)


def make_dev_pki(directory: Path, seals: list[SealSubject], people: list[PersonSubject]) -> DevPki:
    """Create (or complete) the development PKI under ``directory`` and return its paths."""
    seal_names = {normalize_nif(seal.nif): seal_name(seal) for seal in seals}
    person_names = {normalize_nif(person.nif): person_name(person) for person in people}
    directory.mkdir(parents=True, exist_ok=True)
    password = _password(directory)
    root = _ca_pair(directory, "root", _ca_name("CONCEJO DESARROLLO RAIZ"), None, password)
    intermediate = _ca_pair(
        directory, "intermediate", _ca_name("CONCEJO DESARROLLO SUBORDINADA"), root, password
    )
    _tsa(directory, intermediate, password)
    seal_files = {
        nif: _end_entity(directory / "seals", nif, name, intermediate, password)
        for nif, name in seal_names.items()
    }
    people_files = {
        nif: _end_entity(directory / "people", nif, name, intermediate, password)
        for nif, name in person_names.items()
    }
    return DevPki(
        directory=directory,
        password=password,
        root_cert=directory / "root.pem",
        root_key=directory / "root.key.pem",
        intermediate_cert=directory / "intermediate.pem",
        intermediate_key=directory / "intermediate.key.pem",
        tsa_cert=directory / "tsa.pem",
        tsa_key=directory / "tsa.key.pem",
        seals=seal_files,
        people=people_files,
    )


def _intermediate(pki: DevPki) -> _Issuer:
    return _Issuer(load_certificate(pki.intermediate_cert),
                   load_private_key(pki.intermediate_key, pki.password))


def issue_person_with_crl(pki: DevPki, subject: PersonSubject, crl_url: str
                          ) -> tuple[x509.Certificate, bytes]:
    """A personal certificate of the intermediate CA that names ``crl_url`` as its CRL
    distribution point; returns it and its PKCS#12 (password ``pki.password``), not
    written to disk. For revocation tests and demos."""
    issuer, key = _intermediate(pki), _new_key()
    point = x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url)], None, None, None)

    def extensions(builder: x509.CertificateBuilder) -> x509.CertificateBuilder:
        return (builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
                .add_extension(_signing_usage(), critical=True)
                .add_extension(x509.CRLDistributionPoints([point]), critical=False))

    cert = _issue(issuer, person_name(subject), key, extensions)
    p12 = pkcs12.serialize_key_and_certificates(
        name=subject.nif.encode(), key=key, cert=cert, cas=[issuer.cert],
        encryption_algorithm=serialization.BestAvailableEncryption(pki.password))
    return cert, p12


def intermediate_crl(pki: DevPki, revoked_serials: list[int]) -> bytes:
    """A CRL (DER) of the intermediate CA revoking ``revoked_serials``, valid for a day."""
    issuer = _intermediate(pki)
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    builder = (x509.CertificateRevocationListBuilder().issuer_name(issuer.cert.subject)
               .last_update(now).next_update(now + dt.timedelta(days=1))
               .add_extension(x509.AuthorityKeyIdentifier(issuer.key_id(), None, None), False)
               .add_extension(x509.CRLNumber(1), critical=False))
    for serial in revoked_serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(now).build())
    return builder.sign(issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
