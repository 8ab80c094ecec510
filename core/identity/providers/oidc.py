"""OpenID Connect (authorization code + PKCE): how Cl@ve bridges and Keycloak are reached.

Discovery at ``<issuer>/.well-known/openid-configuration`` (its ``issuer`` must be the
configured one), the browser sent to ``authorization_endpoint`` with ``state``, ``nonce``
and an S256 code challenge, then on the callback the code is exchanged at
``token_endpoint`` (client secret + verifier) and the signed ID token is checked: a key of
the provider's JWKS (refetched once for an unknown ``kid``), an asymmetric algorithm,
``iss``, ``aud`` (and ``azp``), ``exp`` / ``iat`` with a minute of leeway, and ``nonce``.
"""

from __future__ import annotations

import time
from typing import Any, Literal
from urllib.parse import urlencode

import httpx
import jwt
from litestar.response import Redirect

from core.identity.providers import ExternalIdentity, Flow, IdentityRejected
from core.identity.settings import OidcProviderSettings

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]
CACHE_SECONDS = 3600
LEEWAY = 60


class OidcProvider:
    """One configured OIDC provider."""

    def __init__(self, config: OidcProviderSettings, base_url: str) -> None:
        self.config = config
        self.name = config.name
        self.label = config.label
        self.audience: Literal["citizen", "staff"] = config.audience
        self.redirect_uri = f"{base_url.rstrip('/')}/login/with/{config.name}/callback"
        self._discovery: tuple[float, dict[str, Any]] | None = None
        self._jwks: dict[str, Any] = {}

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            async with httpx.AsyncClient(timeout=10) as http:
                response = await http.get(url)
                response.raise_for_status()
                return response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise IdentityRejected(f"El proveedor {self.label} no responde: {exc}") from exc

    async def discovery(self) -> dict[str, Any]:
        if self._discovery and self._discovery[0] > time.monotonic():
            return self._discovery[1]
        issuer = self.config.issuer.rstrip("/")
        document = await self._get_json(f"{issuer}/.well-known/openid-configuration")
        if document.get("issuer") != self.config.issuer:
            raise IdentityRejected(f"El proveedor {self.label} declara otro emisor")
        self._discovery = (time.monotonic() + CACHE_SECONDS, document)
        return document

    async def start(self, request: Any, flow: Flow) -> Redirect:
        document = await self.discovery()
        query = urlencode({
            "response_type": "code", "client_id": self.config.client_id,
            "redirect_uri": self.redirect_uri, "scope": " ".join(self.config.scopes),
            "state": flow.state, "nonce": flow.nonce,
            "code_challenge": flow.code_challenge, "code_challenge_method": "S256"})
        return Redirect(f"{document['authorization_endpoint']}?{query}")

    async def finish(self, request: Any, flow: Flow) -> ExternalIdentity:
        params = request.query_params
        if params.get("error"):
            reason = params.get("error_description") or params["error"]
            raise IdentityRejected(f"{self.label}: {reason}")
        code = params.get("code")
        if not code:
            raise IdentityRejected("Falta el código de autorización")
        document = await self.discovery()
        try:
            async with httpx.AsyncClient(timeout=10) as http:
                response = await http.post(document["token_endpoint"], data={
                    "grant_type": "authorization_code", "code": code,
                    "redirect_uri": self.redirect_uri, "code_verifier": flow.verifier,
                }, auth=(self.config.client_id, self.config.client_secret))
            response.raise_for_status()
            id_token = response.json()["id_token"]
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            raise IdentityRejected(f"{self.label} no ha entregado la identidad: {exc}") from exc
        claims = await self.validate(id_token, flow.nonce)
        return self._identity(claims)

    async def _key(self, kid: str | None) -> jwt.PyJWK:
        for refresh in (False, True):
            if refresh or not self._jwks:
                document = await self.discovery()
                self._jwks = await self._get_json(document["jwks_uri"])
            for key in self._jwks.get("keys", []):
                if kid is None or key.get("kid") == kid:
                    return jwt.PyJWK(key)
        raise IdentityRejected("El token de identidad está firmado con una clave desconocida")

    async def validate(self, id_token: str, nonce: str) -> dict[str, Any]:
        """The claims of a valid ID token of this provider for this login."""
        try:
            header = jwt.get_unverified_header(id_token)
            if header.get("alg") not in ALGORITHMS:
                raise IdentityRejected(f"Algoritmo de firma no admitido: {header.get('alg')}")
            key = await self._key(header.get("kid"))
            claims = jwt.decode(id_token, key, algorithms=[header["alg"]],
                                audience=self.config.client_id, issuer=self.config.issuer,
                                leeway=LEEWAY,
                                options={"require": ["iss", "aud", "exp", "iat", "sub"]})
        except jwt.PyJWTError as exc:
            raise IdentityRejected(f"Token de identidad no válido: {exc}") from exc
        if isinstance(claims["aud"], list) and len(claims["aud"]) > 1 and (
                claims.get("azp") != self.config.client_id):
            raise IdentityRejected("Token de identidad emitido para otra aplicación")
        if claims.get("nonce") != nonce:
            raise IdentityRejected("El token de identidad no corresponde a este acceso")
        return claims

    def _identity(self, claims: dict[str, Any]) -> ExternalIdentity:
        c = self.config
        return ExternalIdentity(provider=self.name, audience=self.audience,
                                nif=str(claims.get(c.nif_claim, "")),
                                name=str(claims.get(c.name_claim, "")),
                                email=str(claims.get(c.email_claim, "")),
                                provider_mfa=c.provider_mfa)
