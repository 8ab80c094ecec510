"""Master-key sealing of secrets and the PKCS#12 seal backend."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import load_der_public_key

from core.signing.backends import (
    Pkcs12SealBackend,
    SignerBackend,
    decrypt_secret,
    encrypt_secret,
    generate_master_key,
    seal_pkcs12,
)
from core.signing.errors import SecretError, SigningError


def test_secret_round_trip_and_nonce_freshness():
    key = generate_master_key()
    first = encrypt_secret(key, b"contrasena del sello", context=b"tenant:demo")
    second = encrypt_secret(key, b"contrasena del sello", context=b"tenant:demo")
    assert first != second  # fresh nonce each time
    assert b"contrasena" not in first
    assert decrypt_secret(key, first, context=b"tenant:demo") == b"contrasena del sello"


@pytest.mark.parametrize("problem", ["wrong key", "wrong context", "tampered", "not sealed"])
def test_secret_failures_are_clear(problem):
    key = generate_master_key()
    sealed = encrypt_secret(key, b"secret", context=b"tenant:demo")
    use_key, context = key, b"tenant:demo"
    if problem == "wrong key":
        use_key = generate_master_key()
    elif problem == "wrong context":
        context = b"tenant:other"
    elif problem == "tampered":
        sealed = sealed[:-1] + bytes([sealed[-1] ^ 1])
    else:
        sealed = b"plain text"
    with pytest.raises(SecretError):
        decrypt_secret(use_key, sealed, context=context)


def test_master_key_must_be_256_bits():
    with pytest.raises(SecretError, match="32 bytes"):
        encrypt_secret(b"short", b"data")


def test_sealed_pkcs12_opens_and_signs(pki, seal_nif):
    master = generate_master_key()
    blob = seal_pkcs12(master, pki.seals[seal_nif].pkcs12.read_bytes(), pki.password)
    assert pki.password not in blob

    backend = Pkcs12SealBackend.from_sealed(blob, master)
    assert isinstance(backend, SignerBackend)
    assert backend.certificate.subject.native["organization_identifier"] == f"VATES-{seal_nif}"
    assert [c.subject.native["common_name"] for c in backend.chain] == [
        "CONCEJO DESARROLLO SUBORDINADA"
    ]
    signature = backend.sign(b"datos")
    public_key = load_der_public_key(backend.certificate.public_key.dump())
    public_key.verify(signature, b"datos", padding.PKCS1v15(), hashes.SHA256())

    with pytest.raises(SecretError):
        Pkcs12SealBackend.from_sealed(blob, generate_master_key())


def test_wrong_pkcs12_password(pki, seal_nif):
    with pytest.raises(SigningError, match="PKCS#12"):
        Pkcs12SealBackend(pki.seals[seal_nif].pkcs12.read_bytes(), b"not the password")
