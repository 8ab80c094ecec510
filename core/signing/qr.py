"""A small, fast QR Code encoder (ISO/IEC 18004) for the verification URL of each stamp.

Only what a stamp needs: byte mode, error correction level M, data mask 0, versions 1-40.
Everything that depends only on the version (function patterns, the order in which data
modules are filled, the Reed-Solomon generator) is computed once and cached, so a symbol
costs a few hundred microseconds instead of segno's ~1 ms with a fixed mask (~5 ms when it
evaluates all eight masks). Any mask pattern is valid for readers; choosing the "best" one
only helps damaged prints. The tests check module-for-module equality with segno.
"""

from __future__ import annotations

import functools

# ISO/IEC 18004 table 9, level M, index = version
_ECC_PER_BLOCK = (0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26,
                  26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
                  28, 28, 28)  # fmt: skip
_BLOCKS = (0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20,
           21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49)  # fmt: skip
_FORMAT_LEVEL_M = 0b00

# GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1
_EXP = [0] * 512
_LOG = [0] * 256
_value = 1
for _power in range(255):
    _EXP[_power] = _value
    _LOG[_value] = _power
    _value <<= 1
    if _value & 0x100:
        _value ^= 0x11D
for _power in range(255, 512):
    _EXP[_power] = _EXP[_power - 255]


def _raw_data_modules(version: int) -> int:
    result = (16 * version + 128) * version + 64
    if version >= 2:
        count = version // 7 + 2
        result -= (25 * count - 10) * count - 55
        if version >= 7:
            result -= 36
    return result


def _data_codewords(version: int) -> int:
    return _raw_data_modules(version) // 8 - _ECC_PER_BLOCK[version] * _BLOCKS[version]


def _alignment_positions(version: int) -> list[int]:
    if version == 1:
        return []
    count = version // 7 + 2
    step = (version * 8 + count * 3 + 5) // (count * 4 - 4) * 2
    size = version * 4 + 17
    return [6, *sorted(size - 7 - i * step for i in range(count - 1))]


@functools.cache
def _generator_logs(degree: int) -> tuple[int, ...]:
    """Logs of the Reed-Solomon generator coefficients (leading 1 left out)."""
    coefficients = [1]
    for i in range(degree):
        nxt = [0] * (len(coefficients) + 1)
        for j, c in enumerate(coefficients):
            nxt[j] ^= c
            if c:
                nxt[j + 1] ^= _EXP[_LOG[c] + i]
        coefficients = nxt
    return tuple(_LOG[c] for c in coefficients[1:])


def _ecc(data: bytes, degree: int) -> bytes:
    generator = _generator_logs(degree)
    remainder = [0] * degree
    for byte in data:
        factor = byte ^ remainder[0]
        del remainder[0]
        remainder.append(0)
        if factor:
            factor_log = _LOG[factor]
            for i, g in enumerate(generator):
                remainder[i] ^= _EXP[factor_log + g]
    return bytes(remainder)


class _Template:
    """Per-version constant part: function modules drawn, and the data module order."""

    def __init__(self, version: int) -> None:
        size = self.size = version * 4 + 17
        self.rows = [bytearray(size) for _ in range(size)]
        self.is_function = [bytearray(size) for _ in range(size)]
        self._draw_function_patterns(version)
        self.order = self._data_order()
        # mask 0 flips modules where (row + column) is even: a constant bit string per version
        self.mask = int("".join("1" if (r + c) % 2 == 0 else "0" for r, c in self.order), 2)

    def _set(self, x: int, y: int, dark: bool) -> None:
        self.rows[y][x] = 1 if dark else 0
        self.is_function[y][x] = 1

    def _draw_function_patterns(self, version: int) -> None:
        size = self.size
        for i in range(size):  # timing patterns
            self._set(6, i, i % 2 == 0)
            self._set(i, 6, i % 2 == 0)
        for cx, cy in ((3, 3), (size - 4, 3), (3, size - 4)):  # finders and separators
            for dy in range(-4, 5):
                for dx in range(-4, 5):
                    x, y = cx + dx, cy + dy
                    if 0 <= x < size and 0 <= y < size:
                        self._set(x, y, max(abs(dx), abs(dy)) not in (2, 4))
        positions = _alignment_positions(version)
        last = len(positions) - 1
        for i, cy in enumerate(positions):
            for j, cx in enumerate(positions):
                if (i, j) in ((0, 0), (0, last), (last, 0)):
                    continue  # under a finder pattern
                for dy in range(-2, 3):
                    for dx in range(-2, 3):
                        self._set(cx + dx, cy + dy, max(abs(dx), abs(dy)) != 1)
        self._draw_format_bits()
        if version >= 7:
            self._draw_version_bits(version)

    def _draw_format_bits(self) -> None:
        data = _FORMAT_LEVEL_M << 3 | 0  # mask 0
        remainder = data
        for _ in range(10):
            remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537)
        bits = (data << 10 | remainder) ^ 0x5412
        size = self.size

        def bit(i: int) -> bool:
            return (bits >> i) & 1 == 1

        for i in range(6):
            self._set(8, i, bit(i))
        self._set(8, 7, bit(6))
        self._set(8, 8, bit(7))
        self._set(7, 8, bit(8))
        for i in range(9, 15):
            self._set(14 - i, 8, bit(i))
        for i in range(8):
            self._set(size - 1 - i, 8, bit(i))
        for i in range(8, 15):
            self._set(8, size - 15 + i, bit(i))
        self._set(8, size - 8, True)  # the dark module

    def _draw_version_bits(self, version: int) -> None:
        remainder = version
        for _ in range(12):
            remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25)
        bits = version << 12 | remainder
        for i in range(18):
            dark = (bits >> i) & 1 == 1
            a, b = self.size - 11 + i % 3, i // 3
            self._set(a, b, dark)
            self._set(b, a, dark)

    def _data_order(self) -> list[tuple[int, int]]:
        """(row, column) of every data module, in the zig-zag placement order."""
        size, order = self.size, []
        right = size - 1
        while right >= 1:
            if right == 6:
                right = 5  # skip the vertical timing pattern
            upward = ((right + 1) & 2) == 0
            for vertical in range(size):
                y = size - 1 - vertical if upward else vertical
                for x in (right, right - 1):
                    if not self.is_function[y][x]:
                        order.append((y, x))
            right -= 2
        return order


@functools.cache
def _template(version: int) -> _Template:
    return _Template(version)


def _version_for(length: int) -> int:
    for version in range(1, 41):
        count_bits = 8 if version < 10 else 16
        if 4 + count_bits + 8 * length <= 8 * _data_codewords(version):
            return version
    raise ValueError(f"{length} bytes do not fit in a QR code at level M")


def _codewords(data: bytes, version: int) -> bytes:
    capacity = _data_codewords(version)
    count_bits = 8 if version < 10 else 16
    bit_length = 4 + count_bits + 8 * len(data)
    value = ((0b0100 << count_bits | len(data)) << 8 * len(data)) | int.from_bytes(data, "big")
    terminator = min(4, 8 * capacity - bit_length)
    bit_length += terminator
    value <<= terminator
    value <<= -bit_length % 8  # pad to a whole byte
    encoded = value.to_bytes((bit_length + 7) // 8, "big")
    padding = bytes((0xEC, 0x11)) * capacity
    return encoded + padding[: capacity - len(encoded)]


def _interleave(data: bytes, version: int) -> bytes:
    blocks, degree = _BLOCKS[version], _ECC_PER_BLOCK[version]
    raw = _raw_data_modules(version) // 8
    short_count = blocks - raw % blocks
    short_length = raw // blocks - degree
    data_blocks, start = [], 0
    for index in range(blocks):
        length = short_length + (0 if index < short_count else 1)
        data_blocks.append(data[start : start + length])
        start += length
    ecc_blocks = [_ecc(block, degree) for block in data_blocks]
    out = bytearray()
    for i in range(short_length + 1):
        out.extend(block[i] for block in data_blocks if i < len(block))
    for i in range(degree):
        out.extend(block[i] for block in ecc_blocks)
    return bytes(out)


def qr_matrix(text: str) -> list[bytearray]:
    """The modules of a QR symbol for ``text`` (UTF-8 bytes): rows top to bottom, 1 = dark,
    without the quiet zone."""
    data = text.encode("utf-8")
    version = _version_for(len(data))
    template = _template(version)
    final = _interleave(_codewords(data, version), version)
    positions = len(template.order)
    stream = int.from_bytes(final, "big") << (positions - 8 * len(final))  # remainder bits: 0
    bits = format(stream ^ template.mask, f"0{positions}b")
    rows = [bytearray(row) for row in template.rows]
    for (y, x), bit in zip(template.order, bits, strict=True):
        if bit == "1":
            rows[y][x] = 1
    return rows
