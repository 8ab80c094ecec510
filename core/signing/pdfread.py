"""Reading untrusted PDF bytes with pyHanko, every parse failure as ``InvalidPdfError``.

On damaged input pyHanko raises more than ``PdfError``: ``AssertionError`` (a root that is
not a dictionary), ``OverflowError`` (a huge ``startxref``), ``RecursionError`` (a root
that refers to itself, deep nesting), ``AttributeError``, ``zlib.error`` (a garbage xref
stream). :data:`PARSE_ERRORS` names them all, for every place that parses untrusted PDFs.
"""

from __future__ import annotations

import zlib
from io import BytesIO

from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader

from .errors import InvalidPdfError

PARSE_ERRORS = (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError,
                AssertionError, OverflowError, RecursionError, zlib.error)


def read_pdf(pdf: bytes) -> PdfFileReader:
    """A reader over ``pdf`` whose trailer and catalog have been resolved."""
    if not pdf.startswith(b"%PDF-"):
        raise InvalidPdfError("not a PDF document (no %PDF- header)")
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        reader.root  # noqa: B018 - resolve the catalog now so damage shows up here
    except PARSE_ERRORS as exc:
        raise InvalidPdfError(f"unreadable PDF: {exc}") from exc
    return reader
