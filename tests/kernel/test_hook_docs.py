"""Every hookspec is documented in docs/hooks.md with an example."""

import inspect
import re
from pathlib import Path

from core import hookspecs

DOCS = Path(__file__).resolve().parents[2] / "docs" / "hooks.md"


def test_every_hookspec_has_a_documented_section_with_an_example():
    text = DOCS.read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## `(\w+)`\n(.*?)(?=^## |\Z)", text, re.S | re.M))
    specs = [name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
             if hasattr(fn, "concejo_spec")]
    assert specs, "no hookspecs found"
    missing = [name for name in specs if name not in sections]
    assert not missing, f"hooks not documented in docs/hooks.md: {missing}"
    without_example = [name for name in specs if "```python" not in sections[name]]
    assert not without_example, f"hooks documented without an example: {without_example}"
    unknown = sorted(set(sections) - set(specs))
    assert not unknown, f"docs/hooks.md documents hooks that do not exist: {unknown}"
