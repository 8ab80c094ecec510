"""Our QR encoder against segno (module for module) and zbar (decoding)."""

from __future__ import annotations

import subprocess

import pytest
import segno
from PIL import Image
from signing_tools import require_tool

from core.signing.qr import _codewords, _data_codewords, qr_matrix

ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789:/.?=&-_"


def _text(length: int) -> str:
    return "".join(ALPHABET[(i * 7 + length) % len(ALPHABET)] for i in range(length))


def _segno(text: str) -> list[bytearray]:
    symbol = segno.make_qr(text, error="m", mask=0, boost_error=False, mode="byte")
    return [bytearray(row) for row in symbol.matrix]


@pytest.mark.parametrize("version", range(1, 41))
def test_full_symbols_equal_segno(version):
    # At full capacity the bit stream needs no padding, where segno adds a spurious zero
    # codeword after a byte-aligned terminator (harmless, but not byte-identical).
    header_bytes = 2 if version < 10 else 3  # mode + character count (+ terminator nibble)
    text = _text(_data_codewords(version) - header_bytes)
    matrix = qr_matrix(text)
    assert len(matrix) == version * 4 + 17
    assert matrix == _segno(text)


def test_padding_follows_the_standard():
    # mode 0100, count 3, "abc", terminator 0000, then pad codewords EC 11 alternately
    assert _codewords(b"abc", 1).hex() == "4036162630" + "ec11" * 5 + "ec"


def test_too_long_is_refused():
    with pytest.raises(ValueError, match="do not fit"):
        qr_matrix("x" * 2400)


@pytest.mark.parametrize("length", [3, 40, 64, 150, 300])
def test_partial_symbols_decode_with_zbar(length, tmp_path):
    zbarimg = require_tool("zbarimg")
    text = "https://sede.example.org/v?csv=" + _text(length)
    matrix = qr_matrix(text)
    size, scale, quiet = len(matrix), 6, 4
    image = Image.new("1", (size + 2 * quiet, size + 2 * quiet), 1)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                image.putpixel((x + quiet, y + quiet), 0)
    path = tmp_path / "qr.png"
    image.resize((image.width * scale, image.height * scale), Image.NEAREST).save(path)
    decoded = subprocess.run([zbarimg, "-q", "--raw", path], capture_output=True, text=True)
    assert decoded.stdout.strip() == text
