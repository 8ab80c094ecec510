"""File names from outside: sanitised on the way in, sent back per RFC 6266 / 5987.

``safe_filename`` keeps only the last path part, drops control and non-characters
(U+0000-U+001F, U+007F-U+009F, U+FFFE, U+FFFF, format characters), leading dots and
surrounding blanks, and bounds the length keeping the extension. ``content_disposition``
builds the header every download sends: an ASCII ``filename`` fallback for old clients
and ``filename*=UTF-8''…`` with the real name (CJK, ``€``…).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

MAX_LENGTH = 200
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_ASCII_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_filename(name: str, fallback: str = "documento") -> str:
    """``name`` as a plain file name: no path, no control characters, bounded length."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(c for c in name if unicodedata.category(c) not in _UNSAFE_CATEGORIES)
    name = " ".join(name.split()).lstrip(". ")
    if len(name) > MAX_LENGTH:
        _, dot, extension = name.rpartition(".")
        keep = f"{dot}{extension}" if dot and len(extension) <= 10 else ""
        name = name[: MAX_LENGTH - len(keep)] + keep
    return name or fallback


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _ASCII_UNSAFE.sub("_", folded).strip("_ .")


def _ascii(name: str) -> str:
    """An ASCII stand-in for ``name`` (accents dropped, other letters as ``_``)."""
    stem, _, extension = name.rpartition(".") if "." in name else (name, "", "")
    stem, extension = _fold(stem), _fold(extension)
    stem = stem if stem.strip("_") else "documento"
    return f"{stem}.{extension}" if extension else stem


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """The ``Content-Disposition`` value for sending ``filename`` (RFC 6266)."""
    name = safe_filename(filename)
    return (f'{disposition}; filename="{_ascii(name)}"; '
            f"filename*=UTF-8''{quote(name, safe='')}")
