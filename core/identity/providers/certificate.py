"""X.509 client certificates (DNIe, FNMT) verified by the reverse proxy, passed in a header.

The proxy terminates TLS, asks for a client certificate, verifies its chain and passes it
on (nginx: ``proxy_set_header X-SSL-Client-Cert $ssl_client_escaped_cert``). The header
is believed only from ``trusted_proxies``; from any other address it is ignored, since
anyone could send it. The certificate must be within its validity and, when ``ca_files``
are set, issued by one of them. The person's NIF is the subject ``serialNumber``
(``12345678Z`` on the DNIe, ``IDCES-12345678Z`` on FNMT certificates); a representative's
certificate names the legal person in ``organizationIdentifier`` (``VATES-B12345678``)
and ``O``.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509.oid import NameOID, ObjectIdentifier

from core.identity.providers import ExternalIdentity, Flow, IdentityRejected
from core.identity.settings import CertificateSettings
from core.web.proxies import peer_of

ORGANIZATION_IDENTIFIER = ObjectIdentifier("2.5.4.97")
_ID_PREFIX = re.compile(r"^(IDCES|VATES)-?")


def _attribute(name: x509.Name, oid: ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value).strip() if values else ""


def parse_header(value: str) -> x509.Certificate:
    """A certificate from the header: URL-escaped PEM, or base64 DER."""
    text = unquote(value).strip()
    try:
        if "BEGIN CERTIFICATE" in text:
            return x509.load_pem_x509_certificate(text.encode())
        return x509.load_der_x509_certificate(base64.b64decode(text, validate=True))
    except (ValueError, binascii.Error) as exc:
        raise IdentityRejected("El certificado recibido no se puede leer") from exc


def identity_from_certificate(cert: x509.Certificate) -> ExternalIdentity:
    """The person (and legal person, for a representative) a certificate names."""
    subject = cert.subject
    nif = _ID_PREFIX.sub("", _attribute(subject, NameOID.SERIAL_NUMBER).upper())
    given, surname = (_attribute(subject, NameOID.GIVEN_NAME),
                      _attribute(subject, NameOID.SURNAME))
    name = f"{given} {surname}".strip() or re.sub(
        r"\s*(\(AUTENTICACI[OÓ]N\)|- ?\w+)$", "", _attribute(subject, NameOID.COMMON_NAME))
    company = _ID_PREFIX.sub("", _attribute(subject, ORGANIZATION_IDENTIFIER).upper())
    return ExternalIdentity(provider="certificado", audience="citizen", nif=nif, name=name,
                            company_nif=company,
                            company_name=_attribute(subject, NameOID.ORGANIZATION_NAME)
                            if company else "")


class CertificateProvider:
    name = "certificado"
    label = "Certificado electrónico (DNIe, FNMT)"
    audience: Literal["citizen", "staff"] = "citizen"

    def __init__(self, config: CertificateSettings) -> None:
        self.config = config
        self.proxies = [ipaddress.ip_network(p, strict=False) for p in config.trusted_proxies]
        self.issuers = [c for f in config.ca_files
                        for c in x509.load_pem_x509_certificates(Path(f).read_bytes())]

    def _trusted(self, host: str | None) -> bool:
        try:
            address = ipaddress.ip_address(host or "")
        except ValueError:
            return False
        return any(address in network for network in self.proxies)

    def _check(self, cert: x509.Certificate) -> None:
        now = datetime.now(UTC)
        if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
            raise IdentityRejected("El certificado está caducado o aún no es válido")
        if not self.issuers:
            return
        for issuer in self.issuers:
            try:
                cert.verify_directly_issued_by(issuer)
                return
            except (ValueError, TypeError, InvalidSignature):
                continue
        raise IdentityRejected("El certificado no lo emite una autoridad admitida")

    async def start(self, request: Any, flow: Flow) -> ExternalIdentity:
        if not self._trusted(peer_of(request.scope)):  # the proxy that passed the header
            raise IdentityRejected("El acceso con certificado no está disponible por esta vía")
        value = request.headers.get(self.config.header)
        if not value:
            raise IdentityRejected("El navegador no ha presentado ningún certificado")
        cert = parse_header(value)
        self._check(cert)
        return identity_from_certificate(cert)

    async def finish(self, request: Any, flow: Flow) -> ExternalIdentity:
        raise IdentityRejected("El acceso con certificado no usa retorno")
