"""Signer backends: where the private key lives and how it signs.

A backend is anything that satisfies ``SignerBackend``: it exposes its certificate (and the
intermediate CAs to embed) and signs bytes with RSA PKCS#1 v1.5 over SHA-256. That is all the
PAdES engine needs, so a remote signing service (a cloud HSM, a "firma en la nube" provider)
is a plugin that returns such an object from the kernel's ``register_signer_backends`` hook.

Built in:

* ``Pkcs12SealBackend`` — the entity's sello electrónico as a PKCS#12 file. At rest the file
  and its password are sealed together with the deployment master key (``seal_pkcs12``,
  AES-256-GCM); the key is parsed once when the backend is built, never per signature.
* ``Pkcs11Backend`` — a key on a PKCS#11 token (HSM, smart card; SoftHSM2 in tests),
  opened through pyHanko's PKCS#11 support.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import msgspec
from asn1crypto import x509 as asn1_x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import pkcs12

from .errors import SecretError, SigningError

_SECRET_MAGIC = b"CJS1"
_NONCE_SIZE = 12
MASTER_KEY_SIZE = 32


@runtime_checkable
class SignerBackend(Protocol):
    """A signing key with its certificate; signs with RSA PKCS#1 v1.5 and SHA-256."""

    @property
    def certificate(self) -> asn1_x509.Certificate:
        """The signing certificate."""
        ...

    @property
    def chain(self) -> Sequence[asn1_x509.Certificate]:
        """Intermediate CA certificates to embed (the root may be left out)."""
        ...

    def sign(self, data: bytes) -> bytes:
        """Return the RSASSA-PKCS1-v1_5 signature of SHA-256(``data``)."""
        ...


def generate_master_key() -> bytes:
    """A new random 256-bit deployment master key."""
    return os.urandom(MASTER_KEY_SIZE)


def _aead(master_key: bytes) -> AESGCM:
    if len(master_key) != MASTER_KEY_SIZE:
        raise SecretError(f"the master key must be {MASTER_KEY_SIZE} bytes")
    return AESGCM(master_key)


def encrypt_secret(master_key: bytes, data: bytes, *, context: bytes = b"") -> bytes:
    """Seal ``data`` with AES-256-GCM; ``context`` (e.g. the tenant slug) is authenticated too."""
    nonce = os.urandom(_NONCE_SIZE)
    return _SECRET_MAGIC + nonce + _aead(master_key).encrypt(nonce, data, context)


def decrypt_secret(master_key: bytes, sealed: bytes, *, context: bytes = b"") -> bytes:
    """Open a secret sealed by ``encrypt_secret``; raise ``SecretError`` when that fails."""
    if not sealed.startswith(_SECRET_MAGIC) or len(sealed) < len(_SECRET_MAGIC) + _NONCE_SIZE:
        raise SecretError("not a Concejo sealed secret")
    body = sealed[len(_SECRET_MAGIC) :]
    try:
        return _aead(master_key).decrypt(body[:_NONCE_SIZE], body[_NONCE_SIZE:], context)
    except InvalidTag:
        raise SecretError(
            "cannot open the sealed secret: wrong master key, wrong context or tampered data"
        ) from None


class _SealedPkcs12(msgspec.Struct, frozen=True):
    pkcs12: bytes
    password: bytes


def seal_pkcs12(
    master_key: bytes, pkcs12_data: bytes, password: bytes, *, context: bytes = b""
) -> bytes:
    """Seal a PKCS#12 file and its password into one opaque blob for storage at rest."""
    plain = msgspec.msgpack.encode(_SealedPkcs12(pkcs12=pkcs12_data, password=password))
    return encrypt_secret(master_key, plain, context=context)


def _to_asn1(cert) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _require_rsa(certificate: asn1_x509.Certificate) -> None:
    if certificate.public_key.algorithm != "rsa":
        raise SigningError(
            f"unsupported key type {certificate.public_key.algorithm!r}: only RSA is supported"
        )


class Pkcs12SealBackend:
    """A PKCS#12 key and certificate held in memory, parsed once."""

    def __init__(self, pkcs12_data: bytes, password: bytes | None) -> None:
        try:
            key, cert, extra = pkcs12.load_key_and_certificates(pkcs12_data, password)
        except ValueError as exc:
            raise SigningError(f"cannot open the PKCS#12 file: {exc}") from exc
        if not isinstance(key, rsa.RSAPrivateKey) or cert is None:
            raise SigningError("the PKCS#12 file must hold an RSA key and its certificate")
        self._key = key
        self._certificate = _to_asn1(cert)
        self._chain = tuple(_to_asn1(c) for c in extra if c != cert)

    @classmethod
    def from_sealed(
        cls, sealed: bytes, master_key: bytes, *, context: bytes = b""
    ) -> Pkcs12SealBackend:
        """Open a blob made by ``seal_pkcs12`` with the deployment master key."""
        inner = msgspec.msgpack.decode(
            decrypt_secret(master_key, sealed, context=context), type=_SealedPkcs12
        )
        return cls(inner.pkcs12, inner.password)

    @property
    def certificate(self) -> asn1_x509.Certificate:
        return self._certificate

    @property
    def chain(self) -> Sequence[asn1_x509.Certificate]:
        return self._chain

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data, padding.PKCS1v15(), hashes.SHA256())


class Pkcs11Backend:
    """A private key on a PKCS#11 token; one session, signatures serialised by a lock.

    ``cert_label`` defaults to ``key_label``. Without an explicit ``chain`` every other
    certificate found on the token is embedded as an intermediate.
    """

    def __init__(
        self,
        module_path: str,
        *,
        token_label: str,
        pin: str,
        key_label: str,
        cert_label: str | None = None,
        chain: Sequence[asn1_x509.Certificate] | None = None,
    ) -> None:
        from pkcs11 import Mechanism, PKCS11Error
        from pkcs11.exceptions import UserAlreadyLoggedIn
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign.pkcs11 import open_pkcs11_session

        self._mechanism = Mechanism.SHA256_RSA_PKCS
        self._lock = threading.Lock()
        criteria = TokenCriteria(label=token_label)
        try:
            try:
                self._session = open_pkcs11_session(module_path, token_criteria=criteria,
                                                    user_pin=pin)
            except UserAlreadyLoggedIn:
                # Login is per application and token: another backend of this process
                # already logged in, so this session shares that login.
                self._session = open_pkcs11_session(module_path, token_criteria=criteria)
        except PKCS11Error as exc:
            raise SigningError(f"PKCS#11 token {token_label!r}: {exc!r}") from exc
        try:
            self._load_objects(key_label, cert_label or key_label, chain)
        except BaseException:
            self._session.close()  # never leave a logged-in session behind a failure
            raise

    def _load_objects(self, key_label: str, wanted: str,
                      chain: Sequence[asn1_x509.Certificate] | None) -> None:
        from pkcs11 import Attribute, ObjectClass, PKCS11Error

        try:
            self._key = self._session.get_key(ObjectClass.PRIVATE_KEY, label=key_label)
            certs = [
                asn1_x509.Certificate.load(obj[Attribute.VALUE])
                for obj in self._session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE})
            ]
            labelled = list(
                self._session.get_objects(
                    {Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.LABEL: wanted}
                )
            )
        except PKCS11Error as exc:
            raise SigningError(f"PKCS#11 key {key_label!r}: {exc!r}") from exc
        if len(labelled) != 1:
            raise SigningError(f"expected one certificate labelled {wanted!r} on the token")
        self._certificate = asn1_x509.Certificate.load(labelled[0][Attribute.VALUE])
        _require_rsa(self._certificate)
        self._chain = (
            tuple(chain)
            if chain is not None
            else tuple(c for c in certs if c.dump() != self._certificate.dump())
        )

    @property
    def certificate(self) -> asn1_x509.Certificate:
        return self._certificate

    @property
    def chain(self) -> Sequence[asn1_x509.Certificate]:
        return self._chain

    def sign(self, data: bytes) -> bytes:
        with self._lock:
            return bytes(self._key.sign(data, mechanism=self._mechanism))

    def close(self) -> None:
        """Close the PKCS#11 session."""
        self._session.close()
