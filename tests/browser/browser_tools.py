"""Helpers of the browser tests (a plain module: conftest files are not importable)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
#: axe-core rules of WCAG 2.0 and 2.1, levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")


def chromium_path() -> str | None:
    """``CONCEJO_CHROMIUM`` when set, else ``chromium`` on the PATH or Debian's; None if absent."""
    explicit = os.environ.get("CONCEJO_CHROMIUM")
    candidates = [explicit] if explicit else [shutil.which("chromium"), CHROMIUM]
    return next((p for p in candidates if p and os.access(p, os.X_OK)), None)


def require_browser() -> str:
    """Chromium's path, Playwright and axe-core importable; skip when missing, fail in CI."""
    path = chromium_path()
    problem = None if path else "chromium is not installed (apt-get install chromium)"
    try:
        import axe_playwright_python  # noqa: F401
        import playwright.async_api  # noqa: F401
    except ImportError as exc:
        problem = f"{exc.name} is not installed (pip install -e '.[test]')"
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{problem}; CI=true requires it", pytrace=False)
        pytest.skip(problem)
    return path


async def check_accessibility(page: Any, name: str) -> None:
    """Run axe-core on the page; fail on serious or critical WCAG 2.1 AA violations."""
    from axe_playwright_python.async_playwright import Axe

    shots = os.environ.get("CONCEJO_SCREENSHOTS")
    if shots:  # Playwright creates the folder
        await page.screenshot(path=str(Path(shots) / f"{name}.png"))
    results = await Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                             "resultTypes": ["violations"]})
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(", ".join(n["target"]) for n in v["nodes"][:5]) for v in blocking)
    assert not blocking, f"{name} ({page.url}) has accessibility violations:\n{report}"
