"""CSRF protection for cookie-authenticated requests only.

Browsers send cookies on their own, so every unsafe request that may carry the session
cookie must prove it comes from our pages (double-submit token, Litestar's middleware).
An API client that authenticates with an ``Authorization`` header and sends no session
cookie cannot be forged by a third-party page, so it is not asked for the token.
"""

from __future__ import annotations

from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import Receive, Scope, Send

from core.web.kernel_hooks import SESSION_COOKIE


class SessionCSRFMiddleware(CSRFMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in self.config.safe_methods:
            headers = dict(scope["headers"])
            has_session = SESSION_COOKIE.encode() in headers.get(b"cookie", b"")
            if b"authorization" in headers and not has_session:
                await self.app(scope, receive, send)
                return
        await super().__call__(scope, receive, send)
