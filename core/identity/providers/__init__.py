"""Identity providers: how a person proves who they are (local password, OIDC, certificate).

A provider is registered with the ``register_identity_providers`` hook and reached at
``/login/with/<name>?next=…``. ``start`` either answers with a redirect to the provider
(the kernel keeps the flow's state, nonce and PKCE verifier, bound to the browser by a
cookie) and later gets ``finish`` on ``/login/with/<name>/callback``, or identifies the person
at once from the request (a client certificate) and returns the ``ExternalIdentity``.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol

import msgspec

from core.identity.sessions import digest
from core.identity.tables import AuthFlow

FLOW_LIFETIME = timedelta(minutes=10)
FLOW_COOKIE = "concejo_auth"


class IdentityRejected(Exception):
    """The provider did not establish an identity; the message says why, for a person."""


class ExternalIdentity(msgspec.Struct, frozen=True, kw_only=True):
    """Who a provider says the person is."""

    provider: str
    audience: Literal["citizen", "staff"]
    nif: str = ""  # citizens: NIF / NIE of the person
    name: str = ""
    email: str = ""  # staff: matched to a user account
    company_nif: str = ""  # a representative's certificate: the legal person
    company_name: str = ""
    provider_mfa: bool = False  # staff: the provider already asked a second factor


class Flow(msgspec.Struct, frozen=True, kw_only=True):
    """A login in progress at a redirecting provider."""

    provider: str
    state: str
    nonce: str
    verifier: str
    return_to: str

    @property
    def code_challenge(self) -> str:
        """PKCE S256 challenge of the verifier."""
        raw = hashlib.sha256(self.verifier.encode()).digest()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class IdentityProvider(Protocol):
    name: str
    label: str
    audience: Literal["citizen", "staff"]

    async def start(self, request: Any, flow: Flow) -> Any:
        """A response redirecting to the provider, or the ``ExternalIdentity`` at once."""

    async def finish(self, request: Any, flow: Flow) -> ExternalIdentity:
        """Complete a redirecting login on the callback; raise ``IdentityRejected``."""


def new_flow(provider: str, return_to: str) -> Flow:
    return Flow(provider=provider, state=secrets.token_urlsafe(24),
                nonce=secrets.token_urlsafe(24), verifier=secrets.token_urlsafe(48),
                return_to=return_to)


async def save_flow(flow: Flow) -> None:
    await AuthFlow.insert(AuthFlow(state_hash=digest(flow.state), provider=flow.provider,
                                   nonce=flow.nonce, verifier=flow.verifier,
                                   return_to=flow.return_to[:500], created_at=datetime.now(UTC)))


async def take_flow(provider: str, state: str) -> Flow | None:
    """The flow of a callback's ``state`` (single use, fresh, of this provider), or None."""
    row = await AuthFlow.select().where(AuthFlow.state_hash == digest(state)).first()
    await AuthFlow.delete().where(
        (AuthFlow.state_hash == digest(state))
        | (AuthFlow.created_at < datetime.now(UTC) - FLOW_LIFETIME))
    if row is None or row["provider"] != provider or (
            datetime.now(UTC) - row["created_at"] > FLOW_LIFETIME):
        return None
    return Flow(provider=provider, state=state, nonce=row["nonce"], verifier=row["verifier"],
                return_to=row["return_to"])
