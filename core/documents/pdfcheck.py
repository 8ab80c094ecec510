"""Structure check of an untrusted PDF before it is stored, signed or parsed by pyHanko.

Magic bytes (``sniff``) only say a file *begins* like a PDF. :func:`check_pdf_file` opens
it with qpdf (pikepdf) in a worker process that has a memory and CPU budget and a
wall-clock timeout, and refuses (:class:`PdfRefused`):

- what qpdf cannot open or whose page tree it cannot walk (an HTML body behind ``%PDF-``,
  a missing or wrong catalog, a garbage cross-reference section), and what it can read
  only by repairing it (offsets that point nowhere, absurd numbers): that is not the
  document anyone signed;
- polyglots: a file that is also a ZIP archive, HTML markup in the first KiB (where
  browsers sniff), markup or more than a KiB after the last ``%%EOF``;
- bombs: more than :data:`MAX_OBJECTS` objects, or Flate streams (nested filters too) that
  inflate past :data:`MAX_INFLATED` bytes in total: inflation is bounded, never done whole.

The workers are kept (up to :data:`WORKERS` idle ones, started on first use): starting a
Python for each PDF cost ~0.5 s, the check itself a few milliseconds. Each check gets its own CPU
budget on top of what its worker has spent; a worker that runs out of memory or CPU, or
past the timeout, is killed and the next check starts another.

Run as ``python -m core.documents.pdfcheck FILE``: prints ``{"ok": …, "reason": …}``
(``--serve``: the same for each JSON path read from standard input, as the workers run).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import resource
import select
import subprocess
import sys
import tempfile
import threading
import zipfile
import zlib
from pathlib import Path

MAX_OBJECTS = 100_000
MAX_INFLATED = 256 * 1024 * 1024
MEMORY_BYTES = 1024 * 1024 * 1024
CPU_SECONDS = 20
TIMEOUT_SECONDS = 30
WORKERS = 2
_HTML = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|script|iframe|object|embed)\b", re.I)
_CHUNK = 1 << 20
# qpdf warnings that mean it had to guess: the bytes are not the document anyone signed
_DAMAGE = re.compile(r"damaged|recover|because of error|negative number|overflow|loop", re.I)


class PdfRefused(ValueError):
    """The PDF fails the structure check; ``status_code`` 415 for polyglots, else 422."""

    def __init__(self, message: str, *, status_code: int = 422) -> None:
        super().__init__(message)
        self.status_code = status_code


def _polyglot(path: Path) -> str | None:
    """What else the file is besides a PDF, or None."""
    with path.open("rb") as handle:
        head = handle.read(1024)
        size = handle.seek(0, 2)
        handle.seek(max(0, size - 4096))
        tail = handle.read()
    if _HTML.search(head):
        return "contiene HTML"
    end = tail.rfind(b"%%EOF")
    after = tail[end + 5:].strip(b" \t\r\n\x00") if end >= 0 else b""
    if b"<" in after or len(after) > 1024:  # a stray byte or two is common, markup is not
        return "tiene datos después del final del PDF (%%EOF)"
    if zipfile.is_zipfile(path):
        return "es también un archivo ZIP"
    return None


def _filters(stream) -> list[str]:
    import pikepdf

    value = stream.get("/Filter")
    if value is None:
        return []
    return [str(item) for item in value] if isinstance(value, pikepdf.Array) else [str(value)]


def _inflate(data: bytes, budget: int, keep: bool) -> tuple[int, bytes]:
    """Bytes ``data`` inflates to (stopping past ``budget``) and, if ``keep``, those bytes;
    undecodable data counts as what it decoded to before the error."""
    inflater, out, total, pending = zlib.decompressobj(), bytearray(), 0, data
    try:
        while pending and not inflater.eof:
            piece = inflater.decompress(pending, _CHUNK)
            pending = inflater.unconsumed_tail
            total += len(piece)
            if total > budget or not piece:
                break
            if keep:
                out += piece
    except zlib.error:
        pass
    return total, bytes(out)


def _inflated_size(raw: bytes, layers: int, budget: int) -> int:
    """Bytes ``raw`` inflates to through ``layers`` nested Flate filters (past ``budget``
    it stops: the result is then over budget)."""
    data = raw
    for layer in range(layers):
        total, data = _inflate(data, budget, keep=layer < layers - 1)
        if total > budget or layer == layers - 1:
            return total
    return len(data)


def _inspect(path: Path) -> str | None:
    """Why the PDF at ``path`` is refused, or None (runs in the budgeted child)."""
    import pikepdf  # only the child pays for qpdf

    try:
        with pikepdf.open(path, suppress_warnings=True) as pdf:
            if len(pdf.pages) < 1:
                return "no tiene páginas"
            objects = pdf.objects
            if len(objects) > MAX_OBJECTS:
                return f"tiene más de {MAX_OBJECTS} objetos"
            budget = MAX_INFLATED
            for obj in objects:
                if not isinstance(obj, pikepdf.Stream):
                    continue
                filters = _filters(obj)
                flate = len(filters) and all(f in ("/FlateDecode", "/Fl") for f in filters)
                if flate:
                    budget -= _inflated_size(obj.read_raw_bytes(), len(filters), budget)
                    if budget < 0:
                        return "sus contenidos comprimidos ocupan demasiado al descomprimirlos"
            damage = next((w for w in pdf.get_warnings() if _DAMAGE.search(w)), None)
            if damage:
                return f"está dañado ({damage.rsplit(': ', 1)[-1][:200]})"
    except (pikepdf.PdfError, RuntimeError, ValueError, MemoryError) as exc:
        return f"está dañado ({str(exc).rsplit(': ', 1)[-1][:200]})"
    return None


def _limit_memory() -> None:
    """A worker's start: its address space is bounded, its recursion too."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    sys.setrecursionlimit(2000)


def _budgeted_inspect(path: str) -> str | None:
    """:func:`_inspect` with :data:`CPU_SECONDS` more of CPU than the worker has spent."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    spent = int(usage.ru_utime + usage.ru_stime) + 1
    resource.setrlimit(resource.RLIMIT_CPU,
                       (spent + CPU_SECONDS, resource.getrlimit(resource.RLIMIT_CPU)[1]))
    return _inspect(Path(path))


class _Worker:
    """One kept ``python -m core.documents.pdfcheck --serve``: a path (JSON) a line in, a
    verdict (JSON) a line out."""

    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", __name__, "--serve"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL)

    def check(self, path: Path) -> str | None:
        """Why the worker refuses ``path``, or None; ``TimeoutError`` past the timeout,
        ``EOFError`` when the worker died (its memory or CPU limit)."""
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(str(path)).encode() + b"\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], TIMEOUT_SECONDS)
        if not ready:
            raise TimeoutError
        line = self.process.stdout.readline()
        if not line:
            raise EOFError
        return json.loads(line)["reason"]

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()


_idle: list[_Worker] = []
_idle_lock = threading.Lock()


def _inspect_in_worker(path: Path) -> str | None:
    with _idle_lock:
        worker = _idle.pop() if _idle else None
    worker = worker or _Worker()
    try:
        reason = worker.check(path)
    except TimeoutError:
        worker.kill()
        raise PdfRefused("El PDF tarda demasiado en comprobarse; no se admite") from None
    except (EOFError, OSError, ValueError):  # killed by its memory or CPU limit
        worker.kill()
        raise PdfRefused("El PDF necesita demasiados recursos para comprobarse; "
                         "no se admite") from None
    with _idle_lock:
        kept = len(_idle) < WORKERS
        if kept:
            _idle.append(worker)
    if not kept:
        worker.kill()
    return reason


def check_pdf_file(path: Path) -> None:
    """Refuse (:class:`PdfRefused`) the PDF at ``path`` unless it passes the check."""
    reason = _polyglot(path)
    if reason:
        raise PdfRefused(f"El PDF {reason}; no se admite", status_code=415)
    reason = _inspect_in_worker(path)
    if reason:
        raise PdfRefused(f"El PDF {reason}; no se admite")


async def check_pdf_bytes(data: bytes) -> None:
    """:func:`check_pdf_file` for bytes in memory (written to a temporary file)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        await asyncio.to_thread(check_pdf_file, Path(handle.name))


def _main(argv: list[str]) -> None:
    """``FILE``: print one verdict; ``--serve``: a verdict for each path read (JSON lines;
    anything else the check prints goes to stderr, not into the answers)."""
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    _limit_memory()
    paths = (json.loads(line) for line in sys.stdin) if argv[1] == "--serve" else [argv[1]]
    for path in paths:
        reason = _budgeted_inspect(path)
        answers.write(json.dumps({"ok": reason is None, "reason": reason}) + "\n")
        answers.flush()


if __name__ == "__main__":
    _main(sys.argv)
