"""Deployment settings of identity: external providers and client certificates.

Set in the ``[identity]`` table of the settings file::

    [[identity.oidc]]                 # one per OpenID Connect provider
    name = "clave"                    # URL id: /login/with/clave
    label = "Cl@ve"
    issuer = "https://pasarela.diputacion.example/realms/clave"
    client_id = "concejo"
    client_secret = "…"
    audience = "citizen"              # or "staff" (users matched by e-mail)

    [identity.certificate]            # X.509 client certificates from the reverse proxy
    trusted_proxies = ["10.0.0.0/24"] # only these addresses may pass the header
    header = "x-ssl-client-cert"      # nginx: $ssl_client_escaped_cert
    ca_files = ["/etc/concejo/ac-fnmt.pem", "/etc/concejo/ac-dnie.pem"]
"""

from __future__ import annotations

from typing import Literal

import msgspec


class OidcProviderSettings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An OpenID Connect provider: a Cl@ve bridge for citizens, Keycloak for staff."""

    name: str
    label: str
    issuer: str
    client_id: str
    client_secret: str = ""
    audience: Literal["citizen", "staff"] = "citizen"
    scopes: list[str] = msgspec.field(default_factory=lambda: ["openid", "profile"])
    nif_claim: str = "nif"
    name_claim: str = "name"
    email_claim: str = "email"
    #: staff only: the provider itself demands a second factor, so Concejo does not ask
    provider_mfa: bool = False


class CertificateSettings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Client certificates verified by the reverse proxy and passed in a header."""

    trusted_proxies: list[str] = []
    header: str = "x-ssl-client-cert"
    ca_files: list[str] = []


class IdentitySettings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    oidc: list[OidcProviderSettings] = []
    certificate: CertificateSettings = msgspec.field(default_factory=CertificateSettings)
