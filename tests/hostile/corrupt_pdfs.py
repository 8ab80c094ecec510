"""A corpus of corrupt PDFs made by code (no binary fixtures): damaged cross-reference
tables and streams, absurd offsets, missing or wrong catalogs, deep nesting, loops.

``corpus()`` maps a short name to the bytes; every entry starts with ``%PDF-`` so that
each one gets past the magic-byte sniffing and reaches the PDF parser. ``HOSTILE`` maps
polyglots and bombs (issue 18 item 9) to the functions that build them.
"""

from __future__ import annotations

import io
import random
import zipfile
import zlib

from core.signing.samples import sample_pdf

_PAGE = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
         b"/Contents 4 0 R /Resources << >> >>")
_CONTENT = b"<< /Length 11 >>\nstream\nBT 0 0 Td ET\nendstream"
_CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"


def build(objects: list[bytes], *, trailer: bytes = b"/Root 1 0 R",
          startxref: bytes | None = None, xref_entries: list[bytes] | None = None,
          header: bytes = b"%PDF-1.7\n") -> bytes:
    """A classic PDF with ``objects`` numbered from 1 and an xref table of their real
    offsets, unless ``xref_entries`` or ``startxref`` say otherwise."""
    out = bytearray(header)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(out)
    entries = xref_entries if xref_entries is not None else [
        b"%010d 00000 n \n" % offset for offset in offsets]
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(entries) + 1)
    out += b"".join(entries)
    out += b"trailer\n<< /Size %d %s >>\n" % (len(objects) + 1, trailer)
    out += b"startxref\n%s\n%%%%EOF\n" % (startxref if startxref is not None
                                          else str(xref_at).encode())
    return bytes(out)


def _pages(kids: bytes = b"[3 0 R]", count: bytes = b"1") -> bytes:
    return b"<< /Type /Pages /Kids %s /Count %s >>" % (kids, count)


def _minimal(catalog: bytes = _CATALOG, **options) -> bytes:
    return build([catalog, _pages(), _PAGE, _CONTENT], **options)


def _xref_stream(data: bytes, widths: bytes = b"[1 2 1]", extra: bytes = b"") -> bytes:
    """A PDF whose only cross-reference section is a stream holding ``data``."""
    out = bytearray(b"%PDF-1.7\n")
    out += b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    out += b"2 0 obj\n" + _pages(b"[]", b"0") + b"\nendobj\n"
    at = len(out)
    out += (b"3 0 obj\n<< /Type /XRef /Size 4 /W %s /Root 1 0 R /Length %d "
            b"/Filter /FlateDecode %s >>\nstream\n" % (widths, len(data), extra))
    out += data + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % at
    return bytes(out)


def _deep(opening: bytes, closing: bytes, depth: int) -> bytes:
    return _minimal(catalog=b"<< /Type /Catalog /Pages 2 0 R /Deep "
                    + opening * depth + closing * depth + b" >>")


def _truncations(pdf: bytes) -> dict[str, bytes]:
    return {f"truncated-at-{percent}%": pdf[: max(9, len(pdf) * percent // 100)]
            for percent in (10, 35, 60, 90, 99)}


def corpus() -> dict[str, bytes]:
    """Name → corrupt PDF bytes (36 entries, deterministic)."""
    noise = random.Random(18)
    valid = sample_pdf("Corpus", xref_stream=False)
    valid_stream = sample_pdf("Corpus", xref_stream=True)
    head = valid.index(b"startxref")
    items = {
        "header-only": b"%PDF-1.7\n",
        "header-then-noise": b"%PDF-1.4\n" + noise.randbytes(4096),
        "garbage-xref-offsets": _minimal(xref_entries=[b"%010d 00000 n \n" % noise.randrange(
            10**9) for _ in range(4)]),
        "xref-offsets-past-end": _minimal(xref_entries=[b"9999999999 00000 n \n"] * 4),
        "xref-non-numeric": _minimal(xref_entries=[b"abcdefghij klmno n \n"] * 4),
        "huge-startxref": _minimal(startxref=b"9" * 40),
        "startxref-past-end": _minimal(startxref=b"99999999"),
        "negative-startxref": _minimal(startxref=b"-12"),
        "startxref-mid-object": _minimal(startxref=b"20"),
        "startxref-not-a-number": _minimal(startxref=b"xyz"),
        "no-root": _minimal(trailer=b""),
        "root-is-integer": _minimal(trailer=b"/Root 42"),
        "root-is-array": _minimal(trailer=b"/Root [1 0 R]"),
        "root-object-missing": _minimal(trailer=b"/Root 77 0 R"),
        "root-is-string": build([b"(not a catalog)", _pages(), _PAGE, _CONTENT]),
        "root-refers-to-itself": build([b"1 0 R", _pages(), _PAGE, _CONTENT]),
        "pages-is-string": _minimal(catalog=b"<< /Type /Catalog /Pages (none) >>"),
        "pages-loop": build([b"<< /Type /Catalog /Pages 2 0 R >>", _pages(b"[2 0 R]"),
                             _PAGE, _CONTENT]),
        "deep-arrays": _deep(b"[", b"]", 50_000),
        "deep-dicts": _deep(b"<< /A ", b">>", 20_000),
        "huge-object-number": _minimal(trailer=b"/Root 18446744073709551617 0 R"),
        "huge-size": _minimal(trailer=b"/Root 1 0 R /Size 18446744073709551617"),
        "prev-loop": _minimal(trailer=b"/Root 1 0 R /Prev 9"),
        "encrypt-not-a-dict": _minimal(trailer=b"/Root 1 0 R /Encrypt 5"),
        "encrypt-garbage": _minimal(trailer=b"/Root 1 0 R /Encrypt << /Filter /Standard "
                                    b"/V 99 /R 99 /O (x) /U (y) /P -1 >> /ID [(a) (b)]"),
        "stream-huge-length": build([b"<< /Type /Catalog /Pages 2 0 R >>", _pages(), _PAGE,
                                     b"<< /Length 99999999999999999999 >>\nstream\nBT\n"
                                     b"endstream"]),
        "stream-negative-length": build([b"<< /Type /Catalog /Pages 2 0 R >>", _pages(),
                                         _PAGE, b"<< /Length -5 >>\nstream\nBT\nendstream"]),
        "xref-stream-garbage": _xref_stream(noise.randbytes(64)),
        "xref-stream-bad-widths": _xref_stream(zlib.compress(b"\x01" * 40),
                                               widths=b"[99 99 99]"),
        "xref-stream-negative-widths": _xref_stream(zlib.compress(b"\x01" * 40),
                                                    widths=b"[-1 2 1]"),
        "xref-stream-huge-index": _xref_stream(zlib.compress(b"\x01\x00\x09\x00" * 4),
                                               extra=b"/Index [0 99999999999]"),
        "unbalanced-string": _minimal(catalog=b"<< /Type /Catalog /Pages 2 0 R /T (((( >>"),
        "valid-with-garbage-startxref": valid[:head] + b"startxref\n" + b"7" * 30 + b"\n%%EOF",
        **_truncations(valid_stream),
    }
    return items


def flate_bomb(gibibytes: int = 2) -> bytes:
    """A page whose content stream is zeros deflated twice: 2 GiB once inflated."""
    inner = zlib.compressobj(9)
    block = bytes(64 << 20)
    data = b"".join(inner.compress(block) for _ in range(gibibytes * 16)) + inner.flush()
    twice = zlib.compress(data, 9)
    stream = (b"<< /Length %d /Filter [/FlateDecode /FlateDecode] >>\nstream\n%s\nendstream"
              % (len(twice), twice))
    return build([_CATALOG, _pages(), _PAGE, stream])


def object_bomb(count: int = 200_000) -> bytes:
    return build([_CATALOG, _pages(), _PAGE, _CONTENT] + [b"null"] * (count - 4))


def zip_of(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, data)
    return out.getvalue()


HOSTILE = {
    "only-the-header": lambda: b"%PDF-1.7\n<html><body><script>alert(1)</script></body></html>",
    "pdf-then-html": lambda: sample_pdf() + b"<html><script>alert(document.domain)</script>",
    "pdf-then-zip": lambda: sample_pdf() + zip_of("index.html", b"<script>x()</script>"),
    "flate-bomb": flate_bomb,
    "object-bomb": object_bomb,
}
