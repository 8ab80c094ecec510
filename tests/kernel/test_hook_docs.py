"""Every hookspec is documented in docs/hooks.md with an example: the kernel's and those the
installed plugins publish (their ``hookspecs.py``, added with ``addhooks``)."""

import re
from pathlib import Path

from core import hookspecs
from core.plugins import load_plugins

DOCS = Path(__file__).resolve().parents[2] / "docs" / "hooks.md"


def _specs(namespace: object) -> set[str]:
    return {name for name in dir(namespace)
            if hasattr(getattr(namespace, name), "concejo_spec")}


def test_every_hookspec_has_a_documented_section_with_an_example():
    text = DOCS.read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## `(\w+)`\n(.*?)(?=^#{1,2} |\Z)", text, re.S | re.M))
    kernel = _specs(hookspecs)
    published = {name for name, hook in vars(load_plugins().pm.hook).items()
                 if getattr(hook, "spec", None) is not None} - kernel
    assert kernel and {"register_sms_providers", "register_video_providers",
                       "register_notification_hubs", "register_sir_transports"} <= published
    specs = kernel | published
    missing = sorted(specs - set(sections))
    assert not missing, f"hooks not documented in docs/hooks.md: {missing}"
    without_example = sorted(name for name in specs if "```python" not in sections[name])
    assert not without_example, f"hooks documented without an example: {without_example}"
    unknown = sorted(set(sections) - specs)
    assert not unknown, f"docs/hooks.md documents hooks that do not exist: {unknown}"
