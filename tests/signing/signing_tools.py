"""Helpers shared by the signing tests (a plain module: conftest files are not importable)."""

from __future__ import annotations

import os
import re
import shutil

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
