"""Languages: complete catalogs for the sede, the selector and its cookie, local formats."""

import datetime as dt
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from core.web import formats, i18n
from core.web.i18n import SUPPORTED

ROOT = Path(__file__).resolve().parents[2]
CORE_LOCALE = ROOT / "core" / "web" / "locale"
TEMPLATES = ROOT / "core" / "web" / "templates"
KEYWORDS = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)}

#: What the public sees: the layout, login and error pages, the kernel's sede pages (in
#: ``sede/`` or named ``sede_*.html``, like the plugins' ones) and CSV verification.
SEDE_FILES = [path for path in (
    TEMPLATES / "base.html", TEMPLATES / "error.html", TEMPLATES / "login.html",
    TEMPLATES / "carpeta_section.html", TEMPLATES / "documents" / "verify.html",
    *sorted((TEMPLATES / "sede").glob("*.html")), *sorted(TEMPLATES.glob("**/sede_*.html")),
) if path.exists()]


def _msgids(path: Path) -> set[str]:
    method = "jinja2" if path.suffix == ".html" else "python"
    found = set()
    for _, message, _, _ in extract_from_file(method, str(path), keywords=KEYWORDS):
        found.update(message if isinstance(message, tuple) else (message,))
    return {m for m in found if m}


def _translated(locale_dirs: list[Path], lang: str) -> set[str]:
    done = set()
    for directory in locale_dirs:
        po = directory / lang / "LC_MESSAGES" / "messages.po"
        if po.exists():
            with po.open("rb") as fh:
                done |= {m.id for m in read_po(fh) if m.id and m.string and not m.fuzzy}
    return done


def _sede_sources() -> list[tuple[str, list[Path], list[Path]]]:
    """(owner, files, locale dirs) for the kernel and every built-in plugin."""
    sources = [("core", SEDE_FILES, [CORE_LOCALE])]
    for plugin in sorted((ROOT / "plugins").iterdir()):
        files = sorted(plugin.glob("templates/*/sede_*.html"))
        if (plugin / "plugin.py").exists():
            files.append(plugin / "plugin.py")
        if files:
            sources.append((plugin.name, files, [plugin / "locale", CORE_LOCALE]))
    return sources


@pytest.mark.parametrize("lang", [lang for lang in SUPPORTED if lang != "es"])
def test_every_sede_msgid_is_translated(lang):
    missing = []
    for owner, files, locale_dirs in _sede_sources():
        done = _translated(locale_dirs, lang)
        for path in files:
            missing += [f"{owner}: {path.name}: {m!r}" for m in sorted(_msgids(path) - done)]
    assert not missing, f"untranslated in {lang}:\n" + "\n".join(missing)


def test_the_spanish_catalog_is_complete():
    with (CORE_LOCALE / "messages.pot").open("rb") as fh:
        template = {m.id for m in read_po(fh) if m.id}
    assert template <= _translated([CORE_LOCALE], "es")


def test_catalogs_compile_and_translate():
    catalogs = i18n.Catalogs([CORE_LOCALE])
    assert catalogs.get("eu").gettext("Carpeta ciudadana") == "Herritarren karpeta"
    assert catalogs.get("en").gettext("Sede electrónica") == "E-government site"


@pytest.mark.parametrize(("lang", "expected_date", "expected_number"), [
    ("es", "23 de abril de 2026", "1.234,5"),
    ("ca", "23 d’abril del 2026", "1.234,5"),
    ("gl", "23 de abril de 2026", "1.234,5"),
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
