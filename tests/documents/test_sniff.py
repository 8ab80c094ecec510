"""Content sniffing against real samples of every accepted type and common disguises."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from sample_files import jpeg_with_metadata, odf, ooxml, photo, png_with_metadata, tiny_pdf

from core.documents.sniff import SNIFF_BYTES, TYPES, ContentMismatch, check_content, detect


def tiff() -> bytes:
    out = io.BytesIO()
    photo().save(out, "TIFF")
    return out.getvalue()


SVG = b"""<?xml version="1.0" encoding="UTF-8"?>
<!-- escudo municipal -->
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>"""
XSIG = b"""<?xml version="1.0" encoding="UTF-8"?>
<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="Signature-1">
<ds:SignedInfo/></ds:Signature>"""
XML = (
    b"""<?xml version="1.0" encoding="UTF-8"?><OficioRemision><Asunto>x</Asunto></OficioRemision>"""
)

SAMPLES: dict[str, tuple[bytes, str]] = {
    "pdf": (tiny_pdf(["Hola"]), "resolucion.pdf"),
    "png": (png_with_metadata(), "plano.png"),
    "jpeg": (jpeg_with_metadata(), "FOTO.JPG"),
    "tiff": (tiff(), "escaneo.tif"),
    "svg": (SVG, "escudo.svg"),
    "odt": (odf(), "informe.odt"),
    "ods": (odf(TYPES["ods"].mime), "cuentas.ods"),
    "odp": (odf(TYPES["odp"].mime), "pleno.odp"),
    "odg": (odf(TYPES["odg"].mime), "croquis.odg"),
    "docx": (ooxml("docx"), "alegaciones.docx"),
    "xlsx": (ooxml("xlsx"), "padron.xlsx"),
    "pptx": (ooxml("pptx"), "presentacion.pptx"),
    "rtf": (b"{\\rtf1\\ansi Solicitud}", "solicitud.rtf"),
    "txt": ("Solicitud de empadronamiento en Ágreda\r\n".encode(), "nota.txt"),
    "xml": (XML, "oficio.xml"),
    "xsig": (XSIG, "firma.xsig"),
}


@pytest.mark.parametrize("kind", sorted(SAMPLES))
@pytest.mark.parametrize("declared", ["exact", "alias-or-generic", "generic"])
def test_accepts_every_type(kind: str, declared: str) -> None:
    data, filename = SAMPLES[kind]
    ftype = TYPES[kind]
    mime = {
        "exact": ftype.mime,
        "alias-or-generic": f"{(ftype.aliases or ('application/octet-stream',))[0]}; x=1",
        "generic": "",
    }[declared]
    assert check_content(data[:SNIFF_BYTES], mime, filename) == ftype.mime


def test_streamed_ooxml_with_data_descriptors() -> None:
    data = ooxml("xlsx", streamed=True)
    assert data[6] & 0x08, "general purpose bit 3: sizes after the data"
    assert check_content(data, "", "padron.xlsx") == TYPES["xlsx"].mime


def test_latin1_text() -> None:
    text = "Año de la recaudación: 2025\n".encode("latin-1")
    assert check_content(text, "text/plain; charset=iso-8859-1", "a.txt") == "text/plain"


def test_utf8_cut_in_the_middle_of_a_character() -> None:
    head = "Peñaranda".encode()[:3]
    assert head.endswith(b"\xc3")
    assert check_content(head, "text/plain", "nota.txt") == "text/plain"


@pytest.mark.parametrize(
    ("data", "mime", "filename", "status", "message"),
    [
        (b"MZ\x90\x00", "application/octet-stream", "virus.exe", 415, r"no admitido \(\.exe\)"),
        (b"hola", "", "LEEME", 415, "sin extensión"),
        (b"%PDF-1.7", "application/x-msdownload", "a.pdf", 415, "MIME no admitido"),
        (b"%PDF-1.7", "image/png", "a.pdf", 422, "corresponde a un documento PDF"),
        (b"", "application/pdf", "a.pdf", 422, "está vacío"),
        (b"\x89PNG\r\n\x1a\n....", "application/pdf", "a.pdf", 422, "es una imagen PNG, no un"),
        (b"GIF89a....", "image/png", "a.png", 422, "es una imagen GIF"),
        (b"MZ\x90\x00\x03", "application/pdf", "a.pdf", 422, "ejecutable de Windows"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "", "a.docx", 422, "Office antiguo"),
        (b"PK\x03\x04" + b"\x00" * 26, "", "a.docx", 422, "archivo ZIP"),
        (b"PK\x03\x04\x14", "", "a.odt", 422, "archivo ZIP"),
        (b"\x00\x01\x02binary", "text/plain", "a.txt", 422, "no es texto"),
        (b"texto\x07con campana", "text/plain", "a.txt", 422, "no es texto"),
        (b"solo texto", "application/xml", "a.xml", 422, "es texto, no un documento XML"),
        (XML, "", "a.xsig", 422, "es un documento XML, no una firma"),
        (XML, "image/svg+xml", "a.svg", 422, "es un documento XML, no una imagen SVG"),
        (b" %PDF-1.7", "application/pdf", "a.pdf", 422, "es texto, no un documento PDF"),
    ],
)
def test_refusals(data: bytes, mime: str, filename: str, status: int, message: str) -> None:
    with pytest.raises(ContentMismatch, match=message) as caught:
        check_content(data, mime, filename)
    assert caught.value.status_code == status


def test_disguised_documents() -> None:
    pdf, _ = SAMPLES["pdf"]
    with pytest.raises(ContentMismatch, match="es un documento PDF, no una imagen JPEG"):
        check_content(pdf, "image/jpeg", "foto.jpg")
    with pytest.raises(ContentMismatch, match="es un documento DOCX, no una hoja de cálculo ODS"):
        check_content(ooxml("docx"), "", "cuentas.ods")
    with pytest.raises(ContentMismatch, match="es un documento ODT, no un documento DOCX"):
        check_content(odf(), "", "informe.docx")


def test_specific_kinds_are_valid_as_their_parents() -> None:
    assert check_content(SVG, "", "escudo.xml") == "application/xml"
    assert check_content(XSIG, "text/xml", "firma.xml") == "application/xml"
    assert check_content(XML, "text/plain", "oficio.txt") == "text/plain"


@pytest.mark.parametrize(
    "payload",
    [
        b"<script>alert(1)</script>",
        b"<svg:script href='x.js'/>",
        b'<rect onload="alert(1)"/>',
        b'<a href="javascript:alert(1)"><text>x</text></a>',
        b'<a href="jav&#x61;script:alert(1)"/>',
        b'<foreignObject><iframe src="x"/></foreignObject>',
        b'<set attributeName="onmouseover" to="alert(1)"/>',
    ],
)
def test_svg_with_scripts_is_refused(payload: bytes) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg">' + payload + b"</svg>"
    for filename in ("escudo.svg", "escudo.xml", "escudo.txt"):
        with pytest.raises(ContentMismatch, match="SVG contiene"):
            check_content(svg, "", filename)


def test_svg_with_entities_is_refused() -> None:
    svg = b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg>&x;</svg>'
    with pytest.raises(ContentMismatch, match="entidades"):
        check_content(svg, "image/svg+xml", "a.svg")


def test_macro_enabled_ooxml_is_refused() -> None:
    with pytest.raises(ContentMismatch, match="macros"):
        check_content(ooxml("docx", macros=True), "", "alegaciones.docx")


def test_detect_names_foreign_content() -> None:
    assert detect(b"Rar!\x1a\x07\x00") == "un archivo RAR"
    assert detect(b"\x00\x00\x01\x00") is None
    assert detect(b"<p>hola</p>") == "xml"
    assert detect(b"hola") == "txt"
    assert detect(Image.new("L", (2, 2)).tobytes() + b"\x00") is None


@settings(max_examples=300)
@given(
    st.sampled_from([b"", b"PK\x03\x04", b"PK\x03\x04\x14\x00\x00\x00\x08\x00", b"<svg", b"<?x"]),
    st.binary(max_size=200),
    st.sampled_from(sorted({ext for ftype in TYPES.values() for ext in ftype.extensions})),
)
def test_garbage_only_ever_raises_content_mismatch(prefix: bytes, tail: bytes, ext: str) -> None:
    try:
        mime = check_content(prefix + tail, "", f"fichero.{ext}")
    except ContentMismatch as exc:
        assert exc.status_code in (415, 422) and str(exc)
    else:
        assert mime in {ftype.mime for ftype in TYPES.values()}
