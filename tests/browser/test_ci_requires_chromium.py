"""Without Chromium the browser suite skips on a laptop and fails under ``CI=true``: the
accessibility check cannot pass in CI by not running. Each case runs pytest itself, in a
subprocess, on a browser test of this folder with ``CONCEJO_CHROMIUM`` naming no program."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEST = "tests/browser/test_accessibility.py::test_the_checker_catches_a_violation"


async def _run_without_chromium(ci: bool) -> str:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["CONCEJO_CHROMIUM"] = str(ROOT / "no-such-chromium")
    if ci:
        env["CI"] = "true"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfs", TEST, cwd=ROOT,
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(process.communicate(), 120)
    return out.decode()


@pytest.mark.parametrize(("ci", "outcome"), [(True, "1 error"), (False, "1 skipped")])
async def test_a_missing_chromium_fails_in_ci_and_skips_elsewhere(ci, outcome):
    output = await _run_without_chromium(ci)
    assert outcome in output, output
    assert "chromium is not installed" in output
    if ci:
        assert "CI=true requires it" in output and "skipped" not in output
