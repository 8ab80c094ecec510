"""Reading untrusted PDF bytes with pyHanko, every parse failure as ``InvalidPdfError``."""

from __future__ import annotations

from io import BytesIO

from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader

from .errors import InvalidPdfError


def read_pdf(pdf: bytes) -> PdfFileReader:
    """A reader over ``pdf`` whose trailer and catalog have been resolved."""
    if not pdf.startswith(b"%PDF-"):
        raise InvalidPdfError("not a PDF document (no %PDF- header)")
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        reader.root  # noqa: B018 - resolve the catalog now so damage shows up here
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        raise InvalidPdfError(f"unreadable PDF: {exc}") from exc
    return reader
