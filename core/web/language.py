"""The language selector: links that switch language, and the cookie that remembers it.

A link ``?lang=eu`` shows the page in Basque (the guard reads it); when the tenant offers
that language, the response also sets the ``lang`` cookie so the next pages stay in it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import msgspec
from litestar.datastructures import Cookie
from litestar.types import Message, Scope

from core.web.formats import language_name
from core.web.i18n import SUPPORTED

COOKIE = "lang"
REMEMBER = "remember_lang"  # request state key set by the guard
_ONE_YEAR = 365 * 24 * 3600


class LanguageLink(msgspec.Struct, frozen=True):
    """One entry of the selector: the language's own name and the URL that switches to it."""

    code: str
    name: str
    url: str
    current: bool


def language_links(path: str, query: dict[str, Any], languages: list[str],
                   current: str) -> list[LanguageLink]:
    """Links to the same page in each offered language (none when only one is offered)."""
    offered = [lang for lang in languages if lang in SUPPORTED]
    if len(offered) < 2:
        return []
    kept = {k: v for k, v in query.items() if k != "lang"}
    return [LanguageLink(code=lang, name=language_name(lang), current=lang == current,
                         url=f"{path}?{urlencode({**kept, 'lang': lang})}")
            for lang in offered]


async def remember_language(message: Message, scope: Scope) -> None:
    """``before_send`` hook: set the ``lang`` cookie when the guard accepted a ``?lang=``."""
    lang = (scope.get("state") or {}).get(REMEMBER)
    if lang and message["type"] == "http.response.start":
        cookie = Cookie(key=COOKIE, value=lang, max_age=_ONE_YEAR, path="/", samesite="lax")
        header = cookie.to_header(header="").strip()
        message["headers"] = [*message.get("headers", []),
                              (b"set-cookie", header.encode("latin-1"))]
