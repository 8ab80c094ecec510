"""Signer backend types and the signing services the kernel owns.

A backend type says how to open a stored credential as a ``SignerBackend``: the kernel
registers ``pkcs12`` and ``pkcs11``; plugins add more (a remote signing service, a cloud
HSM) with the ``register_signer_backends`` hook. A credential row names its type, holds
non-secret ``config`` and a secret sealed with the deployment master key; ``open`` gets
both and returns a ready backend, which the kernel keeps (parsing a key costs ~40 ms).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

import msgspec

from .backends import Pkcs11Backend, Pkcs12SealBackend, SignerBackend, decrypt_secret
from .errors import SigningError
from .tsa import TsaClient


class SealedSecret(msgspec.Struct, frozen=True):
    """A credential's secret as stored, with the key and context that open it."""

    sealed: bytes
    master_key: bytes
    context: bytes

    def open(self) -> bytes:
        """The plain secret (``SecretError`` when the key or context is wrong)."""
        return decrypt_secret(self.master_key, self.sealed, context=self.context)


class SignerBackendType(msgspec.Struct, frozen=True):
    """How to open a credential of one kind: ``open(config, secret) -> SignerBackend``."""

    name: str
    label: str
    open: Callable[[dict[str, Any], SealedSecret], SignerBackend]


def _open_pkcs12(config: dict[str, Any], secret: SealedSecret) -> SignerBackend:
    return Pkcs12SealBackend.from_sealed(secret.sealed, secret.master_key, context=secret.context)


def _open_pkcs11(config: dict[str, Any], secret: SealedSecret) -> SignerBackend:
    try:
        return Pkcs11Backend(
            config["module"],
            token_label=config["token_label"],
            key_label=config["key_label"],
            cert_label=config.get("cert_label"),
            pin=secret.open().decode(),
        )
    except KeyError as exc:
        raise SigningError(f"PKCS#11 credential without {exc.args[0]!r} in its config") from None


PKCS12 = SignerBackendType(name="pkcs12", label="Fichero PKCS#12", open=_open_pkcs12)
PKCS11 = SignerBackendType(name="pkcs11", label="Token o HSM PKCS#11", open=_open_pkcs11)


class SigningServices:
    """Registered backend types, the backends opened from credentials, the TSA client."""

    def __init__(
        self, types: Iterable[SignerBackendType], master_key: Callable[[], bytes], tsa_url: str = ""
    ) -> None:
        self.types = {t.name: t for t in types}
        self._master_key = master_key
        self._opened: dict[int, SignerBackend] = {}
        self._lock = threading.Lock()
        self.timestamper = TsaClient(tsa_url) if tsa_url else None

    @property
    def master_key(self) -> bytes:
        return self._master_key()

    def backend_type(self, name: str) -> SignerBackendType:
        try:
            return self.types[name]
        except KeyError:
            known = ", ".join(sorted(self.types))
            raise SigningError(f"unknown signer backend {name!r} (registered: {known})") from None

    def open(self, backend: str, config: dict[str, Any], secret: SealedSecret) -> SignerBackend:
        """Open a credential now (no cache): what installing a credential checks."""
        return self.backend_type(backend).open(config, secret)

    def opened(
        self, credential_id: int, backend: str, config: dict[str, Any], secret: SealedSecret
    ) -> SignerBackend:
        """The backend of a stored credential, opened once and kept (synchronous)."""
        with self._lock:
            signer = self._opened.get(credential_id)
            if signer is None:
                signer = self._opened[credential_id] = self.open(backend, config, secret)
            return signer

    def forget(self, credential_id: int) -> None:
        """Drop a kept backend (its credential was replaced), closing its token session."""
        with self._lock:
            signer = self._opened.pop(credential_id, None)
        if hasattr(signer, "close"):
            signer.close()
