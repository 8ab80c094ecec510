"""Fixtures of the identity tests: the diputación (whose chain holds login events), clients
from their own addresses, a real SMTP server and a real OpenID Connect provider, both on
loopback."""

import asyncio
import base64
import hashlib
import secrets
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from email import message_from_bytes
from email.message import Message
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
import pytest
import uvicorn
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives.asymmetric import rsa
from litestar import Litestar, Request, Response, get, post
from litestar.response import Redirect

from core.tenancy.context import TenantContext, operator_tenant

CLIENT_ID = "concejo-test"
CLIENT_SECRET = "s3cret-of-the-test-client"


@pytest.fixture
async def operator(make_tenant: Callable[..., Awaitable[TenantContext]]) -> TenantContext:
    """The diputación operating the deployment (created when the session has none yet)."""
    found = await operator_tenant()
    return found or await make_tenant(kind="diputacion")


@pytest.fixture
async def client_at(concejo_app: Litestar) -> AsyncIterator[Callable[..., httpx.AsyncClient]]:
    """``client_at("198.51.100.7")``: a client whose requests come from that address; with
    no address, from one of its own (so the rate limits of one test touch no other)."""
    opened: list[httpx.AsyncClient] = []

    def make(ip: str | None = None) -> httpx.AsyncClient:
        ip = ip or f"198.51.{secrets.randbelow(200)}.{secrets.randbelow(250) + 1}"
        transport = httpx.ASGITransport(app=concejo_app, client=(ip, 40000))
        http = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        opened.append(http)
        return http

    yield make
    for http in opened:
        await http.aclose()


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(concejo_kernel: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A real SMTP server (aiosmtpd) on loopback; the kernel sends its mail there."""
    inbox = _Inbox()
    with socket.socket() as probe:  # aiosmtpd needs the port up front
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setattr(concejo_kernel.settings, "smtp_url", f"smtp://127.0.0.1:{port}")
    yield inbox
    controller.stop()


class OidcTestProvider:
    """A small OpenID Connect provider: discovery, authorize (consents at once), token
    (client secret + PKCE), JWKS. ``claims`` is who logs in; ``tamper`` spoils one thing
    of the next ID token: nonce, aud, iss, exp or key."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.rogue_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.issuer = ""
        self.claims: dict[str, Any] = {}
        self.tamper = ""
        self.codes: dict[str, dict[str, str]] = {}
        self.token_requests = 0

    def app(self) -> Litestar:
        provider = self

        @get("/.well-known/openid-configuration")
        async def discovery() -> dict[str, Any]:
            return {"issuer": provider.issuer,
                    "authorization_endpoint": f"{provider.issuer}/authorize",
                    "token_endpoint": f"{provider.issuer}/token",
                    "jwks_uri": f"{provider.issuer}/jwks",
                    "response_types_supported": ["code"],
                    "id_token_signing_alg_values_supported": ["RS256"]}

        @get("/jwks")
        async def jwks() -> dict[str, Any]:
            jwk = jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key(), as_dict=True)
            return {"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}

        @get("/authorize")
        async def authorize(request: Request) -> Redirect:
            q = request.query_params
            assert q["response_type"] == "code" and q["client_id"] == CLIENT_ID
            assert q["code_challenge_method"] == "S256"
            code = secrets.token_urlsafe(16)
            provider.codes[code] = {"nonce": q["nonce"], "challenge": q["code_challenge"],
                                    "redirect_uri": q["redirect_uri"]}
            query = urlencode({"code": code, "state": q["state"]})
            return Redirect(f"{q['redirect_uri']}?{query}")

        @post("/token", status_code=200)
        async def token(request: Request) -> Response:
            provider.token_requests += 1
            form = await request.form()
            basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            grant = provider.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(
                hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if (request.headers.get("authorization") != f"Basic {basic}" or grant is None
                    or grant["redirect_uri"] != form.get("redirect_uri")
                    or grant["challenge"] != challenge):
                return Response({"error": "invalid_grant"}, status_code=400)
            return Response({"access_token": "at", "token_type": "Bearer",
                             "id_token": provider.id_token(grant["nonce"])})

        return Litestar([discovery, jwks, authorize, token])

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                  "nonce": nonce, **self.claims}
        key = self.key
        if self.tamper == "nonce":
            claims["nonce"] = "another-login"
        elif self.tamper == "aud":
            claims["aud"] = "another-client"
        elif self.tamper == "iss":
            claims["iss"] = "https://evil.invalid"
        elif self.tamper == "exp":
            claims["iat"], claims["exp"] = now - 3600, now - 1800
        elif self.tamper == "key":
            key = self.rogue_key
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})


@pytest.fixture(scope="session")
async def oidc_provider() -> AsyncIterator[OidcTestProvider]:
    """The provider, served by uvicorn on a loopback port for the whole session."""
    provider = OidcTestProvider()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    provider.issuer = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(provider.app(), log_level="warning",
                                           lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(500):  # uvicorn says it has started with a flag, not an event
        if server.started:
            break
        await asyncio.sleep(0.01)
    assert server.started, "the test OIDC provider did not start"
    yield provider
    server.should_exit = True
    await task
