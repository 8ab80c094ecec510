"""Core knows no plugin by name: no import of a plugin, no string naming one, in ``core/``.

Docstrings and comments may mention plugins as examples; code may not. A string naming a
plugin is one equal to its name or starting ``<name>.``, ``<name>:`` or ``<name>/``
(permissions, templates, routes), or holding ``plugins.<name>``. Two domain words happen to
be a plugin's name too and are allowed where they mean the domain thing: the built-in role
``registro`` (staff of the registry office) and the calendar scope ``registro`` (closures of
a registry office, Ley 39/2015 art. 31).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from core.plugins import load_plugins

CORE = Path(__file__).resolve().parents[2] / "core"

#: (file relative to core/, string) pairs that are the domain word, not the plugin.
DOMAIN_WORDS = {
    ("identity/actor.py", "registro"),         # the built-in role of registry staff
    ("calendar/working.py", "registro"),       # a registry office's closures (art. 31.3)
    ("calendar_app/services.py", "registro"),
    ("calendar_app/tables.py", "registro"),
    ("demo.py", "registro"),                   # the demo user holding that role
}


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def _names_plugin(text: str, name: str) -> bool:
    return (text == name or text.startswith((f"{name}.", f"{name}:", f"{name}/"))
            or f"plugins.{name}" in text or f"plugins/{name}" in text)


def violations(root: Path, names: set[str], allowed: set[tuple[str, str]]) -> list[str]:
    """Every import of a plugin and every string naming one in the Python files under root."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts or "scaffold" in path.relative_to(root).parts[:1]:
            continue
        relative = path.relative_to(root).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            modules = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules = [node.module]
            for module in modules:
                top = module.split(".")[0]
                if top in {"plugins", "plugins_contrib"} or top in names:
                    found.append(f"{relative}:{node.lineno} imports {module}")
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and id(node) not in docstrings):
                for name in names:
                    if _names_plugin(node.value, name) and (relative, node.value) not in allowed:
                        found.append(f"{relative}:{node.lineno} names {name}: {node.value!r}")
    return found


def installed_plugin_names() -> set[str]:
    return set(load_plugins().names)


def test_core_names_no_installed_plugin():
    names = installed_plugin_names()
    assert {"tablon", "registro"} <= names  # the check has something to look for
    assert violations(CORE, names, DOMAIN_WORDS) == []


@pytest.mark.parametrize("code", [
    "from plugins.tablon import services\n",
    "PERMISSION = 'tablon.publish'\n",
    "TEMPLATE = 'tablon:anuncio.html'\n",
    "def f():\n    '''Docstring naming tablon is fine.'''\n    return 'tablon'\n",
])
def test_the_check_sees_an_import_or_a_string_naming_a_plugin(tmp_path, code):
    (tmp_path / "module.py").write_text(code)
    assert len(violations(tmp_path, {"tablon"}, set())) == 1
