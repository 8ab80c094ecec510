"""Metadata stripping before publication (ENS mp.info.5).

:func:`strip_metadata` removes what a document says about who made it, where and with
what, and keeps what it shows:

* PDF: the ``/Info`` dictionary, every XMP ``/Metadata`` stream, ``/PieceInfo`` private
  data, the authors of comments, and earlier revisions (the file is rewritten whole); a
  PDF/A keeps only its PDF/A identification in XMP, so it stays PDF/A;
* PNG: every chunk but the image and colour ones (text, EXIF, time stamps, private chunks);
* JPEG: EXIF (GPS, camera, author, thumbnail), XMP, IPTC, comments and anything after
  the image; the orientation survives in a minimal EXIF so photos stay upright;
* ODF and OOXML: authors, dates, editing time, generator, company, template, custom
  properties, printer names; zip entries get a fixed date.

Stripping rewrites the file, so it comes before signing, never after.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from lxml import etree
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, PdfObject

from core.documents.sniff import TYPES

MAX_EXPANDED_BYTES = 256 << 20  # refuse zip bombs


class StripError(ValueError):
    """The file is malformed, encrypted or of a type that cannot be stripped."""


# --- PDF -----------------------------------------------------------------------------

_PDF_PRIVATE_KEYS = ("/Metadata", "/PieceInfo")


def _strip_pdf(data: bytes) -> bytes:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise StripError("PDF cifrado: no se pueden limpiar sus metadatos")
        pdfa = _pdfa_identification(reader)
        _scrub_pdf_object(reader.trailer["/Root"], set())
        for page in reader.pages:
            for annotation in page.get("/Annots") or []:
                annotation = annotation.get_object()
                if annotation.get("/Subtype") != "/Widget":  # a field's /T is its name
                    annotation.pop("/T", None)
        # Cloning copies only what the scrubbed catalog still reaches: no old revisions.
        writer = PdfWriter(clone_from=reader)
    except StripError:
        raise
    except Exception as exc:
        raise StripError(f"PDF ilegible: {exc}") from exc
    writer.metadata = None
    if pdfa:
        writer.xmp_metadata = _PDFA_ONLY_XMP % pdfa
        stream = writer.root_object["/Metadata"].get_object()
        stream[NameObject("/Type")] = NameObject("/Metadata")
        stream[NameObject("/Subtype")] = NameObject("/XML")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# A PDF/A keeps its identification, which the standard requires, and nothing else.
_PDFA_ONLY_XMP = (
    b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/">'
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"'
    b' pdfaid:part="%(part)s" pdfaid:conformance="%(conformance)s"/>'
    b'</rdf:RDF></x:xmpmeta><?xpacket end="r"?>'
)


def _pdfa_identification(reader: PdfReader) -> dict[bytes, bytes]:
    """PDF/A part and conformance level declared in the XMP, empty when none or unreadable."""
    try:
        xmp = reader.xmp_metadata
    except PdfReadError:
        return {}
    part = xmp and xmp.pdfaid_part
    if not part:
        return {}
    conformance = xmp.pdfaid_conformance or "B"
    if not (str(part).isdigit() and str(conformance).isalpha()):
        return {}
    return {b"part": str(part).encode(), b"conformance": str(conformance).encode()}


def _scrub_pdf_object(obj: PdfObject, seen: set[int]) -> None:
    """Remove XMP and private application data from every object reachable from ``obj``."""
    if isinstance(obj, IndirectObject):
        if obj.idnum in seen:
            return
        seen.add(obj.idnum)
        obj = obj.get_object()
    if isinstance(obj, DictionaryObject):
        for key in _PDF_PRIVATE_KEYS:
            obj.pop(key, None)
        children = list(obj.values())
    elif isinstance(obj, ArrayObject):
        children = list(obj)
    else:
        return
    for child in children:
        _scrub_pdf_object(child, seen)


# --- PNG -----------------------------------------------------------------------------

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_KEPT = {
    b"IHDR", b"PLTE", b"IDAT", b"IEND",  # critical
    b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"bKGD", b"pHYs",  # how it looks
    b"cICP", b"mDCV", b"cLLI", b"acTL", b"fcTL", b"fdAT",  # HDR and animation
}  # fmt: skip


def _strip_png(data: bytes) -> bytes:
    if not data.startswith(_PNG_SIGNATURE):
        raise StripError("no es un PNG")
    out = bytearray(_PNG_SIGNATURE)
    position = len(_PNG_SIGNATURE)
    while position < len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        chunk_type = data[position + 4 : position + 8]
        end = position + 12 + length
        if end > len(data):
            raise StripError("PNG truncado")
        if chunk_type in _PNG_KEPT:
            out += data[position:end]
        position = end
        if chunk_type == b"IEND":
            return bytes(out)
    raise StripError("PNG sin IEND")


# --- JPEG ----------------------------------------------------------------------------

_APP_KEPT = ((0xE0, b"JFIF\x00"), (0xE0, b"JFXX\x00"), (0xE2, b"ICC_PROFILE\x00"), (0xEE, b"Adobe"))
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and RSTn carry no length


def _strip_jpeg(data: bytes) -> bytes:
    if not data.startswith(b"\xff\xd8"):
        raise StripError("no es un JPEG")
    header: list[bytes] = []
    orientation = 1
    position = 2
    try:
        while True:
            if data[position] != 0xFF:
                raise StripError(f"JPEG: se esperaba un marcador en el byte {position}")
            marker = data[position + 1]
            if marker == 0xFF:  # fill byte
                position += 1
                continue
            if marker == 0xD9:  # EOI: whatever follows is dropped
                header.append(b"\xff\xd9")
                break
            if marker in _STANDALONE:
                header.append(data[position : position + 2])
                position += 2
                continue
            end = position + 2 + int.from_bytes(data[position + 2 : position + 4], "big")
            payload = data[position + 4 : end]
            if marker == 0xDA:  # start of scan: the entropy-coded data runs to the next marker
                end = _scan_end(data, end)
                header.append(data[position:end])
            elif marker == 0xE1 and payload.startswith(b"Exif\x00\x00"):
                orientation = _exif_orientation(payload[6:])
            elif not 0xE0 <= marker <= 0xEF and marker != 0xFE:
                header.append(data[position:end])
            elif any(marker == m and payload.startswith(sig) for m, sig in _APP_KEPT):
                header.append(data[position:end])
            position = end
    except IndexError:
        raise StripError("JPEG truncado") from None
    if orientation != 1:
        after_jfif = 1 if header[0].startswith(b"\xff\xe0") else 0
        header.insert(after_jfif, _orientation_exif(orientation))
    return b"\xff\xd8" + b"".join(header)


def _scan_end(data: bytes, position: int) -> int:
    """Offset of the first marker after entropy-coded data (stuffed 00 and RSTn skipped)."""
    while True:
        position = data.index(b"\xff", position)
        following = data[position + 1]
        if following == 0x00 or following in _STANDALONE or following == 0xFF:
            position += 1 if following == 0xFF else 2
            continue
        return position


def _exif_orientation(tiff: bytes) -> int:
    """Orientation tag (0x0112) of IFD0, 1 when absent or unreadable."""
    order = {b"II": "little", b"MM": "big"}.get(tiff[:2])
    if order is None or len(tiff) < 8:
        return 1
    ifd = int.from_bytes(tiff[4:8], order)
    count = int.from_bytes(tiff[ifd : ifd + 2], order)
    for start in range(ifd + 2, ifd + 2 + 12 * count, 12):
        entry = tiff[start : start + 12]
        if len(entry) == 12 and int.from_bytes(entry[:2], order) == 0x0112:
            value = int.from_bytes(entry[8:10], order)
            return value if 1 <= value <= 8 else 1
    return 1


def _orientation_exif(orientation: int) -> bytes:
    """An APP1 segment whose EXIF holds nothing but the orientation."""
    tiff = (
        b"MM\x00\x2a\x00\x00\x00\x08"  # big endian, IFD0 at offset 8
        + b"\x00\x01"  # one entry
        + b"\x01\x12\x00\x03\x00\x00\x00\x01"  # Orientation, SHORT, count 1
        + orientation.to_bytes(2, "big")
        + b"\x00\x00"
        + b"\x00\x00\x00\x00"  # no next IFD
    )
    payload = b"Exif\x00\x00" + tiff
    return b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload


# --- ODF and OOXML -------------------------------------------------------------------

_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "config": "urn:oasis:names:tc:opendocument:xmlns:config:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def _qname(name: str) -> str:
    """Clark name ``{namespace}local`` of a ``prefix:local`` name with a prefix of _NS."""
    prefix, local = name.split(":")
    return f"{{{_NS[prefix]}}}{local}"


def _qnames(*names: str) -> frozenset[str]:
    return frozenset(map(_qname, names))


def _prune(
    keep: Callable[[etree._Element], bool], container: str | None = None
) -> Callable[[bytes], bytes]:
    """A scrubber that removes the children of ``container`` (or the root) not kept."""

    def scrub(data: bytes) -> bytes:
        try:
            root = etree.fromstring(data, _PARSER)
        except etree.XMLSyntaxError as exc:
            raise StripError(f"XML ilegible: {exc}") from exc
        parents = [root] if container is None else root.iter(container)
        for parent in list(parents):
            for child in list(parent):
                if not keep(child):
                    parent.remove(child)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    return scrub


_ODF_META_KEPT = _qnames("dc:title", "dc:subject", "dc:language", "meta:document-statistic")
_OOXML_CORE_KEPT = _qnames("dc:title", "dc:subject", "dc:language")
_OOXML_APP_DROPPED = _qnames(
    *("ep:Company", "ep:Manager", "ep:Template", "ep:Application", "ep:AppVersion"),
    *("ep:TotalTime", "ep:HyperlinkBase"),
)
_PRINTER_ITEMS = {"PrinterName", "PrinterSetup"}

_ODF_SCRUBBERS = {
    "meta.xml": _prune(lambda el: el.tag in _ODF_META_KEPT, _qname("office:meta")),
    "settings.xml": _prune(
        lambda el: el.get(_qname("config:name")) not in _PRINTER_ITEMS,
        _qname("config:config-item-set"),
    ),
}
_OOXML_SCRUBBERS = {
    "docProps/core.xml": _prune(lambda el: el.tag in _OOXML_CORE_KEPT),
    "docProps/app.xml": _prune(lambda el: el.tag not in _OOXML_APP_DROPPED),
    "docProps/custom.xml": _prune(lambda el: False),
}


def _zip_stripper(scrubbers: dict[str, Callable[[bytes], bytes]]) -> Callable[[bytes], bytes]:
    def strip(data: bytes) -> bytes:
        try:
            source = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as exc:
            raise StripError(f"ZIP ilegible: {exc}") from exc
        with source:
            members = source.infolist()
            if any(member.flag_bits & 0x1 for member in members):
                raise StripError("documento cifrado: no se pueden limpiar sus metadatos")
            if sum(member.file_size for member in members) > MAX_EXPANDED_BYTES:
                raise StripError("el documento descomprimido es demasiado grande")
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w") as target:
                for member in members:
                    content = source.read(member)
                    scrub = scrubbers.get(member.filename)
                    clean = zipfile.ZipInfo(member.filename, date_time=_ZIP_EPOCH)
                    clean.compress_type = (
                        zipfile.ZIP_STORED
                        if member.filename == "mimetype"
                        else member.compress_type
                    )
                    clean.external_attr = member.external_attr
                    target.writestr(clean, scrub(content) if scrub else content)
        return out.getvalue()

    return strip


# --- dispatch ------------------------------------------------------------------------

_STRIPPERS: dict[str, Callable[[bytes], bytes]] = {
    TYPES["pdf"].mime: _strip_pdf,
    TYPES["png"].mime: _strip_png,
    TYPES["jpeg"].mime: _strip_jpeg,
    **{TYPES[k].mime: _zip_stripper(_ODF_SCRUBBERS) for k in ("odt", "ods", "odp", "odg")},
    **{TYPES[k].mime: _zip_stripper(_OOXML_SCRUBBERS) for k in ("docx", "xlsx", "pptx")},
}
STRIPPABLE_MIMES = frozenset(_STRIPPERS)


def strip_metadata(data: bytes, mime: str) -> bytes:
    """Return ``data`` without its metadata; ``mime`` is the canonical type from sniffing.

    Raises :class:`StripError` for a malformed or encrypted file and for a type outside
    :data:`STRIPPABLE_MIMES`.
    """
    stripper = _STRIPPERS.get(mime.split(";", 1)[0].strip().lower())
    if stripper is None:
        raise StripError(f"no se saben limpiar los metadatos de {mime}")
    return stripper(data)
