"""Content sniffing: does an upload really hold what its name and declared type say?

:func:`check_content` reads the magic bytes of the first :data:`SNIFF_BYTES` of an upload
and compares them with the extension of the file name and the declared MIME type, for the
types the platform accepts (those of SIR: PDF, PNG, JPEG, TIFF, SVG, ODF, OOXML, RTF, TXT,
XML, XSIG).  It refuses, whatever the name says, SVG with scripts and macro-enabled OOXML.

Text-based formats are judged on what ``head`` holds: pass the whole file for SVG (they
are small), or a script after the first bytes goes unseen.
"""

from __future__ import annotations

import html
import re
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath

SNIFF_BYTES = 64 * 1024
GENERIC_MIMES = frozenset({"", "application/octet-stream", "binary/octet-stream"})


class ContentMismatch(ValueError):
    """The upload is refused; ``status_code`` is 415 for a type not accepted, else 422."""

    def __init__(self, message: str, *, status_code: int = 422) -> None:
        super().__init__(message)
        self.status_code = status_code


@dataclass(frozen=True)
class FileType:
    """An accepted type: canonical MIME, MIME aliases browsers send, extensions."""

    label: str  # with its article, as it reads in a message: "un documento PDF"
    mime: str
    extensions: tuple[str, ...]
    aliases: tuple[str, ...] = ()

    @property
    def mimes(self) -> frozenset[str]:
        return frozenset((self.mime, *self.aliases))


_ODF = "application/vnd.oasis.opendocument."
_OOXML = "application/vnd.openxmlformats-officedocument."
TYPES: dict[str, FileType] = {
    "pdf": FileType("un documento PDF", "application/pdf", ("pdf",), ("application/x-pdf",)),
    "png": FileType("una imagen PNG", "image/png", ("png",)),
    "jpeg": FileType(
        "una imagen JPEG", "image/jpeg", ("jpg", "jpeg"), ("image/jpg", "image/pjpeg")
    ),
    "tiff": FileType("una imagen TIFF", "image/tiff", ("tif", "tiff")),
    "svg": FileType("una imagen SVG", "image/svg+xml", ("svg",)),
    "odt": FileType("un documento ODT", _ODF + "text", ("odt",)),
    "ods": FileType("una hoja de cálculo ODS", _ODF + "spreadsheet", ("ods",)),
    "odp": FileType("una presentación ODP", _ODF + "presentation", ("odp",)),
    "odg": FileType("un dibujo ODG", _ODF + "graphics", ("odg",)),
    "docx": FileType("un documento DOCX", _OOXML + "wordprocessingml.document", ("docx",)),
    "xlsx": FileType("una hoja de cálculo XLSX", _OOXML + "spreadsheetml.sheet", ("xlsx",)),
    "pptx": FileType("una presentación PPTX", _OOXML + "presentationml.presentation", ("pptx",)),
    "rtf": FileType("un documento RTF", "application/rtf", ("rtf",), ("text/rtf",)),
    "txt": FileType("texto", "text/plain", ("txt",)),
    "xml": FileType("un documento XML", "application/xml", ("xml",), ("text/xml",)),
    "xsig": FileType("una firma XAdES (XSIG)", "application/xml", ("xsig",), ("text/xml",)),
}
_BY_EXTENSION = {ext: name for name, ftype in TYPES.items() for ext in ftype.extensions}
# A more specific kind is also valid as its parent: an SVG is XML, XML is text.
_PARENT = {"svg": "xml", "xsig": "xml", "xml": "txt", "rtf": "txt"}

_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"II+\x00", "tiff"),
    (b"MM\x00+", "tiff"),
    (b"{\\rtf", "rtf"),
)
# Not accepted, but named so the refusal says what the file is.
_FOREIGN_MAGIC = (
    (b"GIF8", "una imagen GIF"),
    (b"MZ", "un ejecutable de Windows"),
    (b"\x7fELF", "un ejecutable ELF"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "un documento de Office antiguo (.doc, .xls, .ppt)"),
    (b"Rar!", "un archivo RAR"),
    (b"7z\xbc\xaf\x27\x1c", "un archivo 7z"),
    (b"\x1f\x8b", "un archivo gzip"),
    (b"PK\x03\x04", "un archivo ZIP"),
)
_ODF_MIMES = {TYPES[name].mime: name for name in ("odt", "ods", "odp", "odg")}
_OOXML_MAIN = {
    "docx": ("wordprocessingml.document.main+xml", "word/document.xml"),
    "xlsx": ("spreadsheetml.sheet.main+xml", "xl/workbook.xml"),
    "pptx": ("presentationml.presentation.main+xml", "ppt/presentation.xml"),
}
_XMLDSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
_PROLOG = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)", re.S)
_ROOT = re.compile(r"\s*<(?:[\w.-]+:)?([\w.-]+)[\s/>]")
_SVG_DANGERS = (
    (re.compile(r"<\s*(?:[\w.-]+:)?script\b"), "un elemento script"),
    (re.compile(r"\son[a-z]+\s*="), "un atributo de evento (on…)"),
    (re.compile(r"attributename\s*=\s*[\"']?\s*on"), "una animación de un atributo de evento"),
    (re.compile(r"javascript\s*:|data\s*:\s*text/html"), "un enlace javascript:"),
    (re.compile(r"<\s*(?:[\w.-]+:)?foreignobject\b"), "un foreignObject (HTML incrustado)"),
    (re.compile(r"<!entity"), "declaraciones de entidades XML"),
)
_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def check_content(head: bytes, declared_mime: str, filename: str) -> str:
    """Return the canonical MIME type of an upload, or raise :class:`ContentMismatch`.

    ``head`` is the start of the content (:data:`SNIFF_BYTES` is enough except for SVG),
    ``declared_mime`` what the client sent (``application/octet-stream`` or empty mean
    "not said"), ``filename`` the client's file name.
    """
    extension = PurePosixPath(filename.replace("\\", "/")).suffix.lower().lstrip(".")
    expected = _BY_EXTENSION.get(extension)
    if expected is None:
        accepted = ", ".join(sorted(_BY_EXTENSION))
        shown = f".{extension}" if extension else "sin extensión"
        raise ContentMismatch(
            f"tipo de fichero no admitido ({shown}); se admiten: {accepted}", status_code=415
        )
    ftype = TYPES[expected]
    mime = declared_mime.split(";", 1)[0].strip().lower()
    if mime not in GENERIC_MIMES and mime not in ftype.mimes:
        if not any(mime in other.mimes for other in TYPES.values()):
            raise ContentMismatch(f"tipo MIME no admitido: {mime}", status_code=415)
        raise ContentMismatch(
            f"'{filename}' se declara como {mime}, pero la extensión .{extension} "
            f"corresponde a {ftype.label}"
        )
    if not head:
        raise ContentMismatch(f"'{filename}' está vacío")
    found = detect(head)
    if found is None:
        raise ContentMismatch(f"el contenido de '{filename}' no es {ftype.label}")
    if found in TYPES and expected in _lineage(found):
        return ftype.mime
    what = TYPES[found].label if found in TYPES else found
    raise ContentMismatch(f"el contenido de '{filename}' es {what}, no {ftype.label}")


def _lineage(kind: str) -> list[str]:
    chain = [kind]
    while chain[-1] in _PARENT:
        chain.append(_PARENT[chain[-1]])
    return chain


def detect(head: bytes) -> str | None:
    """Name the kind of content: a key of :data:`TYPES`, a description, or None.

    Raises :class:`ContentMismatch` for content refused whatever its name (SVG with
    scripts, OOXML with macros).
    """
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(head)
        if kind:
            return kind
    for magic, description in _FOREIGN_MAGIC:
        if head.startswith(magic):
            return description
    text = _as_text(head)
    if text is None:
        return None
    return _markup_kind(text) or "txt"


def _as_text(head: bytes) -> str | None:
    """Decode UTF-8 (a multi-byte character cut at the end is fine) or else latin-1."""
    if b"\x00" in head:
        return None
    body = head.removeprefix(b"\xef\xbb\xbf")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        cut_at_end = exc.reason == "unexpected end of data"
        text = body[: exc.start].decode("utf-8") if cut_at_end else body.decode("latin-1")
    return None if _TEXT_CONTROLS.search(text) else text


def _markup_kind(text: str) -> str | None:
    """ "svg", "xsig" or "xml" for XML text, None for other text."""
    position = 0
    while match := _PROLOG.match(text, position):
        position = match.end()
    root = _ROOT.match(text, position)
    if not root:
        return None
    if root.group(1).lower() == "svg":
        _refuse_active_svg(text)
        return "svg"
    if _XMLDSIG_NS in text and re.search(r"<(?:[\w.-]+:)?Signature[\s>]", text):
        return "xsig"
    return "xml"


def _refuse_active_svg(text: str) -> None:
    folded = html.unescape(text).lower()
    for pattern, what in _SVG_DANGERS:
        if pattern.search(folded):
            raise ContentMismatch(f"la imagen SVG contiene {what}; no se admite")


def _zip_entries(head: bytes) -> list[tuple[str, int, bytes]]:
    """(name, compression method, data available in head) of each local file header."""
    entries = []
    position = head.find(b"PK\x03\x04")
    while position >= 0 and position + 30 <= len(head):
        method = int.from_bytes(head[position + 8 : position + 10], "little")
        size = int.from_bytes(head[position + 18 : position + 22], "little")
        name_length = int.from_bytes(head[position + 26 : position + 28], "little")
        extra_length = int.from_bytes(head[position + 28 : position + 30], "little")
        start = position + 30 + name_length + extra_length
        name = head[position + 30 : position + 30 + name_length].decode("utf-8", "replace")
        data = head[start : start + size] if size else head[start:]
        entries.append((name, method, data))
        position = head.find(b"PK\x03\x04", start + size)
    return entries


def _zip_kind(head: bytes) -> str | None:
    """ODF by its leading ``mimetype`` entry, OOXML by ``[Content_Types].xml``."""
    entries = _zip_entries(head)
    if not entries:
        return None
    name, method, data = entries[0]
    if name == "mimetype" and method == 0:
        return _ODF_MIMES.get(data.decode("ascii", "replace").strip())
    names = {entry[0] for entry in entries}
    content_types = next((_inflate(m, d) for n, m, d in entries if n == "[Content_Types].xml"), "")
    if not content_types:
        return None
    if "macroenabled" in content_types.lower() or any(n.endswith("vbaProject.bin") for n in names):
        raise ContentMismatch("el documento contiene macros; no se admite")
    for kind, (main_type, main_part) in _OOXML_MAIN.items():
        if main_type in content_types or main_part in names:
            return kind
    return None


def _inflate(method: int, data: bytes) -> str:
    """As much of a stored or deflated entry as ``data`` holds."""
    if method == 8:
        try:
            data = zlib.decompressobj(-15).decompress(data, 1 << 20)
        except zlib.error:
            return ""
    return data.decode("utf-8", "replace")
