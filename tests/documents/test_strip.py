"""Metadata stripping: authors, tools and positions are gone, the content is intact."""

from __future__ import annotations

import io
import zipfile

import pytest
from lxml import etree
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from sample_files import (
    ARTIST_TAG,
    AUTHOR,
    GPS_IFD,
    ODF_CONTENT,
    OOXML_BODY,
    ORIENTATION_TAG,
    TOOL,
    jpeg_with_metadata,
    odf,
    ooxml,
    png_with_metadata,
    tiny_pdf,
)

from core.documents.csvcode import new_csv
from core.documents.pdf import render_pdf
from core.documents.sniff import TYPES
from core.documents.strip import STRIPPABLE_MIMES, StripError, strip_metadata

SECRETS = (AUTHOR.encode(), TOOL.encode())


def assert_no_secrets(data: bytes) -> None:
    for secret in SECRETS:
        assert secret not in data, secret


def test_pdf() -> None:
    original = tiny_pdf(["Decreto 2025/17", "Se aprueba el padron"])
    assert AUTHOR.encode() in original
    clean = strip_metadata(original, "application/pdf")
    assert_no_secrets(clean)
    reader = PdfReader(io.BytesIO(clean))
    assert reader.metadata is None
    assert reader.xmp_metadata is None
    assert "/Metadata" not in reader.trailer["/Root"]
    assert "/PieceInfo" not in reader.trailer["/Root"]
    page = reader.pages[0]
    assert "/Metadata" not in page
    text = page.extract_text()
    assert "Decreto 2025/17" in text and "Se aprueba el padron" in text
    note, field = (annotation.get_object() for annotation in page["/Annots"])
    assert "/T" not in note and note["/Contents"] == "ok"
    assert field["/T"] == "nif_interesado"


def test_pdf_with_broken_xmp() -> None:
    original = tiny_pdf(["Bando"]).replace(b"xmlns:dc=", b"xmlns:zz=")
    with pytest.raises(PdfReadError):
        PdfReader(io.BytesIO(original)).xmp_metadata  # noqa: B018
    clean = strip_metadata(original, "application/pdf")
    assert_no_secrets(clean)
    assert "Bando" in PdfReader(io.BytesIO(clean)).pages[0].extract_text()


def test_pdf_earlier_revisions_are_dropped() -> None:
    writer = PdfWriter(io.BytesIO(tiny_pdf(["Original"])), incremental=True)
    writer.add_metadata({"/Author": "Otra Persona"})
    updated = io.BytesIO()
    writer.write(updated)
    assert AUTHOR.encode() in updated.getvalue() and b"Otra Persona" in updated.getvalue()
    clean = strip_metadata(updated.getvalue(), "application/pdf")
    assert_no_secrets(clean)
    assert b"Otra Persona" not in clean
    assert clean.count(b"%%EOF") == 1


def test_png() -> None:
    original = png_with_metadata()
    assert all(secret in original for secret in (b"tEXt", b"iTXt", b"zTXt", b"eXIf", b"tIME"))
    clean = strip_metadata(original, "image/png")
    assert_no_secrets(clean)
    for chunk in (b"tEXt", b"iTXt", b"zTXt", b"eXIf", b"tIME", b"prVt"):
        assert chunk not in clean
    before, after = Image.open(io.BytesIO(original)), Image.open(io.BytesIO(clean))
    assert after.tobytes() == before.tobytes()
    assert after.info["icc_profile"] == before.info["icc_profile"]
    assert not after.getexif()


@pytest.mark.parametrize("progressive", [False, True])
def test_jpeg(progressive: bool) -> None:
    original = jpeg_with_metadata(progressive=progressive)
    before = Image.open(io.BytesIO(original))
    assert before.getexif().get_ifd(GPS_IFD)
    clean = strip_metadata(original, "image/jpeg")
    assert_no_secrets(clean)
    assert clean.endswith(b"\xff\xd9")
    after = Image.open(io.BytesIO(clean))
    exif = after.getexif()
    assert dict(exif) == {ORIENTATION_TAG: 6}, "only the orientation survives"
    assert not exif.get_ifd(GPS_IFD) and ARTIST_TAG not in exif
    assert "xmp" not in after.info and "comment" not in after.info
    assert after.info["icc_profile"] == before.info["icc_profile"]
    assert after.tobytes() == before.tobytes(), "entropy-coded data copied untouched"
    scan = original.index(b"\xff\xda")
    assert original[scan : original.rindex(b"\xff\xd9")] in clean


def test_jpeg_upright_photo_gets_no_exif() -> None:
    clean = strip_metadata(jpeg_with_metadata(orientation=1), "image/jpeg")
    assert b"Exif" not in clean
    assert not Image.open(io.BytesIO(clean)).getexif()


def zip_members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {info.filename: archive.read(info) for info in archive.infolist()}


def test_odf() -> None:
    clean = strip_metadata(odf(), TYPES["odt"].mime)
    assert_no_secrets(clean)
    with zipfile.ZipFile(io.BytesIO(clean)) as archive:
        first = archive.infolist()[0]
        assert (first.filename, first.compress_type) == ("mimetype", zipfile.ZIP_STORED)
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    members = zip_members(clean)
    assert members["content.xml"] == ODF_CONTENT
    meta = etree.fromstring(members["meta.xml"])
    kept = [etree.QName(element).localname for element in meta[0]]
    assert kept == ["title", "language", "document-statistic"]
    assert b"Informe de Secretar" in members["meta.xml"]
    assert b"AddParaTableSpacing" in members["settings.xml"]
    assert b"PrinterSetup" not in members["settings.xml"]


@pytest.mark.parametrize("kind", ["docx", "xlsx", "pptx"])
def test_ooxml(kind: str) -> None:
    original = ooxml(kind)
    clean = strip_metadata(original, TYPES[kind].mime)
    assert_no_secrets(clean)
    members, before = zip_members(clean), zip_members(original)
    assert list(members) == list(before)
    body_part = next(name for name in members if name.startswith(("word/", "xl/", "ppt/")))
    assert members[body_part] == OOXML_BODY
    assert members["[Content_Types].xml"] == before["[Content_Types].xml"]
    core = etree.fromstring(members["docProps/core.xml"])
    assert [etree.QName(element).localname for element in core] == ["title"]
    app = etree.fromstring(members["docProps/app.xml"])
    assert [etree.QName(element).localname for element in app] == ["Pages"]
    assert len(etree.fromstring(members["docProps/custom.xml"])) == 0


def test_every_strippable_type_is_covered() -> None:
    assert {
        "application/pdf",
        "image/png",
        "image/jpeg",
        *(TYPES[k].mime for k in ("odt", "ods", "odp", "odg", "docx", "xlsx", "pptx")),
    } == STRIPPABLE_MIMES


@pytest.mark.parametrize(
    ("data", "mime", "message"),
    [
        (b"hola", "text/plain", "no se saben"),
        (b"not a pdf", "application/pdf", "PDF ilegible"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", "image/png", "truncado"),
        (jpeg_with_metadata()[:300], "image/jpeg", "truncado"),
        (b"PK\x03\x04junk", TYPES["docx"].mime, "ZIP ilegible"),
    ],
)
def test_refusals(data: bytes, mime: str, message: str) -> None:
    with pytest.raises(StripError, match=message):
        strip_metadata(data, mime)


def test_encrypted_pdf_is_refused() -> None:
    writer = PdfWriter(clone_from=io.BytesIO(tiny_pdf(["x"])))
    writer.encrypt("secreto")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(StripError, match="cifrado"):
        strip_metadata(out.getvalue(), "application/pdf")


def test_pdf_a_from_our_own_renderer_stays_pdf_a() -> None:
    csv = new_csv()
    rendered = render_pdf(
        "pdf/base.html", {}, csv=csv, verify_url=f"https://sede.example/v/{csv}", title="Acta"
    )
    assert "WeasyPrint" in PdfReader(io.BytesIO(rendered)).metadata.producer
    stripped = strip_metadata(rendered, "application/pdf")
    assert b"WeasyPrint" not in stripped
    clean = PdfReader(io.BytesIO(stripped))
    assert clean.metadata is None
    xmp = clean.xmp_metadata
    assert (xmp.pdfaid_part, xmp.pdfaid_conformance) == ("3", "B"), "still PDF/A-3b"
    assert xmp.pdf_producer is None and not xmp.dc_title
    metadata = clean.trailer["/Root"]["/Metadata"].get_object()
    assert (metadata["/Type"], metadata["/Subtype"]) == ("/Metadata", "/XML")
    assert csv in clean.pages[0].extract_text()
    assert len(clean.pages[0].images) == 1
