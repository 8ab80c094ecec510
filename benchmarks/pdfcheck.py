"""Cost of the structure check every uploaded or signed PDF goes through (core.documents.pdfcheck).

Run: .venv/bin/python benchmarks/pdfcheck.py [--rounds N]
Prints milliseconds per check of a one-page PDF through the kept worker (the first check,
which starts the worker, apart), through a fresh ``python -m core.documents.pdfcheck`` per
file (what each check cost before the workers were kept), and the reference measured in the
same run: pikepdf opening the same file in this process. Ratios carry across machines.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pikepdf

from core.documents import pdfcheck
from core.signing.samples import sample_pdf


def _ms(action: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    rounds = parser.parse_args().rounds
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(sample_pdf("Justificante de registro"))
        handle.flush()
        path = Path(handle.name)
        first = _ms(lambda: pdfcheck.check_pdf_file(path), 1)
        kept = _ms(lambda: pdfcheck.check_pdf_file(path), rounds)
        fresh = _ms(lambda: subprocess.run([sys.executable, "-m", "core.documents.pdfcheck",
                                            str(path)], capture_output=True, check=True),
                    max(3, rounds // 10))
        reference = _ms(lambda: pikepdf.open(path).close(), rounds)
    print(f"reference (pikepdf.open in process): {reference:.2f} ms")
    print(f"kept worker: {kept:.2f} ms per check ({kept / reference:.1f}× reference); "
          f"first check, starting it: {first:.0f} ms")
    print(f"fresh process per check: {fresh:.0f} ms ({fresh / reference:.0f}× reference)")


if __name__ == "__main__":
    main()
