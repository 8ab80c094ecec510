"""CSRF protection for cookie-authenticated requests only.

Browsers send cookies on their own, so every unsafe request that may carry the session
cookie must prove it comes from our pages (double-submit token, Litestar's middleware).
An API client that authenticates with an ``Authorization`` header and sends no session
cookie cannot be forged by a third-party page, so it is not asked for the token.

A browser's multipart form carries the token as a field of the body. Litestar's middleware
would read the whole form for it, leaving nothing for a handler that streams the upload
(``core.documents.uploads.stream_form`` then waited for ever). Here only the start of the
body is read, until the token field is complete (at most ``TOKEN_WINDOW`` bytes, before any
file part: pages put the hidden token first); those messages are replayed to the handler,
which receives the body whole, still streamed.
"""

from __future__ import annotations

from litestar.exceptions import PermissionDeniedException
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import Message, Receive, Scope, Send
from multipart import MultipartSegment, ParserError, PushMultipartParser, parse_options_header

from core.web.kernel_hooks import SESSION_COOKIE
from core.web.pages import CSRF_FIELD

TOKEN_WINDOW = 64 * 1024  # the token comes among a form's first fields, before any file


async def _token_in_multipart(boundary: str, receive: Receive) -> tuple[str | None, list[Message]]:
    """The ``_csrf_token`` field of a multipart body read no further than needed, and the
    ``receive`` messages read to find it (to be replayed)."""
    messages: list[Message] = []
    try:
        parser = PushMultipartParser(boundary, max_segment_count=64)
    except ParserError:
        return None, messages
    read, name, value = 0, None, bytearray()
    while read <= TOKEN_WINDOW:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        read += len(chunk)
        try:
            for event in parser.parse(chunk):
                if isinstance(event, MultipartSegment):
                    if event.filename is not None:
                        return None, messages
                    name, value = event.name, bytearray()
                elif event is None:
                    if name == CSRF_FIELD:
                        return value.decode("ascii", errors="replace"), messages
                    name = None
                elif name == CSRF_FIELD:
                    value += event
        except ParserError:
            break  # the handler's own parser names what is wrong; no token here anyway
        if not message.get("more_body", False):
            break
    return None, messages


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """``receive`` that first gives back the messages already read."""
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay  # type: ignore[return-value]


class SessionCSRFMiddleware(CSRFMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in self.config.safe_methods:
            headers = dict(scope["headers"])
            has_session = SESSION_COOKIE.encode() in headers.get(b"cookie", b"")
            if b"authorization" in headers and not has_session:
                await self.app(scope, receive, send)
                return
            header = self.config.header_name.lower().encode()
            content_type, options = parse_options_header(
                headers.get(b"content-type", b"").decode("latin-1"))
            if header not in headers and content_type == "multipart/form-data":
                token, messages = await _token_in_multipart(options.get("boundary", ""),
                                                            receive)
                if token is None:
                    raise PermissionDeniedException("CSRF token verification failed")
                # the token found in the body, checked by Litestar as if sent as a header
                scope["headers"] = [*scope["headers"], (header, token.encode("latin-1"))]
                receive = _replay(messages, receive)
        await super().__call__(scope, receive, send)
