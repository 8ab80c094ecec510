"""The visible signature stamp: signer, date-time, CSV, verification URL and its QR code.

The appearance is a small form XObject drawn with the standard Courier fonts (WinAnsi, no
embedding), so text width is exact (600/1000 em per glyph) and lines shrink to fit the box.
The part that depends only on the signer and the box (background, frame, heading, signer
name) is rendered once and cached; per document only the date, CSV, URL and QR are drawn.
The QR code (``qr.py``, byte mode, level M) is drawn as one filled path of module runs.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from zoneinfo import ZoneInfo

import msgspec
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name

from .qr import qr_matrix

MADRID = ZoneInfo("Europe/Madrid")
DEFAULT_SIZE = (250.0, 64.0)  # points
MARGIN = 28.0
GAP = 6.0
_PAD = 3.0
_LINES = 5
_MAX_FONT = 7.5
_MIN_FONT = 3.0
_QR_QUIET = 2  # modules of white around the symbol (inside the stamp's white background)
_DARK_RUN = re.compile(rb"\x01+")


class StampInfo(msgspec.Struct, frozen=True):
    """What the visible stamp shows and where.

    ``signer_label`` defaults to the certificate's common name. ``box`` is
    ``(x1, y1, x2, y2)`` in PDF points on ``page`` (negative counts from the end); without it
    the stamp goes to the bottom-left margin, stacked above earlier signatures.
    """

    csv: str
    verify_url: str
    signer_label: str | None = None
    qr: bool = True
    page: int = -1
    box: tuple[float, float, float, float] | None = None


def default_box(existing_signatures: int) -> tuple[float, float, float, float]:
    """Bottom-left box for the ``n``-th signature of a document (0-based), stacked upwards."""
    width, height = DEFAULT_SIZE
    y = MARGIN + existing_signatures * (height + GAP)
    return (MARGIN, y, MARGIN + width, y + height)


def pdf_literal(text: str) -> bytes:
    """``text`` as a PDF literal string in WinAnsi (cp1252), escaped; unknown glyphs → ?."""
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _fit(text: str, width: float, size: float) -> float:
    return max(_MIN_FONT, min(size, width / (0.6 * max(len(text), 1))))


class _Layout(msgspec.Struct, frozen=True):
    height: float
    text_x: float
    text_width: float
    pitch: float
    font: float
    qr_side: float


@functools.lru_cache(maxsize=64)
def _layout(width: float, height: float, qr: bool) -> _Layout:
    qr_side = height - 2 * _PAD if qr else 0.0
    text_x = _PAD + (qr_side + 4 if qr else 1)
    pitch = (height - 2 * _PAD) / _LINES
    return _Layout(
        height=height,
        text_x=text_x,
        text_width=width - text_x - _PAD,
        pitch=pitch,
        font=min(_MAX_FONT, pitch * 0.85),
        qr_side=qr_side,
    )


def _line(layout: _Layout, index: int, font: bytes, text: str) -> bytes:
    size = _fit(text, layout.text_width, layout.font)
    y = layout.height - _PAD - layout.pitch * (index + 1) + layout.pitch * 0.2
    return b"BT /%s %.2f Tf %.2f %.2f Td %s Tj ET\n" % (
        font,
        size,
        layout.text_x,
        y,
        pdf_literal(text),
    )


@functools.lru_cache(maxsize=256)
def _static_part(signer_label: str, width: float, height: float, qr: bool) -> bytes:
    layout = _layout(width, height, qr)
    frame = b"q 1 g 0 0 %.2f %.2f re f 0 g 0.6 w 0.3 0.3 %.2f %.2f re S Q\n" % (
        width,
        height,
        width - 0.6,
        height - 0.6,
    )
    clip = b"0 0 %.2f %.2f re W n\n" % (width, height)
    return (
        clip
        + frame
        + _line(layout, 0, b"F1", "Firmado electrónicamente por:")
        + _line(layout, 1, b"F2", signer_label)
    )


def _qr_path(url: str, x: float, y: float, side: float) -> bytes:
    matrix = qr_matrix(url)
    size = len(matrix)
    scale = side / (size + 2 * _QR_QUIET)
    ops = [b"q 0 g %.4f 0 0 %.4f %.2f %.2f cm\n" % (scale, scale, x, y)]
    for row_index, row in enumerate(matrix):
        row_y = size - 1 - row_index + _QR_QUIET
        for run in _DARK_RUN.finditer(bytes(row)):
            ops.append(
                b"%d %d %d 1 re\n" % (run.start() + _QR_QUIET, row_y, run.end() - run.start())
            )
    ops.append(b"f Q\n")
    return b"".join(ops)


def format_time(when: dt.datetime) -> str:
    """Date-time as shown on the stamp, in peninsular Spanish time."""
    local = when.astimezone(MADRID)
    return local.strftime("%d/%m/%Y %H:%M:%S ") + (local.tzname() or "")


def appearance_content(
    info: StampInfo, signer_label: str, signed_at: dt.datetime, width: float, height: float
) -> bytes:
    """The content stream of the stamp for a box of ``width`` × ``height`` points."""
    layout = _layout(width, height, info.qr)
    parts = [
        _static_part(signer_label, width, height, info.qr),
        _line(layout, 2, b"F1", "Fecha: " + format_time(signed_at)),
        _line(layout, 3, b"F2", "CSV: " + info.csv),
        _line(layout, 4, b"F1", "Verificación: " + info.verify_url),
    ]
    if info.qr:
        parts.append(_qr_path(info.verify_url, _PAD, _PAD, layout.qr_side))
    return b"".join(parts)


def _font(base: str) -> generic.DictionaryObject:
    return generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Font"),
            pdf_name("/Subtype"): pdf_name("/Type1"),
            pdf_name("/BaseFont"): pdf_name(base),
            pdf_name("/Encoding"): pdf_name("/WinAnsiEncoding"),
        }
    )


def appearance_xobject(
    info: StampInfo, signer_label: str, signed_at: dt.datetime, width: float, height: float
) -> generic.StreamObject:
    """The stamp as a form XObject, ready to be the widget's normal appearance (/AP /N)."""
    fonts = generic.DictionaryObject(
        {pdf_name("/F1"): _font("/Courier"), pdf_name("/F2"): _font("/Courier-Bold")}
    )
    return generic.StreamObject(
        {
            pdf_name("/Type"): pdf_name("/XObject"),
            pdf_name("/Subtype"): pdf_name("/Form"),
            pdf_name("/BBox"): generic.ArrayObject(
                [generic.FloatObject(v) for v in (0, 0, width, height)]
            ),
            pdf_name("/Resources"): generic.DictionaryObject({pdf_name("/Font"): fonts}),
        },
        stream_data=appearance_content(info, signer_label, signed_at, width, height),
    )
