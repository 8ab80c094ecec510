"""Languages: complete catalogs for the sede, the selector and its cookie, local formats.

What the public sees must be translated into every language an entity can offer: the
layout, the login and error pages, the kernel's sede pages and CSV verification, and each
plugin's sede (built-in, in ``plugins_contrib/`` or installed from a package of its own) —
its ``plugin.py`` (catálogo entries, carpeta sections), its modules named
``*sede*.py``, its ``templates/<plugin>/sede_*.html`` and every template those modules
render or the templates include. Spanish, the msgid language, must be complete everywhere.
"""

import datetime as dt
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.pofile import read_po

from core.plugins import load_plugins
from core.web import formats, i18n
from core.web.i18n import SUPPORTED

ROOT = Path(__file__).resolve().parents[2]
CORE_LOCALE = ROOT / "core" / "web" / "locale"
TEMPLATES = ROOT / "core" / "web" / "templates"
KEYWORDS = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)}
#: babel.cfg's mapping; tests hold no UI text.
METHODS = [("**/tests/**", "ignore"), ("**/templates/**.html", "jinja2"), ("**.py", "python")]
TEMPLATE_NAME = re.compile(r"""["']((?:core:)?[\w/]+\.html)["']""")

#: The kernel's public pages and the Python that writes public messages.
CORE_SEDE = [
    TEMPLATES / "base.html", TEMPLATES / "error.html", TEMPLATES / "login.html",
    TEMPLATES / "login_demo.html", TEMPLATES / "carpeta_section.html",
    TEMPLATES / "documents" / "verify.html", *sorted((TEMPLATES / "sede").glob("*.html")),
    ROOT / "core" / "web" / "sede.py", ROOT / "core" / "web" / "carpeta.py",
    ROOT / "core" / "documents" / "controllers.py", ROOT / "core" / "documents" / "verification.py",
    ROOT / "core" / "identity" / "providers" / "demo.py",
]


def _plugin_dirs() -> list[Path]:
    """Every plugin: the built-in ones, those in plugins_contrib/ (declared or not yet) and
    any installed from a package of its own."""
    installed = {Path(m.__file__).resolve().parent for m in load_plugins().modules.values()}
    here = {p for base in ("plugins", "plugins_contrib") if (ROOT / base).is_dir()
            for p in (ROOT / base).iterdir() if (p / "plugin.py").exists()}
    return sorted(installed | here)


PLUGINS = _plugin_dirs()


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _msgids(path: Path) -> set[str]:
    method = "jinja2" if path.suffix == ".html" else "python"
    found = set()
    for _, message, _, _ in extract_from_file(method, str(path), keywords=KEYWORDS):
        found.update(message if isinstance(message, tuple) else (message,))
    return {m for m in found if m}


def _template(name: str, plugin: Path | None) -> Path | None:
    if name.startswith("core:"):
        return TEMPLATES / name.removeprefix("core:")
    path = plugin / "templates" / name if plugin else TEMPLATES / name
    return path if path.exists() else None


def _with_templates(files: list[Path], plugin: Path | None) -> list[Path]:
    """The files and every template they name (rendered, extended or included), deeply."""
    seen: list[Path] = []
    todo = list(files)
    while todo:
        path = todo.pop()
        if path in seen or not path.exists():
            continue
        seen.append(path)
        named = TEMPLATE_NAME.findall(path.read_text(encoding="utf-8"))
        todo += [t for t in (_template(name, plugin) for name in named) if t]
    return sorted(seen)


def _translated(locale_dirs: list[Path], lang: str) -> set[str]:
    done = set()
    for directory in locale_dirs:
        po = directory / lang / "LC_MESSAGES" / "messages.po"
        if po.exists():
            with po.open("rb") as fh:
                for m in read_po(fh):  # a plural message: both of its msgids
                    if m.id and m.string and all(m.string) and not m.fuzzy:
                        done |= {m.id} if isinstance(m.id, str) else set(m.id)
    return done


def _sede_sources() -> list[tuple[str, list[Path], list[Path]]]:
    """(owner, files, locale dirs) for the kernel and every built-in plugin."""
    templates = _with_templates([p for p in CORE_SEDE if p.suffix == ".html"], None)
    python = [p for p in CORE_SEDE if p.suffix == ".py"]  # they render staff pages too
    sources = [("core", [*templates, *python], [CORE_LOCALE])]
    for plugin in PLUGINS:
        sede_modules = [p for p in plugin.rglob("*sede*.py") if "tests" not in p.parts]
        files = [plugin / "plugin.py", *sede_modules,
                 *plugin.glob("templates/*/sede_*.html")]
        # plugin.py also names staff widgets: only the sede modules' templates count
        rendered = _with_templates([*sede_modules, *plugin.glob("templates/*/sede_*.html")],
                                   plugin)
        sources.append((plugin.name, sorted({*files, *rendered}),
                        [plugin / "locale", CORE_LOCALE]))
    return sources


@pytest.mark.parametrize("lang", [lang for lang in SUPPORTED if lang != "es"])
def test_every_sede_msgid_is_translated(lang):
    missing = []
    for owner, files, locale_dirs in _sede_sources():
        done = _translated(locale_dirs, lang)
        for path in files:
            missing += [f"{owner}: {_shown(path)}: {m!r}"
                        for m in sorted(_msgids(path) - done)]
    assert not missing, f"untranslated in {lang}:\n" + "\n".join(missing)


def test_the_sede_sources_cover_the_public_templates():
    # The walk finds the plugins' sede pages that are not named sede_*.html.
    files = {_shown(p) for _, paths, _ in _sede_sources() for p in paths}
    assert "plugins/cita_previa/templates/cita_previa/franjas.html" in files
    assert "core/web/templates/sede/_nav.html" in files
    assert "core/web/templates/documents/detail.html" not in files  # staff only


@pytest.mark.parametrize("root", [ROOT / "core", *PLUGINS], ids=lambda path: path.name)
def test_the_spanish_catalogs_are_complete(root):
    # Every msgid of the kernel's or a plugin's code and templates is in its Spanish catalog.
    owner = "core" if root == ROOT / "core" else root.name
    locale = CORE_LOCALE if owner == "core" else root / "locale"
    merged = [locale] if owner == "core" else [locale, CORE_LOCALE]  # as the kernel merges
    found = {m for _, _, message, _, _ in extract_from_dir(
        str(root), method_map=METHODS, keywords=KEYWORDS)
        for m in (message if isinstance(message, tuple) else (message,)) if m}
    missing = sorted(found - _translated(merged, "es"))
    assert not missing, f"{owner}: not in {_shown(locale)}/es:\n" + "\n".join(
        map(repr, missing))


@pytest.mark.parametrize("locale", [CORE_LOCALE, *(p / "locale" for p in PLUGINS
                                                    if (p / "locale").exists())],
                         ids=lambda path: path.parent.name)
def test_catalogs_compile_with_matching_placeholders(locale):
    # The way the kernel loads them (compiled in memory at boot), and Babel's checks: a
    # translation must keep the msgid's %(name)s / {name} placeholders.
    problems = []
    for lang in SUPPORTED:
        po = locale / lang / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            problems.append(f"{lang}: no catalog")
            continue
        i18n._compile(po, lang)
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        problems += [f"{lang}: {m.id!r}: {e}" for m, errors in catalog.check() for e in errors]
    assert not problems, "\n".join(problems)


def test_catalogs_compile_and_translate():
    catalogs = i18n.Catalogs([CORE_LOCALE])
    assert catalogs.get("eu").gettext("Carpeta ciudadana") == "Herritarren karpeta"
    assert catalogs.get("en").gettext("Sede electrónica") == "E-government site"


@pytest.mark.parametrize(("lang", "expected_date", "expected_number"), [
    ("es", "23 de abril de 2026", "1.234,5"),
    ("ca", "23 d’abril del 2026", "1.234,5"),
    ("gl", "23 de abril de 2026", "1\u00a0234,5"),  # CLDR 48 (Babel 2.19): space groups
    ("eu", "2026(e)ko apirilaren 23(a)", "1.234,5"),
    ("en", "April 23, 2026", "1,234.5"),
])
def test_dates_and_numbers_follow_the_language(lang, expected_date, expected_number):
    i18n.set_language(lang)
    try:
        assert formats.format_date(dt.date(2026, 4, 23)) == expected_date
        assert formats.format_number(1234.5) == expected_number
        moment = dt.datetime(2026, 1, 15, 23, 30, tzinfo=dt.UTC)  # 00:30 on the 16th in Madrid
        assert "16" in formats.format_datetime(moment, "short")
    finally:
        i18n.set_language("es")


async def test_the_selector_switches_language_and_the_cookie_keeps_it(client, make_tenant):
    tenant = await make_tenant(languages=("es", "gl", "en"))
    home = await client.get(f"/sede/{tenant.slug}/")
    assert '<html lang="es">' in home.text
    assert f'href="/sede/{tenant.slug}/?lang=gl" lang="gl" hreflang="gl"' in home.text
    assert 'lang="eu"' not in home.text  # the entity does not offer Basque
    switched = await client.get(f"/sede/{tenant.slug}/?lang=gl")
    assert '<html lang="gl">' in switched.text and "Catálogo de trámites" in switched.text
    assert client.cookies.get("lang") == "gl"
    later = await client.get(f"/sede/{tenant.slug}/tramites/")
    assert '<html lang="gl">' in later.text and "Trámites" in later.text
    refused = await client.get(f"/sede/{tenant.slug}/?lang=eu")
    assert '<html lang="gl">' in refused.text and client.cookies.get("lang") == "gl"


async def test_a_single_language_entity_shows_no_selector(client, make_tenant):
    tenant = await make_tenant()
    assert 'hreflang' not in (await client.get(f"/sede/{tenant.slug}/")).text
