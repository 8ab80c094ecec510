"""Import contracts: ``lint-imports`` passes (the contracts are in pyproject.toml), and the
imports between plugins are what their manifests declare: only another plugin's
``public`` module, and only of a plugin named in ``depends_on`` or ``optional_depends_on``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp

from core.plugins import load_plugins

ROOT = Path(__file__).resolve().parents[2]


def test_lint_imports_keeps_every_contract():
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert command, "import-linter is in the test extra"
    result = subprocess.run([command, "--no-cache"], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def cross_plugin_imports() -> list[tuple[str, str, str, str]]:
    """(importing plugin, its module, imported plugin, the module) for every import from
    one plugin's code (tests aside) into another plugin."""
    graph = grimp.build_graph("plugins")
    found = []
    for module in sorted(graph.modules):
        parts = module.split(".")
        if len(parts) < 3 or "tests" in parts:
            continue
        for imported in graph.find_modules_directly_imported_by(module):
            target = imported.split(".")
            if len(target) >= 2 and target[1] != parts[1]:
                found.append((parts[1], module, target[1], imported))
    return found


def test_plugins_import_each_other_only_as_their_manifests_declare():
    plugins = load_plugins()
    imports = cross_plugin_imports()
    assert imports, "expedientes and notificaciones use other plugins"
    wrong = []
    for source, module, target, imported in imports:
        manifest = plugins.manifest(source)
        if target not in manifest.depends_on + manifest.optional_depends_on:
            wrong.append(f"{module} imports {imported}: {source} does not declare {target}")
        if imported != f"plugins.{target}.public":
            wrong.append(f"{module} imports {imported}, not plugins.{target}.public")
    assert not wrong, "\n".join(wrong)
