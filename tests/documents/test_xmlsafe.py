"""Each known XML attack, as a real malicious document, is refused by `parse_xml`."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from core.documents.xmlsafe import (
    MalformedXmlError,
    UnsafeXmlError,
    _parser,
    parse_xml,
    strip_controls,
)

LIMIT = 1_000_000

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>"""

QUADRATIC_BLOWUP = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "' + b"x" * 50_000 + b'">]><r>'
    + b"&a;" * 5_000
    + b"</r>"
)

XXE_FILE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<r>&xxe;</r>"""

XXE_PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY % remote SYSTEM "file:///etc/passwd"> %remote;]>
<r/>"""

DTD_HIDDEN_AFTER_COMMENT_AND_PI = b"""<?xml version="1.0"?>
<!-- <looks-like-a-root> --><?app hint?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>"""


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A real TCP server on localhost that records whether anyone connected."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(0.2)
    yield server
    server.close()


def assert_nobody_connected(server: socket.socket) -> None:
    with pytest.raises(TimeoutError):
        server.accept()


@pytest.mark.parametrize(
    "document",
    [BILLION_LAUGHS, QUADRATIC_BLOWUP, XXE_FILE, XXE_PARAMETER_ENTITY,
     DTD_HIDDEN_AFTER_COMMENT_AND_PI],
    ids=["billion-laughs", "quadratic-blowup", "xxe-file", "xxe-parameter-entity",
         "dtd-after-comment-and-pi"],
)
def test_documents_with_a_dtd_are_refused_quickly(document: bytes) -> None:
    started = time.perf_counter()
    with pytest.raises(UnsafeXmlError, match="DTD"):
        parse_xml(document, max_bytes=LIMIT)
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le"])
def test_dtd_is_refused_in_wide_encodings(codec: str) -> None:
    document = XXE_FILE.decode().replace('version="1.0"', f'version="1.0" encoding="{codec}"')
    with pytest.raises(UnsafeXmlError, match="DTD"):
        parse_xml(document.encode(codec), max_bytes=LIMIT)


def test_dtd_behind_utf8_bom_is_refused() -> None:
    with pytest.raises(UnsafeXmlError):
        parse_xml(b"\xef\xbb\xbf" + XXE_FILE, max_bytes=LIMIT)


def test_external_dtd_over_the_network_is_never_fetched(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    document = (
        f'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:{port}/evil.dtd"><r/>'
    ).encode()
    with pytest.raises(UnsafeXmlError):
        parse_xml(document, max_bytes=LIMIT)
    assert_nobody_connected(listener)


def test_xinclude_is_not_processed(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    document = (
        '<r xmlns:xi="http://www.w3.org/2001/XInclude">'
        '<xi:include href="file:///etc/passwd" parse="text"/>'
        f'<xi:include href="http://127.0.0.1:{port}/x.xml"/></r>'
    ).encode()
    root = parse_xml(document, max_bytes=LIMIT)
    assert [child.get("href") for child in root] == [
        "file:///etc/passwd", f"http://127.0.0.1:{port}/x.xml"]
    assert "root:" not in "".join(root.itertext())
    assert_nobody_connected(listener)


def test_over_large_input_is_refused_before_parsing() -> None:
    document = b"<r>" + b"a" * 2_000 + b"</r>"
    with pytest.raises(UnsafeXmlError, match="exceeds the limit of 1000"):
        parse_xml(document, max_bytes=1_000)
    assert parse_xml(document, max_bytes=len(document)).text == "a" * 2_000


def test_undeclared_entity_is_malformed() -> None:
    with pytest.raises(MalformedXmlError):
        parse_xml(b"<r>&xxe;</r>", max_bytes=LIMIT)


@pytest.mark.parametrize("document", [b"", b"<r>", b"not xml", b"<a></b>"])
def test_broken_xml_is_malformed(document: bytes) -> None:
    with pytest.raises(MalformedXmlError):
        parse_xml(document, max_bytes=LIMIT)


def test_str_input_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        parse_xml("<r/>", max_bytes=LIMIT)  # type: ignore[arg-type]


def test_large_text_nodes_are_allowed_within_the_limit() -> None:
    big = b"QUJD" * 4_000_000  # 16 MB of base64, above libxml2's default 10 MB node cap
    root = parse_xml(b"<r>" + big + b"</r>", max_bytes=20_000_000)
    assert len(root.text) == len(big)


def test_control_characters_are_stripped_on_request() -> None:
    document = "<r a='x\x01'>Ex\x0bpo&#x7;ne&#12;\tñ€&#9;\r\n<b>&#x1F;ok&#31;</b></r>".encode()
    with pytest.raises(MalformedXmlError):
        parse_xml(document, max_bytes=LIMIT)
    root = parse_xml(document, max_bytes=LIMIT, strip_control_chars=True)
    assert root.get("a") == "x"
    assert root.text == "Expone\tñ€\t\n"
    assert root[0].text == "ok"


@given(st.text())
def test_strip_controls_keeps_everything_else(text: str) -> None:
    cleaned = strip_controls(text)
    assert not any(ord(c) < 32 and c not in "\t\n\r" for c in cleaned)
    assert cleaned == "".join(c for c in text if ord(c) >= 32 or c in "\t\n\r")


def test_parser_configuration_alone_resolves_no_entity(listener: socket.socket) -> None:
    """Defence in depth: even a DTD that escaped the prolog scan would load nothing."""
    port = listener.getsockname()[1]
    document = (
        '<?xml version="1.0"?><!DOCTYPE r ['
        '<!ENTITY xxe SYSTEM "file:///etc/passwd">'
        f'<!ENTITY net SYSTEM "http://127.0.0.1:{port}/x">]><r>&xxe;&net;</r>'
    ).encode()
    root = etree.fromstring(document, _parser())
    assert "root:" not in etree.tostring(root, encoding="unicode", method="text")
    assert_nobody_connected(listener)
