"""Sample documents built in the tests, with metadata that must not leak.

Every builder puts :data:`AUTHOR`, :data:`TOOL` and (for photos) a GPS position into the
places where real tools leave them.  Import explicitly (`from sample_files import ...`).
"""

from __future__ import annotations

import io
import zipfile
import zlib

from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo

AUTHOR = "Maria Perez Gil"
TOOL = "SecretTool 9.1"
SORIA_GPS = {1: "N", 2: (41.0, 45.0, 51.0), 3: "W", 4: (2.0, 28.0, 7.0)}
ORIENTATION_TAG, GPS_IFD, ARTIST_TAG = 0x0112, 0x8825, 0x013B


def _pdf_stream(body: bytes, extra: bytes = b"") -> bytes:
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (extra, len(body), body)


def tiny_pdf(lines: list[str]) -> bytes:
    """One page with the given lines, an /Info, XMP on the catalog and on the page, private
    application data, a sticky note signed by AUTHOR and a form field."""
    text = b" ".join(b"(%s) Tj 0 -24 Td" % line.encode() for line in lines)
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"'
        b' xmlns:xmp="http://ns.adobe.com/xap/1.0/">'
        b"<dc:creator>%s</dc:creator><xmp:CreatorTool>%s</xmp:CreatorTool>"
        b"</rdf:Description></rdf:RDF></x:xmpmeta>"
    ) % (AUTHOR.encode(), TOOL.encode())
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Metadata 6 0 R /AcroForm << /Fields [9 0 R] >>"
        b" /PieceInfo << /SecretTool << /Private (%s) >> >> >>" % TOOL.encode(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Metadata 6 0 R"
        b" /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R /Annots [8 0 R 9 0 R] >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        _pdf_stream(b"BT /F1 18 Tf 72 720 Td " + text + b" ET"),
        _pdf_stream(xmp, b"/Type /Metadata /Subtype /XML"),
        b"<< /Title (Acta) /Author (%s) /Creator (%s) /Producer (%s) >>"
        % (AUTHOR.encode(), TOOL.encode(), TOOL.encode()),
        b"<< /Type /Annot /Subtype /Text /Rect [10 10 30 30] /T (%s) /Contents (ok) >>"
        % AUTHOR.encode(),
        b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (nif_interesado) /Rect [50 50 150 70]"
        b" /P 3 0 R >>",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 7 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def photo() -> Image.Image:
    """A small picture with enough detail that a re-encode would show."""
    image = Image.new("RGB", (64, 48))
    image.putdata([(x * 4, y * 5, (x * y) % 256) for y in range(48) for x in range(64)])
    return image


def srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body).to_bytes(4, "big")
    return len(body).to_bytes(4, "big") + kind + body + crc


def png_with_metadata() -> bytes:
    """PNG with tEXt, iTXt, zTXt, eXIf, tIME and a private chunk besides a colour profile."""
    info = PngInfo()
    info.add_text("Author", AUTHOR)
    info.add_itxt("Software", TOOL)
    info.add_text("Comment", AUTHOR, zip=True)
    exif = Image.Exif()
    exif[ARTIST_TAG] = AUTHOR
    out = io.BytesIO()
    photo().save(out, "PNG", pnginfo=info, exif=exif, icc_profile=srgb_profile())
    data = out.getvalue()
    iend = data.rindex(b"IEND") - 4
    extra = png_chunk(b"tIME", bytes([7, 233, 3, 14, 9, 30, 0])) + png_chunk(b"prVt", b"gps")
    return data[:iend] + extra + data[iend:]


def jpeg_with_metadata(*, progressive: bool = False, orientation: int = 6) -> bytes:
    """JPEG with EXIF (artist, GPS, orientation), XMP, a comment, an ICC profile, restart
    markers and bytes after the end of image."""
    exif = Image.Exif()
    exif[ARTIST_TAG] = AUTHOR
    exif[ORIENTATION_TAG] = orientation
    exif[GPS_IFD] = SORIA_GPS
    out = io.BytesIO()
    photo().save(
        out,
        "JPEG",
        exif=exif,
        xmp=b"<x:xmpmeta><dc:creator>%s</dc:creator></x:xmpmeta>" % AUTHOR.encode(),
        comment=TOOL.encode(),
        icc_profile=srgb_profile(),
        progressive=progressive,
        restart_marker_blocks=3,
        quality=90,
    )
    return out.getvalue() + b"trailer by " + TOOL.encode()


_ODF_META = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
 xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3"><office:meta>
<meta:initial-creator>{AUTHOR}</meta:initial-creator><dc:creator>{AUTHOR}</dc:creator>
<meta:creation-date>2025-03-14T09:30:00</meta:creation-date><dc:date>2025-03-14T10:00:00</dc:date>
<meta:editing-duration>PT2H</meta:editing-duration><meta:generator>{TOOL}</meta:generator>
<meta:printed-by>{AUTHOR}</meta:printed-by>
<meta:user-defined meta:name="Expediente">{AUTHOR}</meta:user-defined>
<dc:title>Informe de Secretaría</dc:title><dc:language>es-ES</dc:language>
<meta:document-statistic meta:page-count="1" meta:word-count="4"/>
</office:meta></office:document-meta>"""
_ODF_SETTINGS = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-settings xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0"><office:settings>
<config:config-item-set config:name="ooo:configuration-settings">
<config:config-item config:name="PrinterName" config:type="string">{AUTHOR} HP</config:config-item>
<config:config-item config:name="PrinterSetup" config:type="base64Binary">AAAA</config:config-item>
<config:config-item config:name="AddParaTableSpacing" config:type="boolean">1</config:config-item>
</config:config-item-set></office:settings></office:document-settings>"""
ODF_CONTENT = b"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>
<text:p>Se informa favorablemente la licencia.</text:p></office:text></office:body>
</office:document-content>"""


def odf(mime: str = "application/vnd.oasis.opendocument.text") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mime, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", ODF_CONTENT)
        archive.writestr("meta.xml", _ODF_META)
        archive.writestr("settings.xml", _ODF_SETTINGS)
        archive.writestr("META-INF/manifest.xml", "<manifest/>")
    return out.getvalue()


_OOXML_MAIN = {
    "docx": ("word/document.xml", "wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", "spreadsheetml.sheet.main+xml"),
    "pptx": ("ppt/presentation.xml", "presentationml.presentation.main+xml"),
}
OOXML_BODY = b'<?xml version="1.0"?><document><body>Se concede la licencia.</body></document>'
_CORE = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties
 xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<dc:title>Decreto</dc:title><dc:creator>{AUTHOR}</dc:creator>
<cp:lastModifiedBy>{AUTHOR}</cp:lastModifiedBy><cp:revision>7</cp:revision>
<dcterms:created xsi:type="dcterms:W3CDTF">2025-03-14T09:30:00Z</dcterms:created>
</cp:coreProperties>"""
_APP = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">
<Application>{TOOL}</Application><Company>{AUTHOR} SL</Company><TotalTime>120</TotalTime>
<Pages>1</Pages></Properties>"""
_CUSTOM = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
 xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">
<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="2" name="Revisor">
<vt:lpwstr>{AUTHOR}</vt:lpwstr></property></Properties>"""


def ooxml(kind: str = "docx", *, macros: bool = False, streamed: bool = False) -> bytes:
    """A minimal OOXML package; ``streamed`` writes it as to a socket (data descriptors)."""
    main_part, main_type = _OOXML_MAIN[kind]
    flavour = "macroEnabled.main+xml" if macros else main_type
    content_types = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'content-types"><Override PartName="/{main_part}" ContentType="application/'
        f'vnd.openxmlformats-officedocument.{flavour}"/></Types>'
    )
    out = io.BytesIO()
    sink = _Unseekable(out) if streamed else out
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(main_part, OOXML_BODY)
        archive.writestr("docProps/core.xml", _CORE)
        archive.writestr("docProps/app.xml", _APP)
        archive.writestr("docProps/custom.xml", _CUSTOM)
    return out.getvalue()


class _Unseekable(io.RawIOBase):
    """A write-only stream without seek/tell, as a socket would be."""

    def __init__(self, target: io.BytesIO) -> None:
        self.target = target

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        return self.target.write(data)
