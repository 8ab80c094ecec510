"""The certificates signature validation trusts: the PEM bundle of the ``trust_roots``
setting and, while it exists, the root of the development PKI (``concejo pki dev``)."""

from __future__ import annotations

from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from core.settings import Settings


def trust_roots(settings: Settings) -> list[asn1_x509.Certificate]:
    paths = [Path(settings.trust_roots)] if settings.trust_roots else []
    dev_root = settings.data_path / "pki" / "root.pem"
    if dev_root.exists():
        paths.append(dev_root)
    return [asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))
            for path in paths for cert in x509.load_pem_x509_certificates(path.read_bytes())]
