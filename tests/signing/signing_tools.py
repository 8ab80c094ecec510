"""Helpers shared by the signing tests (a plain module: conftest files are not importable)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest


def require_tool(name: str) -> str:
    """Path of a Debian tool; skip when absent, but fail when running in CI (CI=true)."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (apt-get install poppler-utils softhsm2 opensc ...)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


PdfsigReport = list[dict[str, str]]


def parse_pdfsig(output: str) -> PdfsigReport:
    """pdfsig's text output as one dict per signature (key → value, plus ``coverage``)."""
    signatures: PdfsigReport = []
    for line in output.splitlines():
        if re.match(r"^Signature #\d+:", line):
            signatures.append({})
        elif signatures and line.strip().startswith("- "):
            item = line.strip()[2:]
            key, sep, value = item.partition(": ")
            if sep:
                signatures[-1][key] = value
            else:
                signatures[-1]["coverage"] = item
    return signatures


def nss_database(root_cert: Path, folder: Path) -> str:
    """An NSS database in ``folder`` in which ``root_cert`` is a trusted signing anchor."""
    certutil = require_tool("certutil")
    run = [certutil, "-d", f"sql:{folder}"]
    subprocess.run([*run, "-N", "--empty-password"], check=True, capture_output=True)
    add = [*run, "-A", "-n", "concejo-dev-root", "-t", "CT,C,C", "-i", str(root_cert)]
    subprocess.run(add, check=True, capture_output=True)
    return f"sql:{folder}"


def pdfsig_runner(root_cert: Path, folder: Path) -> Callable[[bytes], PdfsigReport]:
    """Run poppler's pdfsig (an independent validator) trusting ``root_cert`` on PDF bytes."""
    tool = require_tool("pdfsig")
    (folder / "nss").mkdir(parents=True, exist_ok=True)
    nss_db = nss_database(root_cert, folder / "nss")

    def check(pdf: bytes) -> PdfsigReport:
        path = folder / "input.pdf"
        path.write_bytes(pdf)
        done = subprocess.run(
            [tool, "-nssdir", nss_db, str(path)], capture_output=True, text=True, check=False
        )
        # pdfsig exits non-zero when a signature is invalid; the text is what we assert on
        return parse_pdfsig(done.stdout)

    return check
