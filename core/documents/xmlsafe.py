"""Safe XML parsing for documents that come from outside (SIR, other administrations).

`parse_xml` refuses with `UnsafeXmlError`:
- input larger than the caller's `max_bytes` (checked before any parsing);
- any document type declaration, internal or external, in every encoding libxml2 reads
  (UTF-8, ISO-8859-*, UTF-16, UTF-32): no DTD means no external entities (XXE), no entity
  expansion (billion laughs, quadratic blow-up) and no DTD fetched from the network.
The parser is configured the same way (no entity resolution, no DTD loading, no network;
XInclude is never processed), so a declaration that slipped past the prolog scan would
still load nothing. Broken XML raises
`MalformedXmlError`. Both errors are `XmlError`, a `ValueError`.

Large base64 text nodes (SICRES anexos, ENI contents) are allowed: `max_bytes` bounds them.
"""

from __future__ import annotations

import codecs
import re

from lxml import etree

# The prolog before the root element: whitespace, XML declaration, PIs and comments.
# Atomic group + possessive repetition: linear time on hostile input.
_DOCTYPE_IN_PROLOG = re.compile(r"\A\ufeff?(?>\s|<\?.*?\?>|<!--.*?-->)*+<!DOCTYPE", re.S)
_C0_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_C0_BYTES = re.compile(
    rb"[\x00-\x08\x0b\x0c\x0e-\x1f]"
    rb"|&#(?:0*(?:[0-8]|1[1-2]|1[4-9]|2[0-9]|3[01])"
    rb"|[xX]0*(?:[0-8]|[bBcCeEfF]|1[0-9a-fA-F]));"
)
# XML 1.0 appendix F: how to tell the encoding family from the first bytes.
_SNIFF: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x00<\x00?", "utf-16-be"),
)


class XmlError(ValueError):
    """An XML input was refused."""


class UnsafeXmlError(XmlError):
    """The input is dangerous (DTD, entities, external references) or too large."""


class MalformedXmlError(XmlError):
    """The input is not well-formed XML."""


def _encoding_family(data: bytes) -> str:
    for prefix, codec in _SNIFF:
        if data.startswith(prefix):
            return codec
    return "latin-1"  # any ASCII-compatible encoding: markup bytes read the same


def _has_doctype(data: bytes) -> bool:
    text = data.decode(_encoding_family(data), errors="replace")
    return _DOCTYPE_IN_PROLOG.match(text.removeprefix("ï»¿")) is not None


def strip_controls(text: str) -> str:
    """Remove C0 control characters except tab, newline and carriage return."""
    return _C0_TEXT.sub("", text)


def _strip_control_bytes(data: bytes) -> bytes:
    """Remove raw C0 control bytes and numeric references to them (ASCII-compatible input)."""
    if _encoding_family(data) != "latin-1":
        return data
    return _C0_BYTES.sub(b"", data)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=True,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(data: bytes, *, max_bytes: int, strip_control_chars: bool = False) -> etree._Element:
    """Parse untrusted XML and return its root element.

    `strip_control_chars` first removes C0 control characters (other than tab, newline,
    CR) and numeric character references to them, which some registry applications emit
    although XML 1.0 forbids them. It applies to ASCII-compatible encodings (UTF-8,
    ISO-8859-*); UTF-16 and UTF-32 input is left untouched.
    """
    if not isinstance(data, bytes):
        raise TypeError("parse_xml expects bytes")
    if len(data) > max_bytes:
        raise UnsafeXmlError(f"XML input of {len(data)} bytes exceeds the limit of {max_bytes}")
    if _has_doctype(data):
        raise UnsafeXmlError("XML with a document type declaration (DTD) is refused")
    if strip_control_chars:
        data = _strip_control_bytes(data)
    try:
        return etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise MalformedXmlError(f"malformed XML: {exc}") from exc
