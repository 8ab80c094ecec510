"""The visible stamp: its QR decodes to the verification URL, text fits, stamps stack."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

from signing_tools import require_tool

from core.signing.pades import sign_pdf
from core.signing.samples import sample_pdf
from core.signing.stamp import (
    DEFAULT_SIZE,
    StampInfo,
    appearance_content,
    default_box,
    format_time,
)


def test_qr_decodes_to_the_verification_url(seal, stamp, tmp_path):
    pdftoppm = require_tool("pdftoppm")
    zbarimg = require_tool("zbarimg")
    (tmp_path / "signed.pdf").write_bytes(sign_pdf(sample_pdf(), seal, stamp=stamp))
    subprocess.run(
        [pdftoppm, "-r", "200", "-png", "-singlefile", tmp_path / "signed.pdf", tmp_path / "page"],
        check=True,
    )
    decoded = subprocess.run(
        [zbarimg, "-q", "--raw", tmp_path / "page.png"], capture_output=True, text=True
    )
    assert decoded.stdout.strip() == stamp.verify_url


def _font_sizes(content: bytes) -> list[float]:
    return [float(size) for size in re.findall(rb"/F\d ([\d.]+) Tf", content)]


def test_long_text_shrinks_to_fit_the_box():
    when = dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC)
    short = StampInfo(csv="ABC", verify_url="https://s.example.org/v", qr=False)
    long = StampInfo(csv="ABC" * 20, verify_url="https://s.example.org/" + "v" * 120, qr=False)
    width, height = DEFAULT_SIZE
    short_sizes = _font_sizes(appearance_content(short, "ANA", when, width, height))
    long_sizes = _font_sizes(appearance_content(long, "ANA", when, width, height))
    assert short_sizes[3] > long_sizes[3] and short_sizes[4] > long_sizes[4]
    text_width = width - 4 - 3  # no QR: text runs from x=4 to 3 points before the edge
    assert long_sizes[3] * 0.6 * len("CSV: " + long.csv) <= text_width


def test_time_is_shown_in_peninsular_time_across_dst():
    assert format_time(dt.datetime(2026, 1, 15, 11, 0, tzinfo=dt.UTC)) == "15/01/2026 12:00:00 CET"
    assert format_time(dt.datetime(2026, 7, 15, 11, 0, tzinfo=dt.UTC)) == "15/07/2026 13:00:00 CEST"


def test_default_boxes_stack_without_overlap():
    first, second = default_box(0), default_box(1)
    assert second[1] >= first[3]
    assert first[2] - first[0] == DEFAULT_SIZE[0]


def test_text_is_escaped_and_encoded_as_winansi():
    info = StampInfo(csv="X", verify_url="https://s.example.org/v", qr=False)
    content = appearance_content(info, "Łukasz (Ž) \\ ñ", dt.datetime.now(dt.UTC), 200, 60)
    # Ł is not in WinAnsi (replaced), Ž and ñ are; parentheses and backslash are escaped
    assert b"(?ukasz \\(\x8e\\) \\\\ \xf1) Tj" in content
