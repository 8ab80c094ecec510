"""``concejo plugins new NAME``: a new plugin with every room of docs/plugin-guide.md.

The files come from the templates in ``core/scaffold/plugin/`` (``string.Template``:
``${name}``, ``${module}``, ``${label}``; a ``__name__`` path segment becomes the plugin
name). Three places: ``plugins/<name>`` (built-in), ``plugins_contrib/<name>`` (a province's
plugin in this repository) — both declared as an entry point in the root ``pyproject.toml``
— or ``--package DIR``, a package of its own with its ``pyproject.toml`` and entry point.
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path
from string import Template

TEMPLATES = Path(__file__).resolve().parent / "plugin"
FACES = ("staff", "sede", "api")
LANGUAGES = ("es", "ca", "gl", "eu", "en")
ENTRY_POINTS = '[project.entry-points."concejo.plugins"]'

#: The scaffold's UI text (Spanish msgids) in the other languages of the sede.
MESSAGES: dict[str, dict[str, str]] = {
    "Elementos": {"ca": "Elements", "gl": "Elementos", "eu": "Elementuak", "en": "Items"},
    "Título": {"ca": "Títol", "gl": "Título", "eu": "Izenburua", "en": "Title"},
    "Añadir": {"ca": "Afegeix", "gl": "Engadir", "eu": "Gehitu", "en": "Add"},
    "Todavía no hay ningún elemento.": {
        "ca": "Encara no hi ha cap element.", "gl": "Aínda non hai ningún elemento.",
        "eu": "Oraindik ez dago elementurik.", "en": "There are no items yet."},
}


class ScaffoldError(ValueError):
    """The plugin cannot be created; the message says why."""


def _po(lang: str, name: str) -> str:
    header = (f'# Concejo {name}: {lang} translations. Update with the commands of docs/sede.md.\n'
              'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n'
              f'"Language: {lang}\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n')
    entries = [f'\nmsgid "{msgid}"\nmsgstr "{msgid if lang == "es" else done[lang]}"\n'
               for msgid, done in MESSAGES.items()]
    return header + "".join(entries)


def _check_name(name: str) -> None:
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,30}", name) or keyword.iskeyword(name):
        raise ScaffoldError(f"Nombre de plugin no válido: {name!r} (minúsculas, cifras y _)")


def render(name: str, module: str, label: str, faces: tuple[str, ...] = FACES
           ) -> dict[str, str]:
    """The plugin's files (path relative to its package → text), not yet written."""
    _check_name(name)
    unknown = set(faces) - set(FACES)
    if unknown or not faces:
        raise ScaffoldError(f"Caras no válidas: {sorted(unknown)}; elija entre {FACES}")
    chosen = [face for face in FACES if face in faces]
    tests = TEMPLATES / "tests"
    values = {
        "name": name, "module": module, "label": label, "dist": name.replace("_", "-"),
        "route_imports": f"from .controllers import {', '.join(sorted(chosen))}",
        "routes": "\n".join(f'    register({face}.{face.capitalize()}Controller, face="{face}")'
                            for face in chosen),
        "staff_test": (tests / "staff.tmpl").read_text() if "staff" in faces else "",
        "sede_test": (tests / "sede.tmpl").read_text() if "sede" in faces else "",
    }
    files: dict[str, str] = {}
    for path in sorted(TEMPLATES.rglob("*.tmpl")):
        relative = path.relative_to(TEMPLATES).as_posix().removesuffix(".tmpl")
        face = Path(relative).stem
        if relative in ("tests/staff", "tests/sede", "pyproject.toml"):
            continue
        if relative.startswith("controllers/") and face in FACES and face not in faces:
            continue
        if relative.startswith("templates/") and Path(relative).stem.split("_")[0] not in faces:
            continue
        text = Template(path.read_text(encoding="utf-8")).substitute(values)
        if relative.startswith("tests/"):  # the face snippets hold ${name} too
            text = Template(text).substitute(values)
        files[relative.replace("__name__", name)] = text
    for lang in LANGUAGES:
        files[f"locale/{lang}/LC_MESSAGES/messages.po"] = _po(lang, name)
    return files


def _write(target: Path, files: dict[str, str]) -> list[Path]:
    if target.exists() and any(target.iterdir()):
        raise ScaffoldError(f"{target} ya existe y no está vacía")
    written = []
    for relative, text in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def declare(pyproject: Path, name: str, module: str) -> bool:
    """Add ``name = "module.plugin"`` to the ``concejo.plugins`` entry points of a
    ``pyproject.toml``; False when it was already there."""
    text = pyproject.read_text(encoding="utf-8")
    line = f'{name} = "{module}.plugin"'
    if line in text:
        return False
    if ENTRY_POINTS in text:
        start = text.index(ENTRY_POINTS) + len(ENTRY_POINTS)
        end = text.find("\n\n", start)
        end = len(text.rstrip("\n")) if end == -1 else end
        text = text[:end] + "\n" + line + text[end:]
    else:
        text = text.rstrip("\n") + f"\n\n{ENTRY_POINTS}\n{line}\n"
    pyproject.write_text(text, encoding="utf-8")
    return True


def new_plugin(name: str, *, label: str = "", root: Path | None = None, contrib: bool = False,
               package: Path | None = None, faces: tuple[str, ...] = FACES) -> list[Path]:
    """Write a new plugin and declare it; returns the files written.

    ``package``: a package of its own in that folder (module ``concejo_<name>``), with its
    ``pyproject.toml``. Otherwise under ``root`` (a Concejo checkout): ``plugins/<name>`` or,
    with ``contrib``, ``plugins_contrib/<name>``, declared in the root ``pyproject.toml``."""
    label = label or name.replace("_", " ").capitalize()
    if package is not None:
        module = f"concejo_{name}"
        files = render(name, module, label, faces)
        values = {"name": name, "module": module, "label": label,
                  "dist": name.replace("_", "-")}
        pyproject = Template((TEMPLATES / "pyproject.toml.tmpl").read_text()).substitute(values)
        written = _write(package / module, files)
        (package / "pyproject.toml").write_text(pyproject, encoding="utf-8")
        return [package / "pyproject.toml", *written]
    root = root or Path.cwd()
    if not (root / "pyproject.toml").exists():
        raise ScaffoldError(f"{root} no es una copia de Concejo (no tiene pyproject.toml)")
    folder = "plugins_contrib" if contrib else "plugins"
    module = f"{folder}.{name}"
    written = _write(root / folder / name, render(name, module, label, faces))
    declare(root / "pyproject.toml", name, module)
    return written
