"""Translations through Babel catalogs: Spanish msgids, ``.po`` files compiled at boot.

Catalogs live in ``core/web/locale/<lang>/LC_MESSAGES/messages.po`` and in the same place
inside each plugin; the kernel merges them. The request's language is chosen from
``?lang=``, the ``lang`` cookie, the tenant's first language, then Accept-Language.
"""

from __future__ import annotations

import contextvars
import io
from collections.abc import Iterable
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

SUPPORTED = ("es", "ca", "gl", "eu", "en")
_language: contextvars.ContextVar[str] = contextvars.ContextVar("concejo_lang", default="es")


class Catalogs:
    """Merged translations per language, read from ``.po`` files once."""

    def __init__(self, locale_dirs: Iterable[Path]) -> None:
        self._translations: dict[str, NullTranslations] = {}
        for lang in SUPPORTED:
            merged: Translations | None = None
            for directory in locale_dirs:
                po = directory / lang / "LC_MESSAGES" / "messages.po"
                if not po.exists():
                    continue
                translations = _compile(po, lang)
                if merged is None:
                    merged = translations
                else:
                    merged.merge(translations)
            self._translations[lang] = merged or NullTranslations()

    def get(self, lang: str) -> NullTranslations:
        return self._translations.get(lang) or NullTranslations()


def _compile(po: Path, lang: str) -> Translations:
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def set_language(lang: str) -> None:
    _language.set(lang if lang in SUPPORTED else "es")


def current_language() -> str:
    return _language.get()


def negotiate(query: str | None, cookie: str | None, tenant_languages: list[str],
              accept_language: str | None) -> str:
    """Pick the language of a request among the tenant's languages."""
    allowed = [lang for lang in tenant_languages if lang in SUPPORTED] or ["es"]
    for candidate in (query, cookie):
        if candidate in allowed:
            return candidate
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().split("-")[0].lower()
        if code in allowed:
            return code
    return allowed[0]


_catalogs: Catalogs | None = None


def install(catalogs: Catalogs) -> None:
    global _catalogs
    _catalogs = catalogs


def gettext(message: str) -> str:
    """The message in the request's language; an empty one stays empty (gettext would
    answer the catalog's PO header for it)."""
    if not message or not _catalogs:
        return message
    return _catalogs.get(current_language()).gettext(message)


def N_(message: str) -> str:
    """Mark a Spanish msgid for extraction; it is translated where it is shown."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    if _catalogs:
        return _catalogs.get(current_language()).ngettext(singular, plural, n)
    return singular if n == 1 else plural
