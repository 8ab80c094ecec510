"""Small generated PDFs for tests, benchmarks and demos (no binary fixtures in the repo)."""

from __future__ import annotations

from io import BytesIO

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter

from .stamp import pdf_literal

A4 = (595, 842)


def _page(writer: PdfFileWriter, text: str, number: int) -> PageObject:
    font = writer.add_object(
        generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Font"),
                generic.pdf_name("/Subtype"): generic.pdf_name("/Type1"),
                generic.pdf_name("/BaseFont"): generic.pdf_name("/Helvetica"),
                generic.pdf_name("/Encoding"): generic.pdf_name("/WinAnsiEncoding"),
            }
        )
    )
    content = b"BT /F1 14 Tf 72 760 Td %s Tj ET" % pdf_literal(f"{text} - p. {number}")
    resources = generic.DictionaryObject(
        {generic.pdf_name("/Font"): generic.DictionaryObject({generic.pdf_name("/F1"): font})}
    )
    stream = writer.add_object(generic.StreamObject(stream_data=content))
    return PageObject(contents=stream, media_box=[0, 0, *A4], resources=resources)


def sample_pdf(
    text: str = "Documento de prueba", pages: int = 1, xref_stream: bool = True
) -> bytes:
    """A valid PDF with ``pages`` A4 pages of one line of text (classic or stream xref)."""
    writer = PdfFileWriter(stream_xrefs=xref_stream)
    for number in range(1, pages + 1):
        writer.insert_page(_page(writer, text, number))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
