"""The crawler of ``test_crawler``: follow every same-origin link of the pages a client can
reach (GET only, bounded) and name what a person should not see on them."""

from __future__ import annotations

import enum
import re
from collections import Counter, deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import msgspec
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO_HEADER = ("Project-Id-Version", "Content-Type: text/plain; charset")
#: what a person never reads: an English HTTP reason, a plural the catalog did not make,
#: a label suffix added twice
WRONG_TEXT = re.compile(r"Internal Server Error|Bad Request|Not Found|Method Not Allowed"
                        r"|\b1 meses\b|\b1 días\b|\(demostración\) \(demostración\)")
SNAKE = re.compile(r"(?<![\w@./:=-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@./=-])")
WORD = re.compile(r"(?<![\w@./:=-])[a-z]{2,}(?![\w@./=-])")
SKIP_LINK = re.compile(r"^/logout|[?&]lang=|^/static/|^/schema")
PER_PATTERN = 2  # pages of one shape (/soria/expedientes/<n>) visited
MAX_PAGES = 70  # per crawl: the whole test stays near a minute once the demo is loaded


def catalogs() -> dict[str, dict[str, str]]:
    """Per language, every Spanish msgid of core and plugins and its translation."""
    found: dict[str, dict[str, str]] = {}
    for po in sorted(ROOT.glob("*/**/locale/*/LC_MESSAGES/messages.po")):
        if ".venv" in po.parts:
            continue
        with po.open("rb") as handle:
            catalog = read_po(handle)
        messages = found.setdefault(po.parts[-3], {})
        for message in catalog:
            if message.id and isinstance(message.id, str) and isinstance(message.string, str):
                messages.setdefault(message.id, message.string)
    return found


def enum_values() -> set[str]:
    """The lowercase values of the enums of core and plugins (what code compares, not what
    a page shows)."""
    values: set[str] = set()
    pending = list(enum.Enum.__subclasses__())
    while pending:
        kind = pending.pop()
        pending.extend(kind.__subclasses__())
        if kind.__module__.startswith(("core.", "plugins.")):
            values |= {m.value for m in kind if isinstance(m.value, str)
                       and re.fullmatch(r"[a-z][a-z0-9_]*", m.value)}
    return values


class _Page(HTMLParser):
    """The visible text nodes, links and language of a page."""

    HIDDEN = {"script", "style", "template", "code", "pre", "kbd", "samp"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self.lang = ""
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang") or ""
        elif tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        if tag in self.HIDDEN:
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self._hidden:
            self.texts.append(text)


class Checker(msgspec.Struct):
    """What is wrong with a page, by the project's catalogs and enums."""

    translations: dict[str, dict[str, str]]
    spanish_words: set[str]
    enums: set[str]

    @classmethod
    def load(cls) -> Checker:
        translations = catalogs()
        words = {w.lower() for messages in translations.values() for msgid in messages
                 for w in re.findall(r"\w+", msgid)}
        return cls(translations=translations, spanish_words=words,
                   enums=enum_values() - words)

    def problems(self, html: str, page: _Page) -> list[str]:
        found = [f"PO header ({marker!r})" for marker in PO_HEADER if marker in html]
        lang = page.lang.split("-")[0]
        messages = self.translations.get(lang, {})
        found += [f"text {m.group(0)!r}" for m in WRONG_TEXT.finditer(" ".join(page.texts))]
        for text in page.texts:
            found += [f"raw value {m.group(0)!r} in {text!r}" for m in SNAKE.finditer(text)]
            if lang != "en":
                found += [f"raw value {w!r} in {text!r}" for w in WORD.findall(text)
                          if w in self.enums]
            if lang != "es" and messages.get(text) not in (None, "", text):
                found.append(f"untranslated {text!r} (catalog {lang}: {messages[text]!r})")
        return found


def _shape(url: str, slugs: set[str]) -> str:
    """The page's kind: its path with numbers and entity slugs left out, its query's keys."""
    parts = urlsplit(url)
    keys = sorted(k.split("=")[0] for k in parts.query.split("&") if k)
    path = "/".join("T" if segment in slugs else segment
                    for segment in re.sub(r"\d+", "N", parts.path).split("/"))
    return path + "?" + "&".join(keys)


async def crawl(http: httpx.AsyncClient, starts: list[str], checker: Checker,
                who: str, slugs: set[str]) -> tuple[list[str], int]:
    """Visit from ``starts``; returns the problems (``who · url · what``) and pages seen."""
    queue, seen, shapes = deque(starts), set(starts), Counter[str]()
    problems: list[str] = []
    visited = 0
    while queue and visited < MAX_PAGES:
        url = queue.popleft()
        response = await http.get(url, headers={"accept": "text/html"}, follow_redirects=True)
        visited += 1
        here = response.url.raw_path.decode()
        if response.status_code >= 500:
            problems.append(f"{who} · {url} · {response.status_code}")
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        page = _Page()
        page.feed(response.text)
        problems += [f"{who} · {url} · {what}" for what in checker.problems(response.text,
                                                                             page)]
        for href in page.links:
            target = urljoin(here, href.split("#")[0])
            parts = urlsplit(target)
            if parts.scheme not in ("", "http", "https") or (
                    parts.netloc and parts.netloc != http.base_url.netloc.decode()):
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if not parts.path or SKIP_LINK.search(local) or local in seen:
                continue
            seen.add(local)
            shape = _shape(local, slugs)
            if shapes[shape] < PER_PATTERN:
                shapes[shape] += 1
                queue.append(local)
    return problems, visited
