"""Local staff accounts: the password (+ TOTP) form at ``/login``."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote

from litestar.response import Redirect

from core.identity.providers import ExternalIdentity, Flow, IdentityRejected


class LocalProvider:
    name = "local"
    label = "Cuenta de personal (contraseña y código)"
    audience: Literal["citizen", "staff"] = "staff"

    async def start(self, request: Any, flow: Flow) -> Redirect:
        return Redirect(f"/login?next={quote(flow.return_to, safe='/')}")

    async def finish(self, request: Any, flow: Flow) -> ExternalIdentity:
        raise IdentityRejected("Las cuentas locales entran por el formulario de acceso")
