"""Helpers of the production tests: find a system tool, or skip (fail under CI=true)."""

from __future__ import annotations

import os
import shutil

import pytest


def require_tool(name: str) -> str:
    """The tool's path (PATH, then the sbin folders); skip when missing, except under
    ``CI=true``, where ``.ci/run`` installs it and a missing tool fails the test."""
    path = shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/sbin/{name}") if os.access(p, os.X_OK)), None)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is missing; CI=true requires it", pytrace=False)
        pytest.skip(f"{name} is not installed")
    return path
